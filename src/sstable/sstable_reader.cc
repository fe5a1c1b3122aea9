// Opening an SSTable: footer, statistics, summary and filter are read and verified once;
// partition lookups then binary-search the summary and read one index region.

#include "sstable/sstable_reader.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "row/byte_order.h"
#include "sstable/block.h"
#include "sstable/file_names.h"
#include "sstable/stats_codec.h"
#include "sstable/table.h"
#include "util/coding.h"

namespace cassette {

absl::StatusOr<std::shared_ptr<const SSTable>> SSTable::Open(Env* env, const std::string& dir,
                                                             uint64_t file_number,
                                                             SharedBlockCache* cache) {
  return Table::Open(env, dir, file_number, cache);
}

absl::Status Table::ReadRegion(const RegionHandle& region, const char* what, std::string* out) {
  // Bounds were checked against the file size when the footer was read, so the read
  // below allocates at most the file's size.
  if (auto s = index_.file->Read(region.offset, region.size, out); !s.ok()) return s;
  counters_.bytes.fetch_add(out->size(), std::memory_order_relaxed);
  if (out->size() != region.size) {
    return CorruptionAt(index_.path, region.offset, absl::StrCat(what, " region truncated"));
  }
  if (Checksum(*out, BlockSeed(footer_.file_number, SSTableFileKind::kIndex, region.offset)) !=
      region.checksum) {
    return CorruptionAt(index_.path, region.offset, absl::StrCat(what, " checksum mismatch"));
  }
  return absl::OkStatus();
}

Table::~Table() {
  if (!obsolete_.load(std::memory_order_acquire)) return;
  // Close before removing (the Env may refuse to remove an open file), data last: a
  // crash in between leaves only files orphan cleanup recognizes by name.
  const std::string index_path = index_.path, data_path = data_.path;
  index_.file.reset();
  data_.file.reset();
  env_->RemoveFile(index_path).IgnoreError();
  env_->RemoveFile(data_path).IgnoreError();
}

absl::StatusOr<std::shared_ptr<const SSTable>> Table::Open(Env* env, const std::string& dir,
                                                           uint64_t file_number,
                                                           SharedBlockCache* cache) {
  std::shared_ptr<Table> t(new Table());
  t->env_ = env;
  t->shared_cache_ = cache;
  t->index_.path = SSTableFilePath(dir, file_number, SSTableFileKind::kIndex);
  t->data_.path = SSTableFilePath(dir, file_number, SSTableFileKind::kData);
  const std::string& ipath = t->index_.path;

  auto index_file = env->NewRandomAccessFile(ipath);
  if (!index_file.ok()) return index_file.status();
  t->index_.file = *std::move(index_file);
  const uint64_t index_size = t->index_.file->Size();
  if (index_size < kFooterSize) {
    return CorruptionAt(ipath, 0,
                        absl::StrCat("file of ", index_size, " bytes is shorter than the footer"));
  }
  const uint64_t footer_offset = index_size - kFooterSize;
  std::string buf;
  if (auto s = t->index_.file->Read(footer_offset, kFooterSize, &buf); !s.ok()) return s;
  t->counters_.bytes.fetch_add(buf.size(), std::memory_order_relaxed);
  Footer& f = t->footer_;
  if (auto s = DecodeFooter(buf, file_number, &f); !s.ok()) {
    if (s.code() != absl::StatusCode::kDataLoss) {
      return absl::Status(s.code(), absl::StrCat(ipath, ": ", std::string(s.message())));
    }
    return CorruptionAt(ipath, footer_offset, std::string(s.message()));
  }
  // The footer's checksum passed; its values are still checked before they are used.
  if (f.block_size < kMinBlockSize || f.block_size > kMaxBlockSize) {
    return CorruptionAt(ipath, footer_offset, absl::StrCat("block size ", f.block_size));
  }
  if (f.index_end > footer_offset) {
    return CorruptionAt(ipath, footer_offset, "index blocks extend into the footer");
  }
  for (const RegionHandle* r : {&f.summary, &f.filter, &f.stats}) {
    if (r->offset < f.index_end || r->offset > footer_offset ||
        r->size > footer_offset - r->offset) {
      return CorruptionAt(ipath, footer_offset,
                          absl::StrCat("region [", r->offset, ", +", r->size, ") out of bounds"));
    }
  }

  auto data_file = env->NewRandomAccessFile(t->data_.path);
  if (!data_file.ok()) return data_file.status();
  t->data_.file = *std::move(data_file);
  if (t->data_.file->Size() != f.data_size) {
    return CorruptionAt(t->data_.path, std::min(t->data_.file->Size(), f.data_size),
                        absl::StrCat("file is ", t->data_.file->Size(),
                                     " bytes but the index footer says ", f.data_size));
  }
  for (BlockFile* b : {&t->data_, &t->index_}) {
    b->file_number = file_number;
    b->block_size = f.block_size;
    b->counters = &t->counters_;
  }
  t->data_.kind = SSTableFileKind::kData;
  t->data_.stream_end = f.data_size;
  t->index_.kind = SSTableFileKind::kIndex;
  t->index_.stream_end = f.index_end;
  t->total_bytes_ = index_size + f.data_size;

  if (auto s = t->ReadRegion(f.stats, "statistics", &buf); !s.ok()) return s;
  if (auto s = DecodeStats(buf, &t->stats_); !s.ok()) {
    return CorruptionAt(ipath, f.stats.offset, std::string(s.message()));
  }
  if (auto s = t->ReadRegion(f.summary, "summary", &buf); !s.ok()) return s;
  if (auto s = DecodeSummary(buf, &t->summary_); !s.ok()) {
    return CorruptionAt(ipath, f.summary.offset, std::string(s.message()));
  }
  if (t->summary_.empty() != (t->stats_.partition_count == 0) ||
      (!t->summary_.empty() && (t->summary_.front().key != t->stats_.first_key ||
                                t->summary_.back().key > t->stats_.last_key))) {
    return CorruptionAt(ipath, f.summary.offset, "summary disagrees with statistics");
  }
  if (t->stats_.uncompressed_bytes > 0 && f.data_size > 0) {
    // The average frame, plus half again: frames of one table compress alike.
    const uint64_t blocks = (t->stats_.uncompressed_bytes + f.block_size - 1) / f.block_size;
    const uint64_t average = f.data_size / std::max<uint64_t>(blocks, 1);
    t->data_.first_read = static_cast<size_t>((average + average / 2 + 511) / 512 * 512);
  }
  t->summary_heads_.reserve(t->summary_.size());
  for (const SummaryEntry& e : t->summary_) t->summary_heads_.push_back(KeyHead(e.key));
  // A filter that fails its checksum is ignored, not fatal: it only ever saves reads.
  if (t->ReadRegion(f.filter, "filter", &buf).ok()) {
    t->filter_ = BloomFilter(std::move(buf));
  } else {
    t->filter_usable_ = false;
  }
  return std::shared_ptr<const SSTable>(std::move(t));
}

bool Table::MayContain(std::string_view decorated) const {
  if (summary_.empty() || decorated < stats_.first_key || decorated > stats_.last_key) {
    return false;
  }
  return filter_.MayContain(decorated);
}

std::unique_ptr<Source> Table::NewSource(std::shared_ptr<const SSTable> self) const {
  // REQUIRES: self.get() == this, so the downcast is exact.
  return NewTableSource(std::static_pointer_cast<const Table>(std::move(self)));
}

std::unique_ptr<SSTableScanner> Table::NewScanner(std::shared_ptr<const SSTable> self) const {
  // REQUIRES: self.get() == this, as for NewSource.
  return NewTableScanner(std::static_pointer_cast<const Table>(std::move(self)));
}

uint64_t Table::KeyHead(std::string_view key) {
  char buf[8] = {};
  std::memcpy(buf, key.data(), std::min<size_t>(key.size(), 8));
  return LoadBigEndian64(buf);
}

const SummaryEntry* Table::SummaryFloor(std::string_view key) const {
  if (summary_.empty()) return nullptr;
  // The last sampled entry <= key; a key before the first partition gets the first.
  // Heads order as their keys do (ties aside), so the entries with key's head are
  // [lo, hi): every one before lo is below key, every one from hi on above it.
  const uint64_t head = KeyHead(key);
  const auto first = summary_heads_.begin();
  const size_t lo =
      static_cast<size_t>(std::lower_bound(first, summary_heads_.end(), head) - first);
  size_t hi = lo;
  while (hi < summary_heads_.size() && summary_heads_[hi] == head) ++hi;
  auto it = std::upper_bound(
      summary_.begin() + lo, summary_.begin() + hi, key,
      [](std::string_view k, const SummaryEntry& e) { return CompareBytes(k, e.key) < 0; });
  return &*(it == summary_.begin() ? it : std::prev(it));
}

bool Table::IndexScanStart(std::string_view key, StreamPosition* position) const {
  const SummaryEntry* e = SummaryFloor(key);
  if (e == nullptr) return false;
  *position = e->position;
  return true;
}

absl::StatusOr<bool> Table::FindEntry(std::string_view key, BlockCache* cache, IndexEntry* entry,
                                      IndexResume* resume) const {
  const SummaryEntry* floor = SummaryFloor(key);
  if (floor == nullptr || CompareBytes(key, stats_.first_key) < 0) return false;
  StreamReader r(&index_, cache);
  std::string prev;
  bool has_prev = false;
  if (resume->valid && resume->key < key && resume->key >= floor->key) {
    // Lookups in key order continue where the last one stopped.
    r.Seek(resume->next);
    prev = resume->key;
    has_prev = true;
  } else {
    r.Seek(floor->position);
  }
  resume->valid = false;
  std::string scratch;
  for (;;) {
    const StreamPosition before = r.position();
    auto end = r.AtEnd();
    if (!end.ok()) return end.status();
    if (*end) return false;
    const uint64_t at = r.block_offset();
    std::string_view record;
    if (auto s = r.ReadRecord(&record, &scratch); !s.ok()) return s;
    // Up to summary_interval entries (or summary_bytes of them) are passed over per
    // lookup (sstable_writer.h): only their keys are read (no copy, no allocation); the
    // matching entry alone is decoded whole.
    std::string_view rest = record, entry_key;
    if (!GetLengthPrefixed(&rest, &entry_key)) {
      const absl::Status s = DecodeIndexEntry(record, /*with_row_index=*/false, entry);
      return CorruptionAt(index_.path, at,
                          s.ok() ? std::string("malformed index entry") : std::string(s.message()));
    }
    if (has_prev && CompareBytes(entry_key, prev) <= 0) {
      return CorruptionAt(index_.path, at, "index keys out of order");
    }
    const int order = CompareBytes(entry_key, key);
    if (order > 0) {
      if (has_prev) *resume = IndexResume{true, std::move(prev), before};
      return false;
    }
    if (order == 0) {
      if (auto s = DecodeIndexEntry(record, /*with_row_index=*/true, entry); !s.ok()) {
        return CorruptionAt(index_.path, at, std::string(s.message()));
      }
      *resume = IndexResume{true, entry->key, r.position()};
      return true;
    }
    prev.assign(entry_key);  // reuses prev's buffer
    has_prev = true;
  }
}

}  // namespace cassette

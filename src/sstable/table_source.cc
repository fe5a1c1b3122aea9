// The Source over one SSTable: partition headers, lazily decoded row cursors (forward,
// and reversed one row-index span at a time) and a partition cursor over the index.

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "row/byte_order.h"
#include "sstable/block.h"
#include "sstable/row_format.h"
#include "sstable/table.h"
#include "util/coding.h"

namespace cassette {
namespace {

// Everything a cursor reads through: the table (kept alive) and the Source's block cache
// (shared, so a cursor may outlive its Source).
struct ReadContext {
  std::shared_ptr<const Table> table;
  std::shared_ptr<BlockCache> cache;
};

class ErrorRowCursor final : public RowCursor {
 public:
  explicit ErrorRowCursor(absl::Status s) : status_(std::move(s)) {}
  bool Valid() const override { return false; }
  const Row& row() const override { std::abort(); }
  void Next() override {}
  absl::Status status() const override { return status_; }

 private:
  absl::Status status_;
};

class TableRowCursor final : public RowCursor {
 public:
  TableRowCursor(ReadContext ctx, std::shared_ptr<const IndexEntry> entry, std::string_view lo,
                 std::string_view hi, bool reversed)
      : ctx_(std::move(ctx)),
        entry_holder_(std::move(entry)),
        entry_(*entry_holder_),
        lo_(lo),
        hi_(hi),
        reversed_(reversed),
        reader_(&ctx_.table->data(), ctx_.cache.get()) {
    if (lo_ >= hi_) return;
    reversed_ ? StartReversed() : StartForward();
  }

  bool Valid() const override { return valid_; }
  const Row& row() const override { return row_; }
  void Next() override {
    if (!valid_) return;
    reversed_ ? NextReversed() : NextForward();
  }
  absl::Status status() const override { return status_; }

 private:
  bool Fail(absl::Status s) {
    status_ = std::move(s);
    valid_ = false;
    return false;
  }
  bool Corrupt(uint64_t offset, std::string_view what) {
    return Fail(CorruptionAt(ctx_.table->data().path, offset, what));
  }
  // Positions the reader at the first row of span i, or of the partition if it has no
  // row index (then the header record is read and skipped).
  bool SeekSpan(size_t i);
  // Reads the next row record: false at the partition's end marker or on error.
  bool ReadRow(std::string_view* record, std::string_view* clustering);

  void StartForward();
  void NextForward();
  void StartReversed();
  void NextReversed();
  bool LoadSpan(size_t i);  // reversed: buffers span i's rows inside [lo, hi)

  ReadContext ctx_;
  std::shared_ptr<const IndexEntry> entry_holder_;  // shared with the Source's lookup cache
  const IndexEntry& entry_;
  const std::string lo_, hi_;
  const bool reversed_;
  StreamReader reader_;
  std::string scratch_;
  // The last row's clustering, rebuilt from each stored row (row_format.h); the current
  // row's clustering views it.
  std::string prev_;
  bool has_prev_ = false;
  Row row_;
  bool valid_ = false;
  absl::Status status_;
  // Reversed state: the span being emitted and its buffered records.
  size_t span_ = 0;
  std::vector<std::string> span_rows_;
  size_t next_in_span_ = 0;  // rows not yet emitted are [0, next_in_span_)
};

bool TableRowCursor::SeekSpan(size_t i) {
  has_prev_ = false;
  if (!entry_.row_index.empty()) {
    reader_.Seek(entry_.row_index[i].position);
    return true;
  }
  reader_.Seek(entry_.position);
  std::string_view header;
  if (auto s = reader_.ReadRecord(&header, &scratch_); !s.ok()) return Fail(s);
  if (header.empty()) return Corrupt(reader_.block_offset(), "missing partition header");
  return true;
}

bool TableRowCursor::ReadRow(std::string_view* body, std::string_view* clustering) {
  const uint64_t at = reader_.block_offset();
  std::string_view stored;
  if (auto s = reader_.ReadRecord(&stored, &scratch_); !s.ok()) return Fail(s);
  if (stored.empty()) return false;  // end of partition
  // Rebuilds the clustering in prev_ (a stored row keeps only what differs from the
  // previous one) and checks that it sorts after it.
  if (auto s = ParseStoredRow(stored, ctx_.table->format_version(), has_prev_, &prev_, body);
      !s.ok()) {
    return Corrupt(at, std::string(s.message()));
  }
  *clustering = prev_;
  has_prev_ = true;
  return true;
}

void TableRowCursor::StartForward() {
  size_t span = 0;
  if (!entry_.row_index.empty()) {
    // The first span that can hold a row >= lo.
    const auto& ri = entry_.row_index;
    auto it =
        std::lower_bound(ri.begin(), ri.end(), lo_,
                         [](const RowIndexEntry& e, const std::string& lo) { return e.last < lo; });
    if (it == ri.end()) return;
    span = static_cast<size_t>(it - ri.begin());
  }
  if (SeekSpan(span)) NextForward();
}

void TableRowCursor::NextForward() {
  valid_ = false;
  std::string_view body, clustering;
  while (ReadRow(&body, &clustering)) {
    if (CompareBytes(clustering, lo_) < 0) continue;  // skipped without decoding the row
    if (CompareBytes(clustering, hi_) >= 0) return;
    const uint64_t at = reader_.block_offset();
    // row_'s clustering views prev_, which holds it until the next ReadRow.
    if (auto s = DecodeRowParts(clustering, body, ctx_.table->bases(), &row_); !s.ok()) {
      Corrupt(at, std::string(s.message()));
      return;
    }
    valid_ = true;
    return;
  }
}

bool TableRowCursor::LoadSpan(size_t i) {
  span_ = i;
  span_rows_.clear();
  if (!SeekSpan(i)) return false;
  const bool indexed = !entry_.row_index.empty();
  std::string_view body, clustering;
  for (;;) {
    const uint64_t at = reader_.block_offset();
    if (!ReadRow(&body, &clustering)) {
      if (!status_.ok()) return false;
      // The partition ended: fine unless the row index promised more rows in this span.
      if (indexed) return Corrupt(at, "partition ends inside a row index span");
      break;
    }
    if (indexed &&
        (clustering < entry_.row_index[i].first || clustering > entry_.row_index[i].last)) {
      return Corrupt(at, "row outside its row index span");
    }
    if (clustering >= hi_) break;
    if (clustering >= lo_) {
      // Kept as logical records (whole clustering, then body): emitted backwards, a row
      // can no longer borrow its clustering from the one before it.
      std::string& logical = span_rows_.emplace_back();
      PutLengthPrefixed(&logical, clustering);
      logical.append(body);
    }
    if (indexed && clustering == entry_.row_index[i].last) break;
  }
  next_in_span_ = span_rows_.size();
  return true;
}

void TableRowCursor::StartReversed() {
  size_t span = 0;
  if (!entry_.row_index.empty()) {
    // The last span that can hold a row < hi.
    const auto& ri = entry_.row_index;
    auto it = std::lower_bound(
        ri.begin(), ri.end(), hi_,
        [](const RowIndexEntry& e, const std::string& hi) { return e.first < hi; });
    if (it == ri.begin()) return;
    span = static_cast<size_t>(it - ri.begin()) - 1;
  }
  if (LoadSpan(span)) NextReversed();
}

void TableRowCursor::NextReversed() {
  valid_ = false;
  while (next_in_span_ == 0) {
    // Earlier spans hold smaller clusterings; stop once they are all below lo.
    if (span_ == 0 || entry_.row_index.empty() || entry_.row_index[span_ - 1].last < lo_) return;
    if (!LoadSpan(span_ - 1)) return;
  }
  --next_in_span_;
  // span_rows_ is not modified while its rows are emitted, so views into it stay valid.
  if (auto s = DecodeRowRecord(span_rows_[next_in_span_], ctx_.table->bases(), &row_); !s.ok()) {
    Corrupt(entry_.position.block_offset, std::string(s.message()));
    return;
  }
  valid_ = true;
}

class TablePartitionCursor final : public PartitionCursor {
 public:
  TablePartitionCursor(ReadContext ctx, std::string_view start)
      : ctx_(std::move(ctx)), reader_(&ctx_.table->index(), ctx_.cache.get()) {
    StreamPosition p;
    if (!ctx_.table->IndexScanStart(start, &p)) return;
    reader_.Seek(p);
    do {
      Advance();
    } while (valid_ && key_ < start);
  }
  bool Valid() const override { return valid_; }
  std::string_view key() const override { return key_; }
  void Next() override {
    if (valid_) Advance();
  }
  absl::Status status() const override { return status_; }

 private:
  void Advance() {
    valid_ = false;
    auto end = reader_.AtEnd();
    if (!end.ok()) {
      status_ = end.status();
      return;
    }
    if (*end) return;
    const uint64_t at = reader_.block_offset();
    std::string_view record;
    if (auto s = reader_.ReadRecord(&record, &scratch_); !s.ok()) {
      status_ = s;
      return;
    }
    if (auto s = DecodeIndexEntry(record, /*with_row_index=*/false, &entry_); !s.ok()) {
      status_ = CorruptionAt(ctx_.table->index().path, at, std::string(s.message()));
      return;
    }
    if (has_key_ && entry_.key <= key_) {
      status_ = CorruptionAt(ctx_.table->index().path, at, "index keys out of order");
      return;
    }
    key_.swap(entry_.key);
    has_key_ = valid_ = true;
  }

  ReadContext ctx_;
  StreamReader reader_;
  std::string scratch_;
  IndexEntry entry_;
  std::string key_;
  bool has_key_ = false;
  bool valid_ = false;
  absl::Status status_;
};

class TableSource final : public Source {
 public:
  explicit TableSource(std::shared_ptr<const Table> table)
      : ctx_{table, std::make_shared<BlockCache>(table->shared_cache())} {}

  absl::StatusOr<bool> ReadPartition(std::string_view decorated, PartitionHeader* header) override;
  std::unique_ptr<RowCursor> NewRowCursor(std::string_view decorated, std::string_view lo,
                                          std::string_view hi, bool reversed) override;
  int64_t max_timestamp() const override { return ctx_.table->stats().max_timestamp; }
  std::unique_ptr<PartitionCursor> NewPartitionCursor(std::string_view start) override {
    return std::make_unique<TablePartitionCursor>(ctx_, start);
  }

 private:
  // The index entry of `key`, remembering the last lookup: the read path asks for a
  // partition's header and then for its rows.
  absl::StatusOr<std::shared_ptr<const IndexEntry>> Lookup(std::string_view key);

  ReadContext ctx_;
  bool has_last_ = false;
  std::shared_ptr<const IndexEntry> last_;  // null if the last key looked up is absent
  Table::IndexResume resume_;
  std::string last_key_;  // the last key looked up, when absent (else last_->key)
  // Headers' static rows point into these records: the Source contract keeps header
  // data valid for the Source's life. (Not a std::deque: an empty one allocates, and
  // most reads meet no static row.)
  std::vector<std::unique_ptr<std::string>> static_records_;
};

absl::StatusOr<std::shared_ptr<const IndexEntry>> TableSource::Lookup(std::string_view key) {
  // A found entry carries its key, so only an absent key is copied (a decorated key is
  // longer than std::string's inline buffer: the copy was an allocation per read).
  const std::string_view last = last_ != nullptr ? std::string_view(last_->key) : last_key_;
  if (!has_last_ || key != last) {
    has_last_ = false;
    std::shared_ptr<IndexEntry> entry;
    if (ctx_.table->MayContain(key)) {  // most tables of a point read stop here
      entry = std::make_shared<IndexEntry>();
      auto found = ctx_.table->FindEntry(key, ctx_.cache.get(), entry.get(), &resume_);
      if (!found.ok()) return found.status();
      if (!*found) entry.reset();
    }
    if (entry == nullptr) last_key_.assign(key);
    last_ = std::move(entry);
    has_last_ = true;
  }
  return last_;
}

absl::StatusOr<bool> TableSource::ReadPartition(std::string_view decorated,
                                                PartitionHeader* header) {
  auto entry = Lookup(decorated);
  if (!entry.ok()) return entry.status();
  if (*entry == nullptr) return false;
  StreamReader reader(&ctx_.table->data(), ctx_.cache.get());
  reader.Seek((*entry)->position);
  std::string scratch;
  std::string_view record;
  if (auto s = reader.ReadRecord(&record, &scratch); !s.ok()) return s;
  const uint64_t at = (*entry)->position.block_offset;
  const std::string& path = ctx_.table->data().path;
  std::string_view key;
  auto s = DecodePartitionHeader(record, ctx_.table->bases(), &key, header);
  if (s.ok() && !header->static_row.IsEmpty()) {
    // Re-decode from a copy the Source owns, so the static row outlives the block.
    static_records_.push_back(std::make_unique<std::string>(record));
    s = DecodePartitionHeader(*static_records_.back(), ctx_.table->bases(), &key, header);
  }
  if (!s.ok()) return CorruptionAt(path, at, std::string(s.message()));
  if (key != decorated) {
    return CorruptionAt(path, at, "partition header key differs from the index");
  }
  return true;
}

std::unique_ptr<RowCursor> TableSource::NewRowCursor(std::string_view decorated,
                                                     std::string_view lo, std::string_view hi,
                                                     bool reversed) {
  // The table's clustering range (rows only) misses the slice: nothing to read. The
  // partition header, with its range tombstones, was read by ReadPartition.
  const SSTableStats& st = ctx_.table->stats();
  if (st.row_count == 0 || st.max_clustering < lo || st.min_clustering >= hi) {
    return std::make_unique<ErrorRowCursor>(absl::OkStatus());
  }
  auto entry = Lookup(decorated);
  if (!entry.ok()) return std::make_unique<ErrorRowCursor>(entry.status());
  if (*entry == nullptr) return std::make_unique<ErrorRowCursor>(absl::OkStatus());
  return std::make_unique<TableRowCursor>(ctx_, *std::move(entry), lo, hi, reversed);
}

}  // namespace

std::unique_ptr<Source> NewTableSource(std::shared_ptr<const Table> table) {
  return std::make_unique<TableSource>(std::move(table));
}

}  // namespace cassette

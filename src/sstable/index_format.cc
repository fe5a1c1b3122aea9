#include "sstable/index_format.h"

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "sstable/block.h"
#include "util/coding.h"

namespace cassette {
namespace {

constexpr size_t kFooterChecksumOffset = 128;
constexpr size_t kSmallKey = 256;

void PutPosition(std::string* out, StreamPosition p) {
  PutVarint64(out, p.block_offset);
  PutVarint32(out, p.in_block);
}

bool GetPosition(std::string_view* in, StreamPosition* p) {
  return GetVarint64(in, &p->block_offset) && GetVarint32(in, &p->in_block);
}

absl::Status Malformed(const char* what) {
  return absl::DataLossError(std::string("malformed index: ") + what);
}

void PutRegion(std::string* out, const RegionHandle& r) {
  PutFixed64(out, r.offset);
  PutFixed64(out, r.size);
  PutFixed64(out, r.checksum);
}

RegionHandle GetRegion(const char* p) {
  return {DecodeFixed64(p), DecodeFixed64(p + 8), DecodeFixed64(p + 16)};
}

}  // namespace

void EncodeIndexEntry(const IndexEntry& e, std::string* out) {
  if (e.row_index.empty() && e.key.size() <= kSmallKey) {
    // The common entry, assembled on the stack and appended at once (one per partition
    // written).
    char buf[kMaxVarint32Length + kSmallKey + kMaxVarint64Length + 2 * kMaxVarint32Length];
    char* p = EncodeVarint32(buf, static_cast<uint32_t>(e.key.size()));
    std::memcpy(p, e.key.data(), e.key.size());
    p = EncodeVarint64(p + e.key.size(), e.position.block_offset);
    p = EncodeVarint32(p, e.position.in_block);
    p = EncodeVarint32(p, 0);
    out->append(buf, static_cast<size_t>(p - buf));
    return;
  }
  PutLengthPrefixed(out, e.key);
  PutPosition(out, e.position);
  PutVarint32(out, static_cast<uint32_t>(e.row_index.size()));
  for (const RowIndexEntry& r : e.row_index) {
    PutLengthPrefixed(out, r.first);
    PutLengthPrefixed(out, r.last);
    PutPosition(out, r.position);
  }
}

absl::Status DecodeIndexEntry(std::string_view in, bool with_row_index, IndexEntry* e) {
  std::string_view key;
  uint32_t n;
  if (!GetLengthPrefixed(&in, &key) || !GetPosition(&in, &e->position) || !GetVarint32(&in, &n)) {
    return Malformed("index entry");
  }
  e->key.assign(key);
  e->row_index.clear();
  e->row_index_bytes.reset();
  if (!with_row_index) return absl::OkStatus();
  if (n == 0) return in.empty() ? absl::OkStatus() : Malformed("trailing bytes in index entry");
  // An entry takes at least 4 bytes: bounds the reservation by the input.
  if (n > in.size() / 4) return Malformed("row index count");
  e->row_index.reserve(n);
  // The entries' clusterings are views into one copy of the rest of the record.
  e->row_index_bytes = std::make_unique_for_overwrite<char[]>(in.size());
  std::memcpy(e->row_index_bytes.get(), in.data(), in.size());
  in = std::string_view(e->row_index_bytes.get(), in.size());
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view first, last;
    StreamPosition p;
    if (!GetLengthPrefixed(&in, &first) || !GetLengthPrefixed(&in, &last) ||
        !GetPosition(&in, &p)) {
      return Malformed("row index entry");
    }
    if (first > last || (i > 0 && first <= e->row_index.back().last)) {
      return Malformed("row index order");
    }
    e->row_index.push_back({first, last, p});
  }
  if (!in.empty()) return Malformed("trailing bytes in index entry");
  return absl::OkStatus();
}

void EncodeSummary(const std::vector<SummaryEntry>& summary, std::string* out) {
  PutVarint64(out, summary.size());
  for (const SummaryEntry& s : summary) {
    PutLengthPrefixed(out, s.key);
    PutPosition(out, s.position);
  }
}

absl::Status DecodeSummary(std::string_view in, std::vector<SummaryEntry>* summary) {
  uint64_t n;
  // An entry takes at least 3 bytes.
  if (!GetVarint64(&in, &n) || n > in.size() / 3) return Malformed("summary count");
  summary->clear();
  summary->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view key;
    StreamPosition p;
    if (!GetLengthPrefixed(&in, &key) || !GetPosition(&in, &p)) return Malformed("summary entry");
    if (i > 0 && key <= summary->back().key) return Malformed("summary order");
    summary->push_back({std::string(key), p});
  }
  if (!in.empty()) return Malformed("trailing bytes in summary");
  return absl::OkStatus();
}

void EncodeFooter(const Footer& f, std::string* out) {
  const size_t start = out->size();
  PutFixed64(out, f.file_number);
  PutFixed64(out, f.data_size);
  PutFixed64(out, f.index_end);
  PutRegion(out, f.summary);
  PutRegion(out, f.filter);
  PutRegion(out, f.stats);
  PutFixed32(out, f.block_size);
  PutFixed32(out, static_cast<uint32_t>(f.bases.ttl));
  PutFixed64(out, static_cast<uint64_t>(f.bases.timestamp));
  PutFixed64(out, static_cast<uint64_t>(f.bases.ldt));
  PutFixed32(out, 0);  // flags, reserved
  PutFixed32(out, f.format_version);
  PutFixed64(out, Checksum(std::string_view(*out).substr(start), f.file_number));
  PutFixed64(out, kSSTableMagic);
}

absl::Status DecodeFooter(std::string_view in, uint64_t file_number, Footer* f) {
  if (in.size() != kFooterSize) return absl::DataLossError("footer truncated");
  const char* p = in.data();
  if (DecodeFixed64(p + 136) != kSSTableMagic) {
    return absl::DataLossError("bad magic number (not an SSTable index file)");
  }
  if (DecodeFixed64(p + kFooterChecksumOffset) !=
      Checksum(in.substr(0, kFooterChecksumOffset), file_number)) {
    return absl::DataLossError(
        absl::StrCat("footer checksum mismatch (or the footer is not table ", file_number, "'s)"));
  }
  f->format_version = DecodeFixed32(p + 124);
  if (f->format_version < kOldestReadableSSTableFormat ||
      f->format_version > kSSTableFormatVersion) {
    return absl::UnimplementedError(absl::StrCat(
        "SSTable format version ", f->format_version, " is not supported (this build reads ",
        kOldestReadableSSTableFormat, " to ", kSSTableFormatVersion, ")"));
  }
  if (DecodeFixed32(p + 120) != 0) return absl::DataLossError("unknown footer flags");
  f->file_number = DecodeFixed64(p);
  if (f->file_number != file_number) {
    return absl::DataLossError(absl::StrCat("footer names table ", f->file_number));
  }
  f->data_size = DecodeFixed64(p + 8);
  f->index_end = DecodeFixed64(p + 16);
  f->summary = GetRegion(p + 24);
  f->filter = GetRegion(p + 48);
  f->stats = GetRegion(p + 72);
  f->block_size = DecodeFixed32(p + 96);
  f->bases.ttl = static_cast<int32_t>(DecodeFixed32(p + 100));
  f->bases.timestamp = static_cast<int64_t>(DecodeFixed64(p + 104));
  f->bases.ldt = static_cast<int64_t>(DecodeFixed64(p + 112));
  return absl::OkStatus();
}

}  // namespace cassette

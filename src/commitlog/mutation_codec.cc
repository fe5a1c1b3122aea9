#include "commitlog/mutation_codec.h"

#include <cassert>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "row/row_codec.h"
#include "types/partition_key.h"
#include "util/coding.h"

namespace cassette {
namespace {

// Do not change: embedded in on-disk data.
constexpr uint8_t kEntryHasPartitionDeletion = 0x01;
constexpr uint8_t kRowStatic = 0x01;

// Smallest encodings, used to bound counts by the bytes left before reserving memory.
constexpr size_t kMinEntrySize = 5;           // two empty strings, flags, two zero counts
constexpr size_t kMinRangeTombstoneSize = 4;  // two empty strings, two one-byte varints
constexpr size_t kMinRowSize = 3;             // flags, empty clustering, empty body

void PutDeletion(std::string* out, const DeletionTime& d) {
  PutSignedVarint64(out, d.marked_for_delete_at);
  PutSignedVarint64(out, d.ldt);
}

// A cursor over the payload that turns every failure into a DataLoss naming the field,
// the payload offset and the entry/row being decoded.
class Decoder {
 public:
  explicit Decoder(std::string_view payload) : payload_(payload), in_(payload) {}

  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

  void set_entry(size_t entry) { entry_ = entry; }
  void set_row(size_t row) { row_ = row; }

  size_t offset() const { return payload_.size() - in_.size(); }

  absl::Status Error(std::string_view what) const { return ErrorAt(offset(), what); }
  absl::Status ErrorAt(size_t offset, std::string_view what) const {
    std::string where = absl::StrCat("at payload offset ", offset);
    if (entry_ != kNone) absl::StrAppend(&where, ", entry ", entry_);
    if (row_ != kNone) absl::StrAppend(&where, ", row ", row_);
    return absl::DataLossError(
        absl::StrCat("malformed commit log batch: ", std::string(what), " (", where, ")"));
  }

  absl::Status Varint64(uint64_t* v, std::string_view what) {
    return GetVarint64(&in_, v) ? absl::OkStatus() : Error(what);
  }
  absl::Status Varint32(uint32_t* v, std::string_view what) {
    return GetVarint32(&in_, v) ? absl::OkStatus() : Error(what);
  }
  absl::Status Signed(int64_t* v, std::string_view what) {
    uint64_t u;
    if (!GetVarint64(&in_, &u)) return Error(what);
    *v = DecodeZigZag64(u);
    return absl::OkStatus();
  }
  absl::Status Byte(uint8_t* v, std::string_view what) {
    if (in_.empty()) return Error(what);
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return absl::OkStatus();
  }
  absl::Status Bytes(std::string_view* v, std::string_view what) {
    return GetLengthPrefixed(&in_, v) ? absl::OkStatus() : Error(what);
  }
  absl::Status Deletion(DeletionTime* d, std::string_view what) {
    absl::Status s = Signed(&d->marked_for_delete_at, what);
    if (s.ok()) s = Signed(&d->ldt, what);
    return s;
  }
  // A count of items of at least `min_size` bytes each, checked against the bytes left
  // so that a damaged count cannot make the caller reserve a huge vector.
  absl::Status Count(uint32_t* n, size_t min_size, std::string_view what) {
    absl::Status s = Varint32(n, what);
    if (!s.ok()) return s;
    if (*n > in_.size() / min_size) {
      return Error(absl::StrCat(std::string(what), " ", *n, " exceeds what the remaining ",
                                in_.size(), " bytes can hold"));
    }
    return absl::OkStatus();
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);

 private:
  const std::string_view payload_;
  std::string_view in_;
  size_t entry_ = kNone;
  size_t row_ = kNone;
};

#define CASSETTE_CODEC_RETURN_IF_ERROR(expr) \
  do {                                       \
    absl::Status _s = (expr);                \
    if (!_s.ok()) return _s;                 \
  } while (0)

absl::Status DecodeRowUpdate(Decoder* d, RowUpdate* out) {
  const size_t flags_offset = d->offset();
  uint8_t flags = 0;
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Byte(&flags, "row flags"));
  if (flags & ~kRowStatic)
    return d->ErrorAt(flags_offset, absl::StrCat("unknown row flags ", flags));
  out->is_static = (flags & kRowStatic) != 0;
  std::string_view clustering, body;
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Bytes(&clustering, "row clustering"));
  const size_t body_offset = d->offset();
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Bytes(&body, "row body"));
  absl::Status s = DecodeRow(body, &out->row);
  if (!s.ok()) return d->ErrorAt(body_offset, absl::StrCat("row body: ", s.message()));
  out->clustering = std::string(clustering);
  out->row.clustering = clustering;  // views into the batch's bytes, like the cells
  return absl::OkStatus();
}

absl::Status DecodeEntry(Decoder* d, BatchEntry* out) {
  std::string_view table, key;
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Bytes(&table, "table name"));
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Bytes(&key, "partition key"));
  out->table = std::string(table);
  PartitionUpdate& u = out->update;
  u.decorated_key = DecoratePartitionKey(key);
  const size_t flags_offset = d->offset();
  uint8_t flags = 0;
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Byte(&flags, "entry flags"));
  if (flags & ~kEntryHasPartitionDeletion) {
    return d->ErrorAt(flags_offset, absl::StrCat("unknown entry flags ", flags));
  }
  if (flags & kEntryHasPartitionDeletion) {
    CASSETTE_CODEC_RETURN_IF_ERROR(d->Deletion(&u.partition_deletion, "partition deletion"));
    // Live is written as an absent deletion; anything else would be a second encoding.
    if (u.partition_deletion.IsLive()) {
      return d->ErrorAt(flags_offset, "partition deletion flagged but live");
    }
  }

  uint32_t n;
  CASSETTE_CODEC_RETURN_IF_ERROR(d->Count(&n, kMinRangeTombstoneSize, "range tombstone count"));
  u.range_tombstones.resize(n);
  for (RangeTombstone& rt : u.range_tombstones) {
    std::string_view start, end;
    CASSETTE_CODEC_RETURN_IF_ERROR(d->Bytes(&start, "range tombstone start"));
    CASSETTE_CODEC_RETURN_IF_ERROR(d->Bytes(&end, "range tombstone end"));
    CASSETTE_CODEC_RETURN_IF_ERROR(d->Deletion(&rt.deletion, "range tombstone deletion"));
    rt.start = std::string(start);
    rt.end = std::string(end);
  }

  CASSETTE_CODEC_RETURN_IF_ERROR(d->Count(&n, kMinRowSize, "row count"));
  u.rows.resize(n);
  for (size_t i = 0; i < n; ++i) {
    d->set_row(i);
    CASSETTE_CODEC_RETURN_IF_ERROR(DecodeRowUpdate(d, &u.rows[i]));
  }
  d->set_row(Decoder::kNone);
  return absl::OkStatus();
}

}  // namespace

std::string EncodeBatch(uint64_t seq, const std::vector<BatchEntry>& entries) {
  std::string out;
  PutVarint64(&out, seq);
  PutVarint32(&out, static_cast<uint32_t>(entries.size()));
  std::string body;
  for (const BatchEntry& e : entries) {
    const PartitionUpdate& u = e.update;
    PutLengthPrefixed(&out, e.table);
    // The token is a hash of the key: replay recomputes it instead of reading 8 bytes.
    assert(u.decorated_key.size() >= 8);
    PutLengthPrefixed(&out, std::string_view(u.decorated_key).substr(8));
    const bool has_deletion = !u.partition_deletion.IsLive();
    out.push_back(static_cast<char>(has_deletion ? kEntryHasPartitionDeletion : 0));
    if (has_deletion) PutDeletion(&out, u.partition_deletion);
    PutVarint32(&out, static_cast<uint32_t>(u.range_tombstones.size()));
    for (const RangeTombstone& rt : u.range_tombstones) {
      PutLengthPrefixed(&out, rt.start);
      PutLengthPrefixed(&out, rt.end);
      PutDeletion(&out, rt.deletion);
    }
    PutVarint32(&out, static_cast<uint32_t>(u.rows.size()));
    for (const RowUpdate& r : u.rows) {
      out.push_back(static_cast<char>(r.is_static ? kRowStatic : 0));
      PutLengthPrefixed(&out, r.clustering);
      // DecodeRow needs the row's exact extent, hence the length prefix.
      body.clear();
      EncodeRow(r.row, &body);
      PutLengthPrefixed(&out, body);
    }
  }
  return out;
}

absl::StatusOr<DecodedBatch> DecodeBatch(std::string_view payload) {
  DecodedBatch batch;
  batch.bytes_ = std::make_unique<char[]>(payload.size());
  if (!payload.empty()) std::memcpy(batch.bytes_.get(), payload.data(), payload.size());
  Decoder d(std::string_view(batch.bytes_.get(), payload.size()));

  CASSETTE_CODEC_RETURN_IF_ERROR(d.Varint64(&batch.seq_, "sequence number"));
  uint32_t n;
  CASSETTE_CODEC_RETURN_IF_ERROR(d.Count(&n, kMinEntrySize, "entry count"));
  batch.entries_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    d.set_entry(i);
    CASSETTE_CODEC_RETURN_IF_ERROR(DecodeEntry(&d, &batch.entries_[i]));
  }
  d.set_entry(Decoder::kNone);
  if (!d.done()) return d.Error(absl::StrCat(d.remaining(), " trailing bytes"));
  return batch;
}

#undef CASSETTE_CODEC_RETURN_IF_ERROR

}  // namespace cassette

#include "row/row_codec.h"

#include "util/coding.h"

namespace cassette {
namespace {

constexpr uint8_t kHasLiveness = 0x01;
constexpr uint8_t kLivenessExpiring = 0x02;
constexpr uint8_t kHasDeletion = 0x04;
constexpr uint8_t kCellExpiring = 0x01;
constexpr uint8_t kCellTombstone = 0x02;

absl::Status Corrupt(const char* what) {
  return absl::DataLossError(std::string("malformed row encoding: ") + what);
}

}  // namespace

void EncodeRow(const Row& row, std::string* out) {
  uint8_t flags = 0;
  if (!row.liveness.IsEmpty()) flags |= kHasLiveness;
  if (row.liveness.IsExpiring()) flags |= kLivenessExpiring;
  if (!row.deletion.IsLive()) flags |= kHasDeletion;
  out->push_back(static_cast<char>(flags));
  if (flags & kHasLiveness) {
    PutSignedVarint64(out, row.liveness.timestamp);
    if (flags & kLivenessExpiring) {
      PutVarint32(out, static_cast<uint32_t>(row.liveness.ttl));
      PutSignedVarint64(out, row.liveness.ldt);
    }
  }
  if (flags & kHasDeletion) {
    PutSignedVarint64(out, row.deletion.marked_for_delete_at);
    PutSignedVarint64(out, row.deletion.ldt);
  }
  PutVarint32(out, static_cast<uint32_t>(row.cells.size()));
  for (const Cell& c : row.cells) {
    PutVarint32(out, c.column);
    uint8_t cf = c.IsExpiring() ? kCellExpiring : (c.IsTombstone() ? kCellTombstone : 0);
    out->push_back(static_cast<char>(cf));
    PutSignedVarint64(out, c.timestamp);
    if (cf & kCellExpiring) PutVarint32(out, static_cast<uint32_t>(c.ttl));
    if (cf & (kCellExpiring | kCellTombstone)) PutSignedVarint64(out, c.ldt);
    if (!(cf & kCellTombstone)) PutLengthPrefixed(out, c.value);
  }
}

absl::Status DecodeRow(std::string_view in, Row* row) {
  uint8_t flags;
  if (!GetByte(&in, &flags)) return Corrupt("empty");
  if (flags & ~(kHasLiveness | kLivenessExpiring | kHasDeletion)) return Corrupt("row flags");
  row->liveness = LivenessInfo();
  row->deletion = DeletionTime::Live();
  row->cells.clear();
  if (flags & kHasLiveness) {
    // kNoTimestamp would make the marker "empty" yet flagged: re-encoding could not
    // reproduce these bytes.
    if (!GetSignedVarint64(&in, &row->liveness.timestamp) ||
        row->liveness.timestamp == kNoTimestamp) {
      return Corrupt("liveness timestamp");
    }
    if (flags & kLivenessExpiring) {
      uint32_t ttl;
      if (!GetVarint32(&in, &ttl) || ttl == 0 || ttl > INT32_MAX) return Corrupt("liveness ttl");
      row->liveness.ttl = static_cast<int32_t>(ttl);
      if (!GetSignedVarint64(&in, &row->liveness.ldt)) return Corrupt("liveness ldt");
    }
  } else if (flags & kLivenessExpiring) {
    return Corrupt("expiring flag without liveness");
  }
  if (flags & kHasDeletion) {
    if (!GetSignedVarint64(&in, &row->deletion.marked_for_delete_at) ||
        !GetSignedVarint64(&in, &row->deletion.ldt) || row->deletion.IsLive()) {
      return Corrupt("row deletion");
    }
  }
  uint32_t n;
  if (!GetVarint32(&in, &n)) return Corrupt("cell count");
  // Each cell takes at least 3 bytes: bound the reservation by the input size.
  if (n > in.size() / 3) return Corrupt("cell count exceeds input");
  row->cells.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Cell c;
    uint8_t cf;
    if (!GetVarint32(&in, &c.column) || !GetByte(&in, &cf) ||
        !GetSignedVarint64(&in, &c.timestamp) || c.timestamp == kNoTimestamp) {
      return Corrupt("cell header");
    }
    if (cf & ~(kCellExpiring | kCellTombstone) || cf == (kCellExpiring | kCellTombstone)) {
      return Corrupt("cell flags");
    }
    if (cf & kCellExpiring) {
      uint32_t ttl;
      if (!GetVarint32(&in, &ttl) || ttl == 0 || ttl > INT32_MAX) return Corrupt("cell ttl");
      c.ttl = static_cast<int32_t>(ttl);
    }
    if (cf & (kCellExpiring | kCellTombstone)) {
      if (!GetSignedVarint64(&in, &c.ldt)) return Corrupt("cell ldt");
    }
    if (!(cf & kCellTombstone)) {
      if (!GetLengthPrefixed(&in, &c.value)) return Corrupt("cell value");
    }
    if (!row->cells.empty() && row->cells.back().column >= c.column) {
      return Corrupt("cells out of order");
    }
    row->cells.push_back(c);
  }
  if (!in.empty()) return Corrupt("trailing bytes");
  return absl::OkStatus();
}

void EncodeRangeTombstones(const RangeTombstoneList& list, std::string* out) {
  PutVarint32(out, static_cast<uint32_t>(list.fragments().size()));
  for (const RangeTombstone& rt : list.fragments()) {
    PutLengthPrefixed(out, rt.start);
    PutLengthPrefixed(out, rt.end);
    PutSignedVarint64(out, rt.deletion.marked_for_delete_at);
    PutSignedVarint64(out, rt.deletion.ldt);
  }
}

absl::Status DecodeRangeTombstones(std::string_view in, RangeTombstoneList* list) {
  uint32_t n;
  if (!GetVarint32(&in, &n)) return Corrupt("range tombstone count");
  *list = RangeTombstoneList();
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view start, end;
    DeletionTime d;
    if (!GetLengthPrefixed(&in, &start) || !GetLengthPrefixed(&in, &end) ||
        !GetSignedVarint64(&in, &d.marked_for_delete_at) || !GetSignedVarint64(&in, &d.ldt)) {
      return Corrupt("range tombstone");
    }
    list->Add(start, end, d);
  }
  if (!in.empty()) return Corrupt("trailing bytes after range tombstones");
  return absl::OkStatus();
}

}  // namespace cassette

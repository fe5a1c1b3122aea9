#include "row/row_codec.h"

#include "util/coding.h"

namespace cassette {
namespace {

constexpr uint8_t kHasLiveness = 0x01;
constexpr uint8_t kLivenessExpiring = 0x02;
constexpr uint8_t kHasDeletion = 0x04;
constexpr uint8_t kCellExpiring = 0x01;
constexpr uint8_t kCellTombstone = 0x02;
constexpr uint8_t kCellRowTimestamp = 0x04;  // timestamp omitted: the row liveness's
constexpr uint8_t kCellRowTtl = 0x08;        // ttl and ldt omitted: the row liveness's

// A local deletion time is stored as its difference from the second of its timestamp
// plus the ttl: an expiring cell written now dies at now + ttl, and a tombstone written
// now has ldt = now, so the difference is 0 or a few seconds (one byte) where the
// absolute value takes five. The arithmetic wraps, so any pair of values round-trips.
int64_t LdtBase(int64_t timestamp_us, int32_t ttl) {
  return static_cast<int64_t>(static_cast<uint64_t>(timestamp_us / 1000000) +
                              static_cast<uint64_t>(ttl));
}
int64_t LdtDelta(int64_t ldt, int64_t base) {
  return static_cast<int64_t>(static_cast<uint64_t>(ldt) - static_cast<uint64_t>(base));
}
int64_t LdtFromDelta(int64_t delta, int64_t base) {
  return static_cast<int64_t>(static_cast<uint64_t>(base) + static_cast<uint64_t>(delta));
}

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
  const LivenessInfo& lv = row.liveness;
  if (flags & kHasLiveness) {
    PutSignedVarint64(out, lv.timestamp);
    if (flags & kLivenessExpiring) {
      PutVarint32(out, static_cast<uint32_t>(lv.ttl));
      PutSignedVarint64(out, LdtDelta(lv.ldt, LdtBase(lv.timestamp, lv.ttl)));
    }
  }
  if (flags & kHasDeletion) {
    PutSignedVarint64(out, row.deletion.marked_for_delete_at);
    PutSignedVarint64(out,
                      LdtDelta(row.deletion.ldt, LdtBase(row.deletion.marked_for_delete_at, 0)));
  }
  PutVarint32(out, static_cast<uint32_t>(row.cells.size()));
  for (const Cell& c : row.cells) {
    PutVarint32(out, c.column);
    uint8_t cf = c.IsExpiring() ? kCellExpiring : (c.IsTombstone() ? kCellTombstone : 0);
    if ((flags & kHasLiveness) && c.timestamp == lv.timestamp) cf |= kCellRowTimestamp;
    if ((cf & kCellExpiring) && (flags & kLivenessExpiring) && c.ttl == lv.ttl && c.ldt == lv.ldt) {
      cf |= kCellRowTtl;
    }
    out->push_back(static_cast<char>(cf));
    if (!(cf & kCellRowTimestamp)) PutSignedVarint64(out, c.timestamp);
    if (!(cf & kCellRowTtl)) {
      if (cf & kCellExpiring) PutVarint32(out, static_cast<uint32_t>(c.ttl));
      if (cf & (kCellExpiring | kCellTombstone)) {
        PutSignedVarint64(out, LdtDelta(c.ldt, LdtBase(c.timestamp, c.ttl)));
      }
    }
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
  LivenessInfo& lv = row->liveness;
  int64_t delta;
  if (flags & kHasLiveness) {
    // kNoTimestamp would make the marker "empty" yet flagged: re-encoding could not
    // reproduce these bytes.
    if (!GetSignedVarint64(&in, &lv.timestamp) || lv.timestamp == kNoTimestamp) {
      return Corrupt("liveness timestamp");
    }
    if (flags & kLivenessExpiring) {
      uint32_t ttl;
      if (!GetVarint32(&in, &ttl) || ttl == 0 || ttl > INT32_MAX) return Corrupt("liveness ttl");
      lv.ttl = static_cast<int32_t>(ttl);
      if (!GetSignedVarint64(&in, &delta)) return Corrupt("liveness ldt");
      lv.ldt = LdtFromDelta(delta, LdtBase(lv.timestamp, lv.ttl));
    }
  } else if (flags & kLivenessExpiring) {
    return Corrupt("expiring flag without liveness");
  }
  if (flags & kHasDeletion) {
    DeletionTime& d = row->deletion;
    if (!GetSignedVarint64(&in, &d.marked_for_delete_at) || !GetSignedVarint64(&in, &delta)) {
      return Corrupt("row deletion");
    }
    d.ldt = LdtFromDelta(delta, LdtBase(d.marked_for_delete_at, 0));
    if (d.IsLive()) return Corrupt("row deletion");
  }
  uint32_t n;
  if (!GetVarint32(&in, &n)) return Corrupt("cell count");
  // Each cell takes at least 3 bytes: bound the reservation by the input size.
  if (n > in.size() / 3) return Corrupt("cell count exceeds input");
  row->cells.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    Cell c;
    uint8_t cf;
    if (!GetVarint32(&in, &c.column) || !GetByte(&in, &cf)) return Corrupt("cell header");
    if (cf & ~(kCellExpiring | kCellTombstone | kCellRowTimestamp | kCellRowTtl) ||
        (cf & kCellExpiring && cf & kCellTombstone)) {
      return Corrupt("cell flags");
    }
    if (cf & kCellRowTimestamp) {
      if (!(flags & kHasLiveness)) return Corrupt("cell takes the timestamp of a row without one");
      c.timestamp = lv.timestamp;
    } else if (!GetSignedVarint64(&in, &c.timestamp) || c.timestamp == kNoTimestamp ||
               ((flags & kHasLiveness) && c.timestamp == lv.timestamp)) {
      // The row's own timestamp spelled out would be a second encoding of the same row.
      return Corrupt("cell timestamp");
    }
    if (cf & kCellRowTtl) {
      if (!(cf & kCellExpiring) || !(flags & kLivenessExpiring)) {
        return Corrupt("cell takes the ttl of a row without one");
      }
      c.ttl = lv.ttl;
      c.ldt = lv.ldt;
    } else {
      if (cf & kCellExpiring) {
        uint32_t ttl;
        if (!GetVarint32(&in, &ttl) || ttl == 0 || ttl > INT32_MAX) return Corrupt("cell ttl");
        c.ttl = static_cast<int32_t>(ttl);
      }
      if (cf & (kCellExpiring | kCellTombstone)) {
        if (!GetSignedVarint64(&in, &delta)) return Corrupt("cell ldt");
        c.ldt = LdtFromDelta(delta, LdtBase(c.timestamp, c.ttl));
        if (cf & kCellTombstone && c.ldt == kNoDeletionTime) return Corrupt("cell ldt");
      }
      if ((cf & kCellExpiring) && (flags & kLivenessExpiring) && c.ttl == lv.ttl &&
          c.ldt == lv.ldt) {
        return Corrupt("cell ttl");  // the row's, spelled out: a second encoding
      }
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

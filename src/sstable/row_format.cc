#include "sstable/row_format.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <string>

#include "row/byte_order.h"
#include "sstable/row_format_internal.h"
#include "util/coding.h"

namespace cassette {
namespace {

using row_format_internal::GetDelta;
using row_format_internal::GetVarint64Fast;
using row_format_internal::kCellExpiring;
using row_format_internal::kCellRowTimestamp;
using row_format_internal::kCellRowTtl;
using row_format_internal::kCellTombstone;
using row_format_internal::kRowDeletion;
using row_format_internal::kRowLiveness;
using row_format_internal::kRowLivenessExpiring;
using row_format_internal::kRowOneCell;
using row_format_internal::kRowUniformCells;
using row_format_internal::PutDeltaTo;
using row_format_internal::PutLengthPrefixedTo;
using row_format_internal::PutVarintTo;
using row_format_internal::UniformCellFlags;

// Do not change: on disk.
constexpr uint8_t kHeaderDeletion = 0x01;
// Version 3 stored rows: this shared length in the head's low 4 bits means "15 or more,
// the rest in the next varint".
constexpr uint32_t kSharedMore = 15;
constexpr uint8_t kHeaderRangeTombstones = 0x02;
constexpr uint8_t kHeaderStatic = 0x04;
absl::Status Malformed(const char* what) {
  return absl::DataLossError(std::string("malformed data record: ") + what);
}

inline char* PutTtlTo(char* p, int32_t ttl, EncodingBases* b) {
  if (!b->has_ttl) {
    b->ttl = ttl;
    b->has_ttl = true;
  }
  return PutVarintTo(p, EncodeZigZag64(int64_t{ttl} - int64_t{b->ttl}));
}

bool GetTtl(std::string_view* in, int32_t base, int32_t* ttl) {
  uint64_t u;
  if (!GetVarint64Fast(in, &u)) return false;
  int64_t d = DecodeZigZag64(u);
  // |d| is checked first so that base + d cannot overflow.
  if (d < -(int64_t{1} << 33) || d > (int64_t{1} << 33)) return false;
  int64_t v = int64_t{base} + d;
  if (v <= 0 || v > INT32_MAX) return false;
  *ttl = static_cast<int32_t>(v);
  return true;
}

inline char* PutDeletionTo(char* p, const DeletionTime& d, EncodingBases* b) {
  p = PutDeltaTo(p, d.marked_for_delete_at, &b->timestamp, &b->has_timestamp);
  return PutDeltaTo(p, d.ldt, &b->ldt, &b->has_ldt);
}

void PutDeletion(std::string* out, const DeletionTime& d, EncodingBases* b) {
  char buf[2 * kMaxVarint64Length];
  out->append(buf, static_cast<size_t>(PutDeletionTo(buf, d, b) - buf));
}

bool GetDeletion(std::string_view* in, const EncodingBases& b, DeletionTime* d) {
  return GetDelta(in, b.timestamp, &d->marked_for_delete_at) && GetDelta(in, b.ldt, &d->ldt);
}

// The most bytes EncodeRowBodyTo writes for `row`.
size_t RowBodyBound(const Row& row) {
  // flags, liveness (ts, ttl, ldt), deletion (ts, ldt), cell count.
  size_t n = 1 + 5 * kMaxVarint64Length + kMaxVarint32Length;
  // Per cell: gap, flags, ts, ttl, ldt, value length and bytes.
  for (const Cell& c : row.cells)
    n += 2 * kMaxVarint32Length + 1 + 3 * kMaxVarint64Length + c.value.size();
  return n;
}

// The cflags EncodeRowBodyTo writes for `c` in a row with rflags `row_flags`.
uint8_t CellFlags(const Cell& c, const LivenessInfo& lv, uint8_t row_flags) {
  uint8_t cf = c.IsExpiring() ? kCellExpiring : (c.IsTombstone() ? kCellTombstone : 0);
  if ((row_flags & kRowLiveness) && c.timestamp == lv.timestamp) cf |= kCellRowTimestamp;
  if ((cf & kCellExpiring) && (row_flags & kRowLivenessExpiring) && c.ttl == lv.ttl &&
      c.ldt == lv.ldt) {
    cf |= kCellRowTtl;
  }
  return cf;
}

char* EncodeRowBodyTo(const Row& row, EncodingBases* b, char* p) {
  const LivenessInfo& lv = row.liveness;
  uint8_t flags = 0;
  if (!lv.IsEmpty()) flags |= kRowLiveness;
  if (!lv.IsEmpty() && lv.IsExpiring()) flags |= kRowLivenessExpiring;
  if (!row.deletion.IsLive()) flags |= kRowDeletion;
  if ((flags & kRowLiveness) && !row.cells.empty() &&
      std::all_of(row.cells.begin(), row.cells.end(), [&](const Cell& c) {
        return CellFlags(c, lv, flags) == UniformCellFlags(flags);
      })) {
    flags |= kRowUniformCells;
  }
  if (row.cells.size() == 1) flags |= kRowOneCell;
  *p++ = static_cast<char>(flags);
  if (flags & kRowLiveness) {
    p = PutDeltaTo(p, lv.timestamp, &b->timestamp, &b->has_timestamp);
    if (flags & kRowLivenessExpiring) {
      p = PutTtlTo(p, lv.ttl, b);
      p = PutDeltaTo(p, lv.ldt, &b->ldt, &b->has_ldt);
    }
  }
  if (flags & kRowDeletion) p = PutDeletionTo(p, row.deletion, b);
  if (!(flags & kRowOneCell)) p = PutVarintTo(p, static_cast<uint32_t>(row.cells.size()));
  int64_t prev = -1;
  for (const Cell& c : row.cells) {
    p = PutVarintTo(p, static_cast<uint32_t>(int64_t{c.column} - prev - 1));
    prev = c.column;
    const uint8_t cf = CellFlags(c, lv, flags);
    if (!(flags & kRowUniformCells)) *p++ = static_cast<char>(cf);
    if (!(cf & kCellRowTimestamp)) p = PutDeltaTo(p, c.timestamp, &b->timestamp, &b->has_timestamp);
    if ((cf & kCellExpiring) && !(cf & kCellRowTtl)) {
      p = PutTtlTo(p, c.ttl, b);
      p = PutDeltaTo(p, c.ldt, &b->ldt, &b->has_ldt);
    }
    if (cf & kCellTombstone) p = PutDeltaTo(p, c.ldt, &b->ldt, &b->has_ldt);
    if (!(cf & kCellTombstone)) p = PutLengthPrefixedTo(p, c.value);
  }
  return p;
}

// Appends the body to *out: reserves the bound, writes, trims.
void EncodeRowBody(const Row& row, EncodingBases* b, std::string* out) {
  const size_t start = out->size();
  out->resize(start + RowBodyBound(row));
  char* end = EncodeRowBodyTo(row, b, out->data() + start);
  out->resize(static_cast<size_t>(end - out->data()));
}

absl::Status DecodeRowBody(std::string_view in, const EncodingBases& b, Row* row) {
  uint8_t flags;
  if (!GetByte(&in, &flags)) return Malformed("empty row");
  if (flags &
      ~(kRowLiveness | kRowLivenessExpiring | kRowDeletion | kRowUniformCells | kRowOneCell)) {
    return Malformed("row flags");
  }
  if ((flags & kRowLivenessExpiring) && !(flags & kRowLiveness)) {
    return Malformed("expiring flag without liveness");
  }
  if ((flags & kRowUniformCells) && !(flags & kRowLiveness)) {
    return Malformed("uniform cells without liveness");
  }
  row->liveness = LivenessInfo();
  row->deletion = DeletionTime::Live();
  row->cells.clear();
  LivenessInfo& lv = row->liveness;
  if (flags & kRowLiveness) {
    if (!GetDelta(&in, b.timestamp, &lv.timestamp) || lv.timestamp == kNoTimestamp) {
      return Malformed("liveness timestamp");
    }
    if (flags & kRowLivenessExpiring) {
      if (!GetTtl(&in, b.ttl, &lv.ttl) || !GetDelta(&in, b.ldt, &lv.ldt)) {
        return Malformed("liveness ttl");
      }
    }
  }
  if ((flags & kRowDeletion) && !GetDeletion(&in, b, &row->deletion)) {
    return Malformed("row deletion");
  }
  uint32_t n = 1;
  if (!(flags & kRowOneCell) && !GetVarint32(&in, &n)) return Malformed("cell count");
  // Every cell takes at least 3 bytes (2 without its flags): bounds the reservation by
  // the input.
  const bool uniform = (flags & kRowUniformCells) != 0;
  if (n > in.size() / (uniform ? 2 : 3)) return Malformed("cell count exceeds record");
  if (uniform && n == 0) return Malformed("uniform cells without cells");
  row->cells.reserve(n);
  int64_t prev = -1;
  for (uint32_t i = 0; i < n; ++i) {
    // Built in place: a Cell filled on the stack and pushed was stored field by field
    // and reloaded as 16-byte words, a store-forwarding stall that was a fifth of
    // decoding a row (a feed query decodes 100).
    Cell& c = row->cells.emplace_back();
    uint32_t gap;
    uint8_t cf = UniformCellFlags(flags);
    if (!GetVarint32(&in, &gap) || (!uniform && !GetByte(&in, &cf))) {
      return Malformed("cell header");
    }
    const int64_t column = prev + 1 + int64_t{gap};
    if (column > UINT32_MAX) return Malformed("cell column");
    c.column = static_cast<uint32_t>(column);
    prev = column;
    if ((cf & ~(kCellExpiring | kCellTombstone | kCellRowTimestamp | kCellRowTtl)) ||
        (cf & kCellExpiring && cf & kCellTombstone) ||
        ((cf & kCellRowTimestamp) && !(flags & kRowLiveness)) ||
        ((cf & kCellRowTtl) && !((cf & kCellExpiring) && (flags & kRowLivenessExpiring)))) {
      return Malformed("cell flags");
    }
    if (cf & kCellRowTimestamp) {
      c.timestamp = lv.timestamp;
    } else if (!GetDelta(&in, b.timestamp, &c.timestamp)) {
      return Malformed("cell timestamp");
    }
    if (cf & kCellExpiring) {
      if (cf & kCellRowTtl) {
        c.ttl = lv.ttl;
        c.ldt = lv.ldt;
      } else if (!GetTtl(&in, b.ttl, &c.ttl) || !GetDelta(&in, b.ldt, &c.ldt)) {
        return Malformed("cell ttl");
      }
    }
    if (cf & kCellTombstone) {
      if (!GetDelta(&in, b.ldt, &c.ldt) || c.ldt == kNoDeletionTime) {
        return Malformed("cell tombstone");
      }
    } else if (!GetLengthPrefixed(&in, &c.value)) {
      return Malformed("cell value");
    }
  }
  if (!in.empty()) return Malformed("trailing bytes in row");
  return absl::OkStatus();
}

}  // namespace

void EncodePartitionHeader(std::string_view key, const DeletionTime& deletion,
                           const RangeTombstoneList& range_tombstones, const Row& static_row,
                           EncodingBases* bases, std::string* out) {
  PutLengthPrefixed(out, key);
  uint8_t flags = 0;
  if (!deletion.IsLive()) flags |= kHeaderDeletion;
  if (!range_tombstones.empty()) flags |= kHeaderRangeTombstones;
  if (!static_row.IsEmpty()) flags |= kHeaderStatic;
  out->push_back(static_cast<char>(flags));
  if (flags & kHeaderDeletion) PutDeletion(out, deletion, bases);
  if (flags & kHeaderRangeTombstones) {
    PutVarint32(out, static_cast<uint32_t>(range_tombstones.fragments().size()));
    for (const RangeTombstone& rt : range_tombstones.fragments()) {
      PutLengthPrefixed(out, rt.start);
      PutLengthPrefixed(out, rt.end);
      PutDeletion(out, rt.deletion, bases);
    }
  }
  if (flags & kHeaderStatic) EncodeRowBody(static_row, bases, out);
}

absl::Status DecodePartitionHeader(std::string_view in, const EncodingBases& bases,
                                   std::string_view* key, PartitionHeader* header) {
  uint8_t flags;
  if (!GetLengthPrefixed(&in, key) || !GetByte(&in, &flags)) return Malformed("partition key");
  if (flags & ~(kHeaderDeletion | kHeaderRangeTombstones | kHeaderStatic)) {
    return Malformed("partition flags");
  }
  // As *header = PartitionHeader(), keeping the static row's cell capacity: a scan
  // decodes one header per partition into the same PartitionHeader.
  header->deletion = DeletionTime::Live();
  if (!header->range_tombstones.empty()) header->range_tombstones = RangeTombstoneList();
  header->static_row.clustering = {};
  header->static_row.liveness = LivenessInfo();
  header->static_row.deletion = DeletionTime::Live();
  header->static_row.cells.clear();
  if (flags & kHeaderDeletion) {
    if (!GetDeletion(&in, bases, &header->deletion) || header->deletion.IsLive()) {
      return Malformed("partition deletion");
    }
  }
  if (flags & kHeaderRangeTombstones) {
    uint32_t n;
    // A fragment takes at least 4 bytes.
    if (!GetVarint32(&in, &n) || n == 0 || n > in.size() / 4) {
      return Malformed("range tombstone count");
    }
    std::string_view prev_end;
    for (uint32_t i = 0; i < n; ++i) {
      std::string_view start, end;
      DeletionTime d;
      if (!GetLengthPrefixed(&in, &start) || !GetLengthPrefixed(&in, &end) ||
          !GetDeletion(&in, bases, &d)) {
        return Malformed("range tombstone");
      }
      // Fragments are stored canonical; anything else was not written by a writer.
      if (start >= end || (i > 0 && start < prev_end) || d.IsLive()) {
        return Malformed("range tombstone order");
      }
      prev_end = end;
      header->range_tombstones.Add(start, end, d);
    }
  }
  if (flags & kHeaderStatic) {
    if (auto s = DecodeRowBody(in, bases, &header->static_row); !s.ok()) return s;
    if (header->static_row.IsEmpty()) return Malformed("empty static row");
  } else if (!in.empty()) {
    return Malformed("trailing bytes in partition header");
  }
  return absl::OkStatus();
}

void EncodeRowRecord(const Row& row, EncodingBases* bases, std::string* out) {
  const size_t start = out->size();
  out->resize(start + kMaxVarint32Length + row.clustering.size() + RowBodyBound(row));
  char* p = PutLengthPrefixedTo(out->data() + start, row.clustering);
  p = EncodeRowBodyTo(row, bases, p);
  out->resize(static_cast<size_t>(p - out->data()));
}

absl::Status DecodeRowRecord(std::string_view in, const EncodingBases& bases, Row* row) {
  std::string_view clustering;
  if (!GetLengthPrefixed(&in, &clustering)) return Malformed("clustering");
  return DecodeRowParts(clustering, in, bases, row);
}

absl::Status DecodeRowParts(std::string_view clustering, std::string_view body,
                            const EncodingBases& bases, Row* row) {
  if (auto s = DecodeRowBody(body, bases, row); !s.ok()) return s;
  if (row->IsEmpty()) return Malformed("empty row");
  row->clustering = clustering;
  return absl::OkStatus();
}

void AppendStoredRow(std::string_view logical, std::string_view previous, std::string* out) {
  std::string_view clustering;
  const bool ok = GetLengthPrefixed(&logical, &clustering);
  assert(ok);
  (void)ok;
  const size_t n = std::min(previous.size(), clustering.size());
  size_t shared = 0;
  while (shared < n && previous[shared] == clustering[shared]) ++shared;
  // Version 3: the suffix length and the shared length (up to 14; 15 says that the
  // rest follows) in one varint, a byte for neighbouring rows (docs/sstable-format.md).
  const std::string_view suffix = clustering.substr(shared);
  // As PutLengthPrefixed: a length that does not fit would corrupt everything after it
  // (key columns are at most 64 KiB each, so no table comes near 2^28 bytes).
  if (suffix.size() > (UINT32_MAX >> 4)) std::abort();
  const uint32_t low = static_cast<uint32_t>(std::min<size_t>(shared, kSharedMore));
  PutVarint32(out, static_cast<uint32_t>(suffix.size()) << 4 | low);
  if (low == kSharedMore) PutVarint32(out, static_cast<uint32_t>(shared - kSharedMore));
  out->append(suffix);
  out->append(logical);  // the row body
}

absl::Status ParseStoredRow(std::string_view in, uint32_t version, bool has_previous,
                            std::string* clustering, std::string_view* body) {
  uint32_t shared = 0;
  std::string_view suffix;
  if (version >= 3) {
    uint32_t head;
    if (!GetVarint32(&in, &head)) return Malformed("clustering prefix length");
    shared = head & kSharedMore;
    const uint32_t suffix_size = head >> 4;
    if (shared == kSharedMore) {
      uint32_t more;
      if (!GetVarint32(&in, &more) || more > UINT32_MAX - kSharedMore) {
        return Malformed("clustering prefix length");
      }
      shared += more;
    }
    if (suffix_size > in.size()) return Malformed("clustering");
    suffix = in.substr(0, suffix_size);
    in.remove_prefix(suffix_size);
  } else {
    if (version >= 2 && !GetVarint32(&in, &shared)) return Malformed("clustering prefix length");
    if (!GetLengthPrefixed(&in, &suffix)) return Malformed("clustering");
  }
  if (!has_previous) {
    if (shared != 0) return Malformed("clustering prefix without a previous row");
  } else {
    if (shared > clustering->size()) return Malformed("clustering prefix longer than the previous");
    // The first `shared` bytes are the previous row's: the order is the suffixes'.
    if (CompareBytes(suffix, std::string_view(*clustering).substr(shared)) <= 0) {
      return absl::DataLossError("rows out of clustering order");
    }
  }
  clustering->resize(shared);
  clustering->append(suffix);
  *body = in;
  return absl::OkStatus();
}

}  // namespace cassette

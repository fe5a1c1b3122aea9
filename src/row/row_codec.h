// Row and range-tombstone encodings used for memtable row versions and, inside the
// commit log's batch payload, on disk.
//
//   row      := flags:u8 [liveness] [deletion] cell_count:varint32 cell*
//     flags: 0x01 has liveness, 0x02 liveness expiring, 0x04 has row deletion
//   liveness := timestamp:zigzag64 [ttl:varint32 ldt:rel_ldt]   (ttl/ldt if expiring)
//   deletion := marked_for_delete_at:zigzag64 ldt:rel_ldt
//   cell     := column:varint32 cflags:u8 [timestamp:zigzag64]
//               [ttl:varint32] [ldt:rel_ldt] [value:length-prefixed]
//     cflags: 0x01 expiring (ttl, ldt, value), 0x02 tombstone (ldt, no value),
//             neither: live regular (value);
//             0x04 timestamp omitted, it is the row liveness's (needs flags 0x01);
//             0x08 ttl and ldt omitted, they are the row liveness's (needs cflags 0x01
//             and flags 0x02)
//   rel_ldt  := zigzag64 of ldt - (timestamp / 10^6 + ttl), wrapping; the timestamp
//               (µs, truncating division) and ttl (0 if none) of the same liveness,
//               deletion or cell
//   rt_list  := count:varint32 (start:length-prefixed end:length-prefixed
//               marked_for_delete_at:zigzag64 ldt:zigzag64)*
//
// The encoder always omits what 0x04 and 0x08 can omit, and the decoder rejects the
// row's timestamp or ttl/ldt spelled out in a cell, so every row has exactly one
// encoding. An INSERT's cells share the row's timestamp and TTL, so they cost a column
// number, a flag byte and the value.
// Decoders treat input as untrusted: every length is checked against the remaining
// bytes, and malformed input gives DataLoss, never a crash.
// Do not change: embedded in on-disk data (commit log format version 3).

#ifndef CASSETTE_ROW_ROW_CODEC_H_
#define CASSETTE_ROW_ROW_CODEC_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "row/cell.h"
#include "tombstone/range_tombstone_list.h"

namespace cassette {

void EncodeRow(const Row& row, std::string* out);
// Cell values in *row point into `in`. row->clustering is left unchanged.
absl::Status DecodeRow(std::string_view in, Row* row);

void EncodeRangeTombstones(const RangeTombstoneList& list, std::string* out);
absl::Status DecodeRangeTombstones(std::string_view in, RangeTombstoneList* list);

}  // namespace cassette

#endif  // CASSETTE_ROW_ROW_CODEC_H_

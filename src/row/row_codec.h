// Row and range-tombstone encodings used for memtable row versions (and, as a
// building block, by later on-disk formats).
//
//   row      := flags:u8 [liveness] [deletion] cell_count:varint32 cell*
//     flags: 0x01 has liveness, 0x02 liveness expiring, 0x04 has row deletion
//   liveness := timestamp:zigzag64 [ttl:varint32 ldt:zigzag64]   (ttl/ldt if expiring)
//   deletion := marked_for_delete_at:zigzag64 ldt:zigzag64
//   cell     := column:varint32 cflags:u8 timestamp:zigzag64
//               [ttl:varint32] [ldt:zigzag64] [value:length-prefixed]
//     cflags: 0x01 expiring (ttl, ldt, value), 0x02 tombstone (ldt, no value),
//             neither: live regular (value)
//   rt_list  := count:varint32 (start:length-prefixed end:length-prefixed
//               marked_for_delete_at:zigzag64 ldt:zigzag64)*
//
// Decoders treat input as untrusted: every length is checked against the remaining
// bytes, and malformed input gives DataLoss, never a crash.
// Do not change: embedded in on-disk data once SSTables use it.

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

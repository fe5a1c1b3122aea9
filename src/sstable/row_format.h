// The records of the data stream (docs/sstable-format.md, "Data stream"): partition
// headers and rows, with timestamps, TTLs and local deletion times written as zigzag
// varint deltas against per-SSTable bases kept in the footer.
//
//   delta(v, base)  := zigzag64(v - base), the subtraction wrapping modulo 2^64, so every
//                      int64 round-trips whatever the base
//   header   := key:lp hflags:u8 [pdel:deletion] [rt_count:varint32 rt*] [static:row_body]
//     hflags: 0x01 partition deletion, 0x02 range tombstones, 0x04 static row
//   rt       := start:lp end:lp deletion            (fragments sorted, non-overlapping)
//   row      := clustering:lp row_body             (logical; stored_row below is on disk)
//   row_body := rflags:u8 [liveness] [deletion] [cell_count:varint32] cell*
//     rflags: 0x01 liveness, 0x02 liveness expiring, 0x04 row deletion,
//             0x08 uniform cells: cflags omitted, each live at the liveness timestamp
//                  (and its ttl and ldt if it expires); needs 0x01 (version 3),
//             0x10 one cell: cell_count omitted (version 3)
//   liveness := ts:delta_ts [ttl:delta_ttl ldt:delta_ldt]    (ttl, ldt if expiring)
//   deletion := marked_for_delete_at:delta_ts ldt:delta_ldt
//   cell     := column_gap:varint32 [cflags:u8] [ts:delta_ts] [ttl:delta_ttl]
//               [ldt:delta_ldt] [value:lp]
//     column = previous column + 1 + column_gap (the first cell's previous is -1)
//     cflags: 0x01 expiring (ttl, ldt, value), 0x02 tombstone (ldt, no value),
//             neither: live regular (value);
//             0x04 timestamp is the row liveness timestamp (ts omitted),
//             0x08 ttl and ldt are the row liveness ttl and ldt (both omitted)
//
// ("lp" is a length-prefixed byte string, util/coding.h.) Decoders treat input as
// untrusted and return DataLoss naming the malformed field; views they return point
// into the input. Do not change: on disk.

#ifndef CASSETTE_SSTABLE_ROW_FORMAT_H_
#define CASSETTE_SSTABLE_ROW_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "row/cell.h"
#include "row/source.h"
#include "tombstone/range_tombstone_list.h"

namespace cassette {

// The bases deltas are taken against. A writer fixes each base the first time it
// encodes a value of that kind (or from a hint), and stores them in the footer.
struct EncodingBases {
  int64_t timestamp = 0;
  int64_t ldt = 0;
  int32_t ttl = 0;
  bool has_timestamp = false;  // writer side: false until the base is fixed
  bool has_ldt = false;
  bool has_ttl = false;
};

void EncodePartitionHeader(std::string_view key, const DeletionTime& deletion,
                           const RangeTombstoneList& range_tombstones, const Row& static_row,
                           EncodingBases* bases, std::string* out);
// header->static_row's cell values point into `in`; *key too.
absl::Status DecodePartitionHeader(std::string_view in, const EncodingBases& bases,
                                   std::string_view* key, PartitionHeader* header);

void EncodeRowRecord(const Row& row, EncodingBases* bases, std::string* out);
// row->clustering and cell values point into `in`.
absl::Status DecodeRowRecord(std::string_view in, const EncodingBases& bases, Row* row);
// DecodeRowRecord of a row whose clustering and body are apart (a stored row, below).
absl::Status DecodeRowParts(std::string_view clustering, std::string_view body,
                            const EncodingBases& bases, Row* row);

// Stored rows. From format version 2 the data stream keeps a row's clustering as the
// length of the prefix it shares with the previous row of its partition, then the rest:
//   stored_row := head:varint32 [shared_more:varint32] suffix row_body      (version 3)
//     head = suffix length << 4 | min(shared, 15); shared_more = shared - 15, if 15
//   stored_row := shared:varint32 suffix:lp row_body                        (version 2)
//   stored_row := clustering:lp row_body                                    (version 1)
// Rows of a partition sort by clustering, so neighbours share most of theirs (bigint
// clusterings in sequence share 8 of 9 bytes); the saving is what lets a point read's
// working set fit the block cache (docs/benchmarks.md, P2). A partition's first row and
// the first row of every row-index span share nothing: readers start at those.
// The functions above handle the logical row record, clustering:lp row_body.

// Appends the stored form of the logical record `logical`, sharing its clustering's
// prefix with `previous` (empty for a first row). REQUIRES: `logical` is well formed.
void AppendStoredRow(std::string_view logical, std::string_view previous, std::string* out);

// Splits a stored row of table format `version`. On entry *clustering holds the previous
// row's clustering if `has_previous`; on success it holds this row's and *body views `in`.
// DataLoss if the row is malformed, shares more bytes than the previous clustering has
// (or any without one), or does not sort after the previous row.
absl::Status ParseStoredRow(std::string_view in, uint32_t version, bool has_previous,
                            std::string* clustering, std::string_view* body);

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_ROW_FORMAT_H_

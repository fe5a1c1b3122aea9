// Live rows copied between SSTables without building a Row: compaction's common case is
// a row that only one input holds and that holds only live, non-expiring data. Such a
// row is written as it was read; only its timestamp deltas are re-based from the input
// SSTable's encoding bases to the output's (row_format.h), and the writer's statistics
// are updated from a summary taken while parsing.
//
// The contract that makes the copy exact: ParseLiveRowRecord accepts a record only if
// DecodeRowRecord would decode it without error into a Row `r` with
//   - no row deletion, and a liveness marker that is empty or not expiring,
//   - only live regular cells (no tombstone, no expiring cell),
// and then AppendLiveRowRecord writes exactly the bytes EncodeRowRecord(r) writes, with
// the same effect on the output bases. PurgeRow leaves such a row unchanged, and it
// counts no tombstone.

#ifndef CASSETTE_SSTABLE_LIVE_ROW_H_
#define CASSETTE_SSTABLE_LIVE_ROW_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sstable/row_format.h"

namespace cassette {

// Views into the record it was parsed from.
struct LiveRowRecord {
  std::string_view record;  // the whole record
  std::string_view clustering;
  std::string_view body;  // the row body, encoded against the source's bases
  // EncodeRowRecord writes these very bytes for the row given the same timestamp base:
  // no cell spells out a timestamp equal to the marker's (which the encoder would flag
  // instead). True of every record a writer wrote.
  bool canonical = true;
  // Every cell takes the marker's timestamp (so only the marker's delta depends on the
  // base), and where in `body` the cell count starts.
  bool cells_take_marker_timestamp = false;
  size_t cells_offset = 0;
  // Every cell's timestamp is the marker's, however spelled (EncodeRowRecord then sets
  // kRowUniformCells, format version 3).
  bool uniform_cells = false;
  bool has_liveness = false;
  int64_t liveness_timestamp = kNoTimestamp;
  uint32_t cells = 0;
  // Over the marker and every cell: what the statistics need.
  int64_t min_timestamp = INT64_MAX;
  int64_t max_timestamp = INT64_MIN;
};

// True and *row if `record`, encoded against `bases`, is such a row. False if it is not,
// or is malformed: DecodeRowRecord then says what it holds or what is wrong.
bool ParseLiveRowRecord(std::string_view record, const EncodingBases& bases, LiveRowRecord* row);

// True if `row` (parsed against `from`) encoded against `to` is row.record itself.
inline bool IsVerbatim(const LiveRowRecord& row, const EncodingBases& from,
                       const EncodingBases& to) {
  return row.canonical && to.has_timestamp && to.timestamp == from.timestamp;
}

// Appends `row` (parsed against `from`) to *out as a row record encoded against *to,
// fixing *to's bases as EncodeRowRecord would.
void AppendLiveRowRecord(const LiveRowRecord& row, const EncodingBases& from, EncodingBases* to,
                         std::string* out);

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_LIVE_ROW_H_

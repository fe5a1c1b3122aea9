#include "sstable/live_row.h"

#include <cstring>

#include "sstable/row_format_internal.h"

namespace cassette {

using row_format_internal::GetDelta;
using row_format_internal::kCellRowTimestamp;
using row_format_internal::kRowLiveness;
using row_format_internal::kRowOneCell;
using row_format_internal::kRowUniformCells;
using row_format_internal::PutDeltaTo;
using row_format_internal::PutLengthPrefixedTo;
using row_format_internal::PutVarintTo;

// Follows DecodeRowRecord step by step (same order, same checks), accepting only the
// subset of rows live_row.h describes.
bool ParseLiveRowRecord(std::string_view in, const EncodingBases& bases, LiveRowRecord* row) {
  row->record = in;
  row->canonical = true;
  if (!GetLengthPrefixed(&in, &row->clustering)) return false;
  row->body = in;
  uint8_t flags;
  // Only a non-expiring marker: an expiring one or a row deletion is not for this path
  // (and unknown flag bits are malformed).
  if (!GetByte(&in, &flags) || (flags & ~(kRowLiveness | kRowUniformCells | kRowOneCell)) != 0) {
    return false;
  }
  const bool uniform = (flags & kRowUniformCells) != 0;
  row->has_liveness = (flags & kRowLiveness) != 0;
  if (uniform && !row->has_liveness) return false;
  row->liveness_timestamp = kNoTimestamp;
  if (row->has_liveness) {
    if (!GetDelta(&in, bases.timestamp, &row->liveness_timestamp) ||
        row->liveness_timestamp == kNoTimestamp) {
      return false;
    }
  }
  row->cells_offset = row->body.size() - in.size();
  row->cells_take_marker_timestamp = row->has_liveness;
  uint32_t n = 1;
  if (!(flags & kRowOneCell) && !GetVarint32(&in, &n)) return false;
  if (n > in.size() / (uniform ? 2 : 3)) return false;
  if (!row->has_liveness && n == 0) return false;  // an empty row is malformed
  if (uniform && n == 0) return false;
  // The encoder sets kRowOneCell exactly for one cell.
  if (n == 1 && !(flags & kRowOneCell)) row->canonical = false;
  int64_t min = row->has_liveness ? row->liveness_timestamp : INT64_MAX;
  int64_t max = row->has_liveness ? row->liveness_timestamp : INT64_MIN;
  int64_t prev = -1;
  bool all_marker_ts = row->has_liveness && n > 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t gap;
    uint8_t cf = kCellRowTimestamp;
    if (!GetVarint32(&in, &gap) || (!uniform && !GetByte(&in, &cf))) return false;
    const int64_t column = prev + 1 + int64_t{gap};
    if (column > UINT32_MAX) return false;
    prev = column;
    // A live regular cell: no expiring or tombstone flag (nor any unknown bit); its
    // timestamp may be the marker's.
    if ((cf & ~kCellRowTimestamp) != 0 || ((cf & kCellRowTimestamp) && !row->has_liveness)) {
      return false;
    }
    int64_t ts = row->liveness_timestamp;
    if (!(cf & kCellRowTimestamp)) {
      row->cells_take_marker_timestamp = false;
      if (!GetDelta(&in, bases.timestamp, &ts)) return false;
      if (row->has_liveness && ts == row->liveness_timestamp) row->canonical = false;
    }
    all_marker_ts = all_marker_ts && ts == row->liveness_timestamp;
    std::string_view value;
    if (!GetLengthPrefixed(&in, &value)) return false;
    if (ts < min) min = ts;
    if (ts > max) max = ts;
  }
  if (!in.empty()) return false;
  // The encoder sets kRowUniformCells exactly when every cell takes the marker's
  // timestamp (with no cell spelling it out: checked above).
  if (!uniform && row->has_liveness && n > 0 && row->cells_take_marker_timestamp) {
    row->canonical = false;
  }
  row->cells = n;
  row->uniform_cells = all_marker_ts;
  row->min_timestamp = min;
  row->max_timestamp = max;
  return true;
}

void AppendLiveRowRecord(const LiveRowRecord& row, const EncodingBases& from, EncodingBases* to,
                         std::string* out) {
  // Re-based deltas may take up to 9 more bytes each (the marker's and each cell's
  // timestamp); everything else keeps its length.
  const size_t start = out->size();
  out->resize(start + kMaxVarint32Length + row.clustering.size() + row.body.size() +
              size_t{kMaxVarint64Length - 1} * (size_t{row.cells} + 1));
  char* p = PutLengthPrefixedTo(out->data() + start, row.clustering);
  if (row.canonical && row.cells_take_marker_timestamp) {
    // Only the marker's delta changes: the flags before it and the cells after it are
    // the bytes the encoder writes.
    *p++ = row.body[0];
    p = PutDeltaTo(p, row.liveness_timestamp, &to->timestamp, &to->has_timestamp);
    const std::string_view cells = row.body.substr(row.cells_offset);
    std::memcpy(p, cells.data(), cells.size());
    out->resize(static_cast<size_t>(p + cells.size() - out->data()));
    return;
  }
  // The body was validated by ParseLiveRowRecord: it is walked again without checks
  // that cannot fail, and written as EncodeRowBody writes it.
  std::string_view in = row.body;
  uint8_t in_flags = 0;
  GetByte(&in, &in_flags);
  if (row.has_liveness) {
    int64_t ts = row.liveness_timestamp;  // what the parse found; re-read to advance `in`
    GetDelta(&in, from.timestamp, &ts);
  }
  uint32_t n = 1;
  if (!(in_flags & kRowOneCell)) GetVarint32(&in, &n);
  uint8_t flags = row.has_liveness ? kRowLiveness : 0;
  if (row.uniform_cells) flags |= kRowUniformCells;
  if (n == 1) flags |= kRowOneCell;
  *p++ = static_cast<char>(flags);
  if (row.has_liveness) {
    p = PutDeltaTo(p, row.liveness_timestamp, &to->timestamp, &to->has_timestamp);
  }
  if (!(flags & kRowOneCell)) p = PutVarintTo(p, n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t gap = 0;
    uint8_t cf = kCellRowTimestamp;
    GetVarint32(&in, &gap);
    if (!(in_flags & kRowUniformCells)) GetByte(&in, &cf);
    int64_t ts = row.liveness_timestamp;
    if (!(cf & kCellRowTimestamp)) GetDelta(&in, from.timestamp, &ts);
    std::string_view value;
    GetLengthPrefixed(&in, &value);
    p = PutVarintTo(p, gap);
    // As EncodeRowBody: the flag whenever the timestamp is the marker's.
    const bool row_ts = row.has_liveness && ts == row.liveness_timestamp;
    if (!(flags & kRowUniformCells)) *p++ = static_cast<char>(row_ts ? kCellRowTimestamp : 0);
    if (!row_ts) p = PutDeltaTo(p, ts, &to->timestamp, &to->has_timestamp);
    p = PutLengthPrefixedTo(p, value);
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

}  // namespace cassette

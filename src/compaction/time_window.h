// TWCS's time arithmetic (TimeWindowCompactionStrategy.getWindowBoundsInMillis and
// getBuckets): which window an SSTable belongs to. Internal to the compaction module;
// exposed so the window rule is tested on its own (§10 oracle).
//
// Contract:
// - An SSTable's window is decided by its max_timestamp alone, converted from the table's
//   timestamp_resolution to milliseconds, then truncated to whole seconds, then to the
//   epoch-aligned multiple of unit × size: lower = s − s mod (unit × size).
// - Arithmetic is Java's, so the results match Cassandra bit for bit: unit conversions
//   truncate toward zero (and saturate at the int64 limits when scaling up, as
//   TimeUnit.convert does) and `mod` takes the sign of the dividend, so a negative
//   timestamp rounds toward zero rather than down.
// - Window keys are milliseconds since the epoch, as Cassandra logs them.

#ifndef CASSETTE_COMPACTION_TIME_WINDOW_H_
#define CASSETTE_COMPACTION_TIME_WINDOW_H_

#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "compaction/sstable_info.h"

namespace cassette {

// compaction_window_unit: the only units Cassandra accepts for a window.
enum class TimeWindowUnit { kMinutes, kHours, kDays };
// timestamp_resolution: the unit the table's write timestamps are in.
enum class TimestampResolution { kSeconds, kMilliseconds, kMicroseconds, kNanoseconds };

inline int64_t TimeWindowUnitSeconds(TimeWindowUnit unit) {
  switch (unit) {
    case TimeWindowUnit::kMinutes:
      return 60;
    case TimeWindowUnit::kHours:
      return 3600;
    case TimeWindowUnit::kDays:
      return 86400;
  }
  return 86400;
}

// Java's TimeUnit.convert for scaling up: multiplies, clamping to the int64 range instead
// of overflowing.
inline int64_t SaturatingScale(int64_t value, int64_t factor) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (value > kMax / factor) return kMax;
  if (value < -(kMax / factor)) return kMin;
  return value * factor;
}

// TimeUnit.MILLISECONDS.convert(timestamp, resolution).
inline int64_t TimestampToMillis(int64_t timestamp, TimestampResolution resolution) {
  switch (resolution) {
    case TimestampResolution::kSeconds:
      return SaturatingScale(timestamp, 1000);
    case TimestampResolution::kMilliseconds:
      return timestamp;
    case TimestampResolution::kMicroseconds:
      return timestamp / 1000;
    case TimestampResolution::kNanoseconds:
      return timestamp / 1000000;
  }
  return timestamp / 1000;
}

// getWindowBoundsInMillis: the first and last millisecond-aligned second of the window of
// `size` units (size >= 1) holding `timestamp_millis`, both in milliseconds.
inline std::pair<int64_t, int64_t> TimeWindowBoundsMillis(TimeWindowUnit unit, int64_t size,
                                                          int64_t timestamp_millis) {
  const int64_t span = TimeWindowUnitSeconds(unit) * size;
  const int64_t seconds = timestamp_millis / 1000;
  const int64_t lower = seconds - seconds % span;
  const int64_t upper = lower + span - 1;
  return {SaturatingScale(lower, 1000), SaturatingScale(upper, 1000)};
}

// The window (its lower bound in ms) of an SSTable whose newest cell has `max_timestamp`.
inline int64_t TimeWindowOf(int64_t max_timestamp, TimestampResolution resolution,
                            TimeWindowUnit unit, int64_t size) {
  return TimeWindowBoundsMillis(unit, size, TimestampToMillis(max_timestamp, resolution)).first;
}

// getBuckets: the SSTables grouped by window, keyed by the window's lower bound (ms).
inline std::map<int64_t, std::vector<const SSTableInfo*>> GroupByTimeWindow(
    const std::vector<const SSTableInfo*>& sstables, TimestampResolution resolution,
    TimeWindowUnit unit, int64_t size) {
  std::map<int64_t, std::vector<const SSTableInfo*>> windows;
  for (const SSTableInfo* s : sstables) {
    windows[TimeWindowOf(s->max_timestamp, resolution, unit, size)].push_back(s);
  }
  return windows;
}

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_TIME_WINDOW_H_

// Fully expired SSTables (§6) and single-SSTable tombstone compactions (§7).
//
// Both answer the same underlying question — can this SSTable's tombstones go without
// resurrecting older data held elsewhere? — and both are pure functions of the view.

#include "compaction/expiry.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace cassette {
namespace {

// Tokens are int64; spans and coverage are counted in __int128 so that the full ring
// (2^64 tokens) does not overflow.
using Wide = __int128;

// Fraction of `sstable`'s inclusive token span [first_token, last_token] that no
// SSTable in `overlaps` covers. Counting tokens inclusively makes a single-token SSTable
// a span of one token: any overlap covers it entirely.
double UncoveredTokenFraction(const SSTableInfo& sstable,
                              const std::vector<const SSTableInfo*>& overlaps) {
  const Wide lo = sstable.first_token;
  const Wide hi = sstable.last_token;
  if (hi < lo) return 0.0;  // malformed range: claim nothing is uncovered (safe side)
  std::vector<std::pair<Wide, Wide>> ranges;
  for (const SSTableInfo* o : overlaps) {
    const Wide a = std::max<Wide>(lo, o->first_token);
    const Wide b = std::min<Wide>(hi, o->last_token);
    if (a <= b) ranges.emplace_back(a, b);
  }
  std::sort(ranges.begin(), ranges.end());
  Wide covered = 0;
  Wide end = lo - 1;  // last token already counted
  for (const auto& [a, b] : ranges) {
    const Wide start = std::max(a, end + 1);
    if (start <= b) covered += b - start + 1;
    end = std::max(end, b);
  }
  const Wide span = hi - lo + 1;
  return 1.0 - static_cast<double>(covered) / static_cast<double>(span);
}

}  // namespace

std::vector<const SSTableInfo*> FullyExpiredSSTables(
    const CompactionView& view, const std::vector<const SSTableInfo*>& candidates,
    bool ignore_overlaps) {
  const int64_t gc_before = view.gc_before_seconds();
  std::vector<const SSTableInfo*> expired;
  if (ignore_overlaps) {
    for (const SSTableInfo* c : candidates) {
      if (c->max_local_deletion_time < gc_before) expired.push_back(c);
    }
    return expired;
  }

  // One minTs for the whole candidate set, as Cassandra computes it for a compaction's
  // inputs: the oldest write that may still be live where any candidate's keys can be
  // read from. A live candidate overlaps itself, so it counts too. Callers that want
  // each SSTable judged on its own pass it alone.
  int64_t min_ts = view.memtable_min_timestamp.value_or(std::numeric_limits<int64_t>::max());
  for (const SSTableInfo& s : view.state->sstables) {
    if (s.max_local_deletion_time < gc_before) continue;
    const bool overlaps_candidate = std::any_of(
        candidates.begin(), candidates.end(), [&](const SSTableInfo* c) { return s.Overlaps(*c); });
    if (overlaps_candidate) min_ts = std::min(min_ts, s.min_timestamp);
  }
  for (const SSTableInfo* c : candidates) {
    if (c->max_local_deletion_time < gc_before && c->max_timestamp < min_ts) expired.push_back(c);
  }
  return expired;
}

bool WorthDroppingTombstones(const SSTableInfo& sstable, const CompactionView& view,
                             const CommonCompactionOptions& options) {
  // The droppable ratio is an estimate; a compaction that drops less than hoped would
  // leave the SSTable qualifying again at once. The interval stops that loop.
  const Wide ready_at =
      Wide{sstable.created_at_micros} + Wide{options.tombstone_compaction_interval} * 1000000;
  if (Wide{view.now_micros} < ready_at) return false;

  const double droppable = sstable.DroppableTombstoneRatio(view.gc_before_seconds());
  if (droppable <= options.tombstone_threshold) return false;
  if (options.unchecked_tombstone_compaction) return true;

  std::vector<const SSTableInfo*> overlaps;
  for (const SSTableInfo& s : view.state->sstables) {
    if (s.file_number != sstable.file_number && s.Overlaps(sstable)) overlaps.push_back(&s);
  }
  if (overlaps.empty()) return true;
  if (!FullyExpiredSSTables(view, {&sstable}, /*ignore_overlaps=*/false).empty()) return true;

  // Tombstones shadowing data in an overlapping SSTable cannot be purged; only those in
  // the part of the key range nobody else covers are expected to go.
  return UncoveredTokenFraction(sstable, overlaps) * droppable > options.tombstone_threshold;
}

}  // namespace cassette

// The two strategy-independent ways an SSTable gets compacted for its tombstones (§6,
// §7 of the semantics reference): fully expired SSTables dropped whole, and single-
// SSTable tombstone compactions. Pure functions of the view.

#ifndef CASSETTE_COMPACTION_EXPIRY_H_
#define CASSETTE_COMPACTION_EXPIRY_H_

#include <vector>

#include "compaction/common_options.h"
#include "compaction/compaction_state.h"

namespace cassette {

// getFullyExpiredSSTables: among `candidates`, those whose max_local_deletion_time <
// gc_before and whose max_timestamp < minTs. minTs is pooled over the whole candidate
// set, as in Cassandra: the smallest min_timestamp over every live SSTable (candidates
// themselves included, SSTables being compacted and all others) that overlaps any
// candidate and has max_local_deletion_time >= gc_before, and over
// view.memtable_min_timestamp. Strategies that want each SSTable judged against its own
// overlaps call this once per SSTable. With `ignore_overlaps` (TWCS/UCS
// unsafe_aggressive_sstable_expiration) minTs is +infinity.
std::vector<const SSTableInfo*> FullyExpiredSSTables(
    const CompactionView& view, const std::vector<const SSTableInfo*>& candidates,
    bool ignore_overlaps);

// worthDroppingTombstones for one available SSTable: older than
// tombstone_compaction_interval (by created_at_micros against view.now_micros), droppable
// ratio (at view.gc_before_seconds()) above tombstone_threshold, and — unless
// unchecked_tombstone_compaction — either no other live SSTable overlaps it, or it is
// fully expired against its overlaps, or enough of it lies outside the overlapping ranges
// (cassette estimates that by token-range coverage instead of Cassandra's key samples:
// the fraction of its token span not covered by overlapping SSTables, scaled by the
// droppable ratio, must exceed tombstone_threshold).
bool WorthDroppingTombstones(const SSTableInfo& sstable, const CompactionView& view,
                             const CommonCompactionOptions& options);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_EXPIRY_H_

// Tombstone purge (semantics §6) and read-time tombstone counting (§12).
// Pure functions used by the read path now and by compaction later.

#ifndef CASSETTE_TOMBSTONE_PURGE_H_
#define CASSETTE_TOMBSTONE_PURGE_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "row/cell.h"

namespace cassette {

struct Purger {
  int64_t now_sec = 0;
  int64_t gc_before = 0;  // now_sec - gc_grace_seconds
  // True if a tombstone with this timestamp may be dropped: no source outside the
  // compaction can hold older data for the partition. The read path passes "always".
  std::function<bool(int64_t timestamp)> timestamp_purgeable;

  bool ShouldPurge(int64_t timestamp, int64_t ldt) const {
    return ldt < gc_before && (!timestamp_purgeable || timestamp_purgeable(timestamp));
  }
};

// What purge does to one cell:
//   live cell                          -> unchanged
//   dead (tombstone or expired) and purgeable (ldt < gc_before, timestamp allowed) -> nullopt
//   expired but not purgeable          -> a tombstone with ldt = ldt - ttl, same timestamp,
//                                         which is purge-tested in turn (nullopt if that
//                                         ldt is purgeable, e.g. ttl > gc_grace)
//   tombstone not purgeable            -> unchanged
// The purge test of an expired cell uses its expiry time, as Cassandra does
// (AbstractCell.purge: the converted tombstone is purged again with its new ldt).
std::optional<Cell> PurgeCell(const Cell& cell, const Purger& purger);

// Purges a row in place: marker (an expired marker is dropped if purgeable), row
// deletion (reset to Live if purgeable) and cells. Returns false if nothing is left.
bool PurgeRow(Row* row, const Purger& purger);

// False if the row holds only live data (no row deletion, no expired marker, no dead
// cell): PurgeRow then leaves it as it is and CountRowTombstones counts 0, so callers
// may skip both (and the copy PurgeRow needs).
bool RowHasDeadData(const Row& row, int64_t now_sec);

// Tombstones a merged, purged row contributes to a read's count (§12): each dead cell
// counts 1 (expired cells too); a row that is not live, has no dead cells and has a row
// deletion or an expired marker (Cassandra Row.hasDeletion) counts 1.
// REQUIRES: deletions applied and purge done.
int64_t CountRowTombstones(const Row& row, int64_t now_sec);

}  // namespace cassette

#endif  // CASSETTE_TOMBSTONE_PURGE_H_

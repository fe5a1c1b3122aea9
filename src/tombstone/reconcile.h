// Reconciliation of versions of the same data (semantics §1–§3). Pure functions:
// commutative and associative, so merge order never changes an answer.

#ifndef CASSETTE_TOMBSTONE_RECONCILE_H_
#define CASSETTE_TOMBSTONE_RECONCILE_H_

#include "row/cell.h"
#include "tombstone/deletion_time.h"

namespace cassette {

// Which of two versions of one cell wins (§1): higher timestamp; on a tie a cell with
// an ldt beats one without; then a pure tombstone beats an expiring cell; then higher
// ldt; then the greater value compared as SIGNED bytes (Java ByteBuffer.compareTo).
// REQUIRES: a.column == b.column.
const Cell& ReconcileCells(const Cell& a, const Cell& b);

// LivenessInfo.supersedes: higher timestamp; on a tie an expiring marker beats a
// non-expiring one; both expiring: higher ldt.
bool LivenessSupersedes(const LivenessInfo& a, const LivenessInfo& b);

// Merges `other` into `*row` (same clustering): the winning marker, the winning row
// deletion, and per column the winning cell. Does not apply deletions to data; call
// ApplyDeletion for that.
void MergeRowInto(Row* row, const Row& other);

// Removes from `row` the marker and cells that `deletion` deletes (timestamp <=
// marked_for_delete_at). Keeps row->deletion as is.
void ApplyDeletion(Row* row, const DeletionTime& deletion);

// A row exists at now_sec if its marker is live or any of its cells is live (§3).
// REQUIRES: deletions already applied.
bool RowHasLiveData(const Row& row, int64_t now_sec);

}  // namespace cassette

#endif  // CASSETTE_TOMBSTONE_RECONCILE_H_

#include "tombstone/purge.h"

#include <utility>
#include <vector>

#include "tombstone/reconcile.h"

namespace cassette {

std::optional<Cell> PurgeCell(const Cell& cell, const Purger& purger) {
  // AbstractCell.purge.
  if (cell.IsLive(purger.now_sec)) return cell;
  if (purger.ShouldPurge(cell.timestamp, cell.ldt)) return std::nullopt;
  if (!cell.IsExpiring()) return cell;
  // An expired cell is as good as a tombstone and smaller, so compaction rewrites it as
  // one created when the cell was written (ldt - ttl). That tombstone is then purge-tested
  // itself, exactly as Cassandra does: once ttl > gc_grace it is dropped as soon as it expires.
  Cell tombstone = cell;
  tombstone.ttl = 0;
  tombstone.ldt = cell.ldt - cell.ttl;
  tombstone.value = {};
  if (purger.ShouldPurge(tombstone.timestamp, tombstone.ldt)) return std::nullopt;
  return tombstone;
}

bool RowHasDeadData(const Row& r, int64_t now_sec) {
  if (!r.deletion.IsLive() || (!r.liveness.IsEmpty() && !r.liveness.IsLive(now_sec))) return true;
  for (const Cell& c : r.cells) {
    if (!c.IsLive(now_sec)) return true;
  }
  return false;
}

bool PurgeRow(Row* row, const Purger& purger) {
  // BTreeRow.purge: an expired marker is tested with its expiry time like a cell; a
  // non-expiring marker is always live and never purged.
  if (!row->liveness.IsEmpty() && !row->liveness.IsLive(purger.now_sec) &&
      purger.ShouldPurge(row->liveness.timestamp, row->liveness.ldt)) {
    row->liveness = LivenessInfo{};
  }
  if (!row->deletion.IsLive() &&
      purger.ShouldPurge(row->deletion.marked_for_delete_at, row->deletion.ldt)) {
    row->deletion = DeletionTime::Live();
  }
  std::vector<Cell> kept;
  kept.reserve(row->cells.size());
  for (const Cell& c : row->cells) {
    if (std::optional<Cell> p = PurgeCell(c, purger)) kept.push_back(*std::move(p));
  }
  row->cells = std::move(kept);
  return !row->IsEmpty();
}

int64_t CountRowTombstones(const Row& row, int64_t now_sec) {
  // ReadCommand's MetricRecording.applyToRow.
  int64_t dead_cells = 0;
  for (const Cell& c : row.cells) {
    if (!c.IsLive(now_sec)) ++dead_cells;
  }
  if (dead_cells > 0) return dead_cells;
  if (RowHasLiveData(row, now_sec)) return 0;
  // Row.hasDeletion(now): a row deletion, or a marker that has expired by now
  // (BTreeRow.minDeletionTime). Dead cells were handled above.
  const bool marker_expired = row.liveness.IsExpiring() && !row.liveness.IsLive(now_sec);
  return (!row.deletion.IsLive() || marker_expired) ? 1 : 0;
}

}  // namespace cassette

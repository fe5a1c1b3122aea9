#include "tombstone/reconcile.h"

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace cassette {
namespace {

// Java's ByteBuffer.compareTo: bytes compared as SIGNED (Byte.compare), then the
// shorter sequence sorts first. Semantics §1 prescribes this order for the final value
// tie-break of Cassandra's Cells.resolveRegular.
int CompareSignedBytes(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<signed char>(a[i]);
    const auto y = static_cast<signed char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

// True if `a` wins over `b`; ties (identical cells) report false both ways.
// Cells.resolveRegular decides by timestamp, then "has an ldt" (CASSANDRA-14592: an
// expiring cell ranks with tombstones so the answer does not depend on the clock), then
// pure tombstone over expiring, then ldt, then value. Cassandra returns `left` when even
// the values tie, which makes the result depend on argument order when two expiring
// cells share timestamp, ldt and value but differ in ttl. To stay commutative we break
// that last tie on the smaller ttl: it was written later, so it becomes the later (more
// conservative) tombstone on expiry.
bool CellWins(const Cell& a, const Cell& b) {
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  const bool a_has_ldt = a.ldt != kNoDeletionTime;
  const bool b_has_ldt = b.ldt != kNoDeletionTime;
  if (a_has_ldt != b_has_ldt) return a_has_ldt;
  if (a_has_ldt) {
    // Both have an ldt: !IsExpiring() means a pure tombstone here.
    const bool a_tomb = !a.IsExpiring();
    const bool b_tomb = !b.IsExpiring();
    if (a_tomb != b_tomb) return a_tomb;
    if (a.ldt != b.ldt) return a.ldt > b.ldt;
  }
  const int cmp = CompareSignedBytes(a.value, b.value);
  if (cmp != 0) return cmp > 0;
  return a.ttl < b.ttl;
}

// Picks the winning marker. LivenessSupersedes can report false both ways for two
// different markers (both expiring, same timestamp and ldt, different ttl); the smaller
// ttl then wins, as for cells, so that merging stays commutative.
const LivenessInfo& WinningMarker(const LivenessInfo& a, const LivenessInfo& b) {
  if (LivenessSupersedes(a, b)) return a;
  if (LivenessSupersedes(b, a)) return b;
  return b.ttl < a.ttl ? b : a;
}

}  // namespace

const Cell& ReconcileCells(const Cell& a, const Cell& b) { return CellWins(b, a) ? b : a; }

bool LivenessSupersedes(const LivenessInfo& a, const LivenessInfo& b) {
  // Cassandra LivenessInfo.supersedes. Its "expired liveness" special case
  // (ttl == Integer.MAX_VALUE, used only by materialized views) has no counterpart here.
  if (a.timestamp != b.timestamp) return a.timestamp > b.timestamp;
  if (a.IsExpiring() != b.IsExpiring()) return a.IsExpiring();
  return a.ldt > b.ldt;
}

void MergeRowInto(Row* row, const Row& other) {
  row->liveness = WinningMarker(row->liveness, other.liveness);
  row->deletion = MaxDeletion(row->deletion, other.deletion);

  if (other.cells.empty()) return;
  if (row->cells.empty()) {
    row->cells = other.cells;
    return;
  }
  // Both sides are sorted by column with one cell per column: a linear merge keeps that.
  std::vector<Cell> merged;
  merged.reserve(row->cells.size() + other.cells.size());
  auto a = row->cells.begin();
  auto b = other.cells.begin();
  while (a != row->cells.end() && b != other.cells.end()) {
    if (a->column < b->column) {
      merged.push_back(*a++);
    } else if (b->column < a->column) {
      merged.push_back(*b++);
    } else {
      merged.push_back(ReconcileCells(*a, *b));
      ++a;
      ++b;
    }
  }
  merged.insert(merged.end(), a, row->cells.end());
  merged.insert(merged.end(), b, other.cells.end());
  row->cells = std::move(merged);
}

void ApplyDeletion(Row* row, const DeletionTime& deletion) {
  if (deletion.IsLive()) return;
  // Row.filter / BTreeRow: a deletion shadows the marker and every cell written at or
  // before it (DeletionTime.deletes), tombstones included.
  if (!row->liveness.IsEmpty() && deletion.Deletes(row->liveness.timestamp)) {
    row->liveness = LivenessInfo{};
  }
  std::erase_if(row->cells, [&](const Cell& c) { return deletion.Deletes(c.timestamp); });
}

bool RowHasLiveData(const Row& row, int64_t now_sec) {
  // AbstractRow.hasLiveData (without enforceStrictLiveness, which only views use).
  if (row.liveness.IsLive(now_sec)) return true;
  return std::any_of(row.cells.begin(), row.cells.end(),
                     [&](const Cell& c) { return c.IsLive(now_sec); });
}

}  // namespace cassette

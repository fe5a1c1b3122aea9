// Cells, row liveness markers and rows: the in-memory row model shared by the
// memtable, SSTables, the read path and compaction.
//
// Ownership: a Cell's value (and a Row's clustering) is a view into memory owned by
// whatever produced it (a memtable arena, an SSTable block, a test's strings). It
// stays valid until the producing iterator moves or the producer is released.

#ifndef CASSETTE_ROW_CELL_H_
#define CASSETTE_ROW_CELL_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "tombstone/deletion_time.h"

namespace cassette {

// One version of one column of one row.
//   live regular cell:  ttl == 0, ldt == kNoDeletionTime, value set
//   expiring cell:      ttl > 0,  ldt == write time (s) + ttl, value set
//   tombstone:          ttl == 0, ldt == deletion time (s), value empty
struct Cell {
  uint32_t column = 0;  // column id in the table schema
  int64_t timestamp = kNoTimestamp;
  int32_t ttl = 0;
  int64_t ldt = kNoDeletionTime;
  std::string_view value;

  bool IsTombstone() const { return ldt != kNoDeletionTime && ttl == 0; }
  bool IsExpiring() const { return ttl != 0; }
  // Expiring cells die exactly at ldt (semantics §3).
  bool IsLive(int64_t now_sec) const {
    return ldt == kNoDeletionTime || (ttl != 0 && now_sec < ldt);
  }
  friend bool operator==(const Cell&, const Cell&) = default;
};

// The primary-key liveness marker that INSERT writes (UPDATE does not).
struct LivenessInfo {
  int64_t timestamp = kNoTimestamp;
  int32_t ttl = 0;                // 0: not expiring
  int64_t ldt = kNoDeletionTime;  // expiry for an expiring marker

  bool IsEmpty() const { return timestamp == kNoTimestamp; }
  bool IsExpiring() const { return ttl != 0; }
  bool IsLive(int64_t now_sec) const { return !IsEmpty() && (ttl == 0 || now_sec < ldt); }
  friend bool operator==(const LivenessInfo&, const LivenessInfo&) = default;
};

// A row (or the static row, whose clustering is empty).
struct Row {
  std::string_view clustering;  // comparable encoding (types/comparable.h)
  LivenessInfo liveness;
  DeletionTime deletion;    // row deletion; Live() if none
  std::vector<Cell> cells;  // sorted by column id, at most one cell per column

  bool IsEmpty() const { return liveness.IsEmpty() && deletion.IsLive() && cells.empty(); }
  friend bool operator==(const Row&, const Row&) = default;
};

}  // namespace cassette

#endif  // CASSETTE_ROW_CELL_H_

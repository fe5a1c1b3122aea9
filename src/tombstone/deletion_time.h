// A deletion: everything written at or before `marked_for_delete_at` is deleted.
// Used for partition deletions, range tombstones and row deletions (semantics §2).

#ifndef CASSETTE_TOMBSTONE_DELETION_TIME_H_
#define CASSETTE_TOMBSTONE_DELETION_TIME_H_

#include <cstdint>
#include <limits>

namespace cassette {

// "No timestamp" and "never deleted". Do not change: these sentinels are written to disk.
inline constexpr int64_t kNoTimestamp = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kNoDeletionTime = std::numeric_limits<int64_t>::max();

struct DeletionTime {
  int64_t marked_for_delete_at = kNoTimestamp;  // µs; deletes timestamps <= this
  int64_t ldt = kNoDeletionTime;                // local deletion time, seconds since epoch

  static constexpr DeletionTime Live() { return DeletionTime{}; }
  constexpr bool IsLive() const {
    return marked_for_delete_at == kNoTimestamp && ldt == kNoDeletionTime;
  }
  // Ties go to the deletion: a write at exactly marked_for_delete_at is deleted.
  constexpr bool Deletes(int64_t timestamp) const { return timestamp <= marked_for_delete_at; }
  // Higher marked_for_delete_at wins, then higher ldt (Cassandra DeletionTime.supersedes).
  constexpr bool Supersedes(const DeletionTime& o) const {
    return marked_for_delete_at > o.marked_for_delete_at ||
           (marked_for_delete_at == o.marked_for_delete_at && ldt > o.ldt);
  }
  friend constexpr bool operator==(const DeletionTime&, const DeletionTime&) = default;
};

// The deletion that wins between two (commutative).
constexpr DeletionTime MaxDeletion(const DeletionTime& a, const DeletionTime& b) {
  return b.Supersedes(a) ? b : a;
}

}  // namespace cassette

#endif  // CASSETTE_TOMBSTONE_DELETION_TIME_H_

// Memtable: the in-memory, sorted, multi-version home of recent writes for one table.
//
// Invariants:
//   1. One writer at a time (the Db's write lock); any number of lock-free readers.
//   2. Everything lives in the memtable's Arena and is never freed or moved until the
//      memtable is destroyed, so a pointer a reader obtained stays valid while it holds
//      the memtable (readers hold a shared_ptr).
//   3. Partitions sit in a skiplist ordered by decorated key; each partition holds a
//      skiplist of rows ordered by comparable clustering bytes.
//   4. A row (and the static row, and the partition header) is a chain of immutable
//      versions, newest first. Each version is the full reconciled row as of its
//      sequence number; a write publishes a new head with a release store after the
//      version is completely written. A reader with snapshot S uses the newest version
//      with seq <= S, so a batch (one seq) appears to a reader all at once or not at all.
//   5. Sequence numbers passed to Apply never decrease.
//   6. The writer alone keeps a hash index from decorated key to partition node (keys
//      are views of the arena copies), so a write to a partition the memtable already
//      holds finds it in one probe instead of a skiplist search; readers never touch it.
//
// A memtable becomes immutable by simply no longer receiving writes; it stays readable.

#ifndef CASSETTE_MEMTABLE_MEMTABLE_H_
#define CASSETTE_MEMTABLE_MEMTABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "memtable/partition_update.h"
#include "memtable/skiplist.h"
#include "row/source.h"
#include "util/arena.h"

namespace cassette {

namespace memtable_internal {
// Skiplist entries. Declared outside Memtable: GCC does not treat a nested class with
// default member initializers as default-constructible inside its enclosing class.
struct Version;
struct HeaderVersion;
struct PartitionNode;
//
// Each entry carries the first 8 bytes of its key as a big-endian integer: comparing
// those decides almost every step of a search without touching the key bytes, which
// halves the cache misses of an insert into a large memtable (a decorated key starts
// with its random 64-bit token).
inline uint64_t KeyPrefix(std::string_view k) {
  uint64_t p = 0;
  for (size_t i = 0; i < 8; ++i) p = (p << 8) | (i < k.size() ? static_cast<uint8_t>(k[i]) : 0);
  return p;
}
// memcmp order: prefixes (zero-padded) decide unless equal, then the full bytes.
inline int CompareWithPrefix(uint64_t pa, std::string_view a, uint64_t pb, std::string_view b) {
  if (pa != pb) return pa < pb ? -1 : 1;
  return a.compare(b);
}
struct RowKey {
  uint64_t prefix = 0;
  std::string_view clustering;
  std::atomic<const Version*>* head = nullptr;
};
struct RowKeyCmp {
  int operator()(const RowKey& a, const RowKey& b) const {
    return CompareWithPrefix(a.prefix, a.clustering, b.prefix, b.clustering);
  }
};
using RowList = SkipList<RowKey, RowKeyCmp>;
struct PartitionKey {
  uint64_t prefix = 0;
  std::string_view key;
  PartitionNode* node = nullptr;
};
struct PartitionKeyCmp {
  int operator()(const PartitionKey& a, const PartitionKey& b) const {
    return CompareWithPrefix(a.prefix, a.key, b.prefix, b.key);
  }
};
using PartitionList = SkipList<PartitionKey, PartitionKeyCmp>;
}  // namespace memtable_internal

class Memtable {
 public:
  using Version = memtable_internal::Version;
  using HeaderVersion = memtable_internal::HeaderVersion;
  using PartitionNode = memtable_internal::PartitionNode;
  using RowKey = memtable_internal::RowKey;
  using PartitionKey = memtable_internal::PartitionKey;
  using RowList = memtable_internal::RowList;
  using PartitionList = memtable_internal::PartitionList;

  Memtable();
  ~Memtable();
  Memtable(const Memtable&) = delete;
  Memtable& operator=(const Memtable&) = delete;

  // Applies one update at sequence number `seq`. REQUIRES: external writer exclusion;
  // seq >= every seq applied before.
  void Apply(const PartitionUpdate& update, uint64_t seq);

  // Arena bytes and the writer's partition index in use; readable from any thread.
  size_t ApproximateMemoryUsage() const {
    return arena_.MemoryUsage() + index_bytes_.load(std::memory_order_relaxed);
  }
  // Number of Apply calls; readable from any thread.
  int64_t update_count() const { return updates_.load(std::memory_order_relaxed); }
  // Smallest write timestamp applied (for tombstone purge decisions); INT64_MAX if none.
  int64_t min_timestamp() const { return min_ts_.load(std::memory_order_relaxed); }

  // A read view of the contents with seq <= snapshot. The Source keeps `self` alive.
  static std::unique_ptr<Source> NewSource(std::shared_ptr<const Memtable> self, uint64_t snapshot);

  const PartitionList& partitions() const { return partitions_; }

 private:
  PartitionNode* FindOrAddPartition(std::string_view key, uint64_t seq);
  std::atomic<const Version*>* FindOrAddRow(PartitionNode* p, std::string_view clustering);
  void ApplyHeader(PartitionNode* p, const PartitionUpdate& u, uint64_t seq);
  void ApplyRow(std::atomic<const Version*>* head, const Row& update, uint64_t seq);
  std::string_view CopyToArena(std::string_view bytes);

  Arena arena_;
  PartitionList partitions_;
  std::atomic<int64_t> updates_{0};
  std::atomic<int64_t> min_ts_{INT64_MAX};
  std::string scratch_;  // writer-only encode buffer
  // Writer-only (invariant 6).
  absl::flat_hash_map<std::string_view, PartitionNode*> partition_index_;
  std::atomic<size_t> index_bytes_{0};
};

}  // namespace cassette

#endif  // CASSETTE_MEMTABLE_MEMTABLE_H_

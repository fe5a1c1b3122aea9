// SharedBlockCache: decompressed, verified blocks of every SSTable of a database, kept in
// memory up to a byte budget and shared by all readers (Cassandra's chunk cache,
// RocksDB's block cache). A read that finds its block here skips the pread, the checksum
// and the decompression.
//
// Keys are (file number, file kind, block offset). File numbers are never reused, so a
// compacted-away table's blocks can never be served for another table; they simply age
// out. Eviction is CLOCK (second chance) per shard: a hit only sets the entry's
// referenced bit, and the eviction hand gives a referenced entry one more round. An LRU
// list would be spliced on every hit, touching the neighbours' list nodes: on a point
// read whose working set is far larger than the CPU caches, those were memory stalls
// paid on every block lookup (docs/benchmarks.md, P2).
//
// Thread safety: safe for concurrent use. Invariants (per shard, under its mutex):
// usage == sum of the charges of the entries in `map`; every key of `map` is in `clock`
// exactly once, and `clock` holds no other key; file_bytes[f] == the sum of the block
// sizes of the data blocks of file f in `map`, and holds no zero.

#ifndef CASSETTE_SSTABLE_BLOCK_CACHE_H_
#define CASSETTE_SSTABLE_BLOCK_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "sstable/block_stream.h"
#include "util/mutex.h"

namespace cassette {

class SharedBlockCache {
 public:
  // `capacity_bytes` of block contents (0 disables caching).
  explicit SharedBlockCache(size_t capacity_bytes);

  struct Key {
    uint64_t file_number;
    uint8_t kind;
    uint64_t offset;
    friend bool operator==(const Key&, const Key&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.file_number, k.kind, k.offset);
    }
  };

  std::shared_ptr<const Block> Lookup(const Key& key);
  void Insert(const Key& key, std::shared_ptr<const Block> block);

  size_t capacity() const { return capacity_; }
  size_t usage() const;
  // Bytes of `file_number`'s data blocks (decompressed) held now: how much of an
  // SSTable readers have recently used, which decides whether a compaction's outputs
  // are cached as they are written (DbOptions::cache_written_blocks).
  uint64_t CachedDataBytes(uint64_t file_number) const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::shared_ptr<const Block> block;
    size_t charge;
    bool referenced;  // hit since the hand last passed
  };
  struct Shard {
    Mutex mu;
    absl::flat_hash_map<Key, Entry> map ABSL_GUARDED_BY(mu);
    std::deque<Key> clock ABSL_GUARDED_BY(mu);  // the hand is at the front
    size_t usage ABSL_GUARDED_BY(mu) = 0;
    absl::flat_hash_map<uint64_t, uint64_t> file_bytes ABSL_GUARDED_BY(mu);
  };
  // The file_bytes bookkeeping of an entry coming (+1) or going (-1).
  static void CountFileBytes(Shard& s, const Key& key, const Block& block, int sign)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu);
  static constexpr size_t kShards = 16;
  Shard& ShardFor(const Key& key);

  const size_t capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0}, misses_{0};
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_BLOCK_CACHE_H_

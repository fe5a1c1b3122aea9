// bench/lab/engine.h — what the compaction lab asks of a storage engine.
//
// The lab runs the same workload on cassette (under each compaction strategy), RocksDB
// and LevelDB. Every engine sees rows of one shape: a partition (a 64-bit id), a
// clustering value (a 64-bit signed integer) and an opaque payload. cassette stores them
// as a CQL table `lab.rows (p bigint, c bigint, v blob, PRIMARY KEY (p, c))`; the
// key-value engines store the key  big-endian(p) ‖ order-preserving(c)  (16 bytes) and the
// payload as the value, so a partition is a contiguous key range in both.
//
// Contract for every implementation:
//   - Open once, then any operations, then Close (or destruction). Not thread-safe unless
//     the engine's own API is: the lab drives one engine from one thread.
//   - Writes honour EngineConfig's durability exactly (commit log / WAL on or off, sync on
//     every write or not), so figures compare like with like.
//   - A read reports through ReadCounters what the engine can tell about its cost; a value
//     it cannot tell stays at -1 and is printed "n/a", never guessed.
//   - Every error is returned as a Status naming the engine and operation; none aborts.
#ifndef CASSETTE_BENCH_LAB_ENGINE_H_
#define CASSETTE_BENCH_LAB_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cassette::lab {

// The clock the harness controls: workloads with TTL move it forward explicitly so a run
// covers several TTLs in minutes. Seconds since the Unix epoch. Thread-safe.
class LabClock {
 public:
  explicit LabClock(int64_t start_seconds) : now_(start_seconds) {}
  int64_t NowSeconds() const { return now_.load(std::memory_order_acquire); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

// An SSTable (or RocksDB/LevelDB table file) appearing or disappearing, for the SSTable
// timeline. `level` is the LSM level, the TWCS window index, or 0 when the engine has none.
struct FileEvent {
  double t_seconds = 0;  // since the run started (the sink stamps it)
  uint64_t file = 0;     // engine's file number
  int level = 0;
  uint64_t bytes = 0;
  bool created = true;  // false: deleted
};
using FileEventSink = std::function<void(const FileEvent&)>;

struct EngineConfig {
  std::string dir;                        // empty folder the engine owns for the run
  uint64_t memtable_bytes = 64 << 20;     // one write buffer / memtable
  uint64_t block_cache_bytes = 64 << 20;  // memtable + cache = the run's memory budget
  int zstd_level = 3;                     // 0 = no compression
  bool commit_log = true;                 // WAL / commit log
  bool sync_every_write = false;          // fdatasync before each write is acknowledged
  bool clustering_newest_first = true;    // clustering order: DESC (feeds) or ASC (queues)
  // Engine variant: cassette "STCS" "LCS" "TWCS" "UCS"; rocksdb "leveled" "universal";
  // leveldb "" (it has one). Options use each engine's own names (cassette: Cassandra's
  // compaction options, e.g. sstable_size_in_mb, compaction_window_size).
  std::string strategy;
  std::map<std::string, std::string> strategy_options;
  // Every write carries this TTL in seconds (0 = none). RocksDB applies it database-wide
  // through DBWithTTL, its own mechanism; LevelDB has none and refuses a TTL workload.
  int32_t ttl_seconds = 0;
  int32_t gc_grace_seconds = 864000;  // cassette only (Cassandra's default: 10 days)
  const LabClock* clock = nullptr;    // never null when Open is called
  FileEventSink on_file;              // may be empty
};

// What one read cost, where the engine can tell (-1 = cannot).
struct ReadCounters {
  int64_t rows = 0;                 // live rows returned
  int64_t tombstones_scanned = -1;  // cassette: ReadStats; RocksDB: internal_delete_skipped
  int64_t sstables_touched = -1;    // files consulted for this read
};

struct EngineStats {
  int64_t sstables = 0;
  uint64_t sstable_bytes = 0;             // live table files on disk
  int64_t pending_compactions = -1;       // tasks, or -1 when the engine cannot tell
  int64_t pending_compaction_bytes = -1;  // estimate, or -1
  uint64_t bytes_compacted = 0;           // written by compaction since Open
  std::map<int, int64_t> files_per_level;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // "cassette/LCS", "rocksdb/leveled", "leveldb".
  virtual std::string Name() const = 0;
  virtual absl::Status Open(const EngineConfig& config) = 0;
  virtual absl::Status Close() = 0;

  virtual absl::Status Put(uint64_t p, int64_t c, std::string_view payload) = 0;
  virtual absl::Status Delete(uint64_t p, int64_t c) = 0;
  // Deletes every row of partition p whose clustering value is <= c: one range tombstone
  // where the engine has them (cassette `DELETE … WHERE p = ? AND c <= ?`, RocksDB
  // DeleteRange); LevelDB, which has none, deletes each key of the range.
  virtual absl::Status DeleteUpTo(uint64_t p, int64_t c) = 0;

  // One row by full primary key. Returns whether it exists (live).
  virtual absl::StatusOr<bool> Get(uint64_t p, int64_t c, ReadCounters* rc) = 0;
  // Up to `limit` live rows of partition p in clustering order, starting at clustering
  // `from` (inclusive) or at the partition's first row. Returns the number read.
  virtual absl::StatusOr<int64_t> Slice(uint64_t p, std::optional<int64_t> from, int limit,
                                        ReadCounters* rc) = 0;
  // Up to `limit` live rows of consecutive partitions in the engine's partition order,
  // starting at partition p (YCSB E's scan). Returns the number read.
  virtual absl::StatusOr<int64_t> ScanPartitions(uint64_t p, int limit, ReadCounters* rc) = 0;

  // Flush memtables and wait until no compaction is pending or running.
  virtual absl::Status Settle() = 0;
  // Major compaction of everything (then settled).
  virtual absl::Status CompactAll() = 0;
  virtual EngineStats Stats() = 0;
};

// Factories; each returns NotFound/Unimplemented when the engine was not built in.
absl::StatusOr<std::unique_ptr<Engine>> MakeCassetteEngine();
absl::StatusOr<std::unique_ptr<Engine>> MakeRocksDbEngine();
absl::StatusOr<std::unique_ptr<Engine>> MakeLevelDbEngine();

// The 16-byte key of the key-value engines: big-endian p, then c mapped to an unsigned
// big-endian integer whose byte order is c's order (ASC) or its reverse (newest first).
std::string KvKey(uint64_t p, int64_t c, bool newest_first);
// The key range [*begin, *end) holding partition p's rows with clustering values <= c.
void KvRangeUpTo(uint64_t p, int64_t c, bool newest_first, std::string* begin, std::string* end);
// Inverse of KvKey; false if `key` is not 16 bytes.
bool ParseKvKey(std::string_view key, bool newest_first, uint64_t* p, int64_t* c);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_ENGINE_H_

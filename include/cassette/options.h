// cassette/options.h — options for opening a database. Few, each with a reason.

#ifndef CASSETTE_OPTIONS_H_
#define CASSETTE_OPTIONS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "cassette/clock.h"
#include "cassette/compaction.h"
#include "cassette/env.h"

namespace cassette {

// Cassandra's commitlog_sync.
enum class CommitLogSync {
  // Acknowledge after the OS write; a background sync runs every periodic_sync_ms.
  // A crash loses at most that window (unless WriteOptions::sync is set).
  kPeriodic,
  // Sync before acknowledging every write.
  kBatch,
  // Sync before acknowledging, but writers that arrive while a sync is in progress (or
  // within group_window_ms) share the next sync.
  kGroup,
};

struct Options {
  // Source of time. Null means SystemClock().
  std::shared_ptr<Clock> clock;

  // Bytes of memtable (arena) a table may fill before it is switched for a new one;
  // the full one becomes immutable and stays readable. Cassandra sizes memtables from
  // heap; an embedded engine states a budget. Minimum 64 KiB.
  size_t memtable_budget_bytes = 64 << 20;

  // Create the folder if it does not exist.
  bool create_if_missing = true;

  // File system; null means Env::Default(). Tests inject faults through it.
  Env* env = nullptr;

  // Commit log (commitlog_sync, commitlog_sync_period, commitlog_sync_group_window,
  // commitlog_segment_size in Cassandra).
  CommitLogSync commitlog_sync = CommitLogSync::kPeriodic;
  int64_t commitlog_sync_period_ms = 10000;
  int64_t commitlog_group_window_ms = 0;
  uint64_t commitlog_segment_size = 32 << 20;
  // Open a database whose commit log is damaged before its tail, skipping the damaged
  // part of each segment and reporting it. Off: such damage fails Open with DataLoss.
  bool commitlog_salvage = false;

  // SSTables: zstd level for data blocks (0 = uncompressed) and bloom filter bits per key.
  int sstable_compression_level = 3;
  int sstable_bloom_bits_per_key = 10;
  // Decompressed SSTable blocks kept in memory for all readers (Cassandra's chunk cache,
  // file_cache_size; RocksDB's block cache). 0 disables it.
  size_t block_cache_bytes = 64 << 20;
  // New SSTables' blocks go into the block cache as they are written: a flush's always
  // (RocksDB's prepopulate_block_cache = kFlushOnly; Cassandra gets as much from the OS
  // page cache, which keeps what was just written), a compaction's when at least half of
  // its inputs' data was in the cache (it then replaces blocks readers were using by the
  // same rows). The newest data is what feeds, queues and time series read next; without
  // this the first read of each partition after a flush or compaction misses and
  // decompresses (docs/benchmarks.md, P5). Off for a write-only load that should not
  // displace the blocks readers use.
  bool cache_written_blocks = true;

  // Write stall: when a table has this many memtables waiting for flush, writers to it
  // wait for a flush to finish (counted in TableStats::write_stall_micros).
  int max_immutable_memtables = 2;

  // Compaction (Cassandra's concurrent_compactors and compaction_throughput). cassette
  // leaves throughput unlimited by default (Cassandra: 64 MiB/s): an embedded engine
  // usually owns its disk, and a benchmark harness wants the engine's own speed.
  int compaction_concurrency = 1;                // 0: only Compact/GarbageCollect compact
  double compaction_throughput_mib_per_sec = 0;  // 0: unlimited
  // Flush and compaction events; null for none. Shared: the caller may keep a pointer.
  std::shared_ptr<EventListener> listener;
  // Compaction history entries kept in memory (oldest dropped first).
  int compaction_history_size = 1000;
  // Receives warnings (e.g. tombstone_warn_threshold exceeded). Null: written to
  // stderr prefixed "cassette WARN". Called from the reading or writing thread.
  std::function<void(const std::string&)> warning_log;
};

}  // namespace cassette

#endif  // CASSETTE_OPTIONS_H_

// CompactionJob: carries out one CompactionTask's I/O — merges the input SSTables through
// the read path's reconciliation (db/compaction_input.h: the inputs scanned sequentially,
// merged with MergedPartition's halves), purges what §6 allows, and writes the result as
// new SSTables split at the task's size and token boundaries. A row that one input alone
// holds, that no deletion covers and that holds only live data is copied as its record
// (sstable/live_row.h) without being decoded: nothing in it can be purged.
//
// Purge rule (§6): a tombstone (or an expired cell, which first becomes a tombstone)
// is dropped only if its local deletion time is before gc_before AND its timestamp is
// older than every timestamp that a source outside the compaction may hold for the
// same partition: each other live SSTable whose key range and bloom filter admit the
// partition contributes its min_timestamp, each memtable holding the partition its
// min_timestamp. Otherwise the tombstone stays, so shadowed data outside the compaction
// cannot come back.
//
// The job writes files and syncs them and their folder; recording the outputs in the
// manifest and retiring the inputs is the caller's job (db_compact.cc).
//
// Thread safety: one job runs on one thread. The inputs, other SSTables and memtables
// are immutable snapshots (shared_ptrs held by the job), so reads and writes go on.

#ifndef CASSETTE_DB_COMPACTION_JOB_H_
#define CASSETTE_DB_COMPACTION_JOB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cassette/env.h"
#include "compaction/compaction_task.h"
#include "db/table_info.h"
#include "memtable/memtable.h"
#include "sstable/block_cache.h"
#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"
#include "util/rate_limiter.h"

namespace cassette {

struct CompactionJobSpec {
  const TableInfo* table = nullptr;
  CompactionTask task;
  std::vector<std::shared_ptr<const SSTable>> inputs;  // task.inputs, opened
  // Every other live SSTable and memtable of the table (the purge rule's "outside").
  std::vector<std::shared_ptr<const SSTable>> others;
  std::vector<std::shared_ptr<const Memtable>> memtables;
  int64_t now_sec = 0;
  SSTableWriterOptions writer_options;  // level and creation time are set per output
  Env* env = nullptr;
  std::string dir;
  std::function<uint64_t()> new_file_number;  // called with the caller's lock handling
  RateLimiter* limiter = nullptr;             // optional throughput limit
  const std::atomic<bool>* cancel = nullptr;  // set: stop early with Cancelled
  SharedBlockCache* block_cache = nullptr;    // outputs are opened with it
  std::function<void(const std::string&)> warn;
  // Read the inputs through the read path (index lookups per partition) instead of
  // scanning them sequentially (db/compaction_input.h). The outputs are the same, byte
  // for byte; tests compare the two.
  bool read_through_sources = false;
};

struct CompactionJobResult {
  std::vector<std::shared_ptr<const SSTable>> outputs;
  uint64_t bytes_in = 0;      // on-disk bytes of the inputs read
  uint64_t bytes_out = 0;     // on-disk bytes of the outputs
  int64_t partitions_in = 0;  // partitions read, counted once per input holding them
  int64_t partitions_out = 0;
  int64_t rows_out = 0;
  int64_t tombstones_purged = 0;  // partition/row deletions, range fragments and cells
  // Cassandra's "rows merged": how many partitions were merged from k inputs, by k.
  std::map<int, int64_t> merged_histogram;
};

absl::StatusOr<CompactionJobResult> RunCompactionJob(const CompactionJobSpec& spec);

}  // namespace cassette

#endif  // CASSETTE_DB_COMPACTION_JOB_H_

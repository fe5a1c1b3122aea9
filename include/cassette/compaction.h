// Compaction as the application sees it: the events a listener receives, the
// compaction history (nodetool compactionhistory) and live statistics (nodetool
// compactionstats). Strategies and their options are chosen per table in
// TableOptions::compaction_class / compaction_options (docs/compaction/).

#ifndef CASSETTE_COMPACTION_H_
#define CASSETTE_COMPACTION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cassette {

struct FlushEvent {
  std::string table;         // "keyspace.table"
  uint64_t file_number = 0;  // the SSTable written (set on completion)
  uint64_t bytes = 0;        // its size on disk (set on completion)
};

struct CompactionEvent {
  std::string table;
  // "tiered", "leveled", "l0-tiered", "time-window", "unified", "tombstone",
  // "expired", "major", "garbagecollect".
  std::string reason;
  std::string description;        // the strategy's words: "bucket of 4 SSTables, avg 12.0 MiB"
  std::vector<uint64_t> inputs;   // merged
  std::vector<uint64_t> expired;  // dropped whole, unread
  std::vector<uint64_t> outputs;  // set on completion
  int32_t output_level = 0;
  uint64_t bytes_in = 0;  // on completion: on-disk bytes read
  uint64_t bytes_out = 0;
  int64_t partitions_out = 0;
  int64_t rows_out = 0;
  int64_t tombstones_purged = 0;
  // Cassandra's "rows merged": partitions merged from k inputs, by k.
  std::map<int, int64_t> merged_histogram;
  int64_t started_at_micros = 0;  // engine clock
  int64_t duration_micros = 0;    // wall time, on completion
  std::string error;              // empty on success
};

// Callbacks from background threads. Keep them short and do not call back into the Db
// from them (they run with no engine lock held, but the engine thread waits for them).
class EventListener {
 public:
  virtual ~EventListener() = default;
  virtual void OnFlushBegin(const FlushEvent&) {}
  virtual void OnFlushCompleted(const FlushEvent&) {}
  virtual void OnCompactionBegin(const CompactionEvent&) {}
  virtual void OnCompactionCompleted(const CompactionEvent&) {}
};

struct CompactionStats {
  std::string strategy;   // class name
  int pending_tasks = 0;  // the strategy's estimate of tasks still to run
  // Bytes the pending tasks would read (nodetool's "pending bytes"-like backlog).
  uint64_t pending_bytes = 0;
  std::vector<CompactionEvent> active;  // running now (outputs not yet known)
  std::map<int32_t, int64_t> sstables_per_level;
  int64_t completed = 0;
  uint64_t bytes_compacted = 0;  // total bytes written by compactions since Open
};

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_H_

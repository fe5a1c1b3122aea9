// CompactionTask: what a picker decided — which SSTables to merge, which to drop whole,
// where the output goes and why. Plain data; the executor carries it out.

#ifndef CASSETTE_COMPACTION_COMPACTION_TASK_H_
#define CASSETTE_COMPACTION_COMPACTION_TASK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cassette {

enum class CompactionReason {
  kTiered,          // STCS bucket; TWCS newest window (STCS inside it)
  kLeveled,         // LCS level L -> L+1
  kL0Tiered,        // LCS: STCS inside L0 (more than 32 SSTables in L0)
  kTimeWindow,      // TWCS: an older window compacted whole
  kUnified,         // UCS: an overlap set on a level reached its threshold
  kTombstone,       // single-SSTable tombstone compaction (§7)
  kExpired,         // only fully expired SSTables, dropped whole
  kMajor,           // requested: nodetool compact
  kGarbageCollect,  // requested: nodetool garbagecollect (each SSTable rewritten alone)
};
std::string_view CompactionReasonName(CompactionReason reason);  // "tiered", "leveled", ...

struct CompactionTask {
  // Merged through the read path's reconciliation; written to new SSTables.
  std::vector<uint64_t> inputs;
  // Fully expired (§6): removed whole without being read. Disjoint from inputs.
  std::vector<uint64_t> expired;
  int32_t output_level = 0;
  // The output is split into SSTables of about this many bytes (0: no limit).
  uint64_t max_output_bytes = 0;
  // UCS: the output is also split where a partition's token crosses one of these
  // (ascending) boundaries.
  std::vector<int64_t> split_tokens;
  CompactionReason reason = CompactionReason::kTiered;
  // For logs, history and the simulator: "bucket of 4, avg 12.0 MiB".
  std::string description;

  // Every SSTable the task takes out of the live set.
  std::vector<uint64_t> AllInputs() const {
    std::vector<uint64_t> all = inputs;
    all.insert(all.end(), expired.begin(), expired.end());
    return all;
  }
};

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_COMPACTION_TASK_H_

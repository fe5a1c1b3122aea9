// CompactionState: a table's SSTable set as the pickers see it, plus what a strategy
// remembers between rounds (LCS's round-robin position per level), and the pure step
// that applies a finished task to it. The engine keeps one per table, manifest replay
// rebuilds it, and the simulator evolves it without any I/O.

#ifndef CASSETTE_COMPACTION_COMPACTION_STATE_H_
#define CASSETTE_COMPACTION_COMPACTION_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "compaction/compaction_task.h"
#include "compaction/sstable_info.h"

namespace cassette {

struct CompactionState {
  std::vector<SSTableInfo> sstables;  // live; any order (pickers sort as they need)
  // LCS: the last key compacted out of each level (round robin resumes after it).
  std::map<int32_t, std::string> last_compacted_key;

  const SSTableInfo* Find(uint64_t file_number) const;
};

// Everything a picker may look at. Pickers are pure: the same view gives the same task.
struct CompactionView {
  const CompactionState* state = nullptr;
  // SSTables taken by running tasks: a picker must not choose them.
  std::set<uint64_t> compacting;
  int64_t now_micros = 0;  // the clock (TWCS windows, ages, gc_before)
  int32_t gc_grace_seconds = 864000;
  // Smallest timestamp in any memtable of the table, if any memtable holds data: a
  // fully expired SSTable is dropped only if it is older than this too (§6).
  std::optional<int64_t> memtable_min_timestamp;
  // Bytes of a typical flushed SSTable (UCS's level base; an estimate is fine).
  uint64_t flush_size_bytes = 64 << 20;

  int64_t gc_before_seconds() const { return now_micros / 1000000 - gc_grace_seconds; }
  // SSTables not being compacted.
  std::vector<const SSTableInfo*> Available() const;
};

// Applies a finished task: removes task.AllInputs(), adds `outputs` (their level set to
// task.output_level), and records LCS's round-robin position (the largest last_key among
// the inputs at the task's source level). FailedPrecondition, with nothing changed, if an
// input is not in the state or an output's number is already there.
absl::Status ApplyCompaction(const CompactionTask& task, const std::vector<SSTableInfo>& outputs,
                             CompactionState* state);

// What a task would produce, estimated without I/O (the simulator and the engine's
// backlog estimate): the inputs' bytes with nothing dropped but fully expired SSTables,
// split into pieces of task.max_output_bytes over equal parts of the inputs' token
// range; timestamps, deletion times and counts are the union of the inputs'. Output
// numbers start at *next_file_number, which is advanced.
std::vector<SSTableInfo> EstimateOutputs(const CompactionState& state, const CompactionTask& task,
                                         uint64_t* next_file_number);

// Adds a flushed SSTable (level 0).
absl::Status ApplyFlush(const SSTableInfo& sstable, CompactionState* state);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_COMPACTION_STATE_H_

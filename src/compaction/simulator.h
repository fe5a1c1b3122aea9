// The compaction simulator: replays a workload (flushes and clock advances) through a
// strategy's pure picker with no I/O, and reports every task and the SSTable set after
// every step — for what-if studies ("what does LCS cost on this ingest?") and teaching.
//
// Contract:
// - Deterministic: the same config and workload give the same trace, byte for byte.
// - After each step the simulator runs Pick -> EstimateOutputs -> ApplyCompaction until
//   the picker has nothing to do, at most kMaxTasksPerStep times (a strategy that keeps
//   picking is reported as such in the trace, not an error). Nothing ever runs
//   concurrently, so view.compacting is always empty, and no memtable holds data.
// - Outputs are EstimateOutputs' (nothing dropped but fully expired SSTables), stamped as
//   written at the current clock.
// - Workload text, one step a line; '#' starts a comment; blank lines are ignored:
//     flush <size> [tokens=<a>..<b>] [ts=<min>..<max>] [ttl=<seconds>] [x<n>]
//     advance <seconds>
//   size: a number with an optional B/KiB/MiB/GiB/TiB suffix (e.g. 64MiB, 1.5GiB).
//   tokens default to the whole ring; ts (µs) defaults to the clock at the flush; with
//   ttl, every cell expires at its write time + ttl (so max_local_deletion_time =
//   max_ts/1e6 + ttl), else the data never expires. x<n> repeats the flush n times,
//   compacting after each. The clock starts at 0 and moves only with `advance`.
// - A malformed workload is InvalidArgument naming the line number and what is wrong.

#ifndef CASSETTE_COMPACTION_SIMULATOR_H_
#define CASSETTE_COMPACTION_SIMULATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "compaction/compaction_state.h"
#include "compaction/compaction_task.h"
#include "compaction/strategy.h"

namespace cassette {

struct SimulatorConfig {
  std::string strategy_class;  // as CompactionStrategy::Create takes it
  CompactionOptions options;
  int32_t gc_grace_seconds = 864000;
};

struct SimulatorStep {
  enum class Kind { kFlush, kAdvance };
  Kind kind = Kind::kFlush;
  int line = 0;      // 1-based line in the workload text
  std::string text;  // the line as written, comment stripped (for the trace)
  // kFlush
  uint64_t bytes = 0;
  int64_t first_token = INT64_MIN + 1;
  int64_t last_token = INT64_MAX;
  std::optional<int64_t> min_timestamp;  // µs; unset: the clock at the flush
  std::optional<int64_t> max_timestamp;
  std::optional<int64_t> ttl_seconds;
  int64_t repeat = 1;
  // kAdvance
  int64_t advance_seconds = 0;
};

struct SimulatorWorkload {
  std::vector<SimulatorStep> steps;
};

absl::StatusOr<SimulatorWorkload> ParseSimulatorWorkload(absl::string_view text);

inline constexpr int kMaxTasksPerStep = 1000;

struct SimulatorResult {
  std::string trace;                  // steps, tasks and SSTable sets, one per line
  std::vector<CompactionTask> tasks;  // every task run, in order
  CompactionState final_state;
  int64_t final_now_micros = 0;
  uint64_t bytes_flushed = 0;
  uint64_t bytes_compacted = 0;        // written by compactions
  size_t max_sstables = 0;             // largest live set seen after any flush or task
  int64_t sstables_dropped_whole = 0;  // named in a task's `expired`
  int pending_tasks_at_end = 0;        // the strategy's PendingTasks on the final set
  bool hit_task_cap = false;           // some step stopped at kMaxTasksPerStep

  // (flushed + compacted) / flushed; 0 when nothing was flushed.
  double WriteAmplification() const;
  uint64_t FinalBytes() const;
  std::string Summary() const;  // multi-line totals, for the end of the trace
};

// InvalidArgument if the strategy or its options are rejected (Create's message).
absl::StatusOr<SimulatorResult> RunSimulation(const SimulatorConfig& config,
                                              const SimulatorWorkload& workload);

// "64MiB", "1.6GiB", "512B": the sizes the trace prints.
std::string FormatSimulatorBytes(uint64_t bytes);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_SIMULATOR_H_

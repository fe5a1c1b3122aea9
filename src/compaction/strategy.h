// CompactionStrategy: one table's compaction policy (STCS, LCS, TWCS or UCS), built from
// the table's `compaction` options map exactly as CQL gives it.
//
// Contract:
// - Pick, MajorTasks and PendingTasks are pure functions of the view (and the options the
//   strategy was created with): no I/O, no clock reads, no hidden state. A strategy's
//   memory between rounds lives in CompactionState (e.g. LCS's round-robin keys) and is
//   updated only by ApplyCompaction.
// - A task never names an SSTable in view.compacting, and never names one twice.
// - Thread safety: immutable after Create; safe to share.
//
// Options: every strategy accepts the common options of §7 (tombstone_threshold,
// tombstone_compaction_interval, unchecked_tombstone_compaction,
// only_purge_repaired_tombstones, min_threshold, max_threshold, enabled, log_all) plus its
// own; Create rejects unknown options and out-of-range values with InvalidArgument
// naming the option. See docs/compaction/ for each strategy's options and defaults.

#ifndef CASSETTE_COMPACTION_STRATEGY_H_
#define CASSETTE_COMPACTION_STRATEGY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "compaction/compaction_state.h"
#include "compaction/compaction_task.h"

namespace cassette {

using CompactionOptions = std::map<std::string, std::string>;

class CompactionStrategy {
 public:
  // `class_name` short ("LeveledCompactionStrategy") or fully qualified.
  static absl::StatusOr<std::unique_ptr<CompactionStrategy>> Create(
      std::string_view class_name, const CompactionOptions& options);
  virtual ~CompactionStrategy() = default;

  // "SizeTieredCompactionStrategy", ...
  virtual std::string_view name() const = 0;
  // The options in effect, defaults filled in (for tools and docs).
  virtual CompactionOptions EffectiveOptions() const = 0;

  // The next background task, or none. Tombstone compactions and fully expired drops
  // are part of it, as each strategy orders them.
  virtual std::optional<CompactionTask> Pick(const CompactionView& view) const = 0;
  // Major compaction (nodetool compact): the tasks that together rewrite every available
  // SSTable, e.g. one for STCS, one per window for TWCS.
  virtual std::vector<CompactionTask> MajorTasks(const CompactionView& view) const = 0;
  // Estimated tasks still to run to reach a quiet state (nodetool's pending tasks).
  virtual int PendingTasks(const CompactionView& view) const = 0;
  // Where SSTables go when a table switches to this strategy (LCS: level 0 for all, so
  // they are leveled from scratch); other strategies keep levels at 0 too.
  virtual int32_t LevelOnAdoption() const { return 0; }
};

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_STRATEGY_H_

// UnifiedCompactionStrategy (Cassandra 5.0): the strategy object. Each round it sets
// fully expired SSTables aside, arranges the rest into density levels, and compacts the
// most overlapped bucket of the level whose largest overlap set is the largest (the
// lower level on ties), attaching the expired SSTables to that task as Cassandra does.
// With nothing to compact it drops the expired SSTables alone, and failing that runs a
// single-SSTable tombstone compaction (a cassette addition: Cassandra's UCS has none).
// The rules live in unified.h; docs/compaction/ucs.md explains them and the deviations.

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compaction/common_options.h"
#include "compaction/expiry.h"
#include "compaction/strategy_factories.h"
#include "compaction/unified.h"

namespace cassette {
namespace {

constexpr char kName[] = "UnifiedCompactionStrategy";

std::vector<uint64_t> Numbers(const std::vector<const SSTableInfo*>& sstables) {
  std::vector<uint64_t> out;
  out.reserve(sstables.size());
  for (const SSTableInfo* s : sstables) out.push_back(s->file_number);
  return out;
}

std::vector<const SSTableInfo*> Without(const std::vector<const SSTableInfo*>& all,
                                        const std::vector<const SSTableInfo*>& removed) {
  std::set<const SSTableInfo*> drop(removed.begin(), removed.end());
  std::vector<const SSTableInfo*> out;
  for (const SSTableInfo* s : all) {
    if (!drop.contains(s)) out.push_back(s);
  }
  return out;
}

// UnifiedCompactionStrategy.splitInNonOverlappingSets: SSTables linked by any chain of
// overlaps end up in one group; groups come in token order.
std::vector<std::vector<const SSTableInfo*>> NonOverlappingGroups(
    const std::vector<const SSTableInfo*>& sstables) {
  std::vector<std::vector<const SSTableInfo*>> groups;
  std::set<const SSTableInfo*> current;
  for (const std::vector<const SSTableInfo*>& set : OverlapSets(sstables)) {
    const bool joins = std::any_of(set.begin(), set.end(),
                                   [&](const SSTableInfo* s) { return current.contains(s); });
    if (!joins && !current.empty()) {
      groups.emplace_back(current.begin(), current.end());
      current.clear();
    }
    current.insert(set.begin(), set.end());
  }
  if (!current.empty()) groups.emplace_back(current.begin(), current.end());
  for (auto& group : groups) {
    std::sort(group.begin(), group.end(), [](const SSTableInfo* a, const SSTableInfo* b) {
      return a->file_number < b->file_number;
    });
  }
  return groups;
}

class UnifiedStrategy final : public CompactionStrategy {
 public:
  UnifiedStrategy(CommonCompactionOptions common, UnifiedOptions options)
      : common_(common), options_(std::move(options)) {}

  std::string_view name() const override { return kName; }

  CompactionOptions EffectiveOptions() const override {
    CompactionOptions out;
    common_.AppendTo(&out);
    options_.AppendTo(&out);
    return out;
  }

  std::optional<CompactionTask> Pick(const CompactionView& view) const override {
    if (!common_.enabled) return std::nullopt;
    const std::vector<const SSTableInfo*> available = view.Available();
    const std::vector<const SSTableInfo*> expired =
        FullyExpiredSSTables(view, available, options_.unsafe_aggressive_sstable_expiration);
    const std::vector<const SSTableInfo*> suitable = Without(available, expired);
    const std::vector<UnifiedLevel> levels = Levels(view, suitable);

    // UnifiedCompactionStrategy.chooseCompactionPick. Cassandra compares every level's
    // overlap, even a level below its threshold (which then yields no task): kept as is.
    int max_overlap = -1;
    const UnifiedLevel* chosen = nullptr;
    std::vector<const SSTableInfo*> inputs;
    for (const UnifiedLevel& level : levels) {
      LevelPick pick = PickFromLevel(level, options_);
      if (pick.max_overlap > max_overlap) {
        max_overlap = pick.max_overlap;
        chosen = &level;
        inputs = std::move(pick.inputs);
      }
    }

    if (!inputs.empty()) {
      CompactionTask task;
      task.inputs = Numbers(inputs);
      task.expired = Numbers(expired);
      task.output_level = chosen->index;
      task.split_tokens = OutputSplitTokens(options_, inputs);
      task.reason = CompactionReason::kUnified;
      task.description = absl::StrCat(
          "level ", chosen->index, " (", PrintScalingParameter(chosen->scaling_parameter),
          ", threshold ", chosen->threshold, "): overlap ", max_overlap, ", ", inputs.size(),
          " sstables into ", task.split_tokens.size() + 1, " shards");
      return task;
    }
    if (!expired.empty()) {
      CompactionTask task;
      task.expired = Numbers(expired);
      task.reason = CompactionReason::kExpired;
      task.description = absl::StrCat(expired.size(), " fully expired sstables");
      return task;
    }
    return TombstoneTask(view, levels);
  }

  std::vector<CompactionTask> MajorTasks(const CompactionView& view) const override {
    std::vector<CompactionTask> tasks;
    for (const std::vector<const SSTableInfo*>& group : NonOverlappingGroups(view.Available())) {
      const std::vector<const SSTableInfo*> expired =
          FullyExpiredSSTables(view, group, options_.unsafe_aggressive_sstable_expiration);
      const std::vector<const SSTableInfo*> inputs = Without(group, expired);
      CompactionTask task;
      task.inputs = Numbers(inputs);
      task.expired = Numbers(expired);
      task.split_tokens = OutputSplitTokens(options_, inputs);
      task.reason = CompactionReason::kMajor;
      task.description = absl::StrCat("major: ", group.size(), " sstables into ",
                                      task.split_tokens.size() + 1, " shards");
      tasks.push_back(std::move(task));
    }
    return tasks;
  }

  int PendingTasks(const CompactionView& view) const override {
    const std::vector<const SSTableInfo*> available = view.Available();
    const std::vector<const SSTableInfo*> suitable = Without(
        available,
        FullyExpiredSSTables(view, available, options_.unsafe_aggressive_sstable_expiration));
    int tasks = 0;
    for (const UnifiedLevel& level : Levels(view, suitable)) {
      tasks += PickFromLevel(level, options_).estimated_tasks;
    }
    return tasks;
  }

 private:
  std::vector<UnifiedLevel> Levels(const CompactionView& view,
                                   const std::vector<const SSTableInfo*>& sstables) const {
    return FormLevels(sstables, options_, EffectiveFlushSize(options_, view.flush_size_bytes));
  }

  // The largest SSTable worth a single-SSTable tombstone compaction (§7), rewritten on
  // the shard boundaries of its own density.
  std::optional<CompactionTask> TombstoneTask(const CompactionView& view,
                                              const std::vector<UnifiedLevel>& levels) const {
    const SSTableInfo* best = nullptr;
    int best_level = 0;
    for (const UnifiedLevel& level : levels) {
      for (const SSTableInfo* s : level.sstables) {
        if (!WorthDroppingTombstones(*s, view, common_)) continue;
        if (best == nullptr || s->bytes > best->bytes ||
            (s->bytes == best->bytes && s->file_number < best->file_number)) {
          best = s;
          best_level = level.index;
        }
      }
    }
    if (best == nullptr) return std::nullopt;
    CompactionTask task;
    task.inputs = {best->file_number};
    task.output_level = best_level;
    task.split_tokens = OutputSplitTokens(options_, {best});
    task.reason = CompactionReason::kTombstone;
    task.description = absl::StrCat("tombstone compaction of ", best->file_number, " (ratio ",
                                    best->DroppableTombstoneRatio(view.gc_before_seconds()), ")");
    return task;
  }

  const CommonCompactionOptions common_;
  const UnifiedOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewUnifiedStrategy(
    const CompactionOptions& options) {
  if (absl::Status s = RejectUnknownOptions(options, kName, UnifiedOptionNames()); !s.ok()) {
    return s;
  }
  absl::StatusOr<CommonCompactionOptions> common = ParseCommonOptions(options);
  if (!common.ok()) return common.status();
  absl::StatusOr<UnifiedOptions> unified = ParseUnifiedOptions(options);
  if (!unified.ok()) return unified.status();
  return std::make_unique<UnifiedStrategy>(*common, *std::move(unified));
}

}  // namespace cassette

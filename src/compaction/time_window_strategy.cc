// TimeWindowCompactionStrategy (§10 of the semantics reference; docs/compaction/twcs.md).
//
// Contract: SSTables are grouped into epoch-aligned time windows by their newest write
// (compaction/time_window.h) and never compacted across windows. A background round
// (Pick) takes, in this order of preference:
//   1. every fully expired available SSTable (§6), always, as task.expired;
//   2. plus the newest eligible window among the other available SSTables: the newest
//      window through STCS (needs min_threshold SSTables in one size bucket, reason
//      kTiered), an older window whole once it holds 2 or more (trimmed to max_threshold,
//      smallest first; kTimeWindow) — one window per round;
//   3. or, when no window qualifies, the smallest SSTable worth a single-SSTable
//      tombstone compaction (§7; kTombstone) — only if the table set a tombstone option,
//      as Cassandra disables them for TWCS by default;
//   4. or, with only expired SSTables, a kExpired task that merely drops them.
// Output goes to level 0, unsplit (Cassandra's TWCS has no output size limit).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "compaction/common_options.h"
#include "compaction/expiry.h"
#include "compaction/size_tiered.h"
#include "compaction/strategy_factories.h"
#include "compaction/time_window.h"

namespace cassette {
namespace {

constexpr char kName[] = "TimeWindowCompactionStrategy";
constexpr char kWindowUnit[] = "compaction_window_unit";
constexpr char kWindowSize[] = "compaction_window_size";
constexpr char kResolution[] = "timestamp_resolution";
constexpr char kExpiredCheckFrequency[] = "expired_sstable_check_frequency_seconds";
constexpr char kUnsafeExpiration[] = "unsafe_aggressive_sstable_expiration";

struct TimeWindowOptions {
  TimeWindowUnit unit = TimeWindowUnit::kDays;
  int64_t size = 1;
  TimestampResolution resolution = TimestampResolution::kMicroseconds;
  // Accepted and reported; cassette checks for expired SSTables on every round (a pure
  // picker has no memory of its last check, and the check is a scan of metadata).
  int64_t expired_sstable_check_frequency_seconds = 600;
  bool unsafe_aggressive_sstable_expiration = false;
  // Cassandra (TimeWindowCompactionStrategy's constructor) turns single-SSTable tombstone
  // compactions off for TWCS unless one of the tombstone options is given with a value
  // other than "false": TTL'd data is meant to leave by whole-SSTable expiry.
  bool tombstone_compactions = false;
};

const char* UnitName(TimeWindowUnit unit) {
  switch (unit) {
    case TimeWindowUnit::kMinutes:
      return "MINUTES";
    case TimeWindowUnit::kHours:
      return "HOURS";
    case TimeWindowUnit::kDays:
      return "DAYS";
  }
  return "DAYS";
}

const char* ResolutionName(TimestampResolution resolution) {
  switch (resolution) {
    case TimestampResolution::kSeconds:
      return "SECONDS";
    case TimestampResolution::kMilliseconds:
      return "MILLISECONDS";
    case TimestampResolution::kMicroseconds:
      return "MICROSECONDS";
    case TimestampResolution::kNanoseconds:
      return "NANOSECONDS";
  }
  return "MICROSECONDS";
}

absl::StatusOr<TimeWindowOptions> ParseTimeWindowOptions(const CompactionOptions& options) {
  TimeWindowOptions out;
  if (auto it = options.find(kResolution); it != options.end()) {
    const std::string v = absl::AsciiStrToUpper(it->second);
    if (v == "SECONDS") {
      out.resolution = TimestampResolution::kSeconds;
    } else if (v == "MILLISECONDS") {
      out.resolution = TimestampResolution::kMilliseconds;
    } else if (v == "MICROSECONDS") {
      out.resolution = TimestampResolution::kMicroseconds;
    } else if (v == "NANOSECONDS") {
      out.resolution = TimestampResolution::kNanoseconds;
    } else {
      return OptionRangeError(
          kResolution, "one of SECONDS, MILLISECONDS, MICROSECONDS, NANOSECONDS", it->second);
    }
  }
  if (auto it = options.find(kWindowUnit); it != options.end()) {
    const std::string v = absl::AsciiStrToUpper(it->second);
    if (v == "MINUTES") {
      out.unit = TimeWindowUnit::kMinutes;
    } else if (v == "HOURS") {
      out.unit = TimeWindowUnit::kHours;
    } else if (v == "DAYS") {
      out.unit = TimeWindowUnit::kDays;
    } else {
      return OptionRangeError(kWindowUnit, "one of MINUTES, HOURS, DAYS", it->second);
    }
  }
  // Cassandra parses the size as a Java int.
  if (absl::Status s = ReadInt(options, kWindowSize, &out.size); !s.ok()) return s;
  if (out.size < 1 || out.size > std::numeric_limits<int32_t>::max()) {
    return OptionRangeError(kWindowSize, "an integer between 1 and 2147483647",
                            options.at(kWindowSize));
  }
  if (absl::Status s =
          ReadInt(options, kExpiredCheckFrequency, &out.expired_sstable_check_frequency_seconds);
      !s.ok()) {
    return s;
  }
  if (out.expired_sstable_check_frequency_seconds < 0) {
    return OptionRangeError(kExpiredCheckFrequency, "an integer >= 0",
                            options.at(kExpiredCheckFrequency));
  }
  if (absl::Status s =
          ReadBool(options, kUnsafeExpiration, &out.unsafe_aggressive_sstable_expiration);
      !s.ok()) {
    return s;
  }
  for (const char* key :
       {"unchecked_tombstone_compaction", "tombstone_compaction_interval", "tombstone_threshold"}) {
    auto it = options.find(key);
    if (it != options.end() && it->second != "false") out.tombstone_compactions = true;
  }
  return out;
}

// Smallest first; the file number breaks ties so a view always gives the same task.
bool SmallerSSTable(const SSTableInfo* a, const SSTableInfo* b) {
  if (a->bytes != b->bytes) return a->bytes < b->bytes;
  return a->file_number < b->file_number;
}

std::vector<uint64_t> Numbers(const std::vector<const SSTableInfo*>& sstables) {
  std::vector<uint64_t> out;
  out.reserve(sstables.size());
  for (const SSTableInfo* s : sstables) out.push_back(s->file_number);
  return out;
}

// What one round would do, before it becomes a task.
struct Choice {
  std::vector<const SSTableInfo*> inputs;
  CompactionReason reason = CompactionReason::kTiered;
  std::string description;
};

class TimeWindowStrategy final : public CompactionStrategy {
 public:
  TimeWindowStrategy(CommonCompactionOptions common, SizeTieredOptions stcs, TimeWindowOptions twcs)
      : common_(common), stcs_(stcs), twcs_(twcs) {}

  std::string_view name() const override { return kName; }

  CompactionOptions EffectiveOptions() const override {
    CompactionOptions out;
    common_.AppendTo(&out);
    stcs_.AppendTo(&out);
    out[kWindowUnit] = UnitName(twcs_.unit);
    out[kWindowSize] = absl::StrCat(twcs_.size);
    out[kResolution] = ResolutionName(twcs_.resolution);
    out[kExpiredCheckFrequency] = absl::StrCat(twcs_.expired_sstable_check_frequency_seconds);
    out[kUnsafeExpiration] = twcs_.unsafe_aggressive_sstable_expiration ? "true" : "false";
    return out;
  }

  std::optional<CompactionTask> Pick(const CompactionView& view) const override {
    if (!common_.enabled) return std::nullopt;
    const std::vector<const SSTableInfo*> available = view.Available();
    if (available.empty()) return std::nullopt;
    const std::vector<const SSTableInfo*> expired =
        FullyExpiredSSTables(view, available, twcs_.unsafe_aggressive_sstable_expiration);
    const std::vector<const SSTableInfo*> candidates = Without(available, expired);

    std::optional<Choice> choice = NewestEligibleWindow(candidates, CurrentWindow(view), nullptr);
    if (!choice.has_value()) choice = TombstoneCandidate(candidates, view);
    if (!choice.has_value() && expired.empty()) return std::nullopt;

    CompactionTask task;
    task.expired = Numbers(expired);
    if (choice.has_value()) {
      task.inputs = Numbers(choice->inputs);
      task.reason = choice->reason;
      task.description = choice->description;
    } else {
      task.reason = CompactionReason::kExpired;
    }
    if (!expired.empty()) {
      absl::StrAppend(&task.description, task.description.empty() ? "" : "; ", expired.size(),
                      " fully expired SSTable(s) dropped whole");
    }
    return task;
  }

  std::vector<CompactionTask> MajorTasks(const CompactionView& view) const override {
    const std::vector<const SSTableInfo*> available = view.Available();
    if (available.empty()) return {};
    const std::vector<const SSTableInfo*> expired =
        FullyExpiredSSTables(view, available, twcs_.unsafe_aggressive_sstable_expiration);
    const std::set<const SSTableInfo*> expired_set(expired.begin(), expired.end());
    std::vector<CompactionTask> tasks;
    for (const auto& [window, members] : Group(available)) {
      CompactionTask task;
      task.reason = CompactionReason::kMajor;
      for (const SSTableInfo* s : members) {
        (expired_set.contains(s) ? task.expired : task.inputs).push_back(s->file_number);
      }
      task.description = absl::StrCat("major compaction of window ", window,
                                      " ms: ", members.size(), " SSTable(s)");
      tasks.push_back(std::move(task));
    }
    return tasks;
  }

  int PendingTasks(const CompactionView& view) const override {
    const std::vector<const SSTableInfo*> available = view.Available();
    if (available.empty()) return 0;
    const std::vector<const SSTableInfo*> expired =
        FullyExpiredSSTables(view, available, twcs_.unsafe_aggressive_sstable_expiration);
    const std::vector<const SSTableInfo*> candidates = Without(available, expired);
    int estimate = 0;
    NewestEligibleWindow(candidates, CurrentWindow(view), &estimate);
    if (estimate > 0) return estimate;
    // Cassandra counts windows only; cassette also counts the expiry drop or tombstone
    // compaction Pick would start, so "no pending tasks" means Pick has nothing to do.
    if (!expired.empty() || TombstoneCandidate(candidates, view).has_value()) return 1;
    return 0;
  }

 private:
  std::map<int64_t, std::vector<const SSTableInfo*>> Group(
      const std::vector<const SSTableInfo*>& sstables) const {
    return GroupByTimeWindow(sstables, twcs_.resolution, twcs_.unit, twcs_.size);
  }

  // Cassandra's highestWindowSeen: the newest window among the SSTables it has been
  // handed, never below 0, kept across rounds. A pure picker cannot keep it, so it takes
  // the newest window of every live SSTable, compacting and expired ones included —
  // those are exactly the SSTables earlier rounds saw.
  int64_t CurrentWindow(const CompactionView& view) const {
    int64_t now = 0;
    for (const SSTableInfo& s : view.state->sstables) {
      now = std::max(now, TimeWindowOf(s.max_timestamp, twcs_.resolution, twcs_.unit, twcs_.size));
    }
    return now;
  }

  static std::vector<const SSTableInfo*> Without(const std::vector<const SSTableInfo*>& all,
                                                 const std::vector<const SSTableInfo*>& drop) {
    const std::set<const SSTableInfo*> dropped(drop.begin(), drop.end());
    std::vector<const SSTableInfo*> out;
    for (const SSTableInfo* s : all) {
      if (!dropped.contains(s)) out.push_back(s);
    }
    return out;
  }

  // newestBucket: walks the windows newest first and returns the first that qualifies.
  // With `estimate`, keeps walking and adds Cassandra's per-window task estimate for every
  // window that qualifies (1 plus a task per further max_threshold SSTables).
  std::optional<Choice> NewestEligibleWindow(const std::vector<const SSTableInfo*>& candidates,
                                             int64_t now, int* estimate) const {
    const int min_threshold = common_.min_threshold;
    const int max_threshold = common_.max_threshold;
    const auto windows = Group(candidates);
    std::optional<Choice> choice;
    for (auto it = windows.rbegin(); it != windows.rend(); ++it) {
      const int64_t window = it->first;
      const std::vector<const SSTableInfo*>& members = it->second;
      const int count = static_cast<int>(members.size());
      std::optional<Choice> here;
      if (window >= now && count >= min_threshold) {
        // The window still being written: size-tier it, so fresh flushes merge with
        // their peers rather than with the window's big SSTable over and over.
        std::vector<const SSTableInfo*> bucket =
            MostInterestingBucket(SizeTieredBuckets(members, stcs_), min_threshold, max_threshold);
        if (!bucket.empty()) {
          here = Choice{bucket, CompactionReason::kTiered,
                        absl::StrCat("newest window ", window, " ms: STCS bucket of ",
                                     bucket.size(), " of ", count, " SSTable(s)")};
        }
      } else if (window < now && count >= 2) {
        // A closed window: merge it down to one SSTable, smallest first if over the cap.
        std::vector<const SSTableInfo*> all = members;
        std::sort(all.begin(), all.end(), SmallerSSTable);
        if (static_cast<int>(all.size()) > max_threshold) all.resize(max_threshold);
        here = Choice{
            all, CompactionReason::kTimeWindow,
            absl::StrCat("window ", window, " ms: ", all.size(), " of ", count, " SSTable(s)")};
      }
      if (!here.has_value()) continue;
      if (estimate == nullptr) return here;
      const double remaining = count - max_threshold;
      *estimate +=
          1 +
          (remaining > min_threshold ? static_cast<int>(std::ceil(remaining / max_threshold)) : 0);
      if (!choice.has_value()) choice = std::move(here);
    }
    return choice;
  }

  // The smallest candidate worth a single-SSTable tombstone compaction, if TWCS's
  // tombstone compactions are on.
  std::optional<Choice> TombstoneCandidate(const std::vector<const SSTableInfo*>& candidates,
                                           const CompactionView& view) const {
    if (!twcs_.tombstone_compactions) return std::nullopt;
    const SSTableInfo* best = nullptr;
    for (const SSTableInfo* s : candidates) {
      if (!WorthDroppingTombstones(*s, view, common_)) continue;
      if (best == nullptr || SmallerSSTable(s, best)) best = s;
    }
    if (best == nullptr) return std::nullopt;
    return Choice{{best},
                  CompactionReason::kTombstone,
                  absl::StrCat("droppable tombstone ratio ",
                               best->DroppableTombstoneRatio(view.gc_before_seconds()), " above ",
                               common_.tombstone_threshold)};
  }

  const CommonCompactionOptions common_;
  const SizeTieredOptions stcs_;
  const TimeWindowOptions twcs_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewTimeWindowStrategy(
    const CompactionOptions& options) {
  // Cassandra's validation order: common options, TWCS's own, STCS's, then leftovers.
  absl::StatusOr<CommonCompactionOptions> common = ParseCommonOptions(options);
  if (!common.ok()) return common.status();
  absl::StatusOr<TimeWindowOptions> twcs = ParseTimeWindowOptions(options);
  if (!twcs.ok()) return twcs.status();
  absl::StatusOr<SizeTieredOptions> stcs = ParseSizeTieredOptions(options);
  if (!stcs.ok()) return stcs.status();
  if (absl::Status s = RejectUnknownOptions(
          options, kName,
          {kWindowUnit, kWindowSize, kResolution, kExpiredCheckFrequency, kUnsafeExpiration,
           "min_sstable_size", "bucket_low", "bucket_high"});
      !s.ok()) {
    return s;
  }
  return std::unique_ptr<CompactionStrategy>(
      std::make_unique<TimeWindowStrategy>(*common, *stcs, *twcs));
}

}  // namespace cassette

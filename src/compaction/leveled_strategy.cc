// LeveledCompactionStrategy: the picker of Cassandra's LeveledManifest /
// LeveledCompactionStrategy (4.x), as a pure function of a CompactionView.
//
// Pick, in order:
//   1. Fully expired available SSTables are dropped whole (a cassette addition: Cassandra
//      drops them only when they happen to be part of a compaction).
//   2. Levels L8..L1: the first level whose score exceeds 1.001 (L8 never: there is
//      nowhere to go) gets compacted — unless L0 holds more than 32 SSTables, in which
//      case STCS inside L0 runs first. A level's task is the next SSTable after the
//      level's round-robin key plus everything it overlaps in L+1.
//   3. L0: the oldest L0 SSTables with their L0 overlaps (at most max_threshold), plus
//      the L1 SSTables they overlap when they add up to more than one sstable_size;
//      else, if L0 is overfull, the STCS-in-L0 task.
//   4. A single-SSTable tombstone compaction, highest level first.
// docs/compaction/lcs.md lists the options and every difference from Cassandra.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compaction/expiry.h"
#include "compaction/leveled.h"
#include "compaction/strategy_factories.h"

namespace cassette {
namespace {

constexpr char kStrategyName[] = "LeveledCompactionStrategy";
constexpr char kSSTableSizeInMb[] = "sstable_size_in_mb";
constexpr char kFanoutSize[] = "fanout_size";
constexpr char kSingleSSTableUplevel[] = "single_sstable_uplevel";
// STCS's own options, read for the STCS-in-L0 fallback.
constexpr char kMinSSTableSize[] = "min_sstable_size";
constexpr char kBucketLow[] = "bucket_low";
constexpr char kBucketHigh[] = "bucket_high";

using SSTableList = std::vector<const SSTableInfo*>;
using Levels = std::array<SSTableList, kLeveledLevelCount>;

// Every live SSTable by level, compacting ones included (as Cassandra's manifest).
Levels ByLevel(const CompactionState& state) {
  Levels levels;
  for (const SSTableInfo& s : state.sstables) levels[LeveledLevelOf(s)].push_back(&s);
  return levels;
}

uint64_t TotalBytes(const SSTableList& sstables) {
  uint64_t total = 0;
  for (const SSTableInfo* s : sstables) total += s->bytes;
  return total;
}

bool Contains(const SSTableList& sstables, const SSTableInfo* s) {
  return std::find(sstables.begin(), sstables.end(), s) != sstables.end();
}

// Key range [first, last] covering every SSTable of a non-empty list.
std::pair<std::string, std::string> Span(const SSTableList& sstables) {
  std::string first = sstables.front()->first_key;
  std::string last = sstables.front()->last_key;
  for (const SSTableInfo* s : sstables) {
    first = std::min(first, s->first_key);
    last = std::max(last, s->last_key);
  }
  return {first, last};
}

// The members of `others` that hold keys in [first, last]. Cassandra takes the span of
// all candidates, not each candidate's own range: merging them produces SSTables that
// cover the whole span, so anything inside a gap would end up overlapped too.
SSTableList OverlappingSpan(const std::pair<std::string, std::string>& span,
                            const SSTableList& others) {
  SSTableList out;
  for (const SSTableInfo* o : others) {
    if (!(o->last_key < span.first || span.second < o->first_key)) out.push_back(o);
  }
  return out;
}

// Oldest data first (Cassandra's maxTimestampAscending); file number breaks ties so the
// choice never depends on the order of the live set.
SSTableList AgeSorted(SSTableList sstables) {
  std::sort(sstables.begin(), sstables.end(), [](const SSTableInfo* a, const SSTableInfo* b) {
    if (a->max_timestamp != b->max_timestamp) return a->max_timestamp < b->max_timestamp;
    return a->file_number < b->file_number;
  });
  return sstables;
}

// Fully expired SSTables among `candidates`, each judged against the SSTables that
// overlap it (and the memtables) alone. FullyExpiredSSTables over a whole set takes one
// minimum timestamp for the set, so one old live SSTable anywhere would hold back every
// expired SSTable, even those far from it in the key range.
SSTableList FullyExpiredEach(const CompactionView& view, const SSTableList& candidates) {
  SSTableList out;
  const int64_t gc_before = view.gc_before_seconds();
  for (const SSTableInfo* s : candidates) {
    if (s->max_local_deletion_time >= gc_before) continue;  // cheap pre-check
    if (!FullyExpiredSSTables(view, {s}, /*ignore_overlaps=*/false).empty()) out.push_back(s);
  }
  return out;
}

std::vector<uint64_t> FileNumbers(const SSTableList& sstables) {
  std::vector<uint64_t> out;
  out.reserve(sstables.size());
  for (const SSTableInfo* s : sstables) out.push_back(s->file_number);
  return out;
}

class LeveledStrategy final : public CompactionStrategy {
 public:
  explicit LeveledStrategy(LeveledOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return kStrategyName; }

  CompactionOptions EffectiveOptions() const override {
    CompactionOptions out;
    options_.AppendTo(&out);
    return out;
  }

  std::optional<CompactionTask> Pick(const CompactionView& view) const override;
  std::vector<CompactionTask> MajorTasks(const CompactionView& view) const override;
  int PendingTasks(const CompactionView& view) const override;

 private:
  std::optional<CompactionTask> L0Tiered(const CompactionView& view, const Levels& levels) const;
  SSTableList CandidatesFor(const CompactionView& view, const Levels& levels, int32_t level) const;
  SSTableList L0Candidates(const CompactionView& view, const Levels& levels) const;
  std::optional<CompactionTask> TombstoneTask(const CompactionView& view,
                                              const Levels& levels) const;
  int32_t NextLevel(const SSTableList& candidates) const;
  CompactionTask LeveledTask(const SSTableList& candidates, std::string description) const;

  const LeveledOptions options_;
};

std::optional<CompactionTask> LeveledStrategy::Pick(const CompactionView& view) const {
  if (!options_.common.enabled) return std::nullopt;
  const Levels levels = ByLevel(*view.state);

  const SSTableList expired = FullyExpiredEach(view, view.Available());
  if (!expired.empty()) {
    CompactionTask task;
    task.expired = FileNumbers(expired);
    task.reason = CompactionReason::kExpired;
    task.description = absl::StrCat(expired.size(), " fully expired SSTable(s)");
    return task;
  }

  // Computed up front (as Cassandra) but used only when a higher level needs work or L0
  // has nothing better to do.
  const std::optional<CompactionTask> l0_tiered = L0Tiered(view, levels);

  for (int32_t level = kLeveledLevelCount - 1; level > 0; --level) {
    if (levels[level].empty()) continue;
    const double score = LeveledScore(view, level, options_.fanout, options_.sstable_size_bytes);
    if (score <= kLeveledScoreThreshold) continue;
    // The top level cannot be compacted into a next one; Cassandra only warns.
    if (level == kLeveledLevelCount - 1) continue;
    if (l0_tiered.has_value()) return l0_tiered;
    SSTableList candidates = CandidatesFor(view, levels, level);
    if (!candidates.empty()) {
      return LeveledTask(candidates, absl::StrCat("L", level, " score ", score, ": ",
                                                  candidates.size(), " SSTable(s)"));
    }
  }

  if (!levels[0].empty()) {
    SSTableList candidates = L0Candidates(view, levels);
    if (!candidates.empty()) {
      return LeveledTask(candidates, absl::StrCat("L0: ", candidates.size(), " SSTable(s)"));
    }
    if (l0_tiered.has_value()) return l0_tiered;
  }
  return TombstoneTask(view, levels);
}

std::optional<CompactionTask> LeveledStrategy::L0Tiered(const CompactionView& view,
                                                        const Levels& levels) const {
  if (levels[0].size() <= static_cast<size_t>(kMaxCompactingL0)) return std::nullopt;
  SSTableList available;
  for (const SSTableInfo* s : levels[0]) {
    if (!view.compacting.contains(s->file_number)) available.push_back(s);
  }
  SSTableList bucket =
      MostInterestingBucket(SizeTieredBuckets(available, options_.l0_stcs),
                            options_.common.min_threshold, options_.common.max_threshold);
  if (bucket.empty()) return std::nullopt;
  CompactionTask task;
  task.inputs = FileNumbers(bucket);
  task.output_level = 0;
  task.max_output_bytes = 0;  // STCS output is not split
  task.reason = CompactionReason::kL0Tiered;
  task.description =
      absl::StrCat("STCS in L0 (", levels[0].size(), " SSTables): bucket of ", bucket.size());
  return task;
}

SSTableList LeveledStrategy::CandidatesFor(const CompactionView& view, const Levels& levels,
                                           int32_t level) const {
  SSTableList sorted = levels[level];
  std::sort(sorted.begin(), sorted.end(), [](const SSTableInfo* a, const SSTableInfo* b) {
    if (a->first_key != b->first_key) return a->first_key < b->first_key;
    return a->file_number < b->file_number;
  });
  // Round robin: resume at the first SSTable starting after the last key compacted out
  // of this level, wrapping to the start (and starting there if none is after it).
  size_t pivot = 0;
  if (auto it = view.state->last_compacted_key.find(level);
      it != view.state->last_compacted_key.end()) {
    auto after = std::find_if(sorted.begin(), sorted.end(),
                              [&](const SSTableInfo* s) { return s->first_key > it->second; });
    if (after != sorted.end()) pivot = static_cast<size_t>(after - sorted.begin());
  }
  const SSTableList& next = levels[level + 1];
  for (size_t i = 0; i < sorted.size(); ++i) {
    const SSTableInfo* s = sorted[(pivot + i) % sorted.size()];
    SSTableList candidates = {s};
    for (const SSTableInfo* o : OverlappingSpan({s->first_key, s->last_key}, next)) {
      candidates.push_back(o);
    }
    const bool busy = std::any_of(candidates.begin(), candidates.end(), [&](const SSTableInfo* c) {
      return view.compacting.contains(c->file_number);
    });
    if (!busy) return candidates;
  }
  return {};
}

SSTableList LeveledStrategy::L0Candidates(const CompactionView& view, const Levels& levels) const {
  const SSTableList& l0 = levels[0];
  SSTableList compacting_l0;
  for (const SSTableInfo* s : l0) {
    if (view.compacting.contains(s->file_number)) compacting_l0.push_back(s);
  }
  std::optional<std::pair<std::string, std::string>> compacting_span;
  if (!compacting_l0.empty()) compacting_span = Span(compacting_l0);

  // Oldest first, each with every L0 SSTable it overlaps (they must be merged together
  // or the older one's data would be promoted above newer versions left in L0). A group
  // touching a running L0 compaction is skipped; a member within the running
  // compactions' span is left behind so the outputs cannot overlap theirs.
  SSTableList remaining = l0;
  SSTableList candidates;
  for (const SSTableInfo* s : AgeSorted(l0)) {
    if (Contains(candidates, s)) continue;
    SSTableList group = {s};
    for (const SSTableInfo* o : OverlappingSpan({s->first_key, s->last_key}, remaining)) {
      if (o != s) group.push_back(o);
    }
    const bool touches_running = std::any_of(group.begin(), group.end(), [&](const SSTableInfo* g) {
      return Contains(compacting_l0, g);
    });
    if (touches_running) continue;
    for (const SSTableInfo* g : group) {
      const bool in_running_span =
          compacting_span.has_value() && !OverlappingSpan(*compacting_span, {g}).empty();
      if (!in_running_span && !Contains(candidates, g)) candidates.push_back(g);
      std::erase(remaining, g);
    }
    if (candidates.size() > static_cast<size_t>(options_.common.max_threshold)) {
      candidates = AgeSorted(candidates);
      candidates.resize(static_cast<size_t>(options_.common.max_threshold));
      break;
    }
  }
  if (candidates.empty()) return {};

  // Less than one SSTable's worth stays in L0 (NextLevel) and needs no L1 SSTables;
  // anything going up takes the L1 SSTables it overlaps. Cassandra tests "> size" here
  // but "< size" for staying in L0, so exactly one sstable_size went to L1 without its
  // L1 overlaps and broke the level; cassette closes that gap with ">=".
  if (TotalBytes(candidates) >= options_.sstable_size_bytes) {
    const auto span = Span(candidates);
    SSTableList l1 = OverlappingSpan(span, levels[1]);
    for (const SSTableInfo* o : l1) {
      if (view.compacting.contains(o->file_number)) return {};
    }
    if (!OverlappingSpan(span, compacting_l0).empty()) return {};
    candidates.insert(candidates.end(), l1.begin(), l1.end());
  }
  if (candidates.size() < 2) return {};
  return candidates;
}

std::optional<CompactionTask> LeveledStrategy::TombstoneTask(const CompactionView& view,
                                                             const Levels& levels) const {
  const int64_t gc_before = view.gc_before_seconds();
  for (int32_t level = kLeveledLevelCount - 1; level >= 0; --level) {
    SSTableList by_ratio = levels[level];
    std::sort(by_ratio.begin(), by_ratio.end(), [&](const SSTableInfo* a, const SSTableInfo* b) {
      const double ra = a->DroppableTombstoneRatio(gc_before);
      const double rb = b->DroppableTombstoneRatio(gc_before);
      if (ra != rb) return ra > rb;
      return a->file_number < b->file_number;
    });
    for (const SSTableInfo* s : by_ratio) {
      const double ratio = s->DroppableTombstoneRatio(gc_before);
      // Sorted by ratio: nothing further in this level can qualify.
      if (ratio <= options_.common.tombstone_threshold) break;
      if (view.compacting.contains(s->file_number)) continue;
      if (!WorthDroppingTombstones(*s, view, options_.common)) continue;
      CompactionTask task;
      task.inputs = {s->file_number};
      task.output_level = level;
      task.max_output_bytes = options_.sstable_size_bytes;
      task.reason = CompactionReason::kTombstone;
      task.description = absl::StrCat("droppable tombstone ratio ", ratio, " in L", level);
      return task;
    }
  }
  return std::nullopt;
}

// getNextLevel: L0 SSTables adding up to less than one sstable_size stay in L0; SSTables
// all from one level go one level up; a mix goes to the higher of the two levels.
int32_t LeveledStrategy::NextLevel(const SSTableList& candidates) const {
  int32_t min_level = kLeveledLevelCount;
  int32_t max_level = -1;
  for (const SSTableInfo* s : candidates) {
    min_level = std::min(min_level, LeveledLevelOf(*s));
    max_level = std::max(max_level, LeveledLevelOf(*s));
  }
  if (max_level == 0 && TotalBytes(candidates) < options_.sstable_size_bytes) return 0;
  const int32_t level = min_level == max_level ? max_level + 1 : max_level;
  return std::min(level, kLeveledLevelCount - 1);
}

CompactionTask LeveledStrategy::LeveledTask(const SSTableList& candidates,
                                            std::string description) const {
  CompactionTask task;
  task.inputs = FileNumbers(candidates);
  task.output_level = NextLevel(candidates);
  task.max_output_bytes = options_.sstable_size_bytes;
  task.reason = CompactionReason::kLeveled;
  task.description = std::move(description);
  return task;
}

// Cassandra rewrites everything in one task whose writer fills L1 to its budget, then
// L2, and so on. A cassette task has one output level, so the whole output goes to the
// lowest level whose budget holds it: no level starts out over budget and no cascade of
// leveled compactions follows the major one.
std::vector<CompactionTask> LeveledStrategy::MajorTasks(const CompactionView& view) const {
  const SSTableList available = view.Available();
  if (available.empty()) return {};
  const SSTableList expired = FullyExpiredEach(view, available);
  SSTableList live;
  for (const SSTableInfo* s : available) {
    if (!Contains(expired, s)) live.push_back(s);
  }
  const uint64_t bytes = TotalBytes(live);
  int32_t level = 1;
  while (level < kLeveledLevelCount - 1 &&
         LeveledMaxBytes(level, options_.fanout, options_.sstable_size_bytes) < bytes) {
    ++level;
  }
  CompactionTask task;
  task.inputs = FileNumbers(live);
  task.expired = FileNumbers(expired);
  task.output_level = level;
  task.max_output_bytes = options_.sstable_size_bytes;
  task.reason = CompactionReason::kMajor;
  task.description =
      absl::StrCat("major: ", live.size(), " SSTable(s), ", bytes, " bytes into L", level);
  return {task};
}

// getEstimatedTasks: per level, one task per sstable_size above the level's budget
// (L0's budget is 4 x sstable_size), plus one STCS round per max_threshold L0 SSTables
// once L0 holds more than max_threshold.
int LeveledStrategy::PendingTasks(const CompactionView& view) const {
  const Levels levels = ByLevel(*view.state);
  const double size = static_cast<double>(options_.sstable_size_bytes);
  int64_t tasks = 0;
  for (int32_t level = 0; level < kLeveledLevelCount; ++level) {
    const double budget =
        static_cast<double>(LeveledMaxBytes(level, options_.fanout, options_.sstable_size_bytes)) *
        kLeveledScoreThreshold;
    const double excess = static_cast<double>(TotalBytes(levels[level])) - budget;
    if (excess > 0) tasks += static_cast<int64_t>(std::ceil(excess / size));
  }
  const size_t max_threshold = static_cast<size_t>(options_.common.max_threshold);
  if (levels[0].size() > max_threshold) tasks += levels[0].size() / max_threshold;
  return static_cast<int>(std::min<int64_t>(tasks, std::numeric_limits<int>::max()));
}

}  // namespace

void LeveledOptions::AppendTo(CompactionOptions* out) const {
  (*out)[kSSTableSizeInMb] = absl::StrCat(sstable_size_bytes >> 20);
  (*out)[kFanoutSize] = absl::StrCat(fanout);
  (*out)[kSingleSSTableUplevel] = single_sstable_uplevel ? "true" : "false";
  common.AppendTo(out);
  l0_stcs.AppendTo(out);
}

absl::StatusOr<LeveledOptions> ParseLeveledOptions(const CompactionOptions& options) {
  LeveledOptions out;
  absl::StatusOr<CommonCompactionOptions> common = ParseCommonOptions(options);
  if (!common.ok()) return common.status();
  out.common = *common;

  constexpr int64_t kIntMax = std::numeric_limits<int>::max();
  int64_t size_mb = 160;
  if (absl::Status s = ReadInt(options, kSSTableSizeInMb, &size_mb); !s.ok()) return s;
  if (size_mb < 1 || size_mb > kIntMax) {
    return OptionRangeError(kSSTableSizeInMb,
                            absl::StrCat("an integer in [1, ", kIntMax, "] (MiB)"),
                            options.at(kSSTableSizeInMb));
  }
  out.sstable_size_bytes = static_cast<uint64_t>(size_mb) << 20;

  int64_t fanout = out.fanout;
  if (absl::Status s = ReadInt(options, kFanoutSize, &fanout); !s.ok()) return s;
  if (fanout < 1 || fanout > kIntMax) {
    return OptionRangeError(kFanoutSize, absl::StrCat("an integer in [1, ", kIntMax, "]"),
                            options.at(kFanoutSize));
  }
  out.fanout = static_cast<int>(fanout);

  if (absl::Status s = ReadBool(options, kSingleSSTableUplevel, &out.single_sstable_uplevel);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<SizeTieredOptions> stcs = ParseSizeTieredOptions(options);
  if (!stcs.ok()) return stcs.status();
  out.l0_stcs = *stcs;

  if (absl::Status s = RejectUnknownOptions(options, kStrategyName,
                                            {kSSTableSizeInMb, kFanoutSize, kSingleSSTableUplevel,
                                             kMinSSTableSize, kBucketLow, kBucketHigh});
      !s.ok()) {
    return s;
  }
  return out;
}

uint64_t LeveledMaxBytes(int32_t level, int fanout, uint64_t sstable_size) {
  if (level <= 0) return 4 * sstable_size;
  const double bytes =
      std::pow(static_cast<double>(fanout), level) * static_cast<double>(sstable_size);
  constexpr uint64_t kCap = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (bytes >= static_cast<double>(kCap)) return kCap;
  return static_cast<uint64_t>(bytes);
}

int32_t LeveledLevelOf(const SSTableInfo& sstable) {
  return std::clamp<int32_t>(sstable.level, 0, kLeveledLevelCount - 1);
}

double LeveledScore(const CompactionView& view, int32_t level, int fanout, uint64_t sstable_size) {
  uint64_t bytes = 0;
  for (const SSTableInfo& s : view.state->sstables) {
    if (LeveledLevelOf(s) == level && !view.compacting.contains(s.file_number)) bytes += s.bytes;
  }
  return static_cast<double>(bytes) /
         static_cast<double>(LeveledMaxBytes(level, fanout, sstable_size));
}

bool FitsInLevel(const CompactionState& state, const SSTableInfo& sstable, int32_t level) {
  if (level <= 0) return true;
  level = std::min(level, kLeveledLevelCount - 1);
  return std::none_of(state.sstables.begin(), state.sstables.end(), [&](const SSTableInfo& s) {
    return s.file_number != sstable.file_number && LeveledLevelOf(s) == level &&
           s.Overlaps(sstable);
  });
}

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewLeveledStrategy(
    const CompactionOptions& options) {
  absl::StatusOr<LeveledOptions> parsed = ParseLeveledOptions(options);
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<LeveledStrategy>(*std::move(parsed));
}

}  // namespace cassette

// The Unified Compaction Strategy's picker: levels by density, overlap sets, when and
// what a level compacts, shard splitting of the output, expiry, tombstone compactions,
// major compactions and the pending-task estimate. Scenarios are picker_text.h text.

#include "compaction/unified.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compaction/picker_text.h"
#include "compaction/strategy.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

using picker_text::FormatTask;
using picker_text::KeyForToken;
using picker_text::ParseScenario;
using picker_text::Scenario;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr char kFullRing[] = "tokens=-9223372036854775808..9223372036854775807";

std::unique_ptr<CompactionStrategy> Make(const CompactionOptions& options = {}) {
  auto s = CompactionStrategy::Create("UnifiedCompactionStrategy", options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

std::optional<CompactionTask> PickTask(const std::string& text,
                                       const CompactionOptions& options = {}) {
  Scenario sc;
  ParseScenario(text, &sc);
  return Make(options)->Pick(sc.view);
}

std::string Pick(const std::string& text, const CompactionOptions& options = {}) {
  return FormatTask(PickTask(text, options));
}

// `count` SSTables numbered from `first`, each `extra` (size, tokens...), with max
// timestamps equal to their number (higher number = newer).
std::string SSTables(int first, int count, const std::string& extra) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    absl::StrAppend(&out, "sstable ", i, " ts=", i, "..", i, " ", extra, "\n");
  }
  return out;
}

std::string Range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i <= to; ++i) v.push_back(i);
  return absl::StrJoin(v, ",");
}

SSTableInfo Table(uint64_t number, uint64_t bytes, int64_t first = 0, int64_t last = 0) {
  SSTableInfo s;
  s.file_number = number;
  s.bytes = bytes;
  s.first_token = first;
  s.last_token = last;
  s.first_key = KeyForToken(first);
  s.last_key = KeyForToken(last);
  return s;
}

std::vector<uint64_t> LevelNumbers(const UnifiedLevel& level) {
  std::vector<uint64_t> out;
  for (const SSTableInfo* s : level.sstables) out.push_back(s->file_number);
  return out;
}

TEST(UnifiedLevelsTest, LevelsByDensity) {
  // T4, 64 MiB flushes: level 0 below ⌊64 MiB × (1 − 0.9/4) × 4⌋ = 198.4 MiB, each level
  // above 4 times the previous.
  std::vector<SSTableInfo> t = {
      Table(1, 1 * kMiB),   Table(2, 190 * kMiB),
      Table(3, 200 * kMiB), Table(4, 793 * kMiB),
      Table(5, 794 * kMiB), Table(6, 10 * kMiB, 0, (int64_t{1} << 62) - 1)};  // density 40 MiB
  std::vector<const SSTableInfo*> all;
  for (const SSTableInfo& s : t) all.push_back(&s);
  std::vector<UnifiedLevel> levels = FormLevels(all, UnifiedOptions{}, 64 * kMiB);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(LevelNumbers(levels[0]), (std::vector<uint64_t>{1, 6, 2}));
  EXPECT_EQ(LevelNumbers(levels[1]), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(LevelNumbers(levels[2]), (std::vector<uint64_t>{5}));
  EXPECT_EQ(levels[0].max_density, 208037478.0);
  EXPECT_EQ(levels[1].min_density, 208037478.0);
  EXPECT_EQ(levels[1].max_density, 832149912.0);
  EXPECT_EQ(levels[2].threshold, 4);
  // Empty levels below an occupied one are listed; nothing above it.
  std::vector<UnifiedLevel> sparse = FormLevels({&t[0], &t[4]}, UnifiedOptions{}, 64 * kMiB);
  ASSERT_EQ(sparse.size(), 3u);
  EXPECT_TRUE(sparse[1].sstables.empty());
  EXPECT_TRUE(FormLevels({}, UnifiedOptions{}, 64 * kMiB).empty());
}

TEST(UnifiedLevelsTest, EachLevelUsesItsOwnScalingParameter) {
  UnifiedOptions o;
  o.scaling_parameters = {2, -8};  // "T4, L10"
  std::vector<SSTableInfo> t = {Table(1, 150 * kMiB), Table(2, 1900 * kMiB), Table(3, 2000 * kMiB)};
  std::vector<UnifiedLevel> levels = FormLevels({&t[0], &t[1], &t[2]}, o, 64 * kMiB);
  ASSERT_EQ(levels.size(), 3u);
  EXPECT_EQ(levels[0].fanout, 4);
  EXPECT_EQ(levels[0].threshold, 4);
  // Level 1 spans a factor of 10: [198.4 MiB, 1984 MiB).
  EXPECT_EQ(levels[1].fanout, 10);
  EXPECT_EQ(levels[1].threshold, 2);
  EXPECT_EQ(levels[1].scaling_parameter, -8);
  EXPECT_EQ(levels[1].max_density, 2080374780.0);
  EXPECT_EQ(LevelNumbers(levels[1]), (std::vector<uint64_t>{2}));
  EXPECT_EQ(LevelNumbers(levels[2]), (std::vector<uint64_t>{3}));
}

TEST(UnifiedLevelsTest, FlushSizeComesFromOverrideOrRoundedView) {
  UnifiedOptions o;
  EXPECT_EQ(EffectiveFlushSize(o, 64 * kMiB), 64 * kMiB);
  EXPECT_EQ(EffectiveFlushSize(o, 10 * kMiB + 1), 11 * kMiB);
  EXPECT_EQ(EffectiveFlushSize(o, 0), 0u);
  o.flush_size_override = 8 * kMiB;
  EXPECT_EQ(EffectiveFlushSize(o, 64 * kMiB), 8 * kMiB);
  // Below 1 MiB the hierarchy still starts at 1 MiB × 0.775 × 4.
  std::vector<UnifiedLevel> levels = FormLevels({}, o, 0);
  SSTableInfo s = Table(1, 3 * kMiB);
  levels = FormLevels({&s}, o, 0);
  ASSERT_EQ(levels.size(), 1u);
  EXPECT_EQ(levels[0].max_density, 3250585.0);
  // Through the strategy: with 8 MiB flushes, 50 MiB SSTables are level 1 (>= 24.8 MiB).
  EXPECT_EQ(Pick(SSTables(1, 4, "size=50MiB"), {{"flush_size_override", "8MiB"}}),
            "inputs=1,2,3,4 level=1 reason=unified");
}

std::vector<std::vector<uint64_t>> SetNumbers(const std::vector<SSTableInfo>& t) {
  std::vector<const SSTableInfo*> all;
  for (const SSTableInfo& s : t) all.push_back(&s);
  std::vector<std::vector<uint64_t>> out;
  for (const auto& set : OverlapSets(all)) {
    out.emplace_back();
    for (const SSTableInfo* s : set) out.back().push_back(s->file_number);
  }
  return out;
}

TEST(UnifiedOverlapTest, ConstructsMinimalOverlapSets) {
  // Overlaps.constructOverlapSets' example: A[0,4) B[2,8) C[6,10) D[1,9) → ABD, BCD.
  EXPECT_EQ(
      SetNumbers({Table(1, 1, 0, 3), Table(2, 1, 2, 7), Table(3, 1, 6, 9), Table(4, 1, 1, 8)}),
      (std::vector<std::vector<uint64_t>>{{1, 2, 4}, {2, 3, 4}}));
  EXPECT_EQ(SetNumbers({Table(1, 1, 0, 3), Table(2, 1, 4, 7), Table(3, 1, 8, 9)}),
            (std::vector<std::vector<uint64_t>>{{1}, {2}, {3}}));
  // Ends are inclusive: sharing one token is an overlap.
  EXPECT_EQ(SetNumbers({Table(1, 1, 0, 4), Table(2, 1, 4, 7)}),
            (std::vector<std::vector<uint64_t>>{{1, 2}}));
  EXPECT_TRUE(SetNumbers({}).empty());
}

TEST(UnifiedPickTest, TieredCompactsWhenOverlapReachesFour) {
  EXPECT_EQ(Pick(""), "none");
  EXPECT_EQ(Pick(SSTables(1, 3, "")), "none");
  EXPECT_EQ(Pick(SSTables(1, 4, "")), "inputs=1,2,3,4 level=0 reason=unified");
  // Four SSTables that never overlap read one SSTable per key: nothing to do.
  EXPECT_EQ(Pick(R"(
    sstable 1 tokens=0..10
    sstable 2 tokens=11..20
    sstable 3 tokens=21..30
    sstable 4 tokens=31..40)"),
            "none");
}

TEST(UnifiedPickTest, LeveledAndNeutralCompactAtTwo) {
  EXPECT_EQ(Pick(SSTables(1, 1, ""), {{"scaling_parameters", "L10"}}), "none");
  EXPECT_EQ(Pick(SSTables(1, 2, ""), {{"scaling_parameters", "L10"}}),
            "inputs=1,2 level=0 reason=unified");
  EXPECT_EQ(Pick(SSTables(1, 2, ""), {{"scaling_parameters", "N"}}),
            "inputs=1,2 level=0 reason=unified");
  EXPECT_EQ(Pick(SSTables(1, 2, ""), {{"scaling_parameters", "-1"}}),
            "inputs=1,2 level=0 reason=unified");
  EXPECT_EQ(Pick(SSTables(1, 2, ""), {{"scaling_parameters", "T3"}}), "none");
  EXPECT_EQ(Pick(SSTables(1, 3, ""), {{"scaling_parameters", "T3"}}),
            "inputs=1,2,3 level=0 reason=unified");
}

TEST(UnifiedPickTest, CompactingSSTablesAreExcluded) {
  EXPECT_EQ(Pick(SSTables(1, 4, "") + "compacting 2"), "none");
  EXPECT_EQ(Pick(SSTables(1, 5, "") + "compacting 2"), "inputs=1,3,4,5 level=0 reason=unified");
}

TEST(UnifiedPickTest, HighestOverlapLevelWinsLowerOnTies) {
  const std::string level0 = SSTables(1, 4, "size=1MiB");
  EXPECT_EQ(Pick(level0 + SSTables(11, 5, "size=300MiB")),
            "inputs=11,12,13,14,15 level=1 reason=unified");
  EXPECT_EQ(Pick(level0 + SSTables(11, 4, "size=300MiB")), "inputs=1,2,3,4 level=0 reason=unified");
}

// Cassandra compares each level's largest overlap even when that level is below its own
// threshold; with per-level thresholds that level then hides a compaction above it.
TEST(UnifiedPickTest, LevelBelowItsThresholdStillWinsTheComparison) {
  const CompactionOptions mixed = {{"scaling_parameters", "T4, L10"}};
  EXPECT_EQ(Pick(SSTables(11, 2, "size=300MiB"), mixed), "inputs=11,12 level=1 reason=unified");
  EXPECT_EQ(Pick(SSTables(1, 3, "") + SSTables(11, 2, "size=300MiB"), mixed), "none");
  EXPECT_EQ(Pick(SSTables(1, 3, "") + SSTables(11, 4, "size=300MiB"), mixed),
            "inputs=11,12,13,14 level=1 reason=unified");
  EXPECT_EQ(Pick(SSTables(1, 4, "") + SSTables(11, 2, "size=300MiB"), mixed),
            "inputs=1,2,3,4 level=0 reason=unified");
}

TEST(UnifiedPickTest, MaxSSTablesToCompactTakesTheOldest) {
  // Six overlapping (late, but within F × F = 16): all of them without a limit.
  EXPECT_EQ(Pick(SSTables(1, 6, "")), "inputs=1,2,3,4,5,6 level=0 reason=unified");
  EXPECT_EQ(Pick(SSTables(1, 6, ""), {{"max_sstables_to_compact", "5"}}),
            "inputs=1,2,3,4,5 level=0 reason=unified");
  // A limit below the fanout is raised to the fanout.
  EXPECT_EQ(Pick(SSTables(1, 6, ""), {{"max_sstables_to_compact", "2"}}),
            "inputs=1,2,3,4 level=0 reason=unified");
  // Oldest by max timestamp, not by number.
  EXPECT_EQ(Pick(R"(
    sstable 1 ts=60..60
    sstable 2 ts=50..50
    sstable 3 ts=10..10
    sstable 4 ts=40..40
    sstable 5 ts=30..30
    sstable 6 ts=20..20)",
                 {{"max_sstables_to_compact", "4"}}),
            "inputs=3,4,5,6 level=0 reason=unified");
}

TEST(UnifiedPickTest, VeryLateCompactionsFollowTheHierarchy) {
  // Tiered W=2, 20 overlapping: compact 16 (what one level-2 SSTable would hold).
  EXPECT_EQ(Pick(SSTables(1, 20, "")), "inputs=" + Range(1, 16) + " level=0 reason=unified");
  // Levelled W=-2 (L4), 55 overlapping: the largest multiple of 16 that fits, 48.
  EXPECT_EQ(Pick(SSTables(1, 55, ""), {{"scaling_parameters", "L4"}}),
            "inputs=" + Range(1, 48) + " level=0 reason=unified");
  // Up to F × F(next) levelled SSTables are all compacted at once.
  EXPECT_EQ(Pick(SSTables(1, 16, ""), {{"scaling_parameters", "L4"}}),
            "inputs=" + Range(1, 16) + " level=0 reason=unified");
}

TEST(UnifiedPickTest, OverlapInclusionMethods) {
  // Sets {1,2} {2,3} {3,4}: a chain where 1 and 4 never meet.
  const std::string chain = R"(
    sstable 1 tokens=0..10
    sstable 2 tokens=5..15
    sstable 3 tokens=12..25
    sstable 4 tokens=20..30
    sstable 5 tokens=100..110)";
  EXPECT_EQ(Pick(chain, {{"scaling_parameters", "N"}}), "inputs=1,2,3,4 level=0 reason=unified");
  EXPECT_EQ(Pick(chain, {{"scaling_parameters", "N"}, {"overlap_inclusion_method", "single"}}),
            "inputs=1,2,3 level=0 reason=unified");
  EXPECT_EQ(Pick(chain, {{"scaling_parameters", "N"}, {"overlap_inclusion_method", "none"}}),
            "inputs=1,2 level=0 reason=unified");
  // The most overlapped bucket wins over an earlier, smaller one.
  EXPECT_EQ(Pick(R"(
    sstable 1 tokens=0..10
    sstable 2 tokens=5..15
    sstable 3 tokens=100..110
    sstable 4 tokens=100..110
    sstable 5 tokens=105..120)",
                 {{"scaling_parameters", "N"}}),
            "inputs=3,4,5 level=0 reason=unified");
}

TEST(UnifiedPickTest, OutputIsSplitOnShardBoundariesForItsDensity) {
  const int64_t q = int64_t{1} << 62;
  // Four 1 GiB SSTables over the whole ring: 4 GiB output, 4 shards.
  std::optional<CompactionTask> task =
      PickTask(SSTables(1, 4, absl::StrCat("size=1GiB ", kFullRing)));
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(FormatTask(task), "inputs=1,2,3,4 level=2 reason=unified");
  EXPECT_EQ(task->split_tokens, (std::vector<int64_t>{-q, 0, q}));
  EXPECT_EQ(task->max_output_bytes, 0u);
  // 16 GiB: 2^(log2(4) × 0.667 + 0.5) rounds to 8 shards.
  task = PickTask(SSTables(1, 4, absl::StrCat("size=4GiB ", kFullRing)));
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->split_tokens.size(), 7u);
  // Only the boundaries inside the inputs' range.
  task = PickTask(SSTables(1, 4, "size=1GiB tokens=0..4611686018427387904"));
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->split_tokens, (std::vector<int64_t>{0, q / 2, q}));  // 16 GiB density
  // Small flushes stay whole (below min_sstable_size × base count).
  task = PickTask(SSTables(1, 4, ""));
  ASSERT_TRUE(task.has_value());
  EXPECT_TRUE(task->split_tokens.empty());
}

constexpr char kExpiryClock[] = "now 2000000000000\ngc_grace 0\n";

TEST(UnifiedPickTest, ExpiredSSTablesDroppedAloneOrWithTheCompaction) {
  const std::string expired =
      std::string(kExpiryClock) + "sstable 9 tokens=1000000..1000100 ldt=10..20 ts=5..5\n";
  EXPECT_EQ(Pick(expired), "inputs= expired=9 level=0 reason=expired");
  EXPECT_EQ(Pick(expired + SSTables(11, 3, "")), "inputs= expired=9 level=0 reason=expired");
  // Cassandra adds the expired SSTables to the compaction it picks.
  EXPECT_EQ(Pick(expired + SSTables(11, 4, "")),
            "inputs=11,12,13,14 expired=9 level=0 reason=unified");
  EXPECT_EQ(Pick(expired + "compacting 9"), "none");
}

TEST(UnifiedPickTest, UnsafeAggressiveExpirationIgnoresOverlaps) {
  const std::string text = std::string(kExpiryClock) + R"(
    sstable 1 tokens=0..100 ts=0..0
    sstable 9 tokens=50..60 ldt=10..20 ts=5..5)";
  EXPECT_EQ(Pick(text), "none");  // 1 may hold older data that 9 shadows
  EXPECT_EQ(Pick(text, {{"unsafe_aggressive_sstable_expiration", "true"}}),
            "inputs= expired=9 level=0 reason=expired");
}

TEST(UnifiedPickTest, TombstoneCompactionWhenNothingElseToDo) {
  const std::string text = std::string(kExpiryClock) + R"(
    sstable 1 tokens=0..100 cells=100 drop=10:50
    sstable 2 tokens=200..300 size=2MiB cells=100 drop=10:50
    sstable 3 tokens=400..500 size=3MiB cells=100 drop=10:10)";
  EXPECT_EQ(Pick(text), "inputs=2 level=0 reason=tombstone");
  EXPECT_EQ(Pick(text, {{"tombstone_threshold", "0.6"}}), "none");
  EXPECT_EQ(Pick(text + "\ncompacting 2"), "inputs=1 level=0 reason=tombstone");
  // A real compaction comes first.
  EXPECT_EQ(Pick(text + "\n" + SSTables(11, 4, "tokens=1000..1000")),
            "inputs=11,12,13,14 level=0 reason=unified");
}

TEST(UnifiedPickTest, DisabledPicksNothingButMajorStillWorks) {
  Scenario sc;
  ParseScenario(SSTables(1, 4, ""), &sc);
  auto s = Make({{"enabled", "false"}});
  EXPECT_FALSE(s->Pick(sc.view).has_value());
  ASSERT_EQ(s->MajorTasks(sc.view).size(), 1u);
}

TEST(UnifiedMajorTest, OneTaskPerNonOverlappingGroup) {
  Scenario sc;
  ParseScenario(std::string(kExpiryClock) + R"(
    sstable 1 tokens=0..10
    sstable 2 tokens=5..15
    sstable 3 tokens=100..200
    sstable 4 tokens=300..400
    sstable 5 tokens=500..600 ldt=10..20 ts=5..5
    sstable 6 tokens=550..560 ts=10..10
    compacting 4)",
                &sc);
  std::vector<CompactionTask> tasks = Make()->MajorTasks(sc.view);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(FormatTask(tasks[0]), "inputs=1,2 level=0 reason=major");
  EXPECT_EQ(FormatTask(tasks[1]), "inputs=3 level=0 reason=major");
  // 6 holds live data newer than 5's tombstones, so 5 is dropped whole.
  EXPECT_EQ(FormatTask(tasks[2]), "inputs=6 expired=5 level=0 reason=major");

  Scenario ring;
  ParseScenario(SSTables(1, 2, absl::StrCat("size=2GiB ", kFullRing)), &ring);
  tasks = Make()->MajorTasks(ring.view);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].split_tokens.size(), 3u);  // 4 GiB → 4 shards
  Scenario empty;
  ParseScenario("", &empty);
  EXPECT_TRUE(Make()->MajorTasks(empty.view).empty());
}

TEST(UnifiedPendingTest, SumsBucketOverlapOverThreshold) {
  auto pending = [](const std::string& text, const CompactionOptions& o = {}) {
    Scenario sc;
    ParseScenario(text, &sc);
    return Make(o)->PendingTasks(sc.view);
  };
  EXPECT_EQ(pending(""), 0);
  EXPECT_EQ(pending(SSTables(1, 3, "")), 0);
  EXPECT_EQ(pending(SSTables(1, 8, "") + SSTables(9, 4, "tokens=1000..1000")), 3);
  EXPECT_EQ(pending(SSTables(1, 8, "") + SSTables(9, 3, "tokens=1000..1000")), 2);
  EXPECT_EQ(pending(SSTables(1, 5, ""), {{"scaling_parameters", "L10"}}), 2);
}

}  // namespace
}  // namespace cassette

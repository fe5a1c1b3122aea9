// Leveled compaction (§9): level arithmetic, the picker's order (expired, levels from
// the top, STCS in an overfull L0, L0 -> L1, tombstones), round robin, compacting
// SSTables left alone, major compaction, pending tasks and option validation.

#include "compaction/leveled.h"

#include <algorithm>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "compaction/picker_text.h"
#include "compaction/strategy.h"
#include "gtest/gtest.h"
#include "tombstone/deletion_time.h"

namespace cassette {
namespace {

using picker_text::FormatTask;
using picker_text::KeyForToken;
using picker_text::ParseScenario;
using picker_text::Scenario;

constexpr uint64_t kMiB = 1 << 20;

std::unique_ptr<CompactionStrategy> Lcs(const CompactionOptions& options) {
  absl::StatusOr<std::unique_ptr<CompactionStrategy>> s =
      CompactionStrategy::Create("LeveledCompactionStrategy", options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

// 10 MiB SSTables: L1 holds 100 MiB, L2 1000 MiB.
const CompactionOptions kTenMiB = {{"sstable_size_in_mb", "10"}};

std::string Pick(const std::string& text, const CompactionOptions& options = kTenMiB) {
  Scenario sc;
  ParseScenario(text, &sc);
  return FormatTask(Lcs(options)->Pick(sc.view));
}

// `count` SSTables numbered from `first_number`, each `size` at `level`, tokens
// [100 i, 100 i + 99] for i = 0.. (disjoint, in order).
std::string LevelRun(int first_number, int count, int level, const std::string& size) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&out, "sstable ", first_number + i, " level=", level, " size=", size,
                    " tokens=", 100 * i, "..", 100 * i + 99, "\n");
  }
  return out;
}

// --- Level arithmetic --------------------------------------------------------------------

TEST(LeveledMathTest, MaxBytesPerLevel) {
  EXPECT_EQ(LeveledMaxBytes(0, 10, 160 * kMiB), 640 * kMiB);  // L0: 4 x sstable_size
  EXPECT_EQ(LeveledMaxBytes(1, 10, 160 * kMiB), 1600 * kMiB);
  EXPECT_EQ(LeveledMaxBytes(2, 10, 160 * kMiB), 16000 * kMiB);
  EXPECT_EQ(LeveledMaxBytes(3, 4, 1 * kMiB), 64 * kMiB);
  EXPECT_EQ(LeveledMaxBytes(5, 1, 7 * kMiB), 7 * kMiB);
  // 10^8 x 2^31 MiB does not fit in 63 bits: the budget saturates instead of wrapping.
  EXPECT_EQ(LeveledMaxBytes(8, 10, (uint64_t{1} << 31) * kMiB),
            uint64_t(std::numeric_limits<int64_t>::max()));
}

TEST(LeveledMathTest, ScoreCountsOnlySSTablesNotCompacting) {
  Scenario sc;
  ParseScenario(R"(
    sstable 1 level=1 size=50MiB tokens=0..9
    sstable 2 level=1 size=50MiB tokens=10..19
    sstable 3 level=1 size=50MiB tokens=20..29
    sstable 4 level=0 size=20MiB
  )",
                &sc);
  EXPECT_DOUBLE_EQ(LeveledScore(sc.view, 1, 10, 10 * kMiB), 1.5);
  EXPECT_DOUBLE_EQ(LeveledScore(sc.view, 0, 10, 10 * kMiB), 0.5);
  EXPECT_DOUBLE_EQ(LeveledScore(sc.view, 2, 10, 10 * kMiB), 0.0);
  sc.view.compacting = {3};
  EXPECT_DOUBLE_EQ(LeveledScore(sc.view, 1, 10, 10 * kMiB), 1.0);
}

TEST(LeveledMathTest, LevelsOutsideRangeCountAsNearest) {
  SSTableInfo s;
  s.level = 12;
  EXPECT_EQ(LeveledLevelOf(s), 8);
  s.level = -1;
  EXPECT_EQ(LeveledLevelOf(s), 0);
}

TEST(LeveledMathTest, FitsInLevelOnlyWithoutOverlap) {
  Scenario sc;
  ParseScenario(R"(
    sstable 1 level=1 tokens=0..100
    sstable 2 level=1 tokens=200..300
    sstable 3 level=0 tokens=0..1000
  )",
                &sc);
  auto sstable = [](uint64_t n, int64_t a, int64_t b) {
    SSTableInfo s;
    s.file_number = n;
    s.first_key = KeyForToken(a);
    s.last_key = KeyForToken(b);
    return s;
  };
  EXPECT_TRUE(FitsInLevel(sc.state, sstable(9, 150, 160), 1));
  EXPECT_FALSE(FitsInLevel(sc.state, sstable(9, 90, 160), 1));
  EXPECT_FALSE(FitsInLevel(sc.state, sstable(9, 160, 200), 1));  // inclusive ends
  EXPECT_TRUE(FitsInLevel(sc.state, sstable(9, 90, 160), 0));    // L0 takes anything
  EXPECT_TRUE(FitsInLevel(sc.state, sstable(9, 0, 1000), 2));
  // The SSTable itself (same number) is not an overlap.
  EXPECT_TRUE(FitsInLevel(sc.state, sstable(1, 0, 150), 1));
}

// --- Levels >= 1 -------------------------------------------------------------------------

// 11 x 10 MiB in L1 (budget 100 MiB, score 1.1); L2 SSTables over the first two ranges.
const std::string kL1OverBudget = LevelRun(1, 11, 1, "10MiB") + R"(
  sstable 20 level=2 size=10MiB tokens=0..149
  sstable 21 level=2 size=10MiB tokens=150..250
  sstable 22 level=2 size=10MiB tokens=5000..6000
)";

TEST(LeveledPickTest, L1OverBudgetTakesFirstSSTableWithItsL2Overlaps) {
  EXPECT_EQ(Pick(kL1OverBudget), "inputs=1,20 level=2 reason=leveled");
}

TEST(LeveledPickTest, RoundRobinResumesAfterLastCompactedKey) {
  // First SSTable starting after 150 is #3 (200..299), which overlaps #21.
  EXPECT_EQ(Pick(kL1OverBudget + "last_compacted 1 150"), "inputs=3,21 level=2 reason=leveled");
  // Strictly after: an SSTable starting at the last compacted key is not next.
  EXPECT_EQ(Pick(kL1OverBudget + "last_compacted 1 200"), "inputs=4 level=2 reason=leveled");
}

TEST(LeveledPickTest, RoundRobinWrapsToTheStart) {
  EXPECT_EQ(Pick(kL1OverBudget + "last_compacted 1 1050"), "inputs=1,20 level=2 reason=leveled");
}

// LeveledGenerationsTest / wrappingIterator: first tokens [0, 10, 20, 30], last compacted
// key 15 -> the iteration order is [20, 30, 0, 10]. Each candidate taken (compacting) in
// turn reveals the next one.
TEST(LeveledPickTest, WrappingOrderMatchesCassandra) {
  const std::string base = R"(
    sstable 1 level=1 size=100MiB tokens=0..5
    sstable 2 level=1 size=100MiB tokens=10..15
    sstable 3 level=1 size=100MiB tokens=20..25
    sstable 4 level=1 size=100MiB tokens=30..35
    last_compacted 1 15
  )";
  const CompactionOptions one_mib = {{"sstable_size_in_mb", "1"}};
  EXPECT_EQ(Pick(base, one_mib), "inputs=3 level=2 reason=leveled");
  EXPECT_EQ(Pick(base + "compacting 3", one_mib), "inputs=4 level=2 reason=leveled");
  EXPECT_EQ(Pick(base + "compacting 3 4", one_mib), "inputs=1 level=2 reason=leveled");
  EXPECT_EQ(Pick(base + "compacting 3 4 1", one_mib), "inputs=2 level=2 reason=leveled");
}

TEST(LeveledPickTest, SkipsCandidatesWhoseNextLevelOverlapsAreCompacting) {
  EXPECT_EQ(Pick(kL1OverBudget + "compacting 20"), "inputs=3,21 level=2 reason=leveled");
  EXPECT_EQ(Pick(LevelRun(1, 12, 1, "10MiB") + "sstable 20 level=2 tokens=0..149\ncompacting 1"),
            "inputs=2,20 level=2 reason=leveled");
}

TEST(LeveledPickTest, LevelAtItsBudgetIsLeftAlone) {
  EXPECT_EQ(Pick(LevelRun(1, 10, 1, "10MiB")), "none");  // score 1.0
  // 100.1 MiB is within the 1.001 slack; a little more is not.
  EXPECT_EQ(Pick(LevelRun(1, 10, 1, "10.01MiB")), "none");
  EXPECT_EQ(Pick(LevelRun(1, 10, 1, "10.02MiB")), "inputs=1 level=2 reason=leveled");
}

TEST(LeveledPickTest, CompactingBytesDoNotCountTowardTheScore) {
  EXPECT_EQ(Pick(kL1OverBudget + "compacting 11"), "none");
}

TEST(LeveledPickTest, HigherLevelsGoFirst) {
  EXPECT_EQ(Pick(kL1OverBudget + R"(
    sstable 30 level=2 size=600MiB tokens=7000..7100
    sstable 31 level=2 size=600MiB tokens=7200..7300
  )"),
            "inputs=20 level=3 reason=leveled");
}

TEST(LeveledPickTest, TopLevelIsNeverCompactedFurther) {
  // fanout 1: every level holds one sstable_size.
  const CompactionOptions flat = {{"sstable_size_in_mb", "10"}, {"fanout_size", "1"}};
  const std::string l8 = R"(
    sstable 1 level=8 size=10MiB tokens=0..10
    sstable 2 level=8 size=10MiB tokens=20..30
  )";
  EXPECT_EQ(Pick(l8, flat), "none");
  EXPECT_EQ(Pick(l8 + "sstable 3 level=7 size=20MiB tokens=0..5", flat),
            "inputs=1,3 level=8 reason=leveled");
}

// --- STCS in L0 -----------------------------------------------------------------------

// `count` overlapping 1 MiB L0 SSTables numbered from 100, plus one 2 MiB one after them.
std::string CrowdedL0(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&out, "sstable ", 100 + i, " level=0 size=1MiB tokens=0..1000 ts=", i, "..", i,
                    "\n");
  }
  absl::StrAppend(&out, "sstable ", 100 + count, " level=0 size=2MiB tokens=0..1000 ts=", count,
                  "..", count, "\n");
  return out;
}

std::string Numbers(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) absl::StrAppend(&out, i == from ? "" : ",", i);
  return out;
}

TEST(LeveledPickTest, MoreThan32InL0RunsStcsThereBeforeAHigherLevel) {
  // 33 L0 SSTables and L1 over budget: the STCS bucket of the 32 smallest goes first.
  EXPECT_EQ(Pick(kL1OverBudget + CrowdedL0(32)),
            absl::StrCat("inputs=", Numbers(100, 131), " level=0 reason=l0-tiered"));
  // Exactly 32 is not "behind": L1 proceeds.
  EXPECT_EQ(Pick(kL1OverBudget + CrowdedL0(31)), "inputs=1,20 level=2 reason=leveled");
}

TEST(LeveledPickTest, CrowdedL0WithQuietLevelsDoesALeveledL0Compaction) {
  // 33 disjoint L0 SSTables: the 32 oldest (max_threshold) go to L1 together.
  std::string l0;
  for (int i = 0; i < 33; ++i) {
    absl::StrAppend(&l0, "sstable ", 100 + i, " level=0 size=1MiB tokens=", 100 * i, "..",
                    100 * i + 50, " ts=", 1000 - i, "..", 1000 - i, "\n");
  }
  // Oldest = highest numbers here (ts decreases with the number).
  EXPECT_EQ(Pick(l0), absl::StrCat("inputs=", Numbers(101, 132), " level=1 reason=leveled"));
}

TEST(LeveledPickTest, CrowdedL0FallsBackToStcsWhenNoL0CompactionIsPossible) {
  // Everything overlaps the running #100, so no leveled L0 task; STCS over the rest.
  EXPECT_EQ(Pick(CrowdedL0(33) + "compacting 100"),
            absl::StrCat("inputs=", Numbers(101, 132), " level=0 reason=l0-tiered"));
}

// --- L0 -> L1 -------------------------------------------------------------------------

TEST(LeveledPickTest, L0AboveOneSSTableSizeTakesOverlappingL1) {
  EXPECT_EQ(Pick(R"(
    sstable 1 level=0 size=6MiB tokens=0..100 ts=1..1
    sstable 2 level=0 size=6MiB tokens=50..150 ts=2..2
    sstable 10 level=1 size=10MiB tokens=0..40
    sstable 11 level=1 size=10MiB tokens=41..120
    sstable 12 level=1 size=10MiB tokens=121..200
    sstable 13 level=1 size=10MiB tokens=300..400
  )"),
            "inputs=1,2,10,11,12 level=1 reason=leveled");
}

// Exactly one sstable_size goes up, so it must bring its L1 overlaps (Cassandra's
// "> size" would leave them out and overlap L1; see docs/compaction/lcs.md).
TEST(LeveledPickTest, ExactlyOneSSTableSizeOfL0TakesOverlappingL1) {
  EXPECT_EQ(Pick(R"(
    sstable 1 level=0 size=5MiB tokens=0..100 ts=1..1
    sstable 2 level=0 size=5MiB tokens=300..400 ts=2..2
    sstable 10 level=1 size=10MiB tokens=150..200
    sstable 11 level=1 size=10MiB tokens=500..600
  )"),
            "inputs=1,2,10 level=1 reason=leveled");
}

TEST(LeveledPickTest, SmallL0StaysInL0WithoutL1) {
  EXPECT_EQ(Pick(R"(
    sstable 1 level=0 size=1MiB tokens=0..100
    sstable 2 level=0 size=1MiB tokens=50..150
    sstable 10 level=1 size=10MiB tokens=0..200
  )"),
            "inputs=1,2 level=0 reason=leveled");
}

TEST(LeveledPickTest, SingleL0SSTableGoesUpOnlyWithL1Overlaps) {
  EXPECT_EQ(Pick(""), "none");
  EXPECT_EQ(Pick("sstable 1 level=0 size=50MiB tokens=0..100"), "none");
  EXPECT_EQ(Pick("sstable 1 level=0 size=50MiB tokens=0..100\n"
                 "sstable 10 level=1 size=10MiB tokens=0..200"),
            "inputs=1,10 level=1 reason=leveled");
  EXPECT_EQ(Pick("sstable 1 level=0 size=5MiB tokens=0..100\n"
                 "sstable 10 level=1 size=10MiB tokens=0..200"),
            "none");
}

TEST(LeveledPickTest, L0TakesOldestFirstWithTheirL0OverlapsUpToMaxThreshold) {
  const CompactionOptions two = {
      {"sstable_size_in_mb", "10"}, {"min_threshold", "2"}, {"max_threshold", "2"}};
  // Oldest is #2, which brings #3 (overlapping); #1 would make 3 > max_threshold, and the
  // trim keeps the two oldest.
  EXPECT_EQ(Pick(R"(
    sstable 1 level=0 tokens=0..10 ts=5..5
    sstable 2 level=0 tokens=100..110 ts=1..1
    sstable 3 level=0 tokens=105..200 ts=3..3
    sstable 4 level=0 tokens=500..600 ts=9..9
  )",
                 two),
            "inputs=2,3 level=0 reason=leveled");
}

TEST(LeveledPickTest, L0LeavesRunningCompactionsAndTheirSpanAlone) {
  // #1 and #2 are being compacted: #5 overlaps #1, #3 lies between them.
  EXPECT_EQ(Pick(R"(
    sstable 1 level=0 tokens=0..10 ts=0..0
    sstable 2 level=0 tokens=90..100 ts=0..0
    sstable 3 level=0 tokens=40..50 ts=1..1
    sstable 4 level=0 tokens=200..300 ts=2..2
    sstable 5 level=0 tokens=5..6 ts=3..3
    sstable 6 level=0 tokens=400..500 ts=4..4
    compacting 1 2
  )"),
            "inputs=4,6 level=0 reason=leveled");
}

TEST(LeveledPickTest, L0GoingToL1WaitsForBusyL1OrARunningL0InItsSpan) {
  const std::string busy_l1 = R"(
    sstable 1 level=0 size=6MiB tokens=0..100 ts=1..1
    sstable 2 level=0 size=6MiB tokens=50..150 ts=2..2
    sstable 10 level=1 size=10MiB tokens=0..40
    sstable 11 level=1 size=10MiB tokens=41..120
  )";
  EXPECT_EQ(Pick(busy_l1), "inputs=1,2,10,11 level=1 reason=leveled");
  EXPECT_EQ(Pick(busy_l1 + "compacting 11"), "none");

  // #3 runs between the candidates: fine while they stay in L0, not when they go up.
  const std::string around = R"(
    sstable 3 level=0 tokens=100..110 ts=0..0
    compacting 3
  )";
  EXPECT_EQ(Pick(around + "sstable 1 level=0 size=1MiB tokens=0..10 ts=1..1\n"
                          "sstable 2 level=0 size=1MiB tokens=200..210 ts=2..2"),
            "inputs=1,2 level=0 reason=leveled");
  EXPECT_EQ(Pick(around + "sstable 1 level=0 size=6MiB tokens=0..10 ts=1..1\n"
                          "sstable 2 level=0 size=6MiB tokens=200..210 ts=2..2"),
            "none");
}

// --- Expired and tombstone compactions --------------------------------------------------

const std::string kNow = "now 1000000000000\n";  // 10^6 s; gc_before = 136000 s

TEST(LeveledPickTest, FullyExpiredSSTablesAreDroppedFirst) {
  EXPECT_EQ(Pick(kNow + kL1OverBudget + "sstable 50 level=3 tokens=9000..9100 ts=0..5 ldt=10..20"),
            "inputs= expired=50 level=0 reason=expired");
  // Older data overlapping it elsewhere keeps it (its tombstones still shadow that data).
  EXPECT_EQ(Pick(kNow + "sstable 50 level=1 tokens=0..100 ts=3..5 ldt=10..20\n"
                        "sstable 51 level=0 tokens=50..60 ts=1..9"),
            "none");
  EXPECT_EQ(Pick(kNow + "sstable 50 level=1 tokens=0..100 ts=0..5 ldt=10..20\ncompacting 50"),
            "none");
}

TEST(LeveledPickTest, TombstoneCompactionHighestLevelFirstWhenNothingElseToDo) {
  const std::string text = kNow + R"(
    sstable 1 level=1 tokens=0..10 cells=100 drop=10:60
    sstable 2 level=2 tokens=100..200 cells=100 drop=10:30
    sstable 3 level=2 tokens=300..400 cells=100 drop=10:20
  )";
  EXPECT_EQ(Pick(text), "inputs=2 level=2 reason=tombstone");
  EXPECT_EQ(Pick(text + "compacting 2"), "inputs=1 level=1 reason=tombstone");
  // A ratio equal to the threshold (0.2) is not above it.
  EXPECT_EQ(Pick(text + "compacting 1 2"), "none");
  // Too young (created within tombstone_compaction_interval of now).
  EXPECT_EQ(Pick(kNow + "sstable 1 level=1 tokens=0..10 cells=100 drop=10:60 created=999999000000"),
            "none");
}

// --- Driving the picker through ApplyCompaction -----------------------------------------

TEST(LeveledPickTest, ApplyingATaskMovesTheRoundRobinOn) {
  Scenario sc;
  ParseScenario(LevelRun(1, 12, 1, "10MiB"), &sc);  // 120 MiB in L1
  std::unique_ptr<CompactionStrategy> lcs = Lcs(kTenMiB);
  std::optional<CompactionTask> task = lcs->Pick(sc.view);
  ASSERT_EQ(FormatTask(task), "inputs=1 level=2 reason=leveled");
  SSTableInfo out = *sc.state.Find(1);
  out.file_number = 100;
  ASSERT_TRUE(ApplyCompaction(*task, {out}, &sc.state).ok());
  EXPECT_TRUE(FitsInLevel(sc.state, out, 2));
  EXPECT_EQ(FormatTask(lcs->Pick(sc.view)), "inputs=2 level=2 reason=leveled");
}

// Flushes of random key ranges, each followed by every task LCS asks for, outputs as
// CompactionState's estimate makes them: every output must fit the level it goes to (no
// overlaps in L >= 1, which is what the picker's overlap rules are for), and the levels
// must settle within their budgets with nothing pending.
TEST(LeveledSimulationTest, FlushesStayLeveledAndSettle) {
  const CompactionOptions options = {{"sstable_size_in_mb", "1"}, {"fanout_size", "4"}};
  std::unique_ptr<CompactionStrategy> lcs = Lcs(options);
  CompactionState state;
  CompactionView view;
  view.state = &state;
  std::mt19937_64 rng(42);
  uint64_t next_file = 1;
  int tasks_run = 0;
  for (int flush = 0; flush < 300; ++flush) {
    SSTableInfo s;
    s.file_number = next_file++;
    s.bytes = s.uncompressed_bytes = kMiB / 2;
    const int64_t first = static_cast<int64_t>(rng() % 100000);
    s.first_token = first;
    s.last_token = first + 1000 + static_cast<int64_t>(rng() % 4000);
    s.first_key = TokenOnlyKey(s.first_token);
    s.last_key = TokenOnlyKey(s.last_token);
    s.min_timestamp = s.max_timestamp = flush;
    s.min_local_deletion_time = s.max_local_deletion_time = kNoDeletionTime;
    s.partition_count = 1000;
    ASSERT_TRUE(ApplyFlush(s, &state).ok());

    for (int round = 0;; ++round) {
      ASSERT_LT(round, 1000) << "LCS never settles after flush " << flush;
      std::optional<CompactionTask> task = lcs->Pick(view);
      if (!task.has_value()) break;
      ++tasks_run;
      std::vector<SSTableInfo> outputs = EstimateOutputs(state, *task, &next_file);
      CompactionState rest = state;
      std::erase_if(rest.sstables, [&](const SSTableInfo& x) {
        const std::vector<uint64_t> all = task->AllInputs();
        return std::find(all.begin(), all.end(), x.file_number) != all.end();
      });
      for (const SSTableInfo& o : outputs) {
        ASSERT_TRUE(FitsInLevel(rest, o, task->output_level))
            << FormatTask(*task) << " output " << o.first_token << ".." << o.last_token;
      }
      ASSERT_TRUE(ApplyCompaction(*task, outputs, &state).ok());
    }
  }
  EXPECT_GT(tasks_run, 100);
  int deepest = 0;
  for (const SSTableInfo& s : state.sstables) {
    deepest = std::max(deepest, static_cast<int>(s.level));
    if (s.level > 0) EXPECT_TRUE(FitsInLevel(state, s, s.level)) << s.file_number;
  }
  EXPECT_GE(deepest, 3);  // 150 MiB over budgets of 4, 16 and 64 MiB
  for (int32_t level = 1; level < kLeveledLevelCount - 1; ++level) {
    EXPECT_LE(LeveledScore(view, level, 4, kMiB), kLeveledScoreThreshold) << "L" << level;
  }
  EXPECT_EQ(lcs->PendingTasks(view), 0);
}

// --- Major compaction and pending tasks -------------------------------------------------

TEST(LeveledMajorTest, EverythingAvailableIntoTheLowestLevelThatHoldsIt) {
  Scenario sc;
  ParseScenario(kNow + R"(
    sstable 1 level=0 size=50MiB tokens=0..100
    sstable 2 level=1 size=50MiB tokens=0..50
    sstable 3 level=2 size=50MiB tokens=60..70
    sstable 4 level=2 size=50MiB tokens=200..300
    sstable 5 level=3 size=1MiB tokens=900..1000 ts=0..1 ldt=10..20
  )",
                &sc);
  std::unique_ptr<CompactionStrategy> lcs = Lcs(kTenMiB);
  std::vector<CompactionTask> tasks = lcs->MajorTasks(sc.view);
  ASSERT_EQ(tasks.size(), 1u);
  // 200 MiB is over L1's 100 MiB: L2. The expired SSTable is dropped, not rewritten.
  EXPECT_EQ(FormatTask(tasks[0]), "inputs=1,2,3,4 expired=5 level=2 reason=major");
  EXPECT_EQ(tasks[0].max_output_bytes, 10 * kMiB);

  sc.view.compacting = {3, 4};
  tasks = lcs->MajorTasks(sc.view);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(FormatTask(tasks[0]), "inputs=1,2 expired=5 level=1 reason=major");

  sc.view.compacting = {1, 2, 3, 4, 5};
  EXPECT_TRUE(lcs->MajorTasks(sc.view).empty());
}

TEST(LeveledMajorTest, DisabledStrategyStillDoesMajorButNoBackgroundWork) {
  Scenario sc;
  ParseScenario(kL1OverBudget, &sc);
  std::unique_ptr<CompactionStrategy> lcs =
      Lcs({{"sstable_size_in_mb", "10"}, {"enabled", "false"}});
  EXPECT_EQ(FormatTask(lcs->Pick(sc.view)), "none");
  EXPECT_EQ(lcs->MajorTasks(sc.view).size(), 1u);
}

TEST(LeveledPendingTest, ExcessOverEachBudgetInSSTableSizesPlusL0Rounds) {
  Scenario sc;
  std::string text = LevelRun(1, 25, 1, "10MiB");  // 250 MiB in L1: (250 - 100.1) / 10 -> 15
  for (int i = 0; i < 40; ++i) absl::StrAppend(&text, "sstable ", 100 + i, " level=0 size=1MiB\n");
  ParseScenario(text, &sc);
  // L0: 40 MiB is within 4 x 10 MiB x 1.001; 40 SSTables > max_threshold 32 -> 40 / 32 = 1.
  EXPECT_EQ(Lcs(kTenMiB)->PendingTasks(sc.view), 16);

  Scenario quiet;
  ParseScenario(LevelRun(1, 10, 1, "10MiB"), &quiet);
  EXPECT_EQ(Lcs(kTenMiB)->PendingTasks(quiet.view), 0);
}

// --- Options ------------------------------------------------------------------------------

TEST(LeveledOptionsTest, DefaultsAndEffectiveOptions) {
  std::unique_ptr<CompactionStrategy> lcs = Lcs({});
  EXPECT_EQ(lcs->name(), "LeveledCompactionStrategy");
  EXPECT_EQ(lcs->LevelOnAdoption(), 0);
  CompactionOptions eff = lcs->EffectiveOptions();
  EXPECT_EQ(eff.at("sstable_size_in_mb"), "160");
  EXPECT_EQ(eff.at("fanout_size"), "10");
  EXPECT_EQ(eff.at("single_sstable_uplevel"), "false");
  EXPECT_EQ(eff.at("tombstone_threshold"), "0.2");
  EXPECT_TRUE(eff.contains("bucket_low"));

  absl::StatusOr<LeveledOptions> parsed = ParseLeveledOptions({{"sstable_size_in_mb", "1"},
                                                               {"fanout_size", "1"},
                                                               {"single_sstable_uplevel", "true"},
                                                               {"bucket_low", "0.3"},
                                                               {"min_threshold", "2"},
                                                               {"max_threshold", "8"}});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->sstable_size_bytes, kMiB);
  EXPECT_EQ(parsed->fanout, 1);
  EXPECT_TRUE(parsed->single_sstable_uplevel);
  EXPECT_DOUBLE_EQ(parsed->l0_stcs.bucket_low, 0.3);
  EXPECT_EQ(parsed->common.max_threshold, 8);
}

TEST(LeveledOptionsTest, BadValuesAreRejectedNamingTheOption) {
  struct Case {
    CompactionOptions options;
    std::string option;
  };
  for (const Case& c : std::vector<Case>{
           {{{"sstable_size_in_mb", "0"}}, "sstable_size_in_mb"},
           {{{"sstable_size_in_mb", "-5"}}, "sstable_size_in_mb"},
           {{{"sstable_size_in_mb", "abc"}}, "sstable_size_in_mb"},
           {{{"sstable_size_in_mb", "3000000000"}}, "sstable_size_in_mb"},
           {{{"fanout_size", "0"}}, "fanout_size"},
           {{{"fanout_size", "1.5"}}, "fanout_size"},
           {{{"single_sstable_uplevel", "maybe"}}, "single_sstable_uplevel"},
           {{{"bucket_high", "0.5"}}, "bucket_high"},
           {{{"min_threshold", "1"}}, "min_threshold"},
           {{{"sstable_size", "160"}}, "sstable_size"},
       }) {
    absl::StatusOr<std::unique_ptr<CompactionStrategy>> s =
        CompactionStrategy::Create("LeveledCompactionStrategy", c.options);
    ASSERT_FALSE(s.ok()) << c.option;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.option;
    EXPECT_NE(std::string(s.status().message()).find(c.option), std::string::npos) << s.status();
  }
}

}  // namespace
}  // namespace cassette

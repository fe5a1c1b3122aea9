// The compaction simulator: workload parsing (errors name the line), the totals it
// reports, and that it drives each strategy to the state its rules promise.
#include "compaction/simulator.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

SimulatorResult Simulate(const std::string& strategy, const CompactionOptions& options,
                         const std::string& workload_text, int32_t gc_grace = 864000) {
  absl::StatusOr<SimulatorWorkload> workload = ParseSimulatorWorkload(workload_text);
  EXPECT_TRUE(workload.ok()) << workload.status();
  if (!workload.ok()) return {};
  absl::StatusOr<SimulatorResult> r = RunSimulation(
      {.strategy_class = strategy, .options = options, .gc_grace_seconds = gc_grace}, *workload);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *std::move(r) : SimulatorResult{};
}

void ExpectParseError(const std::string& text, const std::string& needle) {
  absl::StatusOr<SimulatorWorkload> w = ParseSimulatorWorkload(text);
  ASSERT_FALSE(w.ok()) << text;
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(w.status().message(), needle)) << w.status();
}

TEST(SimulatorParse, ParsesEveryField) {
  absl::StatusOr<SimulatorWorkload> w = ParseSimulatorWorkload(
      "# a comment\n\nflush 1.5GiB tokens=-10..20 ts=5..9 ttl=60 x3  # trailing\nadvance 3600\n");
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->steps.size(), 2u);
  const SimulatorStep& f = w->steps[0];
  EXPECT_EQ(f.line, 3);
  EXPECT_EQ(f.bytes, 3ull << 29);
  EXPECT_EQ(f.first_token, -10);
  EXPECT_EQ(f.last_token, 20);
  EXPECT_EQ(f.min_timestamp, 5);
  EXPECT_EQ(f.max_timestamp, 9);
  EXPECT_EQ(f.ttl_seconds, 60);
  EXPECT_EQ(f.repeat, 3);
  EXPECT_EQ(w->steps[1].kind, SimulatorStep::Kind::kAdvance);
  EXPECT_EQ(w->steps[1].advance_seconds, 3600);
  EXPECT_EQ(w->steps[1].line, 4);
}

TEST(SimulatorParse, ErrorsNameTheLineAndTheProblem) {
  ExpectParseError("flush 1MiB\nflsh 1MiB\n", "line 2: unknown command 'flsh'");
  ExpectParseError("\n\nflush\n", "line 3: flush needs a size");
  ExpectParseError("flush 12QB\n", "line 1: flush size '12QB'");
  ExpectParseError("flush 0MiB\n", "line 1: flush size '0MiB'");
  ExpectParseError("flush 1MiB tokens=5..1\n", "line 1: 'tokens=5..1'");
  ExpectParseError("flush 1MiB ts=1\n", "line 1: 'ts=1'");
  ExpectParseError("flush 1MiB ttl=-3\n", "line 1: 'ttl=-3'");
  ExpectParseError("flush 1MiB x0\n", "line 1: repeat 'x0'");
  ExpectParseError("flush 1MiB colour=red\n", "line 1: unknown flush argument 'colour=red'");
  ExpectParseError("# ok\nadvance soon\n", "line 2: advance takes one whole number");
  ExpectParseError("advance 1 2\n", "line 1: advance");
}

TEST(SimulatorParse, EmptyWorkloadRunsToAnEmptySet) {
  SimulatorResult r = Simulate("SizeTieredCompactionStrategy", {}, "# nothing\n");
  EXPECT_TRUE(r.tasks.empty());
  EXPECT_EQ(r.final_state.sstables.size(), 0u);
  EXPECT_EQ(r.WriteAmplification(), 0.0);
}

TEST(SimulatorRun, RejectsAnUnknownStrategyOrOption) {
  auto w = ParseSimulatorWorkload("flush 1MiB\n");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(RunSimulation({.strategy_class = "NoSuchStrategy", .options = {}}, *w).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status bad = RunSimulation({.strategy_class = "SizeTieredCompactionStrategy",
                                    .options = {{"min_threshold", "1"}}},
                                   *w)
                         .status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.message(), "min_threshold")) << bad;
}

TEST(SimulatorStcs, FourEqualFlushesMakeOneTieredCompaction) {
  SimulatorResult r = Simulate("SizeTieredCompactionStrategy", {}, "flush 64MiB x4\n");
  ASSERT_EQ(r.tasks.size(), 1u);
  EXPECT_EQ(r.tasks[0].reason, CompactionReason::kTiered);
  EXPECT_EQ(r.tasks[0].inputs.size(), 4u);
  EXPECT_EQ(r.bytes_flushed, 256ull << 20);
  EXPECT_EQ(r.bytes_compacted, 256ull << 20);
  EXPECT_DOUBLE_EQ(r.WriteAmplification(), 2.0);
  EXPECT_EQ(r.max_sstables, 4u);
  ASSERT_EQ(r.final_state.sstables.size(), 1u);
  EXPECT_EQ(r.final_state.sstables[0].file_number, 5u);
  EXPECT_EQ(r.FinalBytes(), 256ull << 20);
  EXPECT_EQ(r.pending_tasks_at_end, 0);
}

TEST(SimulatorStcs, ThreeFlushesStayBelowMinThreshold) {
  SimulatorResult r = Simulate("SizeTieredCompactionStrategy", {}, "flush 64MiB x3\n");
  EXPECT_TRUE(r.tasks.empty());
  EXPECT_DOUBLE_EQ(r.WriteAmplification(), 1.0);
  EXPECT_EQ(r.final_state.sstables.size(), 3u);
}

TEST(SimulatorStcs, TraceListsEachTaskAndTheSetAfterEveryStep) {
  SimulatorResult r = Simulate("SizeTieredCompactionStrategy", {}, "flush 64MiB x4\nadvance 60\n");
  EXPECT_TRUE(
      absl::StrContains(r.trace, "line 1 (1/4): flush 64MiB x4 -> 1\n  = L0: 1 SSTable 64MiB\n"))
      << r.trace;
  EXPECT_TRUE(absl::StrContains(r.trace, "  compact [tiered] inputs 1..4 -> 5 (L0)")) << r.trace;
  EXPECT_TRUE(absl::StrContains(r.trace, "line 2: advance 60  (t=1m)\n  = L0: 1 SSTable 256MiB\n"))
      << r.trace;
  const std::string summary = r.Summary();
  EXPECT_TRUE(absl::StrContains(summary, "write amplification:    2.00")) << summary;
  EXPECT_TRUE(absl::StrContains(summary, "compactions:            1 (tiered 1)")) << summary;
}

TEST(SimulatorLcs, ManyFlushesEndWithinLevelBudgets) {
  SimulatorResult r =
      Simulate("LeveledCompactionStrategy", {{"sstable_size_in_mb", "16"}}, "flush 32MiB x60\n");
  EXPECT_FALSE(r.hit_task_cap);
  EXPECT_EQ(r.pending_tasks_at_end, 0);
  // Level L's budget is 10^L × sstable_size (§9): 160MiB for L1, 1.6GiB for L2.
  std::map<int32_t, uint64_t> level_bytes;
  for (const SSTableInfo& s : r.final_state.sstables) level_bytes[s.level] += s.bytes;
  for (const auto& [level, bytes] : level_bytes) {
    if (level == 0) continue;
    uint64_t budget = 16ull << 20;
    for (int i = 0; i < level; ++i) budget *= 10;
    EXPECT_LE(bytes, budget) << "L" << level;
  }
  EXPECT_GT(level_bytes[2], 0u);
  EXPECT_EQ(r.bytes_flushed, 60ull * (32 << 20));
  EXPECT_EQ(r.FinalBytes(), r.bytes_flushed);  // nothing expires, so nothing is lost
  EXPECT_GT(r.WriteAmplification(), 2.0);
  int leveled = 0;
  for (const CompactionTask& t : r.tasks) leveled += t.reason == CompactionReason::kLeveled;
  EXPECT_GT(leveled, 0);
}

TEST(SimulatorTwcs, ExpiredWindowsAreDroppedWhole) {
  // Hourly windows, 2h TTL, gc_grace 0: once the clock passes a window's expiry, its
  // SSTable goes without being rewritten.
  SimulatorResult r =
      Simulate("TimeWindowCompactionStrategy",
               {{"compaction_window_unit", "HOURS"}, {"compaction_window_size", "1"}},
               "flush 10MiB ttl=7200\nadvance 3600\n"
               "flush 10MiB ttl=7200\nadvance 3600\n"
               "flush 10MiB ttl=7200\nadvance 3600\n"
               "advance 7200\n",
               /*gc_grace=*/0);
  EXPECT_GT(r.sstables_dropped_whole, 0);
  bool any_expired_task = false;
  for (const CompactionTask& t : r.tasks) {
    any_expired_task |= !t.expired.empty();
    if (t.reason == CompactionReason::kExpired) {
      EXPECT_TRUE(t.inputs.empty());
    }
  }
  EXPECT_TRUE(any_expired_task);
  EXPECT_EQ(r.final_state.sstables.size(), 0u);
  EXPECT_EQ(r.bytes_compacted, 0u);  // dropped whole: nothing written
  EXPECT_TRUE(absl::StrContains(r.trace, " drop ")) << r.trace;
  EXPECT_TRUE(absl::StrContains(r.trace, "W@0s: 1 SSTable 10MiB")) << r.trace;
}

TEST(SimulatorTwcs, NothingDropsBeforeGcGraceHasPassed) {
  SimulatorResult r =
      Simulate("TimeWindowCompactionStrategy", {{"compaction_window_unit", "HOURS"}},
               "flush 10MiB ttl=60\nadvance 3600\nflush 10MiB ttl=60\n",
               /*gc_grace=*/864000);
  EXPECT_EQ(r.sstables_dropped_whole, 0);
  EXPECT_EQ(r.final_state.sstables.size(), 2u);
}

TEST(SimulatorFormat, Bytes) {
  EXPECT_EQ(FormatSimulatorBytes(512), "512B");
  EXPECT_EQ(FormatSimulatorBytes(64ull << 20), "64MiB");
  EXPECT_EQ(FormatSimulatorBytes(1717986918ull), "1.6GiB");
}

}  // namespace
}  // namespace cassette

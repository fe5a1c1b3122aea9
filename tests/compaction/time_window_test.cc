// TimeWindowCompactionStrategy: the window arithmetic (§10 oracle, from Cassandra's
// TimeWindowCompactionStrategyTest.testTimeWindows), the picker as text scenarios
// (testPrepBucket, testDropExpiredSSTables, testDropOverlappingExpiredSSTables and the
// newestBucket rules), major compaction, pending-task estimates and option validation.
//
// Timestamps in scenarios are microseconds. D = 1451001600000000 is 2015-12-25 00:00:00
// UTC; D + 1 s = 1451001601000000, D + 1 h = 1451005200000000, D + 2 h =
// 1451008800000000, D − 1 day = 1450915200000000, D − 2 days = 1450828800000000,
// D − 3 days = 1450742400000000.

#include "compaction/time_window.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "compaction/picker_text.h"
#include "compaction/strategy.h"
#include "compaction/strategy_factories.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

using picker_text::FormatTask;
using picker_text::ParseScenario;
using picker_text::Scenario;
using ::testing::HasSubstr;

std::unique_ptr<CompactionStrategy> Twcs(const CompactionOptions& options = {}) {
  auto s = CompactionStrategy::Create("TimeWindowCompactionStrategy", options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

std::string PickText(const std::string& scenario, const CompactionOptions& options = {}) {
  Scenario sc;
  ParseScenario(scenario, &sc);
  auto strategy = Twcs(options);
  if (strategy == nullptr) return "no strategy";
  std::optional<CompactionTask> task = strategy->Pick(sc.view);
  if (task.has_value()) {
    // Every TWCS task goes to level 0, unsplit, and never names a compacting SSTable.
    EXPECT_EQ(task->output_level, 0);
    EXPECT_EQ(task->max_output_bytes, 0u);
    for (uint64_t n : task->AllInputs()) EXPECT_FALSE(sc.view.compacting.contains(n)) << n;
  }
  return FormatTask(task);
}

int Pending(const std::string& scenario, const CompactionOptions& options = {}) {
  Scenario sc;
  ParseScenario(scenario, &sc);
  auto strategy = Twcs(options);
  return strategy == nullptr ? -1 : strategy->PendingTasks(sc.view);
}

absl::Status CreateStatus(const CompactionOptions& options) {
  return NewTimeWindowStrategy(options).status();
}

// ---- window arithmetic ----

TEST(TimeWindowMathTest, CassandraTestTimeWindowsOracle) {
  const int64_t tstamp1 = 1451001601000;  // 2015-12-25 00:00:01
  const int64_t tstamp2 = 1451088001000;  // 2015-12-26 00:00:01
  const int64_t low_hour = 1451001600000;
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kHours, 1, tstamp1).first, low_hour);
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kMinutes, 1, tstamp1).first, low_hour);
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kDays, 1, tstamp1).first, low_hour);
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kDays, 2, tstamp2).first, low_hour);
  // One day later, a 1-day window moves on.
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kDays, 1, tstamp2).first, low_hour + 86400000);
}

TEST(TimeWindowMathTest, UpperBoundIsTheWindowsLastSecond) {
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kHours, 1, 1451001601000).second,
            1451001600000 + 3599000);
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kMinutes, 30, 1451001601000).second,
            1451001600000 + 1799000);
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kDays, 2, 1451088001000).second,
            1451001600000 + 2 * 86400000 - 1000);
}

TEST(TimeWindowMathTest, TimestampResolutionConvertsToMillis) {
  auto hour = [](int64_t ts, TimestampResolution r) {
    return TimeWindowOf(ts, r, TimeWindowUnit::kHours, 1);
  };
  const int64_t window = 1451001600000;
  EXPECT_EQ(hour(1451001601, TimestampResolution::kSeconds), window);
  EXPECT_EQ(hour(1451001601000, TimestampResolution::kMilliseconds), window);
  EXPECT_EQ(hour(1451001601000000, TimestampResolution::kMicroseconds), window);
  EXPECT_EQ(hour(1451001601000000000, TimestampResolution::kNanoseconds), window);
  // The last microsecond of an hour stays in that hour.
  EXPECT_EQ(hour(1451005199999999, TimestampResolution::kMicroseconds), window);
  EXPECT_EQ(hour(1451005200000000, TimestampResolution::kMicroseconds), window + 3600000);
}

TEST(TimeWindowMathTest, NegativeTimestampsRoundTowardZeroAsJavaDoes) {
  // Java's % keeps the dividend's sign: -86401 s lies in the window starting at -86400 s.
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kDays, 1, -86401000).first, -86400000);
  EXPECT_EQ(TimeWindowBoundsMillis(TimeWindowUnit::kDays, 1, -1).first, 0);
}

TEST(TimeWindowMathTest, ExtremeTimestampsSaturateInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(TimestampToMillis(kMax, TimestampResolution::kSeconds), kMax);
  EXPECT_EQ(TimestampToMillis(kMin, TimestampResolution::kSeconds), kMin);
  auto [lower, upper] = TimeWindowBoundsMillis(TimeWindowUnit::kDays, 1, kMax);
  EXPECT_EQ(lower, 9223372036828800000);
  EXPECT_EQ(upper, kMax);
}

TEST(TimeWindowMathTest, GroupsByMaxTimestamp) {
  Scenario sc;
  ParseScenario(R"(
    sstable 1 ts=1450915200000000..1451001601000000   # starts the day before
    sstable 2 ts=1451001600000000..1451001600000000
    sstable 3 ts=1450915200000000..1450915200000001
  )",
                &sc);
  auto windows = GroupByTimeWindow(sc.view.Available(), TimestampResolution::kMicroseconds,
                                   TimeWindowUnit::kDays, 1);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows.at(1451001600000).size(), 2u);
  ASSERT_EQ(windows.at(1450915200000).size(), 1u);
  EXPECT_EQ(windows.at(1450915200000)[0]->file_number, 3u);
}

// ---- background picks ----

TEST(TimeWindowPickTest, EmptyTableHasNothingToDo) {
  EXPECT_EQ(PickText(""), "none");
  EXPECT_EQ(Pending(""), 0);
}

// testPrepBucket: three SSTables in the newest window are below min_threshold 4.
TEST(TimeWindowPickTest, NewestWindowNeedsMinThreshold) {
  const std::string sc = R"(
    sstable 1 ts=1451001601000000..1451001601000000
    sstable 2 ts=1451001602000000..1451001602000000
    sstable 3 ts=1451001603000000..1451001603000000
  )";
  EXPECT_EQ(PickText(sc), "none");
  EXPECT_EQ(Pending(sc), 0);
  EXPECT_EQ(PickText(sc, {{"min_threshold", "2"}}), "inputs=1,2,3 level=0 reason=tiered");
  EXPECT_EQ(Pending(sc, {{"min_threshold", "2"}}), 1);
}

TEST(TimeWindowPickTest, NewestWindowCompactsOneSizeTier) {
  // Four small flushes and the window's earlier big merge: STCS merges the small ones.
  EXPECT_EQ(PickText(R"(
    sstable 1 size=1MiB ts=1451001601000000..1451001601000000
    sstable 2 size=1MiB ts=1451001602000000..1451001602000000
    sstable 3 size=2MiB ts=1451001603000000..1451001603000000
    sstable 4 size=1MiB ts=1451001604000000..1451001604000000
    sstable 5 size=4GiB ts=1451001600000000..1451001605000000
  )"),
            "inputs=1,2,3,4 level=0 reason=tiered");
}

TEST(TimeWindowPickTest, NewestWindowWithoutASizeTierFallsBackToOlderWindows) {
  // Four SSTables in the newest window but no two of similar size: STCS finds nothing
  // there, so the older window with two SSTables is compacted.
  EXPECT_EQ(PickText(R"(
    sstable 1 size=100MiB ts=1451001601000000..1451001601000000
    sstable 2 size=400MiB ts=1451001602000000..1451001602000000
    sstable 3 size=2GiB ts=1451001603000000..1451001603000000
    sstable 4 size=9GiB ts=1451001604000000..1451001604000000
    sstable 5 ts=1450915200000000..1450915200000000
    sstable 6 ts=1450915300000000..1450915300000000
  )"),
            "inputs=5,6 level=0 reason=time-window");
}

TEST(TimeWindowPickTest, OlderWindowWithTwoCompactsWhole) {
  const std::string sc = R"(
    sstable 1 size=1MiB ts=1450915200000000..1450915200000000
    sstable 2 size=7GiB ts=1450915300000000..1450915300000000
    sstable 3 ts=1451001601000000..1451001601000000
  )";
  // Sizes do not matter outside the newest window.
  EXPECT_EQ(PickText(sc), "inputs=1,2 level=0 reason=time-window");
  EXPECT_EQ(Pending(sc), 1);
  // A lone SSTable in an older window is left alone.
  EXPECT_EQ(PickText(R"(
    sstable 1 ts=1450915200000000..1450915200000000
    sstable 3 ts=1451001601000000..1451001601000000
  )"),
            "none");
}

TEST(TimeWindowPickTest, OlderWindowTrimmedToMaxThresholdSmallestFirst) {
  EXPECT_EQ(PickText(R"(
    sstable 1 size=5MiB ts=1450915200000000..1450915200000000
    sstable 2 size=1MiB ts=1450915200000000..1450915200000000
    sstable 3 size=4MiB ts=1450915200000000..1450915200000000
    sstable 4 size=2MiB ts=1450915200000000..1450915200000000
    sstable 5 size=3MiB ts=1450915200000000..1450915200000000
    sstable 9 ts=1451001601000000..1451001601000000
  )",
                     {{"min_threshold", "2"}, {"max_threshold", "3"}}),
            "inputs=2,4,5 level=0 reason=time-window");
}

TEST(TimeWindowPickTest, OneWindowPerRoundNewestFirst) {
  const std::string older = R"(
    sstable 1 ts=1450742400000000..1450742400000000
    sstable 2 ts=1450742400000000..1450742400000000
    sstable 3 ts=1450828800000000..1450828800000000
    sstable 4 ts=1450828800000000..1450828800000000
    sstable 5 ts=1450915200000000..1450915200000000
    sstable 6 ts=1450915200000000..1450915200000000
    sstable 7 ts=1451001601000000..1451001601000000
  )";
  EXPECT_EQ(PickText(older), "inputs=5,6 level=0 reason=time-window");
  EXPECT_EQ(Pending(older), 3);
  // Once the newest window qualifies it goes first.
  const std::string newest = older + R"(
    sstable 8 ts=1451001602000000..1451001602000000
    sstable 10 ts=1451001603000000..1451001603000000
    sstable 11 ts=1451001604000000..1451001604000000
  )";
  EXPECT_EQ(PickText(newest), "inputs=7,8,10,11 level=0 reason=tiered");
  EXPECT_EQ(Pending(newest), 4);
}

TEST(TimeWindowPickTest, CompactingSSTablesExcluded) {
  // Window D−1 day keeps one available SSTable: nothing to merge there.
  EXPECT_EQ(PickText(R"(
    sstable 1 ts=1450915200000000..1450915200000000
    sstable 2 ts=1450915200000000..1450915200000000
    sstable 3 ts=1450915200000000..1450915200000000
    sstable 4 ts=1451001601000000..1451001601000000
    compacting 1 2
  )"),
            "none");
}

TEST(TimeWindowPickTest, CompactingNewestWindowStillDefinesNow) {
  // Cassandra remembers the highest window it has seen; with the newest window's
  // SSTables all being compacted, window D−1 day is still an older window (whole, not
  // STCS).
  const std::string sc = R"(
    sstable 1 size=1MiB ts=1450915200000000..1450915200000000
    sstable 2 size=3GiB ts=1450915200000000..1450915200000000
    sstable 3 ts=1451001601000000..1451001601000000
    sstable 4 ts=1451001601000000..1451001601000000
    compacting 3 4
  )";
  EXPECT_EQ(PickText(sc), "inputs=1,2 level=0 reason=time-window");
}

TEST(TimeWindowPickTest, WindowUnitAndSizeApply) {
  const std::string sc = R"(
    sstable 1 ts=1451001601000000..1451001601000000
    sstable 2 ts=1451001602000000..1451001602000000
    sstable 3 ts=1451008800000000..1451008800000000
  )";
  // One day: three SSTables in the newest window, below min_threshold.
  EXPECT_EQ(PickText(sc), "none");
  // Hourly windows: D 00:00 is an older window holding two.
  EXPECT_EQ(PickText(sc, {{"compaction_window_unit", "HOURS"}}),
            "inputs=1,2 level=0 reason=time-window");
  // Three-hour windows put all three together again.
  EXPECT_EQ(PickText(sc, {{"compaction_window_unit", "HOURS"}, {"compaction_window_size", "3"}}),
            "none");
}

TEST(TimeWindowPickTest, TimestampResolutionApplies) {
  // Millisecond timestamps read as microseconds would all fall in January 1970.
  const std::string sc = R"(
    sstable 1 ts=1450915200000..1450915200000
    sstable 2 ts=1450915200000..1450915200000
    sstable 3 ts=1451001601000..1451001601000
  )";
  EXPECT_EQ(PickText(sc), "none");
  EXPECT_EQ(PickText(sc, {{"timestamp_resolution", "MILLISECONDS"}}),
            "inputs=1,2 level=0 reason=time-window");
}

// testDropExpiredSSTables: the expired SSTable alone is dropped.
TEST(TimeWindowPickTest, OnlyExpiredSSTablesGiveAnExpiredTask) {
  const std::string sc = R"(
    now 1451088000000000
    gc_grace 0
    sstable 1 tokens=0..10 ts=1451001601000000..1451001601000000 ldt=1451001602..1451001602
    sstable 2 tokens=20..30 ts=1451001605000000..1451001605000000
  )";
  EXPECT_EQ(PickText(sc), "inputs= expired=1 level=0 reason=expired");
  EXPECT_EQ(Pending(sc), 1);
}

// A memtable's older writes keep an expired SSTable as well.
TEST(TimeWindowPickTest, MemtableOlderWritesKeepExpiredSSTables) {
  EXPECT_EQ(PickText(R"(
    now 1451088000000000
    gc_grace 0
    memtable_min_ts 1451001600000000
    sstable 1 tokens=0..10 ts=1451001601000000..1451001601000000 ldt=1451001602..1451001602
  )"),
            "none");
}

TEST(TimeWindowPickTest, ExpiredSSTablesJoinAWindowTask) {
  EXPECT_EQ(PickText(R"(
    now 1451088000000000
    gc_grace 0
    sstable 1 tokens=0..10 ts=1450742400000000..1450742400000000 ldt=1450742500..1450742500
    sstable 2 tokens=20..30 ts=1450915200000000..1450915200000000
    sstable 3 tokens=20..30 ts=1450915201000000..1450915201000000
    sstable 4 tokens=20..30 ts=1451001602000000..1451001602000000
  )"),
            "inputs=2,3 expired=1 level=0 reason=time-window");
}

TEST(TimeWindowPickTest, ExpiredSSTablesDoNotCountTowardTheirWindow) {
  // Window D−1 day holds two SSTables, but one is fully expired: only the drop happens.
  EXPECT_EQ(PickText(R"(
    now 1451088000000000
    gc_grace 0
    sstable 1 tokens=0..10 ts=1450915200000000..1450915200000000 ldt=1450915300..1450915300
    sstable 2 tokens=20..30 ts=1450915201000000..1450915201000000
    sstable 3 tokens=20..30 ts=1451001601000000..1451001601000000
  )"),
            "inputs= expired=1 level=0 reason=expired");
}

// testDropOverlappingExpiredSSTables: an older SSTable with live data overlapping the
// expired one blocks the drop, unless unsafe_aggressive_sstable_expiration.
TEST(TimeWindowPickTest, OverlappingOlderDataBlocksExpiryUnlessUnsafe) {
  const std::string sc = R"(
    now 1451088000000000
    gc_grace 0
    sstable 1 tokens=0..10 ts=1451001601000000..1451001601000000 ldt=1451001602..1451001602
    sstable 2 tokens=5..20 ts=1451001600000000..1451001602000000
  )";
  EXPECT_EQ(PickText(sc), "none");
  EXPECT_EQ(Pending(sc), 0);
  EXPECT_EQ(PickText(sc, {{"unsafe_aggressive_sstable_expiration", "true"}}),
            "inputs= expired=1 level=0 reason=expired");
}

TEST(TimeWindowPickTest, TombstoneCompactionsOnlyWhenATombstoneOptionIsSet) {
  // Two SSTables, alone in their windows, half droppable tombstones, written long ago.
  const std::string sc = R"(
    now 1451088000000000
    gc_grace 0
    sstable 1 size=2MiB tokens=0..10 ts=1450828800000000..1450828800000000 ldt=1450000000..never cells=100 drop=1450000000:50
    sstable 2 size=1MiB tokens=20..30 ts=1451001601000000..1451001601000000 ldt=1450000000..never cells=100 drop=1450000000:50
  )";
  EXPECT_EQ(PickText(sc), "none");
  EXPECT_EQ(Pending(sc), 0);
  EXPECT_EQ(PickText(sc, {{"unchecked_tombstone_compaction", "false"}}), "none");
  // Smallest qualifying SSTable first.
  EXPECT_EQ(PickText(sc, {{"tombstone_threshold", "0.2"}}), "inputs=2 level=0 reason=tombstone");
  EXPECT_EQ(Pending(sc, {{"tombstone_threshold", "0.2"}}), 1);
  EXPECT_EQ(PickText(sc, {{"tombstone_compaction_interval", "3600"}}),
            "inputs=2 level=0 reason=tombstone");
  // Above the ratio: nothing.
  EXPECT_EQ(PickText(sc, {{"tombstone_threshold", "0.6"}}), "none");
}

TEST(TimeWindowPickTest, DisabledTablePicksNothing) {
  EXPECT_EQ(PickText(R"(
    sstable 1 ts=1450915200000000..1450915200000000
    sstable 2 ts=1450915200000000..1450915200000000
    sstable 3 ts=1451001601000000..1451001601000000
  )",
                     {{"enabled", "false"}}),
            "none");
}

// testPrepBucket, overfilled: 40 SSTables in the newest window, trimmed to 32; one task
// per eligible window plus one for the SSTables trimmed off.
TEST(TimeWindowPickTest, OverfullNewestWindowTrimsAndEstimates) {
  std::string sc;
  for (int i = 1; i <= 40; ++i) {
    sc += "sstable " + std::to_string(i) + " ts=1451001601000000..1451001601000000\n";
  }
  sc += R"(
    sstable 41 ts=1450915200000000..1450915200000000
    sstable 42 ts=1450915200000000..1450915200000000
    sstable 43 ts=1450828800000000..1450828800000000
    sstable 44 ts=1450828800000000..1450828800000000
  )";
  Scenario scenario;
  ParseScenario(sc, &scenario);
  auto strategy = Twcs();
  std::optional<CompactionTask> task = strategy->Pick(scenario.view);
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->reason, CompactionReason::kTiered);
  EXPECT_EQ(task->inputs.size(), 32u);
  EXPECT_EQ(strategy->PendingTasks(scenario.view), 3 + 1);
}

// ---- major compaction ----

TEST(TimeWindowMajorTest, OneTaskPerWindow) {
  Scenario sc;
  ParseScenario(R"(
    now 1451088000000000
    gc_grace 0
    sstable 1 tokens=0..10 ts=1450828801000000..1450828801000000
    sstable 2 tokens=0..10 ts=1450915200000000..1450915200000000
    sstable 3 tokens=40..50 ts=1450828800000000..1450828800000000 ldt=1450828900..1450828900
    sstable 4 tokens=0..10 ts=1451001601000000..1451001601000000
    sstable 5 tokens=0..10 ts=1451001602000000..1451001602000000
    sstable 6 tokens=0..10 ts=1451001603000000..1451001603000000
    compacting 6
  )",
                &sc);
  std::vector<CompactionTask> tasks = Twcs()->MajorTasks(sc.view);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(FormatTask(tasks[0]), "inputs=1 expired=3 level=0 reason=major");
  EXPECT_EQ(FormatTask(tasks[1]), "inputs=2 level=0 reason=major");
  EXPECT_EQ(FormatTask(tasks[2]), "inputs=4,5 level=0 reason=major");
}

TEST(TimeWindowMajorTest, NothingAvailableNoTasks) {
  Scenario sc;
  ParseScenario("sstable 1\ncompacting 1", &sc);
  EXPECT_TRUE(Twcs()->MajorTasks(sc.view).empty());
}

// ---- options ----

TEST(TimeWindowOptionsTest, DefaultsAreCassandras) {
  CompactionOptions eff = Twcs()->EffectiveOptions();
  EXPECT_EQ(eff.at("compaction_window_unit"), "DAYS");
  EXPECT_EQ(eff.at("compaction_window_size"), "1");
  EXPECT_EQ(eff.at("timestamp_resolution"), "MICROSECONDS");
  EXPECT_EQ(eff.at("expired_sstable_check_frequency_seconds"), "600");
  EXPECT_EQ(eff.at("unsafe_aggressive_sstable_expiration"), "false");
  EXPECT_EQ(eff.at("min_threshold"), "4");
  EXPECT_TRUE(eff.contains("bucket_low"));
  EXPECT_EQ(Twcs()->name(), "TimeWindowCompactionStrategy");
}

TEST(TimeWindowOptionsTest, AcceptsCassandrasValidOptions) {
  // testOptionsValidation's accepted set, every resolution, and the STCS options.
  for (const char* resolution : {"SECONDS", "MILLISECONDS", "MICROSECONDS", "NANOSECONDS"}) {
    EXPECT_TRUE(CreateStatus({{"timestamp_resolution", resolution}}).ok()) << resolution;
  }
  auto s =
      CompactionStrategy::Create("org.apache.cassandra.db.compaction.TimeWindowCompactionStrategy",
                                 {{"compaction_window_size", "30"},
                                  {"compaction_window_unit", "minutes"},
                                  {"expired_sstable_check_frequency_seconds", "0"},
                                  {"unsafe_aggressive_sstable_expiration", "true"},
                                  {"bucket_low", "0.3"},
                                  {"min_sstable_size", "1048576"}});
  ASSERT_TRUE(s.ok()) << s.status();
  CompactionOptions eff = (*s)->EffectiveOptions();
  EXPECT_EQ(eff.at("compaction_window_unit"), "MINUTES");
  EXPECT_EQ(eff.at("compaction_window_size"), "30");
  EXPECT_EQ(eff.at("expired_sstable_check_frequency_seconds"), "0");
  EXPECT_EQ(eff.at("unsafe_aggressive_sstable_expiration"), "true");
}

void ExpectRejected(const CompactionOptions& options, const std::string& option) {
  absl::Status s = CreateStatus(options);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << option;
  EXPECT_THAT(std::string(s.message()), HasSubstr(option));
}

TEST(TimeWindowOptionsTest, RejectsBadValuesNamingTheOption) {
  ExpectRejected({{"compaction_window_unit", "WEEKS"}}, "compaction_window_unit");
  ExpectRejected({{"compaction_window_unit", "MONTHS"}}, "compaction_window_unit");
  ExpectRejected({{"compaction_window_unit", "SECONDS"}}, "compaction_window_unit");
  ExpectRejected({{"compaction_window_size", "0"}}, "compaction_window_size");
  ExpectRejected({{"compaction_window_size", "-1337"}}, "compaction_window_size");
  ExpectRejected({{"compaction_window_size", "2147483648"}}, "compaction_window_size");
  ExpectRejected({{"compaction_window_size", "one"}}, "compaction_window_size");
  ExpectRejected({{"timestamp_resolution", "HOURS"}}, "timestamp_resolution");
  ExpectRejected({{"expired_sstable_check_frequency_seconds", "-1"}},
                 "expired_sstable_check_frequency_seconds");
  ExpectRejected({{"unsafe_aggressive_sstable_expiration", "not-a-boolean"}},
                 "unsafe_aggressive_sstable_expiration");
  ExpectRejected({{"bad_option", "1.0"}}, "bad_option");
  ExpectRejected({{"sstable_size_in_mb", "160"}}, "sstable_size_in_mb");
  ExpectRejected({{"min_threshold", "1"}}, "min_threshold");
}

TEST(TimeWindowOptionsTest, ErrorNamesTheValue) {
  absl::Status s = CreateStatus({{"compaction_window_unit", "WEEKS"}});
  EXPECT_THAT(std::string(s.message()), HasSubstr("WEEKS"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("MINUTES, HOURS, DAYS"));
}

}  // namespace
}  // namespace cassette

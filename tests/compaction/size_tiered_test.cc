// STCS (§8): Cassandra's bucketing oracles, the picker from text scenarios, and the
// option validation shared by every strategy (CommonOptions*).

#include "compaction/size_tiered.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "compaction/common_options.h"
#include "compaction/picker_text.h"
#include "compaction/strategy.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

using picker_text::FormatTask;
using picker_text::ParseScenario;
using picker_text::Scenario;

// SSTables 1..n with the given sizes in bytes.
std::vector<SSTableInfo> WithSizes(const std::vector<uint64_t>& sizes) {
  std::vector<SSTableInfo> out;
  for (size_t i = 0; i < sizes.size(); ++i) {
    SSTableInfo s;
    s.file_number = i + 1;
    s.bytes = sizes[i];
    out.push_back(s);
  }
  return out;
}

std::vector<const SSTableInfo*> Pointers(const std::vector<SSTableInfo>& v) {
  std::vector<const SSTableInfo*> out;
  for (const SSTableInfo& s : v) out.push_back(&s);
  return out;
}

// Each bucket as its members' sizes, e.g. "1,1 4,4 8,8".
std::string Describe(const std::vector<std::vector<const SSTableInfo*>>& buckets) {
  std::string out;
  for (const auto& b : buckets) {
    if (!out.empty()) out += " ";
    for (size_t i = 0; i < b.size(); ++i) absl::StrAppend(&out, i ? "," : "", b[i]->bytes);
  }
  return out;
}

SizeTieredOptions BucketOpts(uint64_t min_sstable_size) {
  SizeTieredOptions o;
  o.min_sstable_size = min_sstable_size;
  return o;
}

// Cassandra's SizeTieredCompactionStrategyTest.testGetBuckets.
TEST(SizeTieredBucketsTest, CassandraOracles) {
  auto a = WithSizes({1, 4, 8, 8, 4, 1});
  EXPECT_EQ(Describe(SizeTieredBuckets(Pointers(a), BucketOpts(2))), "1,1 4,4 8,8");
  auto b = WithSizes({3, 8, 3, 8, 8, 3});
  auto buckets = SizeTieredBuckets(Pointers(b), BucketOpts(2));
  EXPECT_EQ(Describe(buckets), "3,3,3 8,8,8");
  // With min_threshold 10 no bucket is interesting.
  EXPECT_TRUE(MostInterestingBucket(buckets, 10, 32).empty());
  // The "min" case: everything below min_sstable_size 10 shares one bucket.
  EXPECT_EQ(Describe(SizeTieredBuckets(Pointers(b), BucketOpts(10))), "3,3,3,8,8,8");
}

TEST(SizeTieredBucketsTest, SmallSSTablesShareABucket) {
  const uint64_t mib = 1 << 20;
  auto v = WithSizes({1 * mib, 10 * mib, 40 * mib, 60 * mib, 200 * mib});
  EXPECT_EQ(Describe(SizeTieredBuckets(Pointers(v), SizeTieredOptions{})),
            absl::StrCat(mib, ",", 10 * mib, ",", 40 * mib, " ", 60 * mib, " ", 200 * mib));
}

TEST(SizeTieredBucketsTest, BoundsAreStrictAndAverageIsRecomputed) {
  EXPECT_EQ(Describe(SizeTieredBuckets(Pointers(WithSizes({10, 15})), BucketOpts(0))), "10 15");
  EXPECT_EQ(Describe(SizeTieredBuckets(Pointers(WithSizes({10, 5})), BucketOpts(0))), "5 10");
  // 17 joins only because 10 and 14 averaged to 12 (17 < 18); against 10 alone it would not.
  EXPECT_EQ(Describe(SizeTieredBuckets(Pointers(WithSizes({17, 10, 14})), BucketOpts(0))),
            "10,14,17");
  EXPECT_TRUE(SizeTieredBuckets({}, BucketOpts(0)).empty());
}

TEST(SizeTieredBucketsTest, MostInterestingTrimsToMaxAndPrefersSmallAverage) {
  auto v = WithSizes({100, 101, 102, 103, 10, 11, 12, 13, 14, 15});
  auto buckets = SizeTieredBuckets(Pointers(v), BucketOpts(0));
  ASSERT_EQ(buckets.size(), 2u);
  // The 10..15 bucket wins (smaller average), trimmed to its 4 smallest.
  EXPECT_EQ(Describe({MostInterestingBucket(buckets, 4, 4)}), "10,11,12,13");
  // Below min_threshold the small bucket does not qualify: the large one is left.
  EXPECT_EQ(Describe({MostInterestingBucket(buckets, 5, 32)}), "10,11,12,13,14,15");
  EXPECT_TRUE(MostInterestingBucket(buckets, 7, 32).empty());
}

TEST(SizeTieredBucketsTest, EqualAverageTieGoesToMoreMembers) {
  auto v = WithSizes({10, 10, 10, 10, 10, 10});
  std::vector<std::vector<const SSTableInfo*>> buckets = {{&v[0], &v[1]},
                                                          {&v[2], &v[3], &v[4], &v[5]}};
  EXPECT_EQ(MostInterestingBucket(buckets, 2, 32).size(), 4u);
}

TEST(SizeTieredOptionsTest, ParsesAndValidates) {
  auto ok = ParseSizeTieredOptions(
      {{"min_sstable_size", "1000"}, {"bucket_low", "0.25"}, {"bucket_high", "2"}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->min_sstable_size, 1000u);
  EXPECT_DOUBLE_EQ(ok->bucket_low, 0.25);
  EXPECT_DOUBLE_EQ(ok->bucket_high, 2.0);
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"min_sstable_size", "-1"},
                                                        {"min_sstable_size", "10MiB"},
                                                        {"bucket_low", "x"},
                                                        {"bucket_high", "nan"}}) {
    auto s = ParseSizeTieredOptions({{key, value}});
    ASSERT_FALSE(s.ok()) << key << "=" << value;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(key), absl::string_view::npos) << s.status();
    EXPECT_NE(s.status().message().find(value), absl::string_view::npos) << s.status();
  }
  // Cassandra's testOptionsValidation: bucket_low above bucket_high is rejected.
  auto inverted = ParseSizeTieredOptions({{"bucket_low", "1000.0"}});
  ASSERT_FALSE(inverted.ok());
  EXPECT_NE(inverted.status().message().find("bucket_high"), absl::string_view::npos);
  EXPECT_NE(inverted.status().message().find("bucket_low"), absl::string_view::npos);
}

std::unique_ptr<CompactionStrategy> Stcs(const CompactionOptions& options = {}) {
  auto s = CompactionStrategy::Create("SizeTieredCompactionStrategy", options);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

std::string Pick(const std::string& text, const CompactionOptions& options = {}) {
  Scenario sc;
  ParseScenario(text, &sc);
  return FormatTask(Stcs(options)->Pick(sc.view));
}

constexpr char kFourSimilar[] = R"(
  sstable 1 size=10MiB tokens=0..10
  sstable 2 size=11MiB tokens=0..10
  sstable 3 size=12MiB tokens=0..10
  sstable 4 size=13MiB tokens=0..10
)";

TEST(SizeTieredStrategyTest, PicksABucketAtMinThreshold) {
  Scenario sc;
  ParseScenario(kFourSimilar, &sc);
  auto task = Stcs()->Pick(sc.view);
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(FormatTask(task), "inputs=1,2,3,4 level=0 reason=tiered");
  EXPECT_EQ(task->description, "bucket of 4 SSTables, avg 11.5 MiB");
  EXPECT_EQ(task->max_output_bytes, 0u);
  EXPECT_EQ(Pick(kFourSimilar, {{"min_threshold", "5"}, {"max_threshold", "32"}}), "none");
  EXPECT_EQ(Pick(""), "none");
}

TEST(SizeTieredStrategyTest, CompactingSSTablesAreExcluded) {
  EXPECT_EQ(Pick(absl::StrCat(kFourSimilar, "compacting 2")), "none");
  EXPECT_EQ(Pick(absl::StrCat(kFourSimilar, "sstable 5 size=10MiB\ncompacting 2")),
            "inputs=1,3,4,5 level=0 reason=tiered");
}

TEST(SizeTieredStrategyTest, TrimsToMaxThresholdKeepingSmallest) {
  EXPECT_EQ(Pick(absl::StrCat(kFourSimilar, "sstable 5 size=9MiB\nsstable 6 size=14MiB"),
                 {{"max_threshold", "4"}}),
            "inputs=1,2,3,5 level=0 reason=tiered");
}

TEST(SizeTieredStrategyTest, PrefersTheBucketWithSmallerAverage) {
  EXPECT_EQ(Pick(R"(
    sstable 1 size=200MiB
    sstable 2 size=200MiB
    sstable 3 size=200MiB
    sstable 4 size=200MiB
    sstable 5 size=60MiB
    sstable 6 size=60MiB
    sstable 7 size=60MiB
    sstable 8 size=60MiB
  )"),
            "inputs=5,6,7,8 level=0 reason=tiered");
}

TEST(SizeTieredStrategyTest, DisabledPicksNothing) {
  EXPECT_EQ(Pick(kFourSimilar, {{"enabled", "false"}}), "none");
}

// now = 1,000,000 s, gc_grace 0: gc_before = 1,000,000 and the default interval
// (86,400 s) has passed for SSTables created at 0.
constexpr char kClock[] = "now 1000000000000\ngc_grace 0\n";

TEST(SizeTieredStrategyTest, FullyExpiredSSTablesComeFirstAsTheirOwnTask) {
  const std::string text = absl::StrCat(kClock, kFourSimilar,
                                        "sstable 5 size=60MiB tokens=100..200 ts=5..6 ldt=10..20\n"
                                        "sstable 6 size=60MiB tokens=0..5 ts=5..6 ldt=10..20\n");
  Scenario sc;
  ParseScenario(text, &sc);
  auto task = Stcs()->Pick(sc.view);
  // 6 overlaps 1..4, whose live data is older (ts 0): it must stay. 5 overlaps nothing
  // live and goes, though 1..4 are older: STCS judges each SSTable on its own overlaps.
  EXPECT_EQ(FormatTask(task), "inputs= expired=5 level=0 reason=expired");
  EXPECT_EQ(Pick(absl::StrCat(text, "compacting 5")), "inputs=1,2,3,4 level=0 reason=tiered");
  EXPECT_EQ(Pick(absl::StrCat(text, "memtable_min_ts 1")), "inputs=1,2,3,4 level=0 reason=tiered");
}

// Three SSTables too different in size to bucket; 2 and 3 have droppable tombstones.
constexpr char kTombstones[] = R"(
  sstable 1 size=100MiB tokens=0..99 ldt=500..never cells=100
  sstable 2 size=10MiB tokens=100..199 ldt=500..never cells=100 drop=500:50
  sstable 3 size=20MiB tokens=200..299 ldt=500..never cells=100 drop=500:50
)";

TEST(SizeTieredStrategyTest, TombstoneCompactionPicksTheLargestQualifying) {
  EXPECT_EQ(Pick(absl::StrCat(kClock, kTombstones)), "inputs=3 level=0 reason=tombstone");
  EXPECT_EQ(Pick(absl::StrCat(kClock, kTombstones, "compacting 3")),
            "inputs=2 level=0 reason=tombstone");
  EXPECT_EQ(Pick(absl::StrCat(kClock, kTombstones), {{"tombstone_threshold", "0.5"}}), "none");
}

TEST(SizeTieredStrategyTest, TombstoneCompactionWaitsForTheInterval) {
  EXPECT_EQ(Pick(absl::StrCat(kClock, kTombstones), {{"tombstone_compaction_interval", "999999"}}),
            "inputs=3 level=0 reason=tombstone");
  EXPECT_EQ(Pick(absl::StrCat(kClock, kTombstones), {{"tombstone_compaction_interval", "1000001"}}),
            "none");
}

TEST(SizeTieredStrategyTest, OverlappedTombstonesNeedUnchecked) {
  const std::string text = absl::StrCat(kClock, R"(
    sstable 1 size=100MiB tokens=0..99 ldt=500..never cells=100
    sstable 2 size=10MiB tokens=0..99 ldt=500..never cells=100 drop=500:50
  )");
  EXPECT_EQ(Pick(text), "none");
  EXPECT_EQ(Pick(text, {{"unchecked_tombstone_compaction", "true"}}),
            "inputs=2 level=0 reason=tombstone");
}

TEST(SizeTieredStrategyTest, MajorTaskTakesEveryAvailableSSTable) {
  Scenario sc;
  ParseScenario(absl::StrCat(kClock, kFourSimilar, R"(
    sstable 5 tokens=100..200 ts=5..6 ldt=10..20
    compacting 2
  )"),
                &sc);
  auto major = Stcs()->MajorTasks(sc.view);
  ASSERT_EQ(major.size(), 1u);
  EXPECT_EQ(FormatTask(major[0]), "inputs=1,3,4 expired=5 level=0 reason=major");

  Scenario one;
  ParseScenario("sstable 9", &one);
  major = Stcs()->MajorTasks(one.view);
  ASSERT_EQ(major.size(), 1u);
  EXPECT_EQ(FormatTask(major[0]), "inputs=9 level=0 reason=major");

  Scenario none;
  ParseScenario("", &none);
  EXPECT_TRUE(Stcs()->MajorTasks(none.view).empty());
}

TEST(SizeTieredStrategyTest, PendingTasksFollowsCassandrasEstimate) {
  std::string text;
  for (int i = 1; i <= 40; ++i) absl::StrAppend(&text, "sstable ", i, " size=100MiB\n");
  for (int i = 41; i <= 43; ++i) absl::StrAppend(&text, "sstable ", i, " size=1GiB\n");
  Scenario sc;
  ParseScenario(text, &sc);
  // ceil(40 / 32) for the 100 MiB bucket; the 1 GiB bucket is below min_threshold.
  EXPECT_EQ(Stcs()->PendingTasks(sc.view), 2);
  EXPECT_EQ(Stcs({{"max_threshold", "10"}})->PendingTasks(sc.view), 4);
  EXPECT_EQ(Stcs({{"min_threshold", "2"}})->PendingTasks(sc.view), 3);

  Scenario expired;
  ParseScenario(absl::StrCat(kClock, "sstable 1 ldt=1..2"), &expired);
  EXPECT_EQ(Stcs()->PendingTasks(expired.view), 1);
}

TEST(SizeTieredStrategyTest, EffectiveOptionsFillDefaults) {
  auto s = Stcs({{"min_threshold", "6"}, {"class", "SizeTieredCompactionStrategy"}});
  EXPECT_EQ(s->name(), "SizeTieredCompactionStrategy");
  const CompactionOptions expected = {
      {"bucket_high", "1.5"},
      {"bucket_low", "0.5"},
      {"enabled", "true"},
      {"log_all", "false"},
      {"max_threshold", "32"},
      {"min_sstable_size", "52428800"},
      {"min_threshold", "6"},
      {"only_purge_repaired_tombstones", "false"},
      {"tombstone_compaction_interval", "86400"},
      {"tombstone_threshold", "0.2"},
      {"unchecked_tombstone_compaction", "false"},
  };
  EXPECT_EQ(s->EffectiveOptions(), expected);
  EXPECT_TRUE(CompactionStrategy::Create(
                  "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy", {})
                  .ok());
}

// Create must fail with InvalidArgument whose message names every fragment given.
void ExpectRejected(const CompactionOptions& options, const std::vector<std::string>& fragments) {
  auto s = CompactionStrategy::Create("SizeTieredCompactionStrategy", options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  for (const std::string& f : fragments) {
    EXPECT_NE(s.status().message().find(f), absl::string_view::npos)
        << "'" << f << "' missing from: " << s.status().message();
  }
}

TEST(SizeTieredStrategyTest, RejectsBadAndUnknownOptions) {
  ExpectRejected({{"foo", "1"}}, {"'foo'", "SizeTieredCompactionStrategy"});
  ExpectRejected({{"bucket_low", "2"}}, {"bucket_high", "bucket_low"});
  ExpectRejected({{"min_sstable_size", "-1"}}, {"min_sstable_size", "-1"});
  ExpectRejected({{"min_threshold", "1"}}, {"min_threshold", "'1'"});
}

TEST(CommonOptionsTest, Defaults) {
  auto o = ParseCommonOptions({});
  ASSERT_TRUE(o.ok());
  EXPECT_DOUBLE_EQ(o->tombstone_threshold, 0.2);
  EXPECT_EQ(o->tombstone_compaction_interval, 86400);
  EXPECT_FALSE(o->unchecked_tombstone_compaction);
  EXPECT_FALSE(o->only_purge_repaired_tombstones);
  EXPECT_EQ(o->min_threshold, 4);
  EXPECT_EQ(o->max_threshold, 32);
  EXPECT_TRUE(o->enabled);
  EXPECT_FALSE(o->log_all);
}

TEST(CommonOptionsTest, ParsesEveryOption) {
  auto o = ParseCommonOptions({{"tombstone_threshold", "0"},
                               {"tombstone_compaction_interval", "0"},
                               {"unchecked_tombstone_compaction", "TRUE"},
                               {"only_purge_repaired_tombstones", "True"},
                               {"min_threshold", "2"},
                               {"max_threshold", "2"},
                               {"enabled", "FALSE"},
                               {"log_all", "true"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_DOUBLE_EQ(o->tombstone_threshold, 0.0);
  EXPECT_EQ(o->tombstone_compaction_interval, 0);
  EXPECT_TRUE(o->unchecked_tombstone_compaction);
  EXPECT_TRUE(o->only_purge_repaired_tombstones);
  EXPECT_EQ(o->min_threshold, 2);
  EXPECT_EQ(o->max_threshold, 2);
  EXPECT_FALSE(o->enabled);
  EXPECT_TRUE(o->log_all);
  CompactionOptions round_trip;
  o->AppendTo(&round_trip);
  EXPECT_EQ(round_trip.at("unchecked_tombstone_compaction"), "true");
  EXPECT_EQ(round_trip.at("enabled"), "false");
  auto again = ParseCommonOptions(round_trip);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->max_threshold, 2);
}

TEST(CommonOptionsTest, ErrorsNameTheOptionAndValue) {
  const std::vector<std::pair<CompactionOptions, std::string>> cases = {
      {{{"tombstone_threshold", "-0.1"}}, "tombstone_threshold"},
      {{{"tombstone_threshold", "abc"}}, "tombstone_threshold"},
      {{{"tombstone_compaction_interval", "-5"}}, "tombstone_compaction_interval"},
      {{{"tombstone_compaction_interval", "1.5"}}, "tombstone_compaction_interval"},
      {{{"unchecked_tombstone_compaction", "yes"}}, "unchecked_tombstone_compaction"},
      {{{"only_purge_repaired_tombstones", "1"}}, "only_purge_repaired_tombstones"},
      {{{"enabled", "maybe"}}, "enabled"},
      {{{"log_all", ""}}, "log_all"},
      {{{"min_threshold", "1"}}, "min_threshold"},
      {{{"min_threshold", "x"}}, "min_threshold"},
      {{{"min_threshold", "99999999999"}}, "min_threshold"},
      {{{"max_threshold", "3"}}, "max_threshold"},
      {{{"min_threshold", "8"}, {"max_threshold", "6"}}, "max_threshold"},
  };
  for (const auto& [options, key] : cases) {
    auto o = ParseCommonOptions(options);
    ASSERT_FALSE(o.ok()) << key;
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(o.status().message().find(key), absl::string_view::npos) << o.status();
    const std::string value = absl::StrCat("'", options.at(key), "'");
    EXPECT_NE(o.status().message().find(value), absl::string_view::npos) << o.status();
  }
}

TEST(CommonOptionsTest, ZeroThresholdPointsAtEnabled) {
  for (const char* key : {"min_threshold", "max_threshold"}) {
    auto o = ParseCommonOptions({{key, "0"}});
    ASSERT_FALSE(o.ok());
    EXPECT_NE(o.status().message().find(key), absl::string_view::npos) << o.status();
    EXPECT_NE(o.status().message().find("'enabled'"), absl::string_view::npos) << o.status();
  }
}

TEST(CommonOptionsTest, RejectUnknownOptions) {
  EXPECT_TRUE(
      RejectUnknownOptions({{"min_threshold", "4"}, {"class", "X"}, {"mine", "1"}}, "S", {"mine"})
          .ok());
  absl::Status s =
      RejectUnknownOptions({{"a_bad", "1"}, {"z_bad", "1"}}, "LeveledCompactionStrategy", {});
  EXPECT_EQ(s.message(), "unknown compaction option 'a_bad' for LeveledCompactionStrategy");
}

TEST(CommonOptionsTest, TypedReaders) {
  const CompactionOptions options = {{"i", "42"}, {"d", "2.5"}, {"b", "False"}};
  int64_t i = 7;
  double d = 1;
  bool b = true;
  ASSERT_TRUE(ReadInt(options, "i", &i).ok());
  ASSERT_TRUE(ReadDouble(options, "d", &d).ok());
  ASSERT_TRUE(ReadBool(options, "b", &b).ok());
  EXPECT_EQ(i, 42);
  EXPECT_DOUBLE_EQ(d, 2.5);
  EXPECT_FALSE(b);
  int64_t untouched = 7;
  ASSERT_TRUE(ReadInt(options, "missing", &untouched).ok());
  EXPECT_EQ(untouched, 7);
  EXPECT_FALSE(ReadInt(options, "d", &i).ok());
  EXPECT_FALSE(ReadDouble({{"d", "inf"}}, "d", &d).ok());
  EXPECT_EQ(OptionRangeError("fanout_size", "an integer >= 2", "1").message(),
            "fanout_size must be an integer >= 2, got '1'");
}

}  // namespace
}  // namespace cassette

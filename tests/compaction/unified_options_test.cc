// UCS option parsing and the sizing rules (scaling parameters, sizes, shard counts,
// density), checked against Cassandra 5.0's ControllerTest where it has oracles.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "compaction/strategy.h"
#include "compaction/unified.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

std::vector<int> Ws(const std::string& text) {
  absl::StatusOr<std::vector<int>> ws = ParseScalingParameters(text);
  EXPECT_TRUE(ws.ok()) << text << ": " << ws.status();
  return ws.ok() ? *ws : std::vector<int>{};
}

UnifiedOptions Options(const CompactionOptions& map) {
  absl::StatusOr<UnifiedOptions> o = ParseUnifiedOptions(map);
  EXPECT_TRUE(o.ok()) << o.status();
  return o.ok() ? *o : UnifiedOptions{};
}

// The error Create gives for `map`, or "" if it succeeds.
std::string CreateError(const CompactionOptions& map) {
  auto s = CompactionStrategy::Create("UnifiedCompactionStrategy", map);
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

// ControllerTest.testScalingParameterConversion.
TEST(UnifiedOptionsTest, ScalingParameterConversionMatchesCassandra) {
  EXPECT_EQ(Ws("T4"), (std::vector<int>{2}));
  EXPECT_EQ(Ws("L4"), (std::vector<int>{-2}));
  EXPECT_EQ(Ws("N"), (std::vector<int>{0}));
  EXPECT_EQ(Ws("L2, T2, N"), (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(Ws("T10, T8, T4, N, L4, L6"), (std::vector<int>{8, 6, 2, 0, -2, -4}));
  EXPECT_EQ(Ws("T10000, T1000, T100, T10, T2, L10, L100, L1000, L10000"),
            (std::vector<int>{9998, 998, 98, 8, 0, -8, -98, -998, -9998}));
  EXPECT_EQ(Ws("-50 ,  T5  ,  3 ,  N  ,  L7 ,  +5 , -12  ,T9,L4,6,-7,+0,-0"),
            (std::vector<int>{-50, 3, 3, 0, -5, 5, -12, 7, -2, 6, -7, 0, 0}));
  for (int w : {8, 6, 2, 0, -2, -4, 9998, -9998}) {
    EXPECT_EQ(Ws(PrintScalingParameter(w)), (std::vector<int>{w})) << w;
  }
  EXPECT_EQ(PrintScalingParameter(2), "T4");
  EXPECT_EQ(PrintScalingParameter(-8), "L10");
  EXPECT_EQ(PrintScalingParameter(0), "N");
}

TEST(UnifiedOptionsTest, ScalingParameterErrorsMatchCassandra) {
  for (const char* bad : {"Q6", "L4,,T5", "L1", "T1", "L0", "T0", "T-5", "T+5", "L-5", "L+5", "N3",
                          "7T", "T,5", "L,5", "", "T99999999999"}) {
    EXPECT_FALSE(ParseScalingParameters(bad).ok()) << bad;
    std::string error = CreateError({{"scaling_parameters", bad}});
    EXPECT_NE(error.find("scaling_parameters"), std::string::npos) << bad << ": " << error;
  }
}

TEST(UnifiedOptionsTest, FanoutAndThreshold) {
  struct Case {
    const char* text;
    int w, fanout, threshold;
  };
  for (const Case& c :
       {Case{"T4", 2, 4, 4}, Case{"L10", -8, 10, 2}, Case{"N", 0, 2, 2}, Case{"T2", 0, 2, 2},
        Case{"L2", 0, 2, 2}, Case{"3", 3, 5, 5}, Case{"-3", -3, 5, 2}}) {
    ASSERT_EQ(Ws(c.text), (std::vector<int>{c.w})) << c.text;
    EXPECT_EQ(FanoutFromScalingParameter(c.w), c.fanout) << c.text;
    EXPECT_EQ(ThresholdFromScalingParameter(c.w), c.threshold) << c.text;
  }
  // ControllerTest.testFromOptions: one W per level, the last repeats.
  UnifiedOptions o = Options({{"scaling_parameters", "T32, T4, N, L8"}});
  EXPECT_EQ(o.ScalingParameter(0), 30);
  EXPECT_EQ(o.ScalingParameter(1), 2);
  EXPECT_EQ(o.ScalingParameter(2), 0);
  EXPECT_EQ(o.ScalingParameter(3), -6);
  EXPECT_EQ(o.ScalingParameter(4), -6);
  EXPECT_EQ(o.Fanout(3), 8);
  EXPECT_EQ(o.Threshold(3), 2);
  EXPECT_EQ(o.Threshold(0), 32);
}

TEST(UnifiedOptionsTest, DefaultsAreCassandra50) {
  auto s = CompactionStrategy::Create(
      "org.apache.cassandra.db.compaction.UnifiedCompactionStrategy", {});
  ASSERT_TRUE(s.ok()) << s.status();
  CompactionOptions eff = (*s)->EffectiveOptions();
  EXPECT_EQ((*s)->name(), "UnifiedCompactionStrategy");
  EXPECT_EQ(eff.at("scaling_parameters"), "T4");
  EXPECT_EQ(eff.at("target_sstable_size"), "1GiB");
  EXPECT_EQ(eff.at("base_shard_count"), "4");
  EXPECT_EQ(eff.at("min_sstable_size"), "100MiB");
  EXPECT_EQ(eff.at("sstable_growth"), "0.333");
  EXPECT_EQ(eff.at("max_sstables_to_compact"), "0");
  EXPECT_EQ(eff.at("expired_sstable_check_frequency_seconds"), "600");
  EXPECT_EQ(eff.at("unsafe_aggressive_sstable_expiration"), "false");
  EXPECT_EQ(eff.at("overlap_inclusion_method"), "transitive");
  EXPECT_EQ(eff.at("tombstone_threshold"), "0.2");
  EXPECT_FALSE(eff.contains("flush_size_override"));
  // The effective options are valid input again.
  EXPECT_EQ(CreateError(eff), "");
  auto small =
      CompactionStrategy::Create("UnifiedCompactionStrategy", {{"min_sstable_size", "512kiB"},
                                                               {"target_sstable_size", "3000000B"},
                                                               {"flush_size_override", "2MiB"}});
  ASSERT_TRUE(small.ok()) << small.status();
  eff = (*small)->EffectiveOptions();
  EXPECT_EQ(eff.at("min_sstable_size"), "512kiB");
  EXPECT_EQ(eff.at("target_sstable_size"), "3000000B");
  EXPECT_EQ(eff.at("flush_size_override"), "2MiB");
  EXPECT_EQ(CreateError(eff), "");
  EXPECT_EQ(UnifiedOptions{}.MaxSSTablesToCompact(), std::numeric_limits<int>::max());
  EXPECT_EQ(Options({{"max_sstables_to_compact", "100"}}).MaxSSTablesToCompact(), 100);
  EXPECT_EQ(Options({{"max_sstables_to_compact", "-1"}}).MaxSSTablesToCompact(),
            std::numeric_limits<int>::max());
}

TEST(UnifiedOptionsTest, HumanReadableBytes) {
  struct Case {
    const char* text;
    int64_t bytes;
  };
  for (const Case& c :
       {Case{"1GiB", int64_t{1} << 30}, Case{"100MiB", 100 << 20}, Case{"1GB", 1000000000},
        Case{"0B", 0}, Case{"-1B", -1}, Case{"1 GiB", int64_t{1} << 30}, Case{"1e3B", 1000},
        Case{"1*2^10B", 1024}, Case{"1.5kiB", 1536}, Case{"2kB", 2000},
        Case{"70.710MiB", static_cast<int64_t>(70.710 * (1 << 20))}}) {
    absl::StatusOr<int64_t> v = ParseHumanReadableBytes("x", c.text);
    ASSERT_TRUE(v.ok()) << c.text << ": " << v.status();
    EXPECT_EQ(*v, c.bytes) << c.text;
  }
  for (const char* bad :
       {"1024", "1KiB", "GiB", "1XiB", "1 GiBB", "", "B", "1.GiB", "1e30EiB", "NaNB"}) {
    absl::StatusOr<int64_t> v = ParseHumanReadableBytes("target_sstable_size", bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("target_sstable_size"), std::string::npos);
  }
}

TEST(UnifiedOptionsTest, RejectsBadValuesNamingTheOption) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& c :
       {Case{"base_shard_count", "0"}, Case{"base_shard_count", "x"},
        Case{"target_sstable_size", "512kiB"}, Case{"target_sstable_size", "1G"},
        Case{"flush_size_override", "0MiB"}, Case{"max_sstables_to_compact", "many"},
        Case{"expired_sstable_check_frequency_seconds", "0"},
        Case{"unsafe_aggressive_sstable_expiration", "maybe"}, Case{"min_sstable_size", "-1B"},
        Case{"min_sstable_size", "800MiB"}, Case{"sstable_growth", "1.5"},
        Case{"sstable_growth", "-0.1"}, Case{"sstable_growth", "NaN"},
        Case{"overlap_inclusion_method", "all"}, Case{"tombstone_threshold", "-1"}}) {
    std::string error = CreateError({{c.key, c.value}});
    EXPECT_NE(error.find(c.key), std::string::npos) << c.key << "=" << c.value << ": " << error;
    EXPECT_NE(error.find(c.value), std::string::npos) << error;
  }
  EXPECT_NE(CreateError({{"fanout_size", "10"}}).find("fanout_size"), std::string::npos);
  // Cassandra's UCS ignores the thresholds but accepts them as common options.
  EXPECT_EQ(CreateError({{"min_threshold", "2"}, {"max_threshold", "8"}}), "");
  EXPECT_EQ(CreateError({{"overlap_inclusion_method", "SINGLE"},
                         {"unsafe_aggressive_sstable_expiration", "TRUE"},
                         {"flush_size_override", "16MiB"},
                         {"sstable_growth", "50%"}}),
            "");
  EXPECT_DOUBLE_EQ(Options({{"sstable_growth", "50%"}}).sstable_growth, 0.5);
}

// ControllerTest.testMinSSTableSize: min_sstable_size must stay below target × sqrt(1/2).
TEST(UnifiedOptionsTest, MinSSTableSizeBelowTargetMinimum) {
  EXPECT_EQ(CreateError({{"min_sstable_size", "0B"}}), "");
  int64_t limit = static_cast<int64_t>(std::ceil((int64_t{1} << 30) * std::sqrt(0.5)));
  EXPECT_EQ(CreateError({{"min_sstable_size", std::to_string(limit - 1) + "B"}}), "");
  EXPECT_NE(CreateError({{"min_sstable_size", std::to_string(limit) + "B"}}), "");
  EXPECT_NE(CreateError({{"min_sstable_size", std::to_string(limit + 1) + "B"}}), "");
  limit = static_cast<int64_t>(std::ceil(2 * kMiB * std::sqrt(0.5)));
  EXPECT_NE(CreateError({{"target_sstable_size", "2MiB"},
                         {"min_sstable_size", std::to_string(limit + 1) + "B"}}),
            "");
  // As in Cassandra only a given minimum is checked against the target.
  EXPECT_EQ(CreateError({{"target_sstable_size", "2MiB"}}), "");
}

UnifiedOptions ShardOptions(const char* min, const char* growth, int base = 3) {
  return Options({{"base_shard_count", std::to_string(base)},
                  {"target_sstable_size", "100MiB"},
                  {"min_sstable_size", min},
                  {"sstable_growth", growth}});
}

double Scalb(double v, int e) { return std::ldexp(v, e); }
const int64_t kMaxSplit = int64_t{1} << 20;

// ControllerTest.testGetNumShards*, base 3, target 100 MiB.
TEST(UnifiedShardsTest, GrowthZeroMatchesCassandra) {
  for (const char* min : {"0B", "10MiB"}) {
    UnifiedOptions o = ShardOptions(min, "0.0");
    EXPECT_EQ(ShardCount(o, Scalb(600, 20)), 6);
    EXPECT_EQ(ShardCount(o, Scalb(2400, 20)), 24);
    EXPECT_EQ(ShardCount(o, Scalb(600, 30)), 6 * 1024);
    EXPECT_EQ(ShardCount(o, Scalb(800, 20)), 6);
    EXPECT_EQ(ShardCount(o, Scalb(900, 20)), 12);
    EXPECT_EQ(ShardCount(o, Scalb(800, 30)), 6 * 1024);
    EXPECT_EQ(ShardCount(o, Scalb(900, 30)), 12 * 1024);
    EXPECT_EQ(ShardCount(o, Scalb(200, 20)), 3);
    EXPECT_EQ(ShardCount(o, Scalb(100, 20)), 3);
    EXPECT_EQ(ShardCount(o, Scalb(600, 40)), 3 * kMaxSplit);
    EXPECT_EQ(ShardCount(o, Scalb(10, 60)), 3 * kMaxSplit);
    EXPECT_EQ(ShardCount(o, std::numeric_limits<double>::infinity()), 3 * kMaxSplit);
    EXPECT_EQ(ShardCount(o, std::nan("")), 3);
  }
  UnifiedOptions no_min = ShardOptions("0B", "0.0");
  EXPECT_EQ(ShardCount(no_min, Scalb(10, 20)), 3);
  EXPECT_EQ(ShardCount(no_min, 5), 3);
  EXPECT_EQ(ShardCount(no_min, 0), 3);
  UnifiedOptions min10 = ShardOptions("10MiB", "0.0");
  EXPECT_EQ(ShardCount(min10, Scalb(30, 20)), 3);
  EXPECT_EQ(ShardCount(min10, Scalb(29, 20)), 1);
  EXPECT_EQ(ShardCount(min10, Scalb(19, 20)), 1);
  EXPECT_EQ(ShardCount(min10, 0), 1);
}

TEST(UnifiedShardsTest, GrowthOneKeepsBaseCount) {
  UnifiedOptions o = ShardOptions("10MiB", "1.0");
  for (double d : {Scalb(600, 20), Scalb(600, 30), Scalb(10, 60), Scalb(30, 20),
                   std::numeric_limits<double>::infinity(), std::nan("")}) {
    EXPECT_EQ(ShardCount(o, d), 3) << d;
  }
  EXPECT_EQ(ShardCount(o, Scalb(29, 20)), 1);
  EXPECT_EQ(ShardCount(o, 0), 1);
}

TEST(UnifiedShardsTest, GrowthHalfMatchesCassandra) {
  UnifiedOptions o = ShardOptions("10MiB", "0.5");
  EXPECT_EQ(ShardCount(o, Scalb(4 * 3 * 100, 20)), 3 * 2);
  EXPECT_EQ(ShardCount(o, Scalb(16 * 3 * 100, 20)), 3 * 4);
  EXPECT_EQ(ShardCount(o, Scalb(3 * 100, 20 + 10)), 3 * 32);
  EXPECT_EQ(ShardCount(o, Scalb(2350, 20)), 6);
  EXPECT_EQ(ShardCount(o, Scalb(2450, 20)), 12);
  EXPECT_EQ(ShardCount(o, Scalb(550, 30)), 3 * 32);
  EXPECT_EQ(ShardCount(o, Scalb(650, 30)), 6 * 32);
  EXPECT_EQ(ShardCount(o, Scalb(50, 20)), 3);
  EXPECT_EQ(ShardCount(o, Scalb(29, 20)), 1);
  EXPECT_EQ(ShardCount(o, Scalb(600, 60)), 3 * kMaxSplit);
  EXPECT_EQ(ShardCount(o, std::nan("")), 3);
}

TEST(UnifiedShardsTest, GrowthThirdMatchesCassandra) {
  UnifiedOptions o = ShardOptions("10MiB", "0.333");
  EXPECT_EQ(ShardCount(o, Scalb(8 * 3 * 100, 20)), 3 * 4);
  EXPECT_EQ(ShardCount(o, Scalb(64 * 3 * 100, 20)), 3 * 16);
  EXPECT_EQ(ShardCount(o, Scalb(3 * 100, 20 + 9)), 3 * 64);
  EXPECT_EQ(ShardCount(o, Scalb(4000, 20)), 12);
  EXPECT_EQ(ShardCount(o, Scalb(4100, 20)), 24);
  EXPECT_EQ(ShardCount(o, Scalb(500, 29)), 3 * 64);
  EXPECT_EQ(ShardCount(o, Scalb(550, 29)), 6 * 64);
  EXPECT_EQ(ShardCount(o, Scalb(30, 20)), 3);
  EXPECT_EQ(ShardCount(o, Scalb(29, 20)), 1);
  EXPECT_EQ(ShardCount(o, 5), 1);
  EXPECT_EQ(ShardCount(o, Scalb(600, 50)), 3 * kMaxSplit);
}

// Below the base count only powers of two dividing it: testGetNumShards_minSize_*.
TEST(UnifiedShardsTest, MinimumSizeSplitsToDivisorsOfBase) {
  for (int base : {20, 8}) {
    UnifiedOptions o = ShardOptions("10MiB", "0.333", base);
    EXPECT_EQ(ShardCount(o, Scalb(29, 20)), 2) << base;
    EXPECT_EQ(ShardCount(o, Scalb(20, 20)), 2) << base;
    EXPECT_EQ(ShardCount(o, Scalb(19, 20)), 1) << base;
    EXPECT_EQ(ShardCount(o, 0), 1) << base;
  }
  UnifiedOptions o = ShardOptions("3MiB", "0.333", 20);
  EXPECT_EQ(ShardCount(o, Scalb(29, 20)), 4);
  EXPECT_EQ(ShardCount(o, Scalb(19, 20)), 4);
  EXPECT_EQ(ShardCount(o, 5), 1);
}

TEST(UnifiedShardsTest, BoundariesSplitTheRingEvenly) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t q = int64_t{1} << 62;
  EXPECT_EQ(ShardBoundaries(4, kMin, kMax), (std::vector<int64_t>{-q, 0, q}));
  EXPECT_EQ(ShardBoundaries(2, kMin, kMax), (std::vector<int64_t>{0}));
  EXPECT_TRUE(ShardBoundaries(1, kMin, kMax).empty());
  EXPECT_EQ(ShardBoundaries(4, -5, 5), (std::vector<int64_t>{0}));
  EXPECT_EQ(ShardBoundaries(4, 1, q), (std::vector<int64_t>{q}));
  EXPECT_TRUE(ShardBoundaries(4, 1, q - 1).empty());
  EXPECT_EQ(ShardBoundaries(8, 0, kMax), (std::vector<int64_t>{0, q / 2, q, q + q / 2}));
  // Three shards: ⌊i·2^64/3⌋ from the minimum token.
  std::vector<int64_t> thirds = ShardBoundaries(3, kMin, kMax);
  ASSERT_EQ(thirds.size(), 2u);
  EXPECT_EQ(thirds[0], kMin + 6148914691236517205);
  EXPECT_EQ(thirds[1], static_cast<int64_t>(static_cast<uint64_t>(kMin) + 12297829382473034410ull));
  // A power-of-two multiple keeps every boundary of the lower count.
  std::vector<int64_t> sixths = ShardBoundaries(6, kMin, kMax);
  EXPECT_EQ(sixths[1], thirds[0]);
  EXPECT_EQ(sixths[3], thirds[1]);
}

TEST(UnifiedShardsTest, DensityIsSizeOverCoveredFraction) {
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_DOUBLE_EQ(TokenSpan(kMin, kMax), 1.0);
  EXPECT_DOUBLE_EQ(TokenSpan(0, kMax), 0.5);
  EXPECT_DOUBLE_EQ(TokenSpan(7, 7), 1.0);  // one partition: counts as the whole ring
  EXPECT_DOUBLE_EQ(TokenSpan(0, (1 << 16) - 1), std::ldexp(1.0, -48));
  EXPECT_DOUBLE_EQ(TokenSpan(0, (1 << 16) - 2), 1.0);
  SSTableInfo s;
  s.bytes = 10 * kMiB;
  s.first_token = 0;
  s.last_token = (int64_t{1} << 62) - 1;  // a quarter of the ring
  EXPECT_DOUBLE_EQ(Density(s), 40.0 * kMiB);
  SSTableInfo t = s;
  t.first_token = -(int64_t{1} << 62);
  t.last_token = -1;
  EXPECT_DOUBLE_EQ(CombinedDensity({&s, &t}), 40.0 * kMiB);
  EXPECT_DOUBLE_EQ(CombinedDensity({}), 0.0);
  t.first_token = t.last_token = s.first_token = s.last_token = 3;
  EXPECT_DOUBLE_EQ(CombinedDensity({&s, &t}), 20.0 * kMiB);
}

}  // namespace
}  // namespace cassette

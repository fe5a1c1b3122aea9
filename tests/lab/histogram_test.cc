// Histogram against exact order statistics of the same data.
#include "bench/lab/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace cassette::lab {
namespace {

constexpr double kRelativeError = 1.0 / (1 << Histogram::kSubBits) + 1e-12;
constexpr double kQuantiles[] = {0.0001, 0.001, 0.01, 0.1,   0.25,  0.5,
                                 0.75,   0.9,   0.99, 0.999, 0.9999};

// The nearest-rank percentile: the smallest value with at least ceil(q·n) values at or
// below it — the definition Histogram::Percentile approximates.
int64_t ExactPercentile(const std::vector<int64_t>& sorted, double q) {
  const auto rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(sorted.size()))));
  return sorted[static_cast<size_t>(rank - 1)];
}

void ExpectMatchesExact(std::vector<int64_t> values) {
  Histogram h;
  long double sum = 0;
  for (int64_t v : values) {
    h.Record(v);
    sum += v;
  }
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.Count(), static_cast<int64_t>(values.size()));
  EXPECT_EQ(h.Min(), values.front());
  EXPECT_EQ(h.Max(), values.back());
  EXPECT_DOUBLE_EQ(h.Mean(), static_cast<double>(sum / values.size()));
  EXPECT_EQ(h.Percentile(0), values.front());
  EXPECT_EQ(h.Percentile(1), values.back());
  for (double q : kQuantiles) {
    const int64_t exact = ExactPercentile(values, q);
    const int64_t got = h.Percentile(q);
    EXPECT_LE(std::abs(static_cast<double>(got - exact)), exact * kRelativeError)
        << "q=" << q << " exact=" << exact << " got=" << got;
    EXPECT_GE(got, h.Min());
    EXPECT_LE(got, h.Max());
  }
  int64_t bucketed = 0;
  int64_t previous_upper = -1;
  for (const auto& [upper, count] : h.Buckets()) {
    EXPECT_GT(upper, previous_upper);
    EXPECT_GT(count, 0);
    previous_upper = upper;
    bucketed += count;
  }
  EXPECT_EQ(bucketed, h.Count());
}

TEST(HistogramTest, UniformMatchesExactPercentiles) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> dist(0, 5'000'000);
  std::vector<int64_t> values(200'000);
  for (int64_t& v : values) v = dist(rng);
  ExpectMatchesExact(values);
}

TEST(HistogramTest, LogNormalMatchesExactPercentiles) {
  // Latency-like: median ≈ 3 µs in ns, a tail several decades long.
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> dist(8.0, 2.0);
  std::vector<int64_t> values(200'000);
  for (int64_t& v : values) v = static_cast<int64_t>(dist(rng));
  ExpectMatchesExact(values);
}

TEST(HistogramTest, SmallValuesAreExact) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int64_t> dist(0, (1 << Histogram::kSubBits) - 1);
  std::vector<int64_t> values(10'000);
  for (int64_t& v : values) v = dist(rng);
  Histogram h;
  for (int64_t v : values) h.Record(v);
  std::sort(values.begin(), values.end());
  for (double q : kQuantiles) EXPECT_EQ(h.Percentile(q), ExactPercentile(values, q)) << q;
}

// Every value lands in a bucket whose upper bound is at or above it and within the
// relative error: probes the edges of each power of two, up to INT64_MAX.
TEST(HistogramTest, BucketBoundsHoldAtEveryPowerOfTwo) {
  std::vector<int64_t> probes = {0, 1, 127, 128, 129, 255, 256};
  for (int e = 8; e < 63; ++e) {
    const int64_t p = int64_t{1} << e;
    probes.insert(probes.end(), {p - 1, p, p + 1, p + p / 3});
  }
  probes.push_back(std::numeric_limits<int64_t>::max());
  for (int64_t v : probes) {
    Histogram h;
    h.Record(v);
    const auto buckets = h.Buckets();
    ASSERT_EQ(buckets.size(), 1u) << v;
    EXPECT_GE(buckets[0].first, v);
    EXPECT_LE(static_cast<double>(buckets[0].first - v), v * kRelativeError) << v;
    EXPECT_EQ(h.Percentile(0.5), v);  // clamped to [min, max] = {v}
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(4);
  std::lognormal_distribution<double> dist(10.0, 1.5);
  Histogram a, b, all;
  for (int i = 0; i < 50'000; ++i) {
    const auto v = static_cast<int64_t>(dist(rng));
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  b.Record(int64_t{1} << 50);  // b's counts_ grows past a's
  all.Record(int64_t{1} << 50);
  Histogram merged;
  merged.Merge(Histogram());  // empty into empty: still empty
  EXPECT_EQ(merged.Count(), 0);
  merged.Merge(a);
  merged.Merge(b);
  merged.Merge(Histogram());
  EXPECT_EQ(merged.Count(), all.Count());
  EXPECT_EQ(merged.Min(), all.Min());
  EXPECT_EQ(merged.Max(), all.Max());
  EXPECT_DOUBLE_EQ(merged.Mean(), all.Mean());
  EXPECT_EQ(merged.Buckets(), all.Buckets());
  for (double q : kQuantiles) EXPECT_EQ(merged.Percentile(q), all.Percentile(q)) << q;
}

TEST(HistogramTest, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.Count(), 0);
  EXPECT_EQ(h.Min(), 0);
  EXPECT_EQ(h.Max(), 0);
  EXPECT_EQ(h.Mean(), 0);
  EXPECT_EQ(h.Percentile(0), 0);
  EXPECT_EQ(h.Percentile(0.5), 0);
  EXPECT_EQ(h.Percentile(1), 0);
  EXPECT_TRUE(h.Buckets().empty());
}

TEST(HistogramTest, HugeValuesZeroAndNegatives) {
  Histogram h;
  h.Record(0);
  h.Record(1'000'000'000'000'000);
  h.Record(-5);  // clamped to 0
  EXPECT_EQ(h.Count(), 3);
  EXPECT_EQ(h.Min(), 0);
  EXPECT_EQ(h.Max(), 1'000'000'000'000'000);
  EXPECT_DOUBLE_EQ(h.Mean(), 1e15 / 3);
  EXPECT_EQ(h.Percentile(0.5), 0);
  EXPECT_EQ(h.Percentile(0.9), 1'000'000'000'000'000);
  EXPECT_EQ(h.Percentile(1), 1'000'000'000'000'000);
  // The sum of many huge values must not overflow the mean.
  Histogram big;
  for (int i = 0; i < 1000; ++i) big.Record(std::numeric_limits<int64_t>::max());
  EXPECT_DOUBLE_EQ(big.Mean(), static_cast<double>(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(big.Percentile(0.5), std::numeric_limits<int64_t>::max());
}

TEST(HistogramTest, QuantilesOutsideRangeClampToMinAndMax) {
  Histogram h;
  for (int64_t v : {300, 5000, 70000}) h.Record(v);
  EXPECT_EQ(h.Percentile(-1), 300);
  EXPECT_EQ(h.Percentile(2), 70000);
  EXPECT_EQ(h.Percentile(1), 70000);
  EXPECT_EQ(h.Percentile(0), 300);
  EXPECT_EQ(h.Percentile(std::nan("")), h.Percentile(0.5));
}

}  // namespace
}  // namespace cassette::lab

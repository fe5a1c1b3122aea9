// bench/lab/histogram.h — a latency (or count) histogram with bounded relative error.
//
// Log-linear buckets in the manner of HdrHistogram: values are grouped by power of two,
// each power split into 2^kSubBits linear sub-buckets, so any recorded value is
// reported within 1/2^kSubBits (≈0.8%) of itself. Percentiles come from the buckets; min,
// max, count and mean are exact. Not thread-safe: one per thread, then Merge.
#ifndef CASSETTE_BENCH_LAB_HISTOGRAM_H_
#define CASSETTE_BENCH_LAB_HISTOGRAM_H_

#include <cstdint>
#include <utility>
#include <vector>

namespace cassette::lab {

class Histogram {
 public:
  static constexpr int kSubBits = 7;

  void Record(int64_t value);  // negative values are clamped to 0
  void Merge(const Histogram& other);

  int64_t Count() const { return count_; }
  int64_t Min() const { return count_ ? min_ : 0; }
  int64_t Max() const { return max_; }
  double Mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // The value at quantile q in [0, 1] (0.5 = median, 0.999 = p99.9); 0 when empty. The
  // result is within the bucket's relative error and never outside [Min(), Max()].
  int64_t Percentile(double q) const;
  // Non-empty buckets as (upper bound of the bucket, count), ascending: for plots.
  std::vector<std::pair<int64_t, int64_t>> Buckets() const;

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  __int128 sum_ = 0;
};

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_HISTOGRAM_H_

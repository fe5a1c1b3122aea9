// bench/lab/histogram.cc — log-linear buckets (see histogram.h).
//
// Bucket layout, with S = 2^kSubBits:
//   values 0 .. S-1 have one bucket each (index = value, exact);
//   a value v ≥ S with e = floor(log2 v) and shift = e - kSubBits falls into
//     index = (shift + 1)·S + ((v >> shift) - S),
//   a bucket covering [m << shift, (m + 1) << shift) for m = v >> shift in [S, 2S).
// A bucket's width is 2^shift ≤ its lower bound ÷ S, hence the relative error bound.
#include "bench/lab/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cassette::lab {
namespace {

constexpr int64_t kSub = int64_t{1} << Histogram::kSubBits;

size_t BucketIndex(int64_t v) {
  if (v < kSub) return static_cast<size_t>(v);
  const int e = 63 - std::countl_zero(static_cast<uint64_t>(v));
  const int shift = e - Histogram::kSubBits;
  return static_cast<size_t>((shift + 1) * kSub + ((v >> shift) - kSub));
}

// Smallest and largest value of bucket `i` (both inclusive). The largest bucket's upper
// bound is INT64_MAX, so it is computed as low + (width - 1) to avoid overflow.
std::pair<int64_t, int64_t> BucketRange(size_t i) {
  const auto index = static_cast<int64_t>(i);
  if (index < kSub) return {index, index};
  const int shift = static_cast<int>(index / kSub) - 1;
  const int64_t m = kSub + index % kSub;
  const int64_t low = m << shift;
  return {low, low + ((int64_t{1} << shift) - 1)};
}

}  // namespace

void Histogram::Record(int64_t value) {
  value = std::max<int64_t>(value, 0);
  const size_t i = BucketIndex(value);
  if (i >= counts_.size()) counts_.resize(i + 1, 0);
  ++counts_[i];
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++count_;
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ += other.sum_;
}

int64_t Histogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  // NaN compares false both ways; treat it as the median rather than propagate it.
  if (std::isnan(q)) q = 0.5;
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  // Nearest rank: the smallest value with at least ceil(q·n) values at or below it.
  const auto rank =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(count_))));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen < rank) continue;
    // The midpoint halves the worst-case error of either bucket edge; clamping keeps the
    // answer inside what was really recorded (the first and last bucket are partial).
    const auto [low, high] = BucketRange(i);
    return std::clamp(low + (high - low) / 2, min_, max_);
  }
  return max_;  // unreachable while counts_ sums to count_
}

std::vector<std::pair<int64_t, int64_t>> Histogram::Buckets() const {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out.emplace_back(BucketRange(i).second, counts_[i]);
  }
  return out;
}

}  // namespace cassette::lab

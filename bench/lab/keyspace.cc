#include "bench/lab/keyspace.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cassette::lab {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

namespace {
double Unit(uint64_t random) { return static_cast<double>(random >> 11) * 0x1.0p-53; }
}  // namespace

Zipfian::Zipfian(uint64_t n, double theta) : n_(std::max<uint64_t>(n, 1)), theta_(theta) {
  alpha_ = 1.0 / (1.0 - theta_);
  zeta2_ = Zeta(0, 2);
  zetan_ = Zeta(0, n_);
  eta_ = (1 - std::pow(2.0 / static_cast<double>(n_), 1 - theta_)) / (1 - zeta2_ / zetan_);
}

double Zipfian::Zeta(uint64_t from, uint64_t to) const {
  double sum = 0;
  for (uint64_t i = from; i < to; ++i) sum += 1.0 / std::pow(static_cast<double>(i + 1), theta_);
  return sum;
}

void Zipfian::Grow(uint64_t n) {
  if (n <= n_) return;
  zetan_ += Zeta(n_, n);
  n_ = n;
  eta_ = (1 - std::pow(2.0 / static_cast<double>(n_), 1 - theta_)) / (1 - zeta2_ / zetan_);
}

uint64_t Zipfian::Next(uint64_t random) {
  const double u = Unit(random);
  const double uz = u * zetan_;
  if (uz < 1.0) return 0;
  if (uz < 1.0 + std::pow(0.5, theta_)) return std::min<uint64_t>(1, n_ - 1);
  const auto r =
      static_cast<uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1, alpha_));
  return std::min(r, n_ - 1);
}

namespace {
double FirstTheta(const Workload& w) {
  for (const Phase& p : w.phases) {
    if (p.partitions == Dist::kZipfian || p.partitions == Dist::kLatest) return p.zipf_theta;
  }
  return 0.99;
}
}  // namespace

Keyspace::Keyspace(const Workload& w, uint64_t seed)
    : w_(w),
      rng_(SplitMix64(seed)),
      head_(w.partitions, 0),
      tail_(w.partitions, 0),
      zipf_(w.partitions, FirstTheta(w)) {}

uint64_t Keyspace::PartitionId(uint64_t i, int64_t now_seconds, int64_t bucket_seconds) const {
  uint64_t id = w_.hashed ? SplitMix64(i ^ 0x9b1d5a1cULL) : i;
  if (bucket_seconds > 0) {
    id = (static_cast<uint64_t>(now_seconds / bucket_seconds) << 24) | (i & 0xffffff);
  }
  return id;
}

uint64_t Keyspace::Choose(const Phase& phase, int64_t op_index) {
  const uint64_t n = partitions();
  switch (phase.partitions) {
    case Dist::kUniform:
      return next_random() % n;
    case Dist::kZipfian:
      // Scrambled, as YCSB's: the popular ranks are spread over the key space.
      return SplitMix64(zipf_.Next(next_random())) % n;
    case Dist::kLatest:
      return n - 1 - std::min<uint64_t>(zipf_.Next(next_random()), n - 1);
    case Dist::kSequential: {
      const int64_t per = phase.rows_per_partition > 0
                              ? phase.rows_per_partition
                              : std::max<int64_t>(1, phase.ops / static_cast<int64_t>(n));
      return static_cast<uint64_t>(op_index / per) % n;
    }
    case Dist::kRoundRobin:
      return static_cast<uint64_t>(op_index) % n;
  }
  return 0;
}

uint64_t Keyspace::ChooseForInsert(const Phase& phase, int64_t op_index) {
  // YCSB's inserts in a run phase (D, E) add new records, which later reads can pick.
  if (phase.partitions == Dist::kZipfian || phase.partitions == Dist::kLatest) {
    head_.push_back(0);
    tail_.push_back(0);
    zipf_.Grow(head_.size());
    return head_.size() - 1;
  }
  return Choose(phase, op_index);
}

int64_t Keyspace::RandomRow(uint64_t i) {
  const auto span = static_cast<uint64_t>(tail_[i] - head_[i]);
  return head_[i] + static_cast<int64_t>(next_random() % span);
}

int64_t Keyspace::Append(uint64_t i, int64_t now_seconds, int32_t ttl_seconds) {
  const int64_t c = tail_[i]++;
  const uint64_t bytes = 16 + static_cast<uint64_t>(PayloadSize(i, c));
  live_bytes_ += bytes;
  if (ttl_seconds > 0) {
    const int64_t expiry = now_seconds + ttl_seconds;
    if (!expiring_.empty() && expiring_.back().first == expiry) {
      expiring_.back().second += bytes;
    } else {
      expiring_.push_back({expiry, bytes});
    }
  }
  return c;
}

void Keyspace::PopHead(uint64_t i) {
  const int64_t c = head_[i]++;
  // Under a TTL the row's bytes leave the model when they expire instead.
  if (w_.ttl_seconds == 0) live_bytes_ -= 16 + static_cast<uint64_t>(PayloadSize(i, c));
}

int Keyspace::PayloadSize(uint64_t i, int64_t c) const {
  if (w_.payload_max == w_.payload_min) return w_.payload_min;
  const uint64_t h = SplitMix64(i * 0x100000001b3ULL ^ static_cast<uint64_t>(c));
  return w_.payload_min +
         static_cast<int>(h % static_cast<uint64_t>(w_.payload_max - w_.payload_min + 1));
}

void Keyspace::Payload(uint64_t i, int64_t c, uint64_t version, std::string* out) const {
  const int size = PayloadSize(i, c);
  out->resize(static_cast<size_t>(size));
  const int half = (size + 1) / 2;
  uint64_t s = SplitMix64(i ^ (static_cast<uint64_t>(c) << 20) ^ (version << 44));
  for (int k = 0; k < half; ++k) {
    if (k % 8 == 0) s = SplitMix64(s);
    (*out)[static_cast<size_t>(k)] = static_cast<char>(' ' + (s >> (8 * (k % 8))) % 95);
  }
  std::memcpy(out->data() + half, out->data(), static_cast<size_t>(size - half));
}

uint64_t Keyspace::live_bytes(int64_t now_seconds) {
  while (!expiring_.empty() && expiring_.front().first <= now_seconds) {
    live_bytes_ -= expiring_.front().second;
    expiring_.pop_front();
  }
  return live_bytes_;
}

}  // namespace cassette::lab

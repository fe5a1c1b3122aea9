#include "sstable/bloom_filter.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "util/murmur3.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace cassette {
namespace {

// Do not change: on disk (the probe sequence decides which bits a key sets).
constexpr int kMaxProbes = 30;

uint64_t KeyHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()); }

}  // namespace

void BloomFilterBuilder::AddKey(std::string_view key) {
  if (bits_per_key_ > 0) hashes_.push_back(KeyHash(key));
}

void BloomFilterBuilder::Finish(std::string* out) const {
  if (bits_per_key_ <= 0) return;
  const int probes = std::clamp(static_cast<int>(std::lround(bits_per_key_ * 0.69)), 1, kMaxProbes);
  // At least 64 bits so tiny tables do not get an uselessly dense filter.
  uint64_t bits = std::max<uint64_t>(64, hashes_.size() * static_cast<uint64_t>(bits_per_key_));
  const uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  const size_t start = out->size();
  out->resize(start + bytes, '\0');
  char* array = out->data() + start;
  // The probes are h % bits for h = h1, h1 + h2, ... (wrapping at 2^64), as MayContain
  // computes them. Kept as remainders here, so a key costs two divisions instead of
  // one per probe: the next remainder is r + h2 % bits, less 2^64 % bits when the
  // 64-bit addition wraps.
  const uint64_t wrap = (UINT64_MAX % bits + 1) % bits;  // 2^64 % bits
  for (uint64_t h1 : hashes_) {
    const uint64_t h2 = Fmix64(h1) | 1;  // a second hash for double hashing
    const uint64_t step = h2 % bits;
    uint64_t h = h1;
    uint64_t b = h1 % bits;
    for (int i = 0; i < probes; ++i) {
      array[b / 8] = static_cast<char>(array[b / 8] | (1 << (b % 8)));
      const bool wraps = h + h2 < h;
      h += h2;
      b += step;
      if (b >= bits) b -= bits;
      if (wraps) b = b >= wrap ? b - wrap : b + bits - wrap;
    }
  }
  out->push_back(static_cast<char>(probes));
}

BloomFilter::BloomFilter(std::string data) : data_(std::move(data)) {
  if (data_.size() < 2) return;
  const int probes = static_cast<uint8_t>(data_.back());
  if (probes < 1 || probes > kMaxProbes) return;
  num_probes_ = probes;
  num_bits_ = (data_.size() - 1) * 8;
}

bool BloomFilter::MayContain(std::string_view key) const {
  if (num_probes_ == 0) return true;
  const uint64_t h1 = KeyHash(key);
  const uint64_t h2 = Fmix64(h1) | 1;  // a second hash for double hashing
  uint64_t h = h1;
  for (int i = 0; i < num_probes_; ++i) {
    const uint64_t b = h % num_bits_;
    if ((static_cast<uint8_t>(data_[b / 8]) & (1 << (b % 8))) == 0) return false;
    h += h2;
  }
  return true;
}

}  // namespace cassette

// The bloom filter builder keeps probe positions as remainders instead of dividing per
// probe: the bits it sets must be the ones h % bits gives for every probe (the on-disk
// layout MayContain reads).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "sstable/bloom_filter.h"
#include "util/murmur3.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace cassette {
namespace {

// The filter as the format defines it, with one division per probe.
std::string ReferenceFilter(const std::vector<std::string>& keys, int bits_per_key) {
  const int probes = std::clamp(static_cast<int>(std::lround(bits_per_key * 0.69)), 1, 30);
  uint64_t bits = std::max<uint64_t>(64, keys.size() * static_cast<uint64_t>(bits_per_key));
  const uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  std::string out(bytes, '\0');
  for (const std::string& k : keys) {
    const uint64_t h1 = XXH3_64bits(k.data(), k.size());
    const uint64_t h2 = Fmix64(h1) | 1;
    uint64_t h = h1;
    for (int i = 0; i < probes; ++i) {
      const uint64_t b = h % bits;
      out[b / 8] = static_cast<char>(out[b / 8] | (1 << (b % 8)));
      h += h2;
    }
  }
  out.push_back(static_cast<char>(probes));
  return out;
}

TEST(BloomProbeTest, BuilderSetsTheBitsOfTheReferenceProbes) {
  std::mt19937_64 rng(3);
  for (int bits_per_key : {1, 3, 7, 10, 23, 44}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{5}, size_t{63}, size_t{1000}, size_t{7777}}) {
      SCOPED_TRACE(testing::Message() << bits_per_key << " bits per key, " << n << " keys");
      std::vector<std::string> keys;
      BloomFilterBuilder builder(bits_per_key);
      for (size_t i = 0; i < n; ++i) {
        keys.push_back(std::to_string(rng()));
        builder.AddKey(keys.back());
      }
      std::string built;
      builder.Finish(&built);
      ASSERT_EQ(built, ReferenceFilter(keys, bits_per_key));
      const BloomFilter filter(built);
      for (const std::string& k : keys) EXPECT_TRUE(filter.MayContain(k));
    }
  }
}

}  // namespace
}  // namespace cassette

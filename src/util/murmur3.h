// MurmurHash3 x64 128-bit, bit-compatible with Cassandra's MurmurHash.hash3_x64_128
// (which sign-extends the tail bytes, as Java bytes are signed).

#ifndef CASSETTE_UTIL_MURMUR3_H_
#define CASSETTE_UTIL_MURMUR3_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace cassette {

std::array<int64_t, 2> Murmur3Cassandra(std::string_view data, int64_t seed = 0);

// MurmurHash3's 64-bit finalizer (fmix64): a cheap, well-mixing bijection on 64 bits.
// Do not change: the bloom filter's probe sequence (on disk) depends on it.
inline uint64_t Fmix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

}  // namespace cassette

#endif  // CASSETTE_UTIL_MURMUR3_H_

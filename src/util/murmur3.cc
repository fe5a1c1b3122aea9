#include "util/murmur3.h"

#include <cstddef>
#include <cstdint>

namespace cassette {
namespace {

// All arithmetic is on uint64_t so that overflow wraps as Java's long does without
// being undefined behaviour in C++; results are reinterpreted as signed at the end.
constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;

inline uint64_t Rotl64(uint64_t v, int n) { return (v << n) | (v >> (64 - n)); }

// Full blocks are read little-endian with unsigned bytes, exactly like
// MurmurHash.getBlock (which masks each byte with 0xff).
inline uint64_t GetBlock(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Cassandra's tail handling does `((long) key.get(i)) << shift`: the Java byte is
// sign-extended to 64 bits before shifting, so a byte >= 0x80 also sets every bit above
// it. Reproducing that is what makes tokens match Cassandra's for such keys.
inline uint64_t SignExtendedByte(unsigned char b) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
}

}  // namespace

std::array<int64_t, 2> Murmur3Cassandra(std::string_view data, int64_t seed) {
  const auto* key = reinterpret_cast<const unsigned char*>(data.data());
  const size_t length = data.size();
  const size_t nblocks = length >> 4;

  uint64_t h1 = static_cast<uint64_t>(seed);
  uint64_t h2 = static_cast<uint64_t>(seed);

  for (size_t i = 0; i < nblocks; ++i) {
    uint64_t k1 = GetBlock(key + i * 16);
    uint64_t k2 = GetBlock(key + i * 16 + 8);

    k1 *= kC1;
    k1 = Rotl64(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
    h1 = Rotl64(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;

    k2 *= kC2;
    k2 = Rotl64(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
    h2 = Rotl64(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }

  const unsigned char* tail = key + nblocks * 16;
  const size_t rem = length & 15;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  // Same XOR sequence as the Java switch fall-through (high byte first); XOR is
  // commutative, but keeping the order makes the correspondence easy to audit.
  if (rem > 8) {
    for (size_t i = rem; i-- > 8;) k2 ^= SignExtendedByte(tail[i]) << ((i - 8) * 8);
    k2 *= kC2;
    k2 = Rotl64(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
  }
  if (rem > 0) {
    for (size_t i = rem < 8 ? rem : 8; i-- > 0;) k1 ^= SignExtendedByte(tail[i]) << (i * 8);
    k1 *= kC1;
    k1 = Rotl64(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
  }

  // Java xors in an int length widened to long; lengths here are non-negative.
  h1 ^= static_cast<uint64_t>(length);
  h2 ^= static_cast<uint64_t>(length);
  h1 += h2;
  h2 += h1;
  h1 = Fmix64(h1);
  h2 = Fmix64(h2);
  h1 += h2;
  h2 += h1;
  return {static_cast<int64_t>(h1), static_cast<int64_t>(h2)};
}

}  // namespace cassette

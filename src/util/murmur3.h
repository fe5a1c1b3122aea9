// MurmurHash3 x64 128-bit, bit-compatible with Cassandra's MurmurHash.hash3_x64_128
// (which sign-extends the tail bytes, as Java bytes are signed).

#ifndef CASSETTE_UTIL_MURMUR3_H_
#define CASSETTE_UTIL_MURMUR3_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace cassette {

std::array<int64_t, 2> Murmur3Cassandra(std::string_view data, int64_t seed = 0);

}  // namespace cassette

#endif  // CASSETTE_UTIL_MURMUR3_H_

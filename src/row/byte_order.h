// Byte-string comparison for the hot paths that order clusterings and partition keys
// (merging, order checks, statistics). Same result as std::string_view::compare (memcmp
// order, then shorter first) without a call into libc: these strings are short (a
// bigint clustering is 9 bytes), so the call cost more than the comparison. Eight
// bytes at a time, as big-endian integers, then byte by byte.

#ifndef CASSETTE_ROW_BYTE_ORDER_H_
#define CASSETTE_ROW_BYTE_ORDER_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cassette {

// The first 8 bytes of `p` as a big-endian integer: integer order is memcmp order.
inline uint64_t LoadBigEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  return v;
}

// <0, 0, >0 as a.compare(b).
inline int CompareBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t x = LoadBigEndian64(a.data() + i), y = LoadBigEndian64(b.data() + i);
    if (x != y) return x < y ? -1 : 1;
  }
  for (; i < n; ++i) {
    const uint8_t x = static_cast<uint8_t>(a[i]), y = static_cast<uint8_t>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

}  // namespace cassette

#endif  // CASSETTE_ROW_BYTE_ORDER_H_

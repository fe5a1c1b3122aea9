// Big-endian load/store helpers shared by the types module (CQL's wire form, the
// comparable encoding and the decorated key are all big-endian).

#ifndef CASSETTE_TYPES_BIG_ENDIAN_H_
#define CASSETTE_TYPES_BIG_ENDIAN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cassette::types_internal {

// Reads n <= 8 bytes starting at p as an unsigned big-endian integer.
inline uint64_t LoadBigEndian(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Reads an n-byte big-endian integer from s, or 0 if s is not exactly n bytes. Callers
// promise valid widths; the check keeps a broken promise from reading out of bounds.
inline uint64_t LoadBigEndianExact(std::string_view s, size_t n) {
  return s.size() == n ? LoadBigEndian(s.data(), n) : 0;
}

inline void AppendBigEndian(uint64_t v, size_t n, std::string* out) {
  for (size_t i = n; i-- > 0;) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

inline std::string BigEndianString(uint64_t v, size_t n) {
  std::string s;
  s.reserve(n);
  AppendBigEndian(v, n, &s);
  return s;
}

}  // namespace cassette::types_internal

#endif  // CASSETTE_TYPES_BIG_ENDIAN_H_

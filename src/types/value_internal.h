// Type facts shared by value.cc, value_format.cc and comparable.cc.

#ifndef CASSETTE_TYPES_VALUE_INTERNAL_H_
#define CASSETTE_TYPES_VALUE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

#include "cassette/value.h"

namespace cassette::types_internal {

// Serialized width of a fixed-width type, or 0 for variable-width types.
inline size_t FixedWidth(CqlType type) {
  switch (type) {
    case CqlType::kTinyint:
    case CqlType::kBoolean:
      return 1;
    case CqlType::kSmallint:
      return 2;
    case CqlType::kInt:
    case CqlType::kFloat:
    case CqlType::kDate:
      return 4;
    case CqlType::kBigint:
    case CqlType::kDouble:
    case CqlType::kTimestamp:
    case CqlType::kTime:
      return 8;
    case CqlType::kUuid:
    case CqlType::kTimeuuid:
      return 16;
    case CqlType::kText:
    case CqlType::kAscii:
    case CqlType::kBlob:
    case CqlType::kInet:
      return 0;
  }
  return 0;
}

// A UUID's most significant 64 bits with its 16-bit groups [1][2][3][4] moved to
// [4][3][2][1]: for a version 1 UUID this is the version nibble followed by the 60-bit
// timestamp, most significant first (TimeUUIDType.reorderTimestampBytes).
inline uint64_t ReorderTimestamp(uint64_t msb) {
  return (msb << 48) | ((msb << 16) & 0xFFFF00000000ULL) | (msb >> 32);
}

// Inverse of ReorderTimestamp.
inline uint64_t ReorderTimestampBack(uint64_t hi) {
  return (hi << 32) | ((hi >> 16) & 0xFFFF0000ULL) | (hi >> 48);
}

inline int UuidVersion(uint64_t msb) { return static_cast<int>((msb >> 12) & 0xf); }

constexpr int64_t kMaxTimeNanos = 86399999999999;

}  // namespace cassette::types_internal

#endif  // CASSETTE_TYPES_VALUE_INTERNAL_H_

// Primitives of the data-record encoding (row_format.h) shared by its encoders and
// decoders: flag bits and inlined varint / delta coding. Internal to sstable/.

#ifndef CASSETTE_SSTABLE_ROW_FORMAT_INTERNAL_H_
#define CASSETTE_SSTABLE_ROW_FORMAT_INTERNAL_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "sstable/row_format.h"
#include "util/coding.h"

namespace cassette {
namespace row_format_internal {

// Do not change: on disk.
constexpr uint8_t kRowLiveness = 0x01;
constexpr uint8_t kRowLivenessExpiring = 0x02;
constexpr uint8_t kRowDeletion = 0x04;
// Format version 3. Every cell is live and carries the row liveness's timestamp, and its
// ttl and ldt when that liveness expires (the cflags kUniformCellFlags gives): cells are
// then written without their flags byte.
constexpr uint8_t kRowUniformCells = 0x08;
// Format version 3. Exactly one cell: the cell count is not written.
constexpr uint8_t kRowOneCell = 0x10;
constexpr uint8_t kCellExpiring = 0x01;
constexpr uint8_t kCellTombstone = 0x02;
constexpr uint8_t kCellRowTimestamp = 0x04;
constexpr uint8_t kCellRowTtl = 0x08;

// The cflags each cell of a kRowUniformCells row has.
inline uint8_t UniformCellFlags(uint8_t row_flags) {
  return (row_flags & kRowLivenessExpiring) ? kCellRowTimestamp | kCellExpiring | kCellRowTtl
                                            : kCellRowTimestamp;
}

// util/coding's varint64 decoding (same rules: at most 10 bytes, shortest form only,
// no bits beyond 64), inlined: every timestamp is one.
inline bool GetVarint64Fast(std::string_view* in, uint64_t* v) {
  const char* p = in->data();
  const char* const limit = p + in->size();
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && p < limit; shift += 7) {
    const uint64_t byte = static_cast<uint8_t>(*p++);
    if (byte & 0x80) {
      result |= (byte & 0x7f) << shift;
      continue;
    }
    if (shift > 0 && byte == 0) return false;                         // not the shortest form
    if (64 - shift < 7 && (byte >> (64 - shift)) != 0) return false;  // beyond 64 bits
    *v = result | (byte << shift);
    in->remove_prefix(static_cast<size_t>(p - in->data()));
    return true;
  }
  return false;
}

// The encoders write through a raw pointer into space the caller reserved for an upper
// bound (RowBodyBound): a store per byte instead of a std::string append per field.
inline char* PutVarintTo(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

inline char* PutDeltaTo(char* p, int64_t v, int64_t* base, bool* has_base) {
  if (!*has_base) {
    *base = v;
    *has_base = true;
  }
  return PutVarintTo(p, EncodeZigZag64(static_cast<int64_t>(static_cast<uint64_t>(v) -
                                                            static_cast<uint64_t>(*base))));
}

inline bool GetDelta(std::string_view* in, int64_t base, int64_t* v) {
  uint64_t u;
  if (!GetVarint64Fast(in, &u)) return false;
  *v = static_cast<int64_t>(static_cast<uint64_t>(base) + static_cast<uint64_t>(DecodeZigZag64(u)));
  return true;
}

inline char* PutLengthPrefixedTo(char* p, std::string_view v) {
  // As util/coding's PutLengthPrefixed: a length that does not fit would corrupt
  // everything after it.
  if (v.size() > UINT32_MAX) std::abort();
  p = PutVarintTo(p, v.size());
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  return p + v.size();
}

}  // namespace row_format_internal
}  // namespace cassette

#endif  // CASSETTE_SSTABLE_ROW_FORMAT_INTERNAL_H_

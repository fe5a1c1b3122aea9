// Byte-level encoding helpers (LevelDB-style).
//
//   fixed32 / fixed64  little-endian, always 4 / 8 bytes
//   varint32 / varint64  base-128, least significant group first, high bit = "more follows";
//                        at most kMaxVarint32Length / kMaxVarint64Length bytes
//   length-prefixed      varint32 length, then that many bytes
//   zigzag               maps signed to unsigned so small magnitudes get short varints
//                        (0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...)
//
// Decoding is strict: a varint is rejected if it is truncated, longer than its maximum
// length, carries bits that do not fit the target type, or is not in its shortest form
// (a multi-byte varint whose last byte is 0). Every value therefore has exactly one
// encoding, so encoded bytes may be compared or hashed, and corruption is caught earlier.
// The Put* functions only ever produce shortest forms.
//
// Decoders never read outside [input, input + size) and leave their outputs (including
// the input view) untouched when they fail.
//
// Do not change: these encodings are embedded in on-disk data.
//
// Thread safety: all functions are pure or write only through their arguments.

#ifndef CASSETTE_UTIL_CODING_H_
#define CASSETTE_UTIL_CODING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cassette {

inline constexpr int kMaxVarint32Length = 5;
inline constexpr int kMaxVarint64Length = 10;

// ---- Appending to a std::string.

void PutFixed32(std::string* dst, uint32_t value);
void PutFixed64(std::string* dst, uint64_t value);
void PutVarint32(std::string* dst, uint32_t value);
void PutVarint64(std::string* dst, uint64_t value);
// Aborts if value.size() does not fit in 32 bits: silently truncating the length would
// corrupt everything written after it.
void PutLengthPrefixed(std::string* dst, std::string_view value);

// ---- Consuming from the front of a std::string_view. On success the view is advanced
// past the decoded item; on failure nothing is modified and false is returned.

bool GetFixed32(std::string_view* input, uint32_t* value);
bool GetFixed64(std::string_view* input, uint64_t* value);
// The one-byte case (lengths, counts and column gaps mostly) is decoded inline; the
// rest out of line. Index and summary parsing call these for every entry they pass.
bool GetVarint32Slow(std::string_view* input, uint32_t* value);
bool GetVarint64Slow(std::string_view* input, uint64_t* value);
bool GetLengthPrefixedSlow(std::string_view* input, std::string_view* result);
inline bool GetVarint32(std::string_view* input, uint32_t* value) {
  if (!input->empty() && static_cast<uint8_t>(input->front()) < 0x80) {
    *value = static_cast<uint8_t>(input->front());
    input->remove_prefix(1);
    return true;
  }
  return GetVarint32Slow(input, value);
}
inline bool GetVarint64(std::string_view* input, uint64_t* value) {
  if (!input->empty() && static_cast<uint8_t>(input->front()) < 0x80) {
    *value = static_cast<uint8_t>(input->front());
    input->remove_prefix(1);
    return true;
  }
  return GetVarint64Slow(input, value);
}
// *result points into the same buffer as *input.
inline bool GetLengthPrefixed(std::string_view* input, std::string_view* result) {
  const size_t n = input->size();
  if (n == 0 || static_cast<uint8_t>(input->front()) >= 0x80) {
    return GetLengthPrefixedSlow(input, result);
  }
  const size_t len = static_cast<uint8_t>(input->front());
  if (len > n - 1) return false;  // *input untouched
  *result = std::string_view(input->data() + 1, len);
  *input = std::string_view(input->data() + 1 + len, n - 1 - len);
  return true;
}

// ---- Raw buffers, for callers that lay out records themselves (e.g. in an Arena).

// Write exactly 4 / 8 bytes at dst.
void EncodeFixed32(char* dst, uint32_t value);
void EncodeFixed64(char* dst, uint64_t value);
// Write VarintLength(value) bytes at dst and return the byte after the last one written.
// dst must have room for kMaxVarint32Length / kMaxVarint64Length bytes, or for
// VarintLength(value) bytes when the caller computed it.
char* EncodeVarint32(char* dst, uint32_t value);
char* EncodeVarint64(char* dst, uint64_t value);

// Read exactly 4 / 8 bytes at ptr; the caller guarantees they exist.
uint32_t DecodeFixed32(const char* ptr);
uint64_t DecodeFixed64(const char* ptr);

// Decode a varint from [p, limit). Returns the byte after it, or nullptr (with *value
// untouched) if the input is not a valid varint as described above.
const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value);
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value);

// Number of bytes PutVarint32/64 writes for value (1..kMaxVarint64Length).
int VarintLength(uint64_t value);

// ---- ZigZag.

constexpr uint64_t EncodeZigZag64(int64_t value) {
  // value >> 63 is an arithmetic shift (defined since C++20): all ones for negatives.
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

constexpr int64_t DecodeZigZag64(uint64_t value) {
  // Unsigned arithmetic throughout so that no step can overflow a signed type.
  return static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
}

// ---- Signed varints (zigzag) and small helpers shared by every record codec.

inline void PutSignedVarint64(std::string* dst, int64_t v) { PutVarint64(dst, EncodeZigZag64(v)); }
inline bool GetSignedVarint64(std::string_view* input, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(input, &u)) return false;
  *v = DecodeZigZag64(u);
  return true;
}
inline bool GetByte(std::string_view* input, uint8_t* b) {
  if (input->empty()) return false;
  *b = static_cast<uint8_t>((*input)[0]);
  input->remove_prefix(1);
  return true;
}
// A length-prefixed value copied into *s.
inline bool GetLengthPrefixedString(std::string_view* input, std::string* s) {
  std::string_view v;
  if (!GetLengthPrefixed(input, &v)) return false;
  s->assign(v.data(), v.size());
  return true;
}

}  // namespace cassette

#endif  // CASSETTE_UTIL_CODING_H_

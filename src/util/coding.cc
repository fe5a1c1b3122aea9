#include "util/coding.h"

#include <cstdlib>
#include <limits>

namespace cassette {

namespace {

// Shared by the 32- and 64-bit decoders. T's width decides how many groups may follow
// and how many bits the final group may carry.
template <typename T>
const char* DecodeVarint(const char* p, const char* limit, T* value) {
  constexpr int kBits = std::numeric_limits<T>::digits;
  T result = 0;
  for (int shift = 0; shift < kBits && p < limit; shift += 7) {
    const T byte = static_cast<unsigned char>(*p);
    ++p;
    if ((byte & 0x80) != 0) {
      // The final group position never has a continuation bit; when it does, the loop
      // ends at kBits and the input is rejected as overlong.
      result |= (byte & 0x7f) << shift;
      continue;
    }
    if (shift > 0 && byte == 0) return nullptr;  // Not the shortest form.
    if (kBits - shift < 7 && (byte >> (kBits - shift)) != 0) {
      return nullptr;  // Bits beyond T's width.
    }
    *value = result | (byte << shift);
    return p;
  }
  return nullptr;  // Truncated, or more groups than T can hold.
}

template <typename T>
bool GetVarint(std::string_view* input, T* value) {
  const char* p = input->data();
  const char* limit = p + input->size();
  const char* q = DecodeVarint(p, limit, value);
  if (q == nullptr) return false;
  input->remove_prefix(static_cast<size_t>(q - p));
  return true;
}

}  // namespace

void EncodeFixed32(char* dst, uint32_t value) {
  // Byte shifts rather than memcpy keep the format little-endian on any host; compilers
  // turn this into a single store on little-endian machines.
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

void EncodeFixed64(char* dst, uint64_t value) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>(value >> (8 * i));
}

uint32_t DecodeFixed32(const char* ptr) {
  uint32_t result = 0;
  for (int i = 0; i < 4; ++i) {
    result |= static_cast<uint32_t>(static_cast<unsigned char>(ptr[i])) << (8 * i);
  }
  return result;
}

uint64_t DecodeFixed64(const char* ptr) {
  uint64_t result = 0;
  for (int i = 0; i < 8; ++i) {
    result |= static_cast<uint64_t>(static_cast<unsigned char>(ptr[i])) << (8 * i);
  }
  return result;
}

char* EncodeVarint64(char* dst, uint64_t value) {
  while (value >= 0x80) {
    *dst++ = static_cast<char>(value | 0x80);
    value >>= 7;
  }
  *dst++ = static_cast<char>(value);
  return dst;
}

char* EncodeVarint32(char* dst, uint32_t value) { return EncodeVarint64(dst, value); }

const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value) {
  return DecodeVarint(p, limit, value);
}

const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value) {
  return DecodeVarint(p, limit, value);
}

int VarintLength(uint64_t value) {
  int len = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++len;
  }
  return len;
}

void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  EncodeFixed32(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  EncodeFixed64(buf, value);
  dst->append(buf, sizeof(buf));
}

void PutVarint32(std::string* dst, uint32_t value) {
  char buf[kMaxVarint32Length];
  char* end = EncodeVarint32(buf, value);
  dst->append(buf, static_cast<size_t>(end - buf));
}

void PutVarint64(std::string* dst, uint64_t value) {
  char buf[kMaxVarint64Length];
  char* end = EncodeVarint64(buf, value);
  dst->append(buf, static_cast<size_t>(end - buf));
}

void PutLengthPrefixed(std::string* dst, std::string_view value) {
  if (value.size() > std::numeric_limits<uint32_t>::max()) std::abort();
  PutVarint32(dst, static_cast<uint32_t>(value.size()));
  dst->append(value.data(), value.size());
}

bool GetFixed32(std::string_view* input, uint32_t* value) {
  if (input->size() < 4) return false;
  *value = DecodeFixed32(input->data());
  input->remove_prefix(4);
  return true;
}

bool GetFixed64(std::string_view* input, uint64_t* value) {
  if (input->size() < 8) return false;
  *value = DecodeFixed64(input->data());
  input->remove_prefix(8);
  return true;
}

bool GetVarint32Slow(std::string_view* input, uint32_t* value) { return GetVarint(input, value); }

bool GetVarint64Slow(std::string_view* input, uint64_t* value) { return GetVarint(input, value); }

bool GetLengthPrefixedSlow(std::string_view* input, std::string_view* result) {
  // Work on a copy so that a length running past the end leaves *input untouched.
  std::string_view rest = *input;
  uint32_t len = 0;
  if (!GetVarint32(&rest, &len)) return false;
  if (len > rest.size()) return false;
  *result = rest.substr(0, len);
  rest.remove_prefix(len);
  *input = rest;
  return true;
}

}  // namespace cassette

#include "types/partition_key.h"

#include <cassert>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "types/big_endian.h"
#include "util/murmur3.h"

namespace cassette {

using types_internal::AppendBigEndian;
using types_internal::LoadBigEndian;

namespace {

constexpr uint64_t kTokenFlip = uint64_t{1} << 63;
constexpr size_t kTokenBytes = 8;
// CompositeType's per-component length prefix is an unsigned short.
constexpr size_t kMaxComponentSize = 0xFFFF;

absl::Status KeyError(std::string_view why) {
  return absl::DataLossError(absl::StrCat("malformed partition key: ", std::string(why)));
}

absl::Status ComponentError(size_t index, CqlType type, std::string_view why) {
  return KeyError(
      absl::StrCat("component ", index, " (", CqlTypeName(type), "): ", std::string(why)));
}

}  // namespace

std::string SerializePartitionKey(std::span<const Value> components) {
  assert(!components.empty());
  if (components.size() == 1) return components[0].serialized();
  std::string out;
  for (const Value& v : components) {
    const std::string& b = v.serialized();
    // Cassandra refuses such keys at write time; the caller must enforce the limit
    // (writing a truncated length would silently corrupt the key).
    assert(b.size() <= kMaxComponentSize);
    AppendBigEndian(b.size(), 2, &out);
    out.append(b);
    out.push_back('\0');  // end-of-component byte, always 0 in a partition key
  }
  return out;
}

int64_t PartitionToken(std::string_view serialized_key) {
  // Murmur3Partitioner.getToken returns MINIMUM for an empty key without hashing.
  if (serialized_key.empty()) return std::numeric_limits<int64_t>::min();
  const int64_t h = Murmur3Cassandra(serialized_key, 0)[0];
  // Murmur3Partitioner.normalize: the minimum token is reserved for "before every key".
  return h == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : h;
}

std::string DecoratePartitionKey(std::string_view serialized_key) {
  std::string out;
  out.reserve(kTokenBytes + serialized_key.size());
  AppendBigEndian(static_cast<uint64_t>(PartitionToken(serialized_key)) ^ kTokenFlip, kTokenBytes,
                  &out);
  out.append(serialized_key);
  return out;
}

int64_t TokenOfDecorated(std::string_view decorated) {
  assert(decorated.size() >= kTokenBytes);
  if (decorated.size() < kTokenBytes) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(LoadBigEndian(decorated.data(), kTokenBytes) ^ kTokenFlip);
}

absl::Status DecodePartitionKey(std::string_view decorated, std::span<const CqlType> types,
                                std::vector<Value>* out) {
  if (types.empty()) {
    return absl::InvalidArgumentError("DecodePartitionKey: no partition key types given");
  }
  if (decorated.size() < kTokenBytes) {
    return KeyError(absl::StrCat("decorated key has ", decorated.size(),
                                 " bytes, shorter than its 8-byte token"));
  }
  const std::string_view key = decorated.substr(kTokenBytes);
  // The token is derived from the key, so a mismatch means one of them is corrupt.
  const int64_t stored = TokenOfDecorated(decorated);
  const int64_t computed = PartitionToken(key);
  if (stored != computed) {
    return KeyError(
        absl::StrCat("stored token ", stored, " does not match the key's token ", computed));
  }

  std::vector<Value> values;
  if (types.size() == 1) {
    values.push_back(Value::FromSerialized(types[0], std::string(key)));
    if (absl::Status s = values[0].Validate(); !s.ok()) {
      return ComponentError(0, types[0], std::string(s.message()));
    }
    *out = std::move(values);
    return absl::OkStatus();
  }

  size_t pos = 0;
  for (size_t i = 0; i < types.size(); ++i) {
    if (key.size() - pos < 2) return ComponentError(i, types[i], "truncated length");
    const size_t len = LoadBigEndian(key.data() + pos, 2);
    pos += 2;
    if (key.size() - pos < len + 1) {
      return ComponentError(i, types[i], absl::StrCat("truncated: needs ", len, " bytes + 1"));
    }
    Value v = Value::FromSerialized(types[i], std::string(key.substr(pos, len)));
    pos += len;
    if (key[pos] != '\0') {
      return ComponentError(
          i, types[i],
          absl::StrCat("end-of-component byte is ",
                       static_cast<int>(static_cast<unsigned char>(key[pos])), ", expected 0"));
    }
    ++pos;
    if (absl::Status s = v.Validate(); !s.ok()) {
      return ComponentError(i, types[i], std::string(s.message()));
    }
    values.push_back(std::move(v));
  }
  if (pos != key.size()) {
    return KeyError(
        absl::StrCat(key.size() - pos, " trailing bytes after ", types.size(), " components"));
  }
  *out = std::move(values);
  return absl::OkStatus();
}

}  // namespace cassette

#include "cassette/value.h"

#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "types/big_endian.h"
#include "types/value_internal.h"

namespace cassette {

using types_internal::BigEndianString;
using types_internal::FixedWidth;
using types_internal::LoadBigEndianExact;

namespace {

struct TypeName {
  CqlType type;
  const char* name;
};

constexpr TypeName kTypeNames[] = {
    {CqlType::kInt, "int"},
    {CqlType::kBigint, "bigint"},
    {CqlType::kSmallint, "smallint"},
    {CqlType::kTinyint, "tinyint"},
    {CqlType::kBoolean, "boolean"},
    {CqlType::kFloat, "float"},
    {CqlType::kDouble, "double"},
    {CqlType::kText, "text"},
    {CqlType::kAscii, "ascii"},
    {CqlType::kBlob, "blob"},
    {CqlType::kTimestamp, "timestamp"},
    {CqlType::kDate, "date"},
    {CqlType::kTime, "time"},
    {CqlType::kUuid, "uuid"},
    {CqlType::kTimeuuid, "timeuuid"},
    {CqlType::kInet, "inet"},
};

bool IsKnownType(CqlType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return true;
  }
  return false;
}

// Returns the offset of the first byte that is not part of a well-formed UTF-8 sequence
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
size_t FindInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    // The permitted range of the second byte encodes the overlong, surrogate and
    // > U+10FFFF exclusions (Unicode Table 3-7).
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

template <typename T>
int Sign(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

// Unsigned lexicographic byte order, shorter prefix first (ByteBufferUtil.compareUnsigned).
int CompareUnsignedBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return Sign(a.size(), b.size());
}

// Java's Float.compare / Double.compare: numeric order, then the bit patterns (with NaN
// canonicalized) as signed integers, which puts -0.0 before 0.0 and NaN above +Inf.
template <typename F, typename Bits>
int JavaFloatCompare(F a, F b, Bits canonical_nan) {
  if (a < b) return -1;
  if (a > b) return 1;
  const Bits bits_a = a != a ? canonical_nan : std::bit_cast<Bits>(a);
  const Bits bits_b = b != b ? canonical_nan : std::bit_cast<Bits>(b);
  return Sign(bits_a, bits_b);
}

int CompareUuids(std::string_view a, std::string_view b, bool time_uuid) {
  const uint64_t msb_a = types_internal::LoadBigEndian(a.data(), 8);
  const uint64_t msb_b = types_internal::LoadBigEndian(b.data(), 8);
  const uint64_t lsb_a = types_internal::LoadBigEndian(a.data() + 8, 8);
  const uint64_t lsb_b = types_internal::LoadBigEndian(b.data() + 8, 8);
  if (time_uuid) {
    // TimeUUIDType: timestamp (Long.compare of the reordered msb), then the lsb as
    // eight SIGNED bytes, a historical quirk kept for compatibility (CASSANDRA-8730).
    const int c = Sign(static_cast<int64_t>(types_internal::ReorderTimestamp(msb_a)),
                       static_cast<int64_t>(types_internal::ReorderTimestamp(msb_b)));
    if (c != 0) return c;
    constexpr uint64_t kFlip = 0x8080808080808080ULL;
    return Sign(lsb_a ^ kFlip, lsb_b ^ kFlip);
  }
  // UUIDType: version, then the timestamp if both are version 1, else the msb unsigned;
  // then the lsb UNSIGNED (unlike TimeUUIDType; see UUIDType.compareCustom).
  const int va = types_internal::UuidVersion(msb_a);
  const int vb = types_internal::UuidVersion(msb_b);
  if (va != vb) return Sign(va, vb);
  const int c = va == 1 ? Sign(types_internal::ReorderTimestamp(msb_a),
                               types_internal::ReorderTimestamp(msb_b))
                        : Sign(msb_a, msb_b);
  if (c != 0) return c;
  return Sign(lsb_a, lsb_b);
}

}  // namespace

const char* CqlTypeName(CqlType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

absl::StatusOr<CqlType> ParseCqlType(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  for (const TypeName& t : kTypeNames) {
    if (lower == t.name) return t.type;
  }
  // CQL defines varchar as an alias of text.
  if (lower == "varchar") return CqlType::kText;
  return absl::InvalidArgumentError(absl::StrCat("unknown CQL type '", std::string(name), "'"));
}

Value Value::Int(int32_t v) {
  return Value(CqlType::kInt, BigEndianString(static_cast<uint32_t>(v), 4));
}
Value Value::Bigint(int64_t v) {
  return Value(CqlType::kBigint, BigEndianString(static_cast<uint64_t>(v), 8));
}
Value Value::Smallint(int16_t v) {
  return Value(CqlType::kSmallint, BigEndianString(static_cast<uint16_t>(v), 2));
}
Value Value::Tinyint(int8_t v) {
  return Value(CqlType::kTinyint, BigEndianString(static_cast<uint8_t>(v), 1));
}
Value Value::Boolean(bool v) { return Value(CqlType::kBoolean, std::string(1, v ? 1 : 0)); }
Value Value::Float(float v) {
  return Value(CqlType::kFloat, BigEndianString(std::bit_cast<uint32_t>(v), 4));
}
Value Value::Double(double v) {
  return Value(CqlType::kDouble, BigEndianString(std::bit_cast<uint64_t>(v), 8));
}
Value Value::Text(std::string_view utf8) { return Value(CqlType::kText, std::string(utf8)); }
Value Value::Ascii(std::string_view ascii) { return Value(CqlType::kAscii, std::string(ascii)); }
Value Value::Blob(std::string_view bytes) { return Value(CqlType::kBlob, std::string(bytes)); }
Value Value::Timestamp(int64_t millis_since_epoch) {
  return Value(CqlType::kTimestamp, BigEndianString(static_cast<uint64_t>(millis_since_epoch), 8));
}
Value Value::Date(uint32_t days_with_2_31_epoch) {
  return Value(CqlType::kDate, BigEndianString(days_with_2_31_epoch, 4));
}
Value Value::DateFromEpochDays(int32_t days_since_epoch) {
  // Unsigned arithmetic wraps exactly as SimpleDateSerializer's int arithmetic does.
  return Date(static_cast<uint32_t>(days_since_epoch) + (uint32_t{1} << 31));
}
Value Value::Time(int64_t nanos_since_midnight) {
  return Value(CqlType::kTime, BigEndianString(static_cast<uint64_t>(nanos_since_midnight), 8));
}
Value Value::Uuid(const std::array<uint8_t, 16>& bytes) {
  return Value(CqlType::kUuid, std::string(reinterpret_cast<const char*>(bytes.data()), 16));
}
Value Value::Timeuuid(const std::array<uint8_t, 16>& bytes) {
  return Value(CqlType::kTimeuuid, std::string(reinterpret_cast<const char*>(bytes.data()), 16));
}
Value Value::Inet(std::string_view raw_4_or_16_bytes) {
  return Value(CqlType::kInet, std::string(raw_4_or_16_bytes));
}
Value Value::FromSerialized(CqlType type, std::string serialized) {
  return Value(type, std::move(serialized));
}

absl::Status ValueView::Validate() const {
  if (is_null()) return absl::OkStatus();
  const CqlType t = *type_;
  // The type may come from on-disk schema bytes via FromSerialized.
  if (!IsKnownType(t)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown CQL type code ", static_cast<int>(t)));
  }
  const size_t width = FixedWidth(t);
  if (width != 0 && bytes_.size() != width) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s value must be %d bytes, got %d", CqlTypeName(t), width, bytes_.size()));
  }
  switch (t) {
    case CqlType::kBoolean: {
      const auto b = static_cast<unsigned char>(bytes_[0]);
      if (b > 1) {
        return absl::InvalidArgumentError(
            absl::StrFormat("boolean value must be 0 or 1, got %d", static_cast<int>(b)));
      }
      break;
    }
    case CqlType::kTime: {
      const int64_t nanos = AsInt64();
      if (nanos < 0 || nanos > types_internal::kMaxTimeNanos) {
        return absl::InvalidArgumentError(
            absl::StrFormat("time value must be in [0, %d] nanoseconds, got %d",
                            types_internal::kMaxTimeNanos, nanos));
      }
      break;
    }
    case CqlType::kTimeuuid: {
      const int version = static_cast<unsigned char>(bytes_[6]) >> 4;
      if (version != 1) {
        return absl::InvalidArgumentError(
            absl::StrFormat("timeuuid value must be a version 1 UUID, got version %d", version));
      }
      break;
    }
    case CqlType::kText: {
      const size_t bad = FindInvalidUtf8(bytes_);
      if (bad != std::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrFormat("text value is not valid UTF-8: bad sequence at byte %d (0x%02x)", bad,
                            static_cast<unsigned char>(bytes_[bad])));
      }
      break;
    }
    case CqlType::kAscii:
      for (size_t i = 0; i < bytes_.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes_[i]);
        if (b > 0x7F) {
          return absl::InvalidArgumentError(
              absl::StrFormat("ascii value has non-ASCII byte 0x%02x at offset %d", b, i));
        }
      }
      break;
    case CqlType::kInet:
      if (bytes_.size() != 4 && bytes_.size() != 16) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "inet value must be 4 (IPv4) or 16 (IPv6) bytes, got %d", bytes_.size()));
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

int32_t ValueView::AsInt() const {
  assert(bytes_.size() == 4);
  return static_cast<int32_t>(LoadBigEndianExact(bytes_, 4));
}
int64_t ValueView::AsInt64() const {
  assert(bytes_.size() == 8);
  return static_cast<int64_t>(LoadBigEndianExact(bytes_, 8));
}
int16_t ValueView::AsSmallint() const {
  assert(bytes_.size() == 2);
  return static_cast<int16_t>(LoadBigEndianExact(bytes_, 2));
}
int8_t ValueView::AsTinyint() const {
  assert(bytes_.size() == 1);
  return static_cast<int8_t>(LoadBigEndianExact(bytes_, 1));
}
bool ValueView::AsBoolean() const {
  assert(bytes_.size() == 1);
  return LoadBigEndianExact(bytes_, 1) != 0;
}
float ValueView::AsFloat() const {
  assert(bytes_.size() == 4);
  return std::bit_cast<float>(static_cast<uint32_t>(LoadBigEndianExact(bytes_, 4)));
}
double ValueView::AsDouble() const {
  assert(bytes_.size() == 8);
  return std::bit_cast<double>(LoadBigEndianExact(bytes_, 8));
}
uint32_t ValueView::AsDate() const {
  assert(bytes_.size() == 4);
  return static_cast<uint32_t>(LoadBigEndianExact(bytes_, 4));
}

int CompareValues(const Value& a, const Value& b) {
  assert(!a.is_null() && !b.is_null() && a.type() == b.type());
  const CqlType t = a.type();
  const size_t width = FixedWidth(t);
  // A broken precondition must not read out of bounds; fall back to byte order.
  if (width != 0 && (a.serialized().size() != width || b.serialized().size() != width)) {
    return CompareUnsignedBytes(a.serialized(), b.serialized());
  }
  switch (t) {
    case CqlType::kInt:
      return Sign(a.AsInt(), b.AsInt());
    case CqlType::kBigint:
    case CqlType::kTimestamp:
    case CqlType::kTime:
      return Sign(a.AsInt64(), b.AsInt64());
    case CqlType::kSmallint:
      return Sign(a.AsSmallint(), b.AsSmallint());
    case CqlType::kTinyint:
      return Sign(a.AsTinyint(), b.AsTinyint());
    case CqlType::kFloat:
      return JavaFloatCompare(a.AsFloat(), b.AsFloat(), int32_t{0x7fc00000});
    case CqlType::kDouble:
      return JavaFloatCompare(a.AsDouble(), b.AsDouble(), int64_t{0x7ff8000000000000});
    case CqlType::kUuid:
      return CompareUuids(a.serialized(), b.serialized(), /*time_uuid=*/false);
    case CqlType::kTimeuuid:
      return CompareUuids(a.serialized(), b.serialized(), /*time_uuid=*/true);
    case CqlType::kBoolean:  // 0/1 in one byte: unsigned byte order is false < true.
    case CqlType::kDate:     // SimpleDateType compares the unsigned big-endian bytes.
    case CqlType::kText:
    case CqlType::kAscii:
    case CqlType::kBlob:
    case CqlType::kInet:
      return CompareUnsignedBytes(a.serialized(), b.serialized());
  }
  return CompareUnsignedBytes(a.serialized(), b.serialized());
}

}  // namespace cassette

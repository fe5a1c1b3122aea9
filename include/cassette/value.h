// cassette/value.h — CQL types and typed values.
//
// A Value is a CQL type plus the value's CQL serialized form (big-endian, exactly as on
// Cassandra's native protocol). Keeping the wire form means reconciliation can compare
// serialized bytes as Cassandra does, and that varint, decimal, duration and collections
// can be added later without changing how values are stored.
//
// A ValueView is the same pair with the bytes borrowed (Db::Select's visitor form).
//
// Thread safety: Value is a regular value type; distinct objects may be used from
// different threads, const methods may be called concurrently on one object.

#ifndef CASSETTE_VALUE_H_
#define CASSETTE_VALUE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace cassette {

// Do not change the numeric values: they are embedded in on-disk data (schema records).
enum class CqlType : uint8_t {
  kInt = 1,         // 4-byte signed
  kBigint = 2,      // 8-byte signed
  kSmallint = 3,    // 2-byte signed
  kTinyint = 4,     // 1-byte signed
  kBoolean = 5,     // 1 byte, 0 or 1
  kFloat = 6,       // IEEE-754 binary32
  kDouble = 7,      // IEEE-754 binary64
  kText = 8,        // UTF-8
  kAscii = 9,       // bytes 0..127
  kBlob = 10,       // any bytes
  kTimestamp = 11,  // 8-byte signed milliseconds since the epoch
  kDate = 12,       // 4-byte unsigned days, 2^31 = 1970-01-01
  kTime = 13,       // 8-byte signed nanoseconds since midnight, 0..86399999999999
  kUuid = 14,       // 16 bytes
  kTimeuuid = 15,   // 16 bytes, version 1
  kInet = 16,       // 4 (IPv4) or 16 (IPv6) bytes
  // Reserved for later: kVarint = 17, kDecimal = 18, kDuration = 19, collections 32+.
};

// The CQL name ("int", "timeuuid", ...). Never null.
const char* CqlTypeName(CqlType type);
// Parses a CQL type name (case-insensitive). InvalidArgument if unknown.
absl::StatusOr<CqlType> ParseCqlType(std::string_view name);

class Value;

// A value that does not own its bytes: what Db::Select lends a RowVisitor. Cheap to copy.
// The caller must keep the viewed bytes alive while the view is used (for a visitor:
// only during the call). The typed accessors are Value's, with the same preconditions.
class ValueView {
 public:
  ValueView() = default;  // null
  ValueView(CqlType type, std::string_view serialized) : type_(type), bytes_(serialized) {}

  bool is_null() const { return !type_.has_value(); }
  // REQUIRES: !is_null().
  CqlType type() const { return *type_; }
  std::string_view serialized() const { return bytes_; }

  int32_t AsInt() const;
  int64_t AsInt64() const;
  int16_t AsSmallint() const;
  int8_t AsTinyint() const;
  bool AsBoolean() const;
  float AsFloat() const;
  double AsDouble() const;
  uint32_t AsDate() const;
  std::string_view AsBytes() const { return bytes_; }
  std::string ToString() const;   // as Value::ToString
  absl::Status Validate() const;  // as Value::Validate

  Value ToValue() const;  // an owned copy

  friend bool operator==(const ValueView& a, const ValueView& b) {
    return a.type_ == b.type_ && a.bytes_ == b.bytes_;
  }

 private:
  std::optional<CqlType> type_;
  std::string_view bytes_;
};

class Value {
 public:
  // A null value (no type). Writing null to a column writes a cell tombstone.
  Value() = default;
  static Value Null() { return Value(); }

  static Value Int(int32_t v);
  static Value Bigint(int64_t v);
  static Value Smallint(int16_t v);
  static Value Tinyint(int8_t v);
  static Value Boolean(bool v);
  static Value Float(float v);
  static Value Double(double v);
  static Value Text(std::string_view utf8);    // validated when written
  static Value Ascii(std::string_view ascii);  // validated when written
  static Value Blob(std::string_view bytes);
  static Value Timestamp(int64_t millis_since_epoch);
  static Value Date(uint32_t days_with_2_31_epoch);
  static Value DateFromEpochDays(int32_t days_since_epoch);
  static Value Time(int64_t nanos_since_midnight);
  static Value Uuid(const std::array<uint8_t, 16>& bytes);
  static Value Timeuuid(const std::array<uint8_t, 16>& bytes);
  static Value Inet(std::string_view raw_4_or_16_bytes);

  // Wraps an already serialized value. The bytes are checked by Validate(), not here.
  static Value FromSerialized(CqlType type, std::string serialized);

  bool is_null() const { return !type_.has_value(); }
  // REQUIRES: !is_null().
  CqlType type() const { return *type_; }
  // The CQL serialized form. Empty for null (and for an empty text/blob).
  const std::string& serialized() const { return bytes_; }
  // A view of this value, valid while it is alive and unchanged.
  ValueView view() const { return is_null() ? ValueView() : ValueView(*type_, bytes_); }

  // Checks the serialized form against the type: exact width for fixed-width types,
  // UTF-8 for text, 7-bit for ascii, version 1 for timeuuid, 4 or 16 bytes for inet,
  // range for time. Null is valid.
  absl::Status Validate() const { return view().Validate(); }

  // Typed accessors. REQUIRES: !is_null() and the matching type (or a type of the
  // same width class: AsInt64 reads bigint, timestamp and time).
  int32_t AsInt() const { return view().AsInt(); }
  int64_t AsInt64() const { return view().AsInt64(); }
  int16_t AsSmallint() const { return view().AsSmallint(); }
  int8_t AsTinyint() const { return view().AsTinyint(); }
  bool AsBoolean() const { return view().AsBoolean(); }
  float AsFloat() const { return view().AsFloat(); }
  double AsDouble() const { return view().AsDouble(); }
  uint32_t AsDate() const { return view().AsDate(); }
  std::string_view AsBytes() const { return bytes_; }

  // cqlsh-style rendering: text unquoted, blob as 0x..., timestamp as
  // "2026-11-25 06:12:29.000000+0000", uuid as 8-4-4-4-12, null as "null".
  std::string ToString() const { return view().ToString(); }

  friend bool operator==(const Value& a, const Value& b) {
    return a.type_ == b.type_ && a.bytes_ == b.bytes_;
  }

 private:
  Value(CqlType t, std::string b) : type_(t), bytes_(std::move(b)) {}
  std::optional<CqlType> type_;
  std::string bytes_;
};

inline Value ValueView::ToValue() const {
  return is_null() ? Value() : Value::FromSerialized(*type_, std::string(bytes_));
}

// Orders two non-null values of one type the way Cassandra orders clustering values
// (signed integers, text/blob/inet by unsigned bytes, timeuuid by time, floats as
// Java's Float.compare). Returns <0, 0, >0. REQUIRES: same type, both valid.
int CompareValues(const Value& a, const Value& b);

}  // namespace cassette

#endif  // CASSETTE_VALUE_H_

#include "cassette/value.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "types/value_gen.h"

namespace cassette {
namespace {

using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::array<uint8_t, 16> UuidFromHex(std::string_view hex) {
  std::array<uint8_t, 16> b{};
  size_t j = 0;
  for (size_t i = 0; i < hex.size() && j < 32; ++i) {
    if (hex[i] == '-') continue;
    const int nibble = std::isdigit(hex[i]) ? hex[i] - '0' : (hex[i] | 0x20) - 'a' + 10;
    b[j / 2] = static_cast<uint8_t>((b[j / 2] << 4) | nibble);
    ++j;
  }
  return b;
}

int Sign(int c) { return (c > 0) - (c < 0); }

TEST(ValueTest, SerializedFormsAreBigEndian) {
  EXPECT_EQ(Value::Int(1).serialized(), Bytes({0, 0, 0, 1}));
  EXPECT_EQ(Value::Int(-2).serialized(), Bytes({0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(Value::Bigint(0x0102030405060708).serialized(), Bytes({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Value::Smallint(-32768).serialized(), Bytes({0x80, 0x00}));
  EXPECT_EQ(Value::Tinyint(-1).serialized(), Bytes({0xff}));
  EXPECT_EQ(Value::Boolean(true).serialized(), Bytes({1}));
  EXPECT_EQ(Value::Boolean(false).serialized(), Bytes({0}));
  EXPECT_EQ(Value::Float(1.0f).serialized(), Bytes({0x3f, 0x80, 0, 0}));
  EXPECT_EQ(Value::Double(-2.0).serialized(), Bytes({0xc0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Value::Timestamp(1000).serialized(), Bytes({0, 0, 0, 0, 0, 0, 0x03, 0xe8}));
  EXPECT_EQ(Value::Date(0x80000000u).serialized(), Bytes({0x80, 0, 0, 0}));
  EXPECT_EQ(Value::DateFromEpochDays(0), Value::Date(0x80000000u));
  EXPECT_EQ(Value::DateFromEpochDays(-1), Value::Date(0x7fffffffu));
  EXPECT_EQ(Value::DateFromEpochDays(std::numeric_limits<int32_t>::min()), Value::Date(0));
  EXPECT_EQ(Value::Time(1).serialized(), Bytes({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(Value::Text("h\xc3\xa9").serialized(), "h\xc3\xa9");
  EXPECT_EQ(Value::Inet(Bytes({127, 0, 0, 1})).serialized(), Bytes({127, 0, 0, 1}));
  const auto u = UuidFromHex("00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(Value::Uuid(u).serialized(), Bytes({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
}

TEST(ValueTest, NullValue) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_TRUE(Value::Null().is_null());
  EXPECT_TRUE(v.Validate().ok());
  EXPECT_EQ(v.ToString(), "null");
  EXPECT_EQ(v, Value::Null());
  EXPECT_FALSE(v == Value::Blob(""));
}

TEST(ValueTest, AccessorsRoundTrip) {
  EXPECT_EQ(Value::Int(-123456).AsInt(), -123456);
  EXPECT_EQ(Value::Bigint(std::numeric_limits<int64_t>::min()).AsInt64(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Value::Timestamp(-5).AsInt64(), -5);
  EXPECT_EQ(Value::Time(86399999999999).AsInt64(), 86399999999999);
  EXPECT_EQ(Value::Smallint(-300).AsSmallint(), -300);
  EXPECT_EQ(Value::Tinyint(-128).AsTinyint(), -128);
  EXPECT_TRUE(Value::Boolean(true).AsBoolean());
  EXPECT_EQ(Value::Float(-1.5f).AsFloat(), -1.5f);
  EXPECT_EQ(Value::Double(3.25).AsDouble(), 3.25);
  EXPECT_EQ(Value::Date(12345).AsDate(), 12345u);
  EXPECT_EQ(Value::Blob(Bytes({0, 1})).AsBytes(), Bytes({0, 1}));
}

// A view reads the same as the value it views, and ToValue gives the value back.
TEST(ValueTest, ViewsReadAsTheirValues) {
  const Value values[] = {Value::Int(-7),
                          Value::Bigint(1LL << 40),
                          Value::Smallint(3),
                          Value::Tinyint(-1),
                          Value::Boolean(true),
                          Value::Float(2.5f),
                          Value::Double(-0.125),
                          Value::Date(99),
                          Value::Text("héllo"),
                          Value::Blob(Bytes({0, 9})),
                          Value()};
  for (const Value& v : values) {
    const ValueView view = v.view();
    EXPECT_EQ(view.is_null(), v.is_null());
    EXPECT_EQ(view.serialized(), v.serialized());
    EXPECT_EQ(view.ToString(), v.ToString());
    EXPECT_EQ(view.ToValue(), v);
  }
  EXPECT_EQ(Value::Int(-7).view().AsInt(), -7);
  EXPECT_EQ(Value::Bigint(1LL << 40).view().AsInt64(), 1LL << 40);
  EXPECT_EQ(Value::Double(-0.125).view().AsDouble(), -0.125);
  EXPECT_EQ(ValueView(), Value().view());
  EXPECT_FALSE(ValueView() == Value::Blob("").view());
}

TEST(ValueTest, TypeNamesRoundTrip) {
  for (CqlType t : testing::AllTypes()) {
    auto parsed = ParseCqlType(CqlTypeName(t));
    ASSERT_TRUE(parsed.ok()) << CqlTypeName(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_STREQ(CqlTypeName(CqlType::kTimeuuid), "timeuuid");
  EXPECT_STREQ(CqlTypeName(CqlType::kBigint), "bigint");
  EXPECT_STREQ(CqlTypeName(static_cast<CqlType>(99)), "unknown");
}

TEST(ValueTest, ParseCqlTypeIsCaseInsensitive) {
  EXPECT_EQ(*ParseCqlType("TimeUUID"), CqlType::kTimeuuid);
  EXPECT_EQ(*ParseCqlType("BIGINT"), CqlType::kBigint);
  EXPECT_EQ(*ParseCqlType("VarChar"), CqlType::kText);
  auto bad = ParseCqlType("varint");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("varint"));
  EXPECT_FALSE(ParseCqlType("").ok());
  EXPECT_FALSE(ParseCqlType("int ").ok());
}

void ExpectInvalid(const Value& v, std::string_view fragment) {
  const absl::Status s = v.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << v.ToString();
  EXPECT_THAT(std::string(s.message()), HasSubstr(std::string(fragment)));
}

TEST(ValueTest, ValidateFixedWidths) {
  ExpectInvalid(Value::FromSerialized(CqlType::kInt, "abc"), "int value must be 4 bytes, got 3");
  ExpectInvalid(Value::FromSerialized(CqlType::kBigint, "abcd"),
                "bigint value must be 8 bytes, got 4");
  ExpectInvalid(Value::FromSerialized(CqlType::kSmallint, "a"), "must be 2 bytes, got 1");
  ExpectInvalid(Value::FromSerialized(CqlType::kTinyint, ""), "must be 1 bytes, got 0");
  ExpectInvalid(Value::FromSerialized(CqlType::kBoolean, "ab"), "must be 1 bytes, got 2");
  ExpectInvalid(Value::FromSerialized(CqlType::kFloat, "abcdefgh"), "must be 4 bytes, got 8");
  ExpectInvalid(Value::FromSerialized(CqlType::kDouble, "abcd"), "must be 8 bytes, got 4");
  ExpectInvalid(Value::FromSerialized(CqlType::kTimestamp, ""), "must be 8 bytes, got 0");
  ExpectInvalid(Value::FromSerialized(CqlType::kDate, "abcde"), "must be 4 bytes, got 5");
  ExpectInvalid(Value::FromSerialized(CqlType::kTime, "abc"), "must be 8 bytes, got 3");
  ExpectInvalid(Value::FromSerialized(CqlType::kUuid, std::string(15, 'a')),
                "uuid value must be 16 bytes, got 15");
  ExpectInvalid(Value::FromSerialized(CqlType::kTimeuuid, std::string(17, 'a')),
                "must be 16 bytes, got 17");
  ExpectInvalid(Value::FromSerialized(static_cast<CqlType>(77), ""), "unknown CQL type");
}

TEST(ValueTest, ValidateRanges) {
  ExpectInvalid(Value::FromSerialized(CqlType::kBoolean, Bytes({2})),
                "boolean value must be 0 or 1, got 2");
  ExpectInvalid(Value::Time(-1), "time value must be in [0, 86399999999999]");
  ExpectInvalid(Value::Time(86400000000000), "got 86400000000000");
  EXPECT_TRUE(Value::Time(0).Validate().ok());
  EXPECT_TRUE(Value::Time(86399999999999).Validate().ok());
  ExpectInvalid(Value::Timeuuid(UuidFromHex("00000000-0000-4000-8000-000000000000")),
                "version 1 UUID, got version 4");
  EXPECT_TRUE(Value::Timeuuid(UuidFromHex("00000000-0000-1000-8000-000000000000")).Validate().ok());
  EXPECT_TRUE(Value::Uuid(UuidFromHex("00000000-0000-4000-8000-000000000000")).Validate().ok());
  ExpectInvalid(Value::Inet("abc"), "inet value must be 4 (IPv4) or 16 (IPv6) bytes, got 3");
  EXPECT_TRUE(Value::Inet(std::string(16, '\0')).Validate().ok());
  EXPECT_TRUE(Value::Blob(Bytes({0xff, 0, 0x80})).Validate().ok());
  EXPECT_TRUE(Value::Int(0).Validate().ok());
}

TEST(ValueTest, ValidateAscii) {
  EXPECT_TRUE(Value::Ascii(Bytes({0, 'a', 0x7f})).Validate().ok());
  ExpectInvalid(Value::Ascii(Bytes({'a', 0x80})), "non-ASCII byte 0x80 at offset 1");
}

TEST(ValueTest, ValidateUtf8) {
  const std::string valid[] = {
      "",
      Bytes({0}),
      "plain",
      "\xc2\x80",          // U+0080, smallest 2-byte
      "\xdf\xbf",          // U+07FF
      "\xe0\xa0\x80",      // U+0800, smallest 3-byte
      "\xed\x9f\xbf",      // U+D7FF, just below the surrogates
      "\xee\x80\x80",      // U+E000, just above them
      "\xef\xbf\xbf",      // U+FFFF
      "\xf0\x90\x80\x80",  // U+10000
      "\xf4\x8f\xbf\xbf",  // U+10FFFF
  };
  for (const std::string& s : valid) {
    EXPECT_TRUE(Value::Text(s).Validate().ok()) << ::testing::PrintToString(s);
  }
  const std::string invalid[] = {
      "\x80",              // lone continuation
      "\xc0\x80",          // overlong NUL
      "\xc1\xbf",          // overlong
      "\xe0\x9f\xbf",      // overlong 3-byte
      "\xf0\x8f\xbf\xbf",  // overlong 4-byte
      "\xed\xa0\x80",      // U+D800 surrogate
      "\xed\xbf\xbf",      // U+DFFF surrogate
      "\xf4\x90\x80\x80",  // U+110000
      "\xf5\x80\x80\x80",  // lead byte beyond U+10FFFF
      "\xff",
      "\xc3",              // truncated
      "\xe2\x82",          // truncated
      "a\xc3(",            // bad continuation
      "\xf0\x90\x80\x7f",  // bad last continuation
  };
  for (const std::string& s : invalid) {
    ExpectInvalid(Value::Text(s), "text value is not valid UTF-8");
  }
  ExpectInvalid(Value::Text("ab\xed\xa0\x80"), "at byte 2");
}

TEST(ValueTest, ToString) {
  EXPECT_EQ(Value::Int(-42).ToString(), "-42");
  EXPECT_EQ(Value::Bigint(std::numeric_limits<int64_t>::min()).ToString(), "-9223372036854775808");
  EXPECT_EQ(Value::Smallint(-7).ToString(), "-7");
  EXPECT_EQ(Value::Tinyint(-128).ToString(), "-128");
  EXPECT_EQ(Value::Boolean(true).ToString(), "true");
  EXPECT_EQ(Value::Boolean(false).ToString(), "false");
  EXPECT_EQ(Value::Float(0.1f).ToString(), "0.1");
  EXPECT_EQ(Value::Double(0.1).ToString(), "0.1");
  EXPECT_EQ(Value::Double(-2.5).ToString(), "-2.5");
  EXPECT_EQ(Value::Double(std::nan("")).ToString(), "NaN");
  EXPECT_EQ(Value::Float(-std::numeric_limits<float>::infinity()).ToString(), "-Infinity");
  EXPECT_EQ(Value::Double(std::numeric_limits<double>::infinity()).ToString(), "Infinity");
  EXPECT_EQ(Value::Text("h\xc3\xa9llo").ToString(), "h\xc3\xa9llo");
  EXPECT_EQ(Value::Ascii("abc").ToString(), "abc");
  EXPECT_EQ(Value::Blob(Bytes({0x00, 0xab, 0xff})).ToString(), "0x00abff");
  EXPECT_EQ(Value::Blob("").ToString(), "0x");
  EXPECT_EQ(Value::Timestamp(0).ToString(), "1970-01-01 00:00:00.000000+0000");
  EXPECT_EQ(Value::Timestamp(1795587149000).ToString(), "2026-11-25 06:12:29.000000+0000");
  EXPECT_EQ(Value::Timestamp(1795587149123).ToString(), "2026-11-25 06:12:29.123000+0000");
  EXPECT_EQ(Value::Timestamp(-1).ToString(), "1969-12-31 23:59:59.999000+0000");
  EXPECT_EQ(Value::Timestamp(951782400000).ToString(), "2000-02-29 00:00:00.000000+0000");
  EXPECT_EQ(Value::DateFromEpochDays(0).ToString(), "1970-01-01");
  EXPECT_EQ(Value::DateFromEpochDays(-1).ToString(), "1969-12-31");
  EXPECT_EQ(Value::DateFromEpochDays(19000).ToString(), "2022-01-08");
  EXPECT_EQ(Value::Time(0).ToString(), "00:00:00.000000000");
  EXPECT_EQ(Value::Time(86399999999999).ToString(), "23:59:59.999999999");
  EXPECT_EQ(Value::Time(3723000000004).ToString(), "01:02:03.000000004");
  EXPECT_EQ(Value::Uuid(UuidFromHex("00112233-4455-6677-8899-AABBCCDDEEFF")).ToString(),
            "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(Value::Timeuuid(UuidFromHex("e8a3c6a0-1c4e-11ee-be56-0242ac120002")).ToString(),
            "e8a3c6a0-1c4e-11ee-be56-0242ac120002");
  EXPECT_EQ(Value::Inet(Bytes({192, 168, 0, 1})).ToString(), "192.168.0.1");
  EXPECT_EQ(
      Value::Inet(Bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})).ToString(),
      "2001:db8::1");
}

TEST(ValueTest, ToStringOutOfRangeAndInvalid) {
  // cqlsh falls back to the raw number when the calendar cannot represent the value.
  EXPECT_EQ(Value::Timestamp(std::numeric_limits<int64_t>::max()).ToString(),
            "9223372036854775807");
  EXPECT_EQ(Value::Timestamp(std::numeric_limits<int64_t>::min()).ToString(),
            "-9223372036854775808");
  EXPECT_EQ(Value::Timestamp(-62135596800001).ToString(), "-62135596800001");  // year 0
  EXPECT_EQ(Value::Timestamp(-62135596800000).ToString(), "0001-01-01 00:00:00.000000+0000");
  EXPECT_EQ(Value::Timestamp(253402300799999).ToString(), "9999-12-31 23:59:59.999000+0000");
  EXPECT_EQ(Value::Date(0).ToString(), "-2147483648");
  EXPECT_EQ(Value::Date(0xffffffffu).ToString(), "2147483647");
  EXPECT_EQ(Value::Time(-1).ToString(), "-1");
  EXPECT_EQ(Value::FromSerialized(CqlType::kInt, "ab").ToString(), "0x6162");
  EXPECT_EQ(Value::FromSerialized(CqlType::kInet, "ab").ToString(), "0x6162");
}

TEST(CompareValuesTest, SignedIntegers) {
  EXPECT_LT(CompareValues(Value::Int(-1), Value::Int(0)), 0);
  EXPECT_GT(CompareValues(Value::Int(1), Value::Int(-1)), 0);
  EXPECT_EQ(CompareValues(Value::Int(7), Value::Int(7)), 0);
  EXPECT_LT(CompareValues(Value::Bigint(std::numeric_limits<int64_t>::min()), Value::Bigint(0)), 0);
  EXPECT_LT(CompareValues(Value::Smallint(-1), Value::Smallint(1)), 0);
  EXPECT_LT(CompareValues(Value::Tinyint(-128), Value::Tinyint(127)), 0);
  EXPECT_LT(CompareValues(Value::Timestamp(-1), Value::Timestamp(1)), 0);
  EXPECT_LT(CompareValues(Value::Time(1), Value::Time(2)), 0);
}

TEST(CompareValuesTest, BooleanAndDate) {
  EXPECT_LT(CompareValues(Value::Boolean(false), Value::Boolean(true)), 0);
  EXPECT_EQ(CompareValues(Value::Boolean(true), Value::Boolean(true)), 0);
  // Dates are unsigned: 2^31 (the epoch) sorts after 0x7fffffff.
  EXPECT_LT(CompareValues(Value::Date(0x7fffffffu), Value::Date(0x80000000u)), 0);
  EXPECT_LT(CompareValues(Value::Date(0), Value::Date(0xffffffffu)), 0);
}

TEST(CompareValuesTest, FloatsFollowJava) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_LT(CompareValues(Value::Float(-0.0f), Value::Float(0.0f)), 0);
  EXPECT_LT(CompareValues(Value::Float(inf), Value::Float(nan)), 0);
  EXPECT_LT(CompareValues(Value::Float(-inf), Value::Float(-1.0f)), 0);
  EXPECT_EQ(CompareValues(Value::Float(nan), Value::Float(-nan)), 0);
  EXPECT_EQ(CompareValues(Value::Float(std::bit_cast<float>(0x7f800001u)), Value::Float(nan)), 0);
  EXPECT_LT(CompareValues(Value::Float(1.0f), Value::Float(2.0f)), 0);
  const double dnan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_LT(CompareValues(Value::Double(-0.0), Value::Double(0.0)), 0);
  EXPECT_GT(CompareValues(Value::Double(-dnan), Value::Double(1e308)), 0);
  EXPECT_EQ(CompareValues(Value::Double(-dnan), Value::Double(dnan)), 0);
  EXPECT_LT(CompareValues(Value::Double(-1.0), Value::Double(-0.5)), 0);
}

TEST(CompareValuesTest, BytesUnsignedShorterFirst) {
  EXPECT_LT(CompareValues(Value::Text("a"), Value::Text("ab")), 0);
  EXPECT_LT(CompareValues(Value::Text(""), Value::Text(Bytes({0}))), 0);
  EXPECT_LT(CompareValues(Value::Blob(Bytes({0x7f})), Value::Blob(Bytes({0x80}))), 0);
  EXPECT_LT(CompareValues(Value::Ascii("B"), Value::Ascii("a")), 0);
  EXPECT_LT(
      CompareValues(Value::Inet(Bytes({255, 255, 255, 255})), Value::Inet(std::string(16, '\xff'))),
      0);
  EXPECT_GT(CompareValues(Value::Inet(Bytes({1, 0, 0, 0})), Value::Inet(std::string(16, '\0'))), 0);
}

TEST(CompareValuesTest, UuidTypeOrder) {
  auto u = [](std::string_view hex) { return Value::Uuid(UuidFromHex(hex)); };
  // Version first, regardless of the other bits.
  EXPECT_LT(CompareValues(u("ffffffff-ffff-1fff-ffff-ffffffffffff"),
                          u("00000000-0000-4000-0000-000000000000")),
            0);
  // Version 1: by timestamp (time_hi, time_mid, time_low), not by byte order.
  EXPECT_LT(CompareValues(u("ffffffff-0000-1000-0000-000000000000"),
                          u("00000000-0001-1000-0000-000000000000")),
            0);
  EXPECT_LT(CompareValues(u("ffffffff-ffff-1000-0000-000000000000"),
                          u("00000000-0000-1001-0000-000000000000")),
            0);
  // Other versions: msb unsigned.
  EXPECT_LT(CompareValues(u("7fffffff-0000-4000-0000-000000000000"),
                          u("80000000-0000-4000-0000-000000000000")),
            0);
  // lsb compares UNSIGNED in UUIDType (even for version 1; CASSANDRA-8730).
  EXPECT_LT(CompareValues(u("00000000-0000-1000-7f00-000000000000"),
                          u("00000000-0000-1000-8000-000000000000")),
            0);
  EXPECT_LT(CompareValues(u("00000000-0000-4000-0000-00000000007f"),
                          u("00000000-0000-4000-0000-000000000080")),
            0);
}

TEST(CompareValuesTest, TimeuuidTypeOrder) {
  auto t = [](std::string_view hex) { return Value::Timeuuid(UuidFromHex(hex)); };
  EXPECT_LT(CompareValues(t("ffffffff-ffff-1000-0000-000000000000"),
                          t("00000000-0000-1001-0000-000000000000")),
            0);
  EXPECT_LT(CompareValues(t("00000001-0000-1000-0000-000000000000"),
                          t("00000000-0001-1000-0000-000000000000")),
            0);
  // TimeUUIDType compares the lsb as SIGNED bytes: 0x80 (-128) < 0x7f (127).
  EXPECT_LT(CompareValues(t("00000000-0000-1000-8000-000000000000"),
                          t("00000000-0000-1000-7f00-000000000000")),
            0);
  EXPECT_LT(CompareValues(t("00000000-0000-1000-0000-0000000000ff"),
                          t("00000000-0000-1000-0000-000000000000")),
            0);
  EXPECT_EQ(CompareValues(t("12345678-9abc-1def-8123-456789abcdef"),
                          t("12345678-9abc-1def-8123-456789abcdef")),
            0);
}

// A byte-by-byte transcription of Cassandra's pre-4.0 UUIDType/TimeUUIDType comparators,
// used as an independent model for the property below.
int ModelUuidCompare(const std::string& a, const std::string& b, bool time_uuid) {
  auto u8 = [](const std::string& s, int i) { return static_cast<unsigned char>(s[i]); };
  if (!time_uuid) {
    const int va = u8(a, 6) >> 4, vb = u8(b, 6) >> 4;
    if (va != vb) return Sign(va - vb);
  }
  if (time_uuid || (u8(a, 6) >> 4) == 1) {
    const int order[] = {6, 7, 4, 5, 0, 1, 2, 3};
    for (int i : order) {
      const int d = i == 6 ? (u8(a, 6) & 0xf) - (u8(b, 6) & 0xf) : u8(a, i) - u8(b, i);
      if (d != 0) return Sign(d);
    }
  }
  for (int i = 0; i < 16; ++i) {
    const int d =
        time_uuid ? static_cast<int8_t>(a[i]) - static_cast<int8_t>(b[i]) : u8(a, i) - u8(b, i);
    if (d != 0) return Sign(d);
  }
  return 0;
}

RC_GTEST_PROP(CompareValuesProp, UuidMatchesModel, ()) {
  const bool time_uuid = *rc::gen::arbitrary<bool>();
  const CqlType t = time_uuid ? CqlType::kTimeuuid : CqlType::kUuid;
  const Value a = *testing::GenValue(t);
  Value b = *testing::GenValue(t);
  // Often share the msb so that the lsb decides.
  if (*rc::gen::arbitrary<bool>()) {
    b = Value::FromSerialized(t, a.serialized().substr(0, 8) + b.serialized().substr(8));
  }
  RC_ASSERT(Sign(CompareValues(a, b)) ==
            ModelUuidCompare(a.serialized(), b.serialized(), time_uuid));
}

RC_GTEST_PROP(CompareValuesProp, IsAntisymmetricAndReflexive, ()) {
  const CqlType t = *testing::GenType();
  const Value a = *testing::GenValue(t);
  const Value b = *testing::GenValue(t);
  RC_ASSERT(a.Validate().ok());
  RC_ASSERT(Sign(CompareValues(a, b)) == -Sign(CompareValues(b, a)));
  RC_ASSERT(CompareValues(a, a) == 0);
}

// Under ASan/UBSan: rendering and validating any value, valid or not, is safe.
RC_GTEST_PROP(ValueProp, ValidateAndToStringAreTotal, ()) {
  for (CqlType t : testing::AllTypes()) {
    const Value valid = *testing::GenValue(t);
    RC_ASSERT(valid.Validate().ok());
    RC_ASSERT(!valid.ToString().empty() || t == CqlType::kText || t == CqlType::kAscii);
    const Value garbage = Value::FromSerialized(t, *testing::GenBytes());
    const absl::Status s = garbage.Validate();
    RC_ASSERT(s.ok() || s.code() == absl::StatusCode::kInvalidArgument);
    garbage.ToString();
  }
}

RC_GTEST_PROP(CompareValuesProp, IntegersMatchNumericOrder, (int64_t x, int64_t y)) {
  RC_ASSERT(Sign(CompareValues(Value::Bigint(x), Value::Bigint(y))) == Sign((x > y) - (x < y)));
  const auto x32 = static_cast<int32_t>(x), y32 = static_cast<int32_t>(y);
  RC_ASSERT(Sign(CompareValues(Value::Int(x32), Value::Int(y32))) == (x32 > y32) - (x32 < y32));
}

}  // namespace
}  // namespace cassette

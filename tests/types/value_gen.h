// RapidCheck generators of valid Values, shared by the types tests. The generators
// favour small alphabets and boundary values so that random pairs often share prefixes,
// tie, or straddle sign and version boundaries.

#ifndef CASSETTE_TESTS_TYPES_VALUE_GEN_H_
#define CASSETTE_TESTS_TYPES_VALUE_GEN_H_

#include <array>
#include <bit>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "cassette/value.h"
#include "rapidcheck.h"

namespace cassette::testing {

inline const std::vector<CqlType>& AllTypes() {
  static const std::vector<CqlType> kTypes = {
      CqlType::kInt,     CqlType::kBigint, CqlType::kSmallint,  CqlType::kTinyint,
      CqlType::kBoolean, CqlType::kFloat,  CqlType::kDouble,    CqlType::kText,
      CqlType::kAscii,   CqlType::kBlob,   CqlType::kTimestamp, CqlType::kDate,
      CqlType::kTime,    CqlType::kUuid,   CqlType::kTimeuuid,  CqlType::kInet};
  return kTypes;
}

inline rc::Gen<CqlType> GenType() { return rc::gen::elementOf(AllTypes()); }

template <typename T>
rc::Gen<T> Pick(std::initializer_list<T> values) {
  return rc::gen::elementOf(std::vector<T>(values));
}

// Full-range integers plus the boundaries, since arbitrary<T> is biased to small values.
template <typename T>
rc::Gen<T> GenInt() {
  using L = std::numeric_limits<T>;
  return rc::gen::oneOf(rc::gen::arbitrary<T>(), rc::gen::inRange<T>(L::min(), L::max()),
                        Pick<T>({L::min(), L::max(), 0, -1, 1, L::min() + 1, L::max() - 1}));
}

inline rc::Gen<uint32_t> GenFloatBits() {
  return rc::gen::oneOf(
      rc::gen::inRange<uint32_t>(0, std::numeric_limits<uint32_t>::max()),
      Pick<uint32_t>({0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
                      0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff,
                      0x00000001, 0x80000001, 0x7f7fffff, 0xff7fffff}));
}

inline rc::Gen<uint64_t> GenDoubleBits() {
  return rc::gen::oneOf(
      rc::gen::inRange<uint64_t>(0, std::numeric_limits<uint64_t>::max()),
      Pick<uint64_t>({0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
                      0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
                      0xfff8000000000000ull, 0x7ff0000000000001ull, 0xffffffffffffffffull, 1,
                      0x8000000000000001ull}));
}

// Bytes from a tiny alphabet (to force shared prefixes and escapes) or anything.
inline rc::Gen<char> GenByte() {
  return rc::gen::oneOf(
      Pick<char>({0x00, 0x01, 0x7f, static_cast<char>(0x80), static_cast<char>(0xff), 'a'}),
      rc::gen::arbitrary<char>());
}

inline rc::Gen<std::string> GenBytes() { return rc::gen::container<std::string>(GenByte()); }

inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline rc::Gen<std::string> GenUtf8() {
  const auto code_point =
      rc::gen::oneOf(Pick<uint32_t>({0, 1, 'a', 'b', 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
                                     0xffff, 0x10000, 0x10ffff}),
                     rc::gen::suchThat(rc::gen::inRange<uint32_t>(0, 0x110000),
                                       [](uint32_t cp) { return cp < 0xD800 || cp > 0xDFFF; }));
  return rc::gen::map(rc::gen::container<std::vector<uint32_t>>(code_point),
                      [](const std::vector<uint32_t>& cps) {
                        std::string s;
                        for (uint32_t cp : cps) AppendUtf8(cp, &s);
                        return s;
                      });
}

// The msb half often comes from a tiny pool so that pairs tie on the timestamp / msb and
// get ordered by the lsb, whose bytes come from {00, 7f, 80, ff} where signedness matters.
inline rc::Gen<std::array<uint8_t, 16>> GenUuidBytes(bool time_uuid) {
  using Half = std::array<uint8_t, 8>;
  const auto msb =
      rc::gen::oneOf(Pick<Half>({Half{}, Half{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0},
                                 Half{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}),
                     rc::gen::container<Half>(rc::gen::arbitrary<uint8_t>()));
  const auto lsb = rc::gen::oneOf(rc::gen::container<Half>(Pick<uint8_t>({0x00, 0x7f, 0x80, 0xff})),
                                  rc::gen::container<Half>(rc::gen::arbitrary<uint8_t>()));
  return rc::gen::apply(
      [time_uuid](const Half& hi, const Half& lo, uint8_t version) {
        std::array<uint8_t, 16> b;
        for (int i = 0; i < 8; ++i) {
          b[i] = hi[i];
          b[8 + i] = lo[i];
        }
        if (time_uuid) version = 1;
        b[6] = static_cast<uint8_t>((version << 4) | (b[6] & 0x0f));
        return b;
      },
      msb, lsb, Pick<uint8_t>({0, 1, 2, 4, 15}));
}

inline rc::Gen<Value> GenValue(CqlType type) {
  namespace gen = rc::gen;
  switch (type) {
    case CqlType::kInt:
      return gen::map(GenInt<int32_t>(), [](int32_t v) { return Value::Int(v); });
    case CqlType::kBigint:
      return gen::map(GenInt<int64_t>(), [](int64_t v) { return Value::Bigint(v); });
    case CqlType::kSmallint:
      return gen::map(GenInt<int16_t>(), [](int16_t v) { return Value::Smallint(v); });
    case CqlType::kTinyint:
      return gen::map(GenInt<int8_t>(), [](int8_t v) { return Value::Tinyint(v); });
    case CqlType::kBoolean:
      return gen::map(gen::arbitrary<bool>(), [](bool v) { return Value::Boolean(v); });
    case CqlType::kFloat:
      return gen::map(GenFloatBits(),
                      [](uint32_t bits) { return Value::Float(std::bit_cast<float>(bits)); });
    case CqlType::kDouble:
      return gen::map(GenDoubleBits(),
                      [](uint64_t bits) { return Value::Double(std::bit_cast<double>(bits)); });
    case CqlType::kText:
      return gen::map(GenUtf8(), [](const std::string& s) { return Value::Text(s); });
    case CqlType::kAscii:
      return gen::map(gen::container<std::string>(gen::oneOf(Pick<char>({0, 1, 'a', 'b', 0x7f}),
                                                             gen::inRange<char>(0, 0x7f))),
                      [](const std::string& s) { return Value::Ascii(s); });
    case CqlType::kBlob:
      return gen::map(GenBytes(), [](const std::string& s) { return Value::Blob(s); });
    case CqlType::kTimestamp:
      return gen::map(GenInt<int64_t>(), [](int64_t v) { return Value::Timestamp(v); });
    case CqlType::kDate:
      return gen::map(
          gen::oneOf(gen::arbitrary<uint32_t>(),
                     gen::inRange<uint32_t>(0, std::numeric_limits<uint32_t>::max()),
                     Pick<uint32_t>({0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff})),
          [](uint32_t v) { return Value::Date(v); });
    case CqlType::kTime:
      return gen::map(gen::oneOf(gen::inRange<int64_t>(0, 86399999999999 + 1),
                                 Pick<int64_t>({0, 1, 86399999999999})),
                      [](int64_t v) { return Value::Time(v); });
    case CqlType::kUuid:
      return gen::map(GenUuidBytes(false), [](const auto& b) { return Value::Uuid(b); });
    case CqlType::kTimeuuid:
      return gen::map(GenUuidBytes(true), [](const auto& b) { return Value::Timeuuid(b); });
    case CqlType::kInet:
      return gen::map(
          gen::pair(gen::arbitrary<bool>(), gen::container<std::array<char, 16>>(GenByte())),
          [](const std::pair<bool, std::array<char, 16>>& p) {
            return Value::Inet(std::string(p.second.data(), p.first ? 4 : 16));
          });
  }
  return gen::just(Value::Int(0));
}

}  // namespace cassette::testing

#endif  // CASSETTE_TESTS_TYPES_VALUE_GEN_H_

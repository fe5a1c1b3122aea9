#include "types/comparable.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

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

int Sign(int c) { return (c > 0) - (c < 0); }

int MemCompare(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return Sign(c);
  return (a.size() > b.size()) - (a.size() < b.size());
}

std::string Enc(const Value& v, bool desc = false) {
  std::string out;
  AppendClusteringComponent(v, desc, &out);
  return out;
}

std::array<uint8_t, 16> Uuid(std::initializer_list<int> bytes) {
  std::array<uint8_t, 16> b{};
  size_t i = 0;
  for (int x : bytes) b[i++] = static_cast<uint8_t>(x);
  return b;
}

bool IsNaN(const Value& v) {
  if (v.type() == CqlType::kFloat) return std::isnan(v.AsFloat());
  if (v.type() == CqlType::kDouble) return std::isnan(v.AsDouble());
  return false;
}

// Equal as clustering values: identical bytes, or both NaN (which decode canonicalized).
bool SameClusteringValue(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (IsNaN(a) || IsNaN(b)) return IsNaN(a) && IsNaN(b);
  return a == b;
}

// The decoded clustering as owned Values (DecodeClusteringViews, copied).
absl::Status DecodeToValues(std::string_view encoded, std::span<const ClusteringColumnType> columns,
                            std::vector<Value>* out) {
  std::string buf;
  std::vector<ValueView> views;
  absl::Status s = DecodeClusteringViews(encoded, columns, &buf, &views);
  out->clear();
  for (const ValueView& v : views) out->push_back(v.ToValue());
  return s;
}

TEST(ComparableTest, Tags) {
  EXPECT_EQ(kComponentTag, 0x10);
  EXPECT_EQ(kAfterPrefixTag, 0x11);
}

TEST(ComparableTest, IntegerBodies) {
  EXPECT_EQ(Enc(Value::Int(1)), Bytes({0x10, 0x80, 0, 0, 1}));
  EXPECT_EQ(Enc(Value::Int(-1)), Bytes({0x10, 0x7f, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Enc(Value::Int(1), true), Bytes({0x10, 0x7f, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(Enc(Value::Bigint(0)), Bytes({0x10, 0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Enc(Value::Smallint(-32768)), Bytes({0x10, 0x00, 0x00}));
  EXPECT_EQ(Enc(Value::Tinyint(127)), Bytes({0x10, 0xff}));
  EXPECT_EQ(Enc(Value::Timestamp(-2)),
            Bytes({0x10, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(Enc(Value::Time(5)), Bytes({0x10, 0x80, 0, 0, 0, 0, 0, 0, 5}));
}

TEST(ComparableTest, BooleanAndDateBodies) {
  EXPECT_EQ(Enc(Value::Boolean(true)), Bytes({0x10, 0x01}));
  EXPECT_EQ(Enc(Value::Boolean(false)), Bytes({0x10, 0x00}));
  EXPECT_EQ(Enc(Value::Boolean(true), true), Bytes({0x10, 0xfe}));
  EXPECT_EQ(Enc(Value::Date(0x80000001u)), Bytes({0x10, 0x80, 0, 0, 1}));
}

TEST(ComparableTest, FloatBodies) {
  EXPECT_EQ(Enc(Value::Float(1.0f)), Bytes({0x10, 0xbf, 0x80, 0, 0}));
  EXPECT_EQ(Enc(Value::Float(-1.0f)), Bytes({0x10, 0x40, 0x7f, 0xff, 0xff}));
  EXPECT_EQ(Enc(Value::Float(0.0f)), Bytes({0x10, 0x80, 0, 0, 0}));
  EXPECT_EQ(Enc(Value::Float(-0.0f)), Bytes({0x10, 0x7f, 0xff, 0xff, 0xff}));
  // Every NaN, negative ones included, is canonicalized to Java's 0x7fc00000 first.
  EXPECT_EQ(Enc(Value::Float(std::bit_cast<float>(0xffc00001u))), Bytes({0x10, 0xff, 0xc0, 0, 0}));
  EXPECT_EQ(Enc(Value::Float(std::bit_cast<float>(0x7f800001u))), Bytes({0x10, 0xff, 0xc0, 0, 0}));
  EXPECT_EQ(Enc(Value::Double(1.0)), Bytes({0x10, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Enc(Value::Double(-std::numeric_limits<double>::quiet_NaN())),
            Bytes({0x10, 0xff, 0xf8, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Enc(Value::Double(-1.0), true), Bytes({0x10, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0}));
}

TEST(ComparableTest, ByteStringBodies) {
  EXPECT_EQ(Enc(Value::Text("")), Bytes({0x10, 0x00, 0x01}));
  EXPECT_EQ(Enc(Value::Text(Bytes({'a', 0, 'b'}))),
            Bytes({0x10, 'a', 0x00, 0xff, 'b', 0x00, 0x01}));
  EXPECT_EQ(Enc(Value::Text(Bytes({'a', 0, 'b'})), true),
            Bytes({0x10, 0x9e, 0xff, 0x00, 0x9d, 0xff, 0xfe}));
  EXPECT_EQ(Enc(Value::Blob(Bytes({0xff, 0x00}))), Bytes({0x10, 0xff, 0x00, 0xff, 0x00, 0x01}));
  EXPECT_EQ(Enc(Value::Ascii("hi")), Bytes({0x10, 'h', 'i', 0x00, 0x01}));
  EXPECT_EQ(Enc(Value::Inet(Bytes({10, 0, 0, 1}))),
            Bytes({0x10, 10, 0x00, 0xff, 0x00, 0xff, 1, 0x00, 0x01}));
}

TEST(ComparableTest, UuidBodies) {
  // Version 4: the version nibble moves to the top, the rest of the msb keeps its order.
  EXPECT_EQ(Enc(Value::Uuid(Uuid({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x46, 0x77, 0x88, 0x99, 0xaa,
                                  0xbb, 0xcc, 0xdd, 0xee, 0xff}))),
            Bytes({0x10, 0x40, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x77, 0x88, 0x99, 0xaa, 0xbb,
                   0xcc, 0xdd, 0xee, 0xff}));
  // Version 1 in a uuid column: timestamp reordered, lsb unchanged.
  EXPECT_EQ(Enc(Value::Uuid(Uuid({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x16, 0x77, 0x88, 0x99, 0xaa,
                                  0xbb, 0xcc, 0xdd, 0xee, 0xff}))),
            Bytes({0x10, 0x16, 0x77, 0x44, 0x55, 0x00, 0x11, 0x22, 0x33, 0x88, 0x99, 0xaa, 0xbb,
                   0xcc, 0xdd, 0xee, 0xff}));
  // Timeuuid: same timestamp order, lsb bytes XOR 0x80 for the signed comparison.
  EXPECT_EQ(Enc(Value::Timeuuid(Uuid({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x16, 0x77, 0x88, 0x99,
                                      0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}))),
            Bytes({0x10, 0x16, 0x77, 0x44, 0x55, 0x00, 0x11, 0x22, 0x33, 0x08, 0x19, 0x2a, 0x3b,
                   0x4c, 0x5d, 0x6e, 0x7f}));
}

TEST(ComparableTest, MultiComponentAndPrefix) {
  const ClusteringColumnType cols[] = {{CqlType::kInt, false}, {CqlType::kText, true}};
  const Value full[] = {Value::Int(1), Value::Text("x")};
  const std::string enc = EncodeClustering(full, cols);
  EXPECT_EQ(enc, Bytes({0x10, 0x80, 0, 0, 1, 0x10, 0x87, 0xff, 0xfe}));
  const std::string prefix = EncodeClustering(std::span(full, 1), cols);
  EXPECT_EQ(prefix, Bytes({0x10, 0x80, 0, 0, 1}));
  EXPECT_EQ(EncodeClustering({}, cols), "");

  std::vector<Value> out;
  ASSERT_TRUE(DecodeToValues(enc, cols, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], Value::Int(1));
  EXPECT_EQ(out[1], Value::Text("x"));
  ASSERT_TRUE(DecodeToValues(prefix, cols, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], Value::Int(1));
  ASSERT_TRUE(DecodeToValues("", cols, &out).ok());
  EXPECT_TRUE(out.empty());
}

void ExpectDataLoss(std::string_view encoded, std::span<const ClusteringColumnType> cols,
                    std::string_view fragment) {
  std::vector<Value> out = {Value::Int(42)};
  const absl::Status s = DecodeToValues(encoded, cols, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << ::testing::PrintToString(encoded);
  EXPECT_THAT(std::string(s.message()), HasSubstr(std::string(fragment)));
  // A failed decode leaves the output empty: no partial clustering.
  EXPECT_TRUE(out.empty());
}

TEST(ComparableTest, DecodeRejectsMalformedInput) {
  const ClusteringColumnType int_text[] = {{CqlType::kInt, false}, {CqlType::kText, false}};
  const std::string one = Bytes({0x10, 0x80, 0, 0, 1});
  ExpectDataLoss(Bytes({0x10, 0x80, 0}), int_text, "component 0 (int): truncated");
  ExpectDataLoss(Bytes({0x12}), int_text, "component 0 (int): bad component tag 18");
  ExpectDataLoss(one + Bytes({0x11}), int_text, "component 1 (text): found the after-prefix");
  ExpectDataLoss(one + Bytes({0x10, 'a'}), int_text, "component 1 (text): missing terminator");
  ExpectDataLoss(one + Bytes({0x10, 'a', 0}), int_text, "component 1 (text): truncated escape");
  ExpectDataLoss(one + Bytes({0x10, 'a', 0, 2}), int_text, "component 1 (text): invalid escape");
  ExpectDataLoss(one + Bytes({0x10, 0xc0, 0x80, 0, 1}), int_text,
                 "component 1 (text): text value is not valid UTF-8");
  ExpectDataLoss(one + Bytes({0x10, 0, 1, 0x10}), int_text, "1 trailing bytes after all 2");

  const ClusteringColumnType misc[] = {
      {CqlType::kBoolean, false}, {CqlType::kTime, false}, {CqlType::kTimeuuid, false}};
  ExpectDataLoss(Bytes({0x10, 2}), misc, "component 0 (boolean): boolean value must be 0 or 1");
  ExpectDataLoss(Bytes({0x10, 1, 0x10, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), misc,
                 "component 1 (time): time value must be in");
  std::string bad_version = Bytes({0x10, 1, 0x10, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x40});
  bad_version += std::string(15, '\0');
  ExpectDataLoss(bad_version, misc, "component 2 (timeuuid): timeuuid value must be a version 1");
  // DESC inversion is undone before the checks.
  const ClusteringColumnType desc_bool[] = {{CqlType::kBoolean, true}};
  ExpectDataLoss(Bytes({0x10, 0x01}), desc_bool, "boolean value must be 0 or 1, got 254");
}

// ---- properties -------------------------------------------------------------------

rc::Gen<std::vector<ClusteringColumnType>> GenColumns() {
  const auto column = rc::gen::map(rc::gen::pair(testing::GenType(), rc::gen::arbitrary<bool>()),
                                   [](const std::pair<CqlType, bool>& p) {
                                     return ClusteringColumnType{p.first, p.second};
                                   });
  return rc::gen::mapcat(rc::gen::inRange<size_t>(1, 5), [column](size_t n) {
    return rc::gen::container<std::vector<ClusteringColumnType>>(n, column);
  });
}

std::vector<Value> GenClustering(const std::vector<ClusteringColumnType>& cols) {
  std::vector<Value> values;
  for (const auto& c : cols) values.push_back(*testing::GenValue(c.type));
  return values;
}

// Lexicographic clustering order from CompareValues, DESC columns reversed; a strict
// prefix sorts first.
int ModelCompare(const std::vector<Value>& a, const std::vector<Value>& b,
                 const std::vector<ClusteringColumnType>& cols) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const int c = Sign(CompareValues(a[i], b[i]));
    if (c != 0) return cols[i].descending ? -c : c;
  }
  return (a.size() > b.size()) - (a.size() < b.size());
}

// Every type in every case: drawing the type at random would leave each type only a
// handful of the 100 cases.
RC_GTEST_PROP(ComparableProp, SingleComponentOrderMatchesCompareValues, ()) {
  for (CqlType t : testing::AllTypes()) {
    const bool desc = *rc::gen::arbitrary<bool>();
    const Value a = *testing::GenValue(t);
    const Value b = *testing::GenValue(t);
    const int expected = Sign(CompareValues(a, b));
    RC_ASSERT(MemCompare(Enc(a, desc), Enc(b, desc)) == (desc ? -expected : expected));
  }
}

// UUIDs that share the msb are ordered by the lsb, signed for timeuuid only.
RC_GTEST_PROP(ComparableProp, UuidLsbOrderMatchesCompareValues, ()) {
  for (CqlType t : {CqlType::kUuid, CqlType::kTimeuuid}) {
    const bool desc = *rc::gen::arbitrary<bool>();
    const Value a = *testing::GenValue(t);
    const Value other = *testing::GenValue(t);
    const Value b =
        Value::FromSerialized(t, a.serialized().substr(0, 8) + other.serialized().substr(8));
    const int expected = Sign(CompareValues(a, b));
    RC_ASSERT(MemCompare(Enc(a, desc), Enc(b, desc)) == (desc ? -expected : expected));
  }
}

RC_GTEST_PROP(ComparableProp, MultiComponentOrderIsLexicographic, ()) {
  const auto cols = *GenColumns();
  const std::vector<Value> a = GenClustering(cols);
  // Share a random number of leading components so later columns get compared too.
  std::vector<Value> b = GenClustering(cols);
  const size_t shared = *rc::gen::inRange<size_t>(0, cols.size() + 1);
  for (size_t i = 0; i < shared; ++i) b[i] = a[i];
  RC_ASSERT(MemCompare(EncodeClustering(a, cols), EncodeClustering(b, cols)) ==
            ModelCompare(a, b, cols));
}

RC_GTEST_PROP(ComparableProp, PrefixProperties, ()) {
  const auto cols = *GenColumns();
  const std::vector<Value> full = GenClustering(cols);
  const size_t k = *rc::gen::inRange<size_t>(0, cols.size() + 1);
  const std::string enc_full = EncodeClustering(full, cols);
  const std::string prefix = EncodeClustering(std::span(full).first(k), cols);
  RC_ASSERT(enc_full.compare(0, prefix.size(), prefix) == 0);

  // Any other clustering extending the prefix lies in [prefix, prefix + kAfterPrefixTag).
  std::vector<Value> other = GenClustering(cols);
  for (size_t i = 0; i < k; ++i) other[i] = full[i];
  const std::string after = prefix + kAfterPrefixTag;
  for (const std::string& ext : {enc_full, EncodeClustering(other, cols)}) {
    RC_ASSERT(MemCompare(prefix, ext) <= 0);
    RC_ASSERT(MemCompare(after, ext) > 0);
    RC_ASSERT(MemCompare(ext, "\xff") < 0);
  }
  // A clustering that differs inside the prefix is outside the range on the right side.
  if (k > 0) {
    std::vector<Value> differs = GenClustering(cols);
    const int c = ModelCompare(std::vector<Value>(differs.begin(), differs.begin() + k),
                               std::vector<Value>(full.begin(), full.begin() + k), cols);
    const std::string enc = EncodeClustering(differs, cols);
    if (c < 0) RC_ASSERT(MemCompare(enc, prefix) < 0);
    if (c > 0) RC_ASSERT(MemCompare(enc, after) > 0);
  }
}

RC_GTEST_PROP(ComparableProp, DecodeInvertsEncode, ()) {
  const auto cols = *GenColumns();
  const std::vector<Value> full = GenClustering(cols);
  const size_t k = *rc::gen::inRange<size_t>(0, cols.size() + 1);
  std::vector<Value> decoded;
  const absl::Status s =
      DecodeToValues(EncodeClustering(std::span(full).first(k), cols), cols, &decoded);
  RC_ASSERT(s.ok());
  RC_ASSERT(decoded.size() == k);
  for (size_t i = 0; i < k; ++i) RC_ASSERT(SameClusteringValue(decoded[i], full[i]));
}

bool HasNaN(const std::vector<Value>& values) {
  for (const Value& v : values) {
    if (IsNaN(v)) return true;
  }
  return false;
}

void CheckDecodeOfUntrusted(const std::string& bytes,
                            const std::vector<ClusteringColumnType>& cols) {
  std::vector<Value> out;
  const absl::Status s = DecodeToValues(bytes, cols, &out);
  if (!s.ok()) {
    RC_ASSERT(s.code() == absl::StatusCode::kDataLoss);
    return;
  }
  for (const Value& v : out) RC_ASSERT(v.Validate().ok());
  // Bodies are bijective, so anything accepted re-encodes to the same bytes (NaN
  // payloads excepted: they decode as is and re-encode canonicalized).
  if (!HasNaN(out)) RC_ASSERT(EncodeClustering(out, cols) == bytes);
}

// Clusterings of integer columns only take DecodeClusteringViews' word-at-a-time path;
// decoded into buffers a previous, different clustering left behind (as a read reuses
// them from row to row), and with one byte damaged, which either path must refuse or
// decode to what re-encodes to the same bytes.
RC_GTEST_PROP(ComparableProp, IntegerClusteringsDecodeIntoReusedBuffers, ()) {
  const auto type = rc::gen::element(CqlType::kBigint, CqlType::kInt, CqlType::kTimestamp,
                                     CqlType::kSmallint, CqlType::kTinyint);
  const auto column = rc::gen::map(rc::gen::pair(type, rc::gen::arbitrary<bool>()),
                                   [](const std::pair<CqlType, bool>& p) {
                                     return ClusteringColumnType{p.first, p.second};
                                   });
  const auto cols = *rc::gen::mapcat(rc::gen::inRange<size_t>(1, 5), [column](size_t n) {
    return rc::gen::container<std::vector<ClusteringColumnType>>(n, column);
  });
  std::string buf = *testing::GenBytes();
  std::vector<ValueView> views(*rc::gen::inRange<size_t>(0, 6));
  for (int round = 0; round < 3; ++round) {
    const std::vector<Value> full = GenClustering(cols);
    RC_ASSERT(DecodeClusteringViews(EncodeClustering(full, cols), cols, &buf, &views).ok());
    RC_ASSERT(views.size() == full.size());
    for (size_t i = 0; i < full.size(); ++i) RC_ASSERT(views[i].ToValue() == full[i]);
  }
  std::string damaged = EncodeClustering(GenClustering(cols), cols);
  damaged[*rc::gen::inRange<size_t>(0, damaged.size())] ^= *rc::gen::nonZero<char>();
  CheckDecodeOfUntrusted(damaged, cols);
}

RC_GTEST_PROP(ComparableProp, DecodingGarbageIsSafe, ()) {
  const auto cols = *GenColumns();
  const std::string bytes = *testing::GenBytes();
  CheckDecodeOfUntrusted(bytes, cols);
  CheckDecodeOfUntrusted(std::string(1, kComponentTag) + bytes, cols);
}

RC_GTEST_PROP(ComparableProp, DecodingCorruptedEncodingsIsSafe, ()) {
  const auto cols = *GenColumns();
  std::string enc = EncodeClustering(GenClustering(cols), cols);
  switch (*rc::gen::inRange(0, 3)) {
    case 0:
      enc.resize(*rc::gen::inRange<size_t>(0, enc.size() + 1));
      break;
    case 1:
      if (!enc.empty())
        enc[*rc::gen::inRange<size_t>(0, enc.size())] ^= *rc::gen::arbitrary<char>();
      break;
    default:
      enc += *testing::GenBytes();
      break;
  }
  CheckDecodeOfUntrusted(enc, cols);
}

}  // namespace
}  // namespace cassette

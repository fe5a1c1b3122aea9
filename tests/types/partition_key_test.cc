#include "types/partition_key.h"

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

// Token vectors: Cassandra's token for int key 1 is -4069959284402364209 (token(k) in
// cqlsh); the text/blob ones are the Murmur3 tokens published in the DataStax drivers'
// test suites; the composite one comes from a Python transcription of Cassandra's
// MurmurHash.hash3_x64_128 (with Java's sign extension of tail bytes) that reproduces
// all of the former.

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

TEST(PartitionKeyTest, SingleComponentIsRawBytes) {
  const Value key[] = {Value::Int(1)};
  EXPECT_EQ(SerializePartitionKey(key), Bytes({0, 0, 0, 1}));
  const Value text[] = {Value::Text("abc")};
  EXPECT_EQ(SerializePartitionKey(text), "abc");
}

TEST(PartitionKeyTest, CompositeSerialization) {
  const Value key[] = {Value::Int(1), Value::Text("a"), Value::Blob("")};
  EXPECT_EQ(SerializePartitionKey(key), Bytes({0, 4, 0, 0, 0, 1, 0, 0, 1, 'a', 0, 0, 0, 0}));
}

TEST(PartitionKeyTest, CassandraTokens) {
  const Value int_key[] = {Value::Int(1)};
  EXPECT_EQ(PartitionToken(SerializePartitionKey(int_key)), -4069959284402364209LL);
  const Value text_key[] = {Value::Text("123")};
  EXPECT_EQ(PartitionToken(SerializePartitionKey(text_key)), -7468325962851647638LL);
  const Value blob_key[] = {Value::Blob(std::string(8, '\xfe'))};
  EXPECT_EQ(PartitionToken(SerializePartitionKey(blob_key)), -8927430733708461935LL);
  EXPECT_EQ(PartitionToken(Bytes({0xe2, 0xe7})), -8582699461035929883LL);
  const Value composite[] = {Value::Int(1), Value::Text("a")};
  EXPECT_EQ(PartitionToken(SerializePartitionKey(composite)), 6516349416904725244LL);
}

TEST(PartitionKeyTest, EmptyKeyHasMinimumToken) {
  // Murmur3Partitioner.getToken short-circuits empty keys to MINIMUM.
  EXPECT_EQ(PartitionToken(""), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(DecoratePartitionKey(""), std::string(8, '\0'));
}

TEST(PartitionKeyTest, DecoratedLayout) {
  const std::string key = Bytes({0, 0, 0, 1});
  // -4069959284402364209 = 0xc78499982ae4e0cf; XOR 1<<63 -> 0x478499982ae4e0cf.
  EXPECT_EQ(DecoratePartitionKey(key),
            Bytes({0x47, 0x84, 0x99, 0x98, 0x2a, 0xe4, 0xe0, 0xcf}) + key);
  EXPECT_EQ(TokenOfDecorated(DecoratePartitionKey(key)), -4069959284402364209LL);
}

TEST(PartitionKeyTest, DecodeRoundTrip) {
  const Value key[] = {Value::Int(-5), Value::Text("h\xc3\xa9"), Value::Uuid({})};
  const CqlType types[] = {CqlType::kInt, CqlType::kText, CqlType::kUuid};
  std::vector<Value> out;
  ASSERT_TRUE(
      DecodePartitionKey(DecoratePartitionKey(SerializePartitionKey(key)), types, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(out[i], key[i]);

  const CqlType blob[] = {CqlType::kBlob};
  ASSERT_TRUE(DecodePartitionKey(DecoratePartitionKey(Bytes({0, 0xff})), blob, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], Value::Blob(Bytes({0, 0xff})));
}

void ExpectDataLoss(std::string_view decorated, std::span<const CqlType> types,
                    std::string_view fragment) {
  std::vector<Value> out = {Value::Int(42)};
  const absl::Status s = DecodePartitionKey(decorated, types, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << ::testing::PrintToString(decorated);
  EXPECT_THAT(std::string(s.message()), HasSubstr(std::string(fragment)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], Value::Int(42));
}

TEST(PartitionKeyTest, DecodeRejectsMalformedInput) {
  const CqlType one_int[] = {CqlType::kInt};
  const CqlType int_text[] = {CqlType::kInt, CqlType::kText};
  ExpectDataLoss(Bytes({1, 2, 3}), one_int, "shorter than its 8-byte token");
  std::string tampered = DecoratePartitionKey(Bytes({0, 0, 0, 1}));
  tampered[0] ^= 1;
  ExpectDataLoss(tampered, one_int, "does not match the key's token");
  ExpectDataLoss(DecoratePartitionKey(Bytes({0, 0, 1})), one_int,
                 "component 0 (int): int value must be 4 bytes, got 3");
  ExpectDataLoss(DecoratePartitionKey(Bytes({0})), int_text, "component 0 (int): truncated length");
  ExpectDataLoss(DecoratePartitionKey(Bytes({0, 4, 0, 0, 0, 1})), int_text,
                 "component 0 (int): truncated");
  ExpectDataLoss(DecoratePartitionKey(Bytes({0, 4, 0, 0, 0, 1, 1, 0, 0, 0})), int_text,
                 "component 0 (int): end-of-component byte is 1");
  ExpectDataLoss(DecoratePartitionKey(Bytes({0, 4, 0, 0, 0, 1, 0, 0, 1, 0xff, 0})), int_text,
                 "component 1 (text): text value is not valid UTF-8");
  ExpectDataLoss(DecoratePartitionKey(Bytes({0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 7})), int_text,
                 "1 trailing bytes after 2 components");
  std::vector<Value> out;
  EXPECT_EQ(DecodePartitionKey(DecoratePartitionKey("x"), {}, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

RC_GTEST_PROP(PartitionKeyProp, DecoratedOrderIsTokenThenBytes, ()) {
  const std::string a = *testing::GenBytes();
  const std::string b = *testing::GenBytes();
  const int64_t ta = PartitionToken(a), tb = PartitionToken(b);
  const int expected = ta != tb ? (ta < tb ? -1 : 1) : MemCompare(a, b);
  RC_ASSERT(MemCompare(DecoratePartitionKey(a), DecoratePartitionKey(b)) == expected);
  RC_ASSERT(TokenOfDecorated(DecoratePartitionKey(a)) == ta);
}

RC_GTEST_PROP(PartitionKeyProp, DecodeInvertsEncode, ()) {
  const auto types = *rc::gen::mapcat(rc::gen::inRange<size_t>(1, 5), [](size_t n) {
    return rc::gen::container<std::vector<CqlType>>(n, testing::GenType());
  });
  std::vector<Value> key;
  for (CqlType t : types) key.push_back(*testing::GenValue(t));
  const std::string decorated = DecoratePartitionKey(SerializePartitionKey(key));
  std::vector<Value> out;
  RC_ASSERT(DecodePartitionKey(decorated, types, &out).ok());
  RC_ASSERT(out == key);
}

RC_GTEST_PROP(PartitionKeyProp, DecodingGarbageIsSafe, ()) {
  const auto types = *rc::gen::mapcat(rc::gen::inRange<size_t>(1, 4), [](size_t n) {
    return rc::gen::container<std::vector<CqlType>>(n, testing::GenType());
  });
  const std::string garbage = *testing::GenBytes();
  std::vector<Value> out;
  // Raw garbage mostly fails the token check; decorating it first reaches the parser.
  for (const std::string& input : {garbage, DecoratePartitionKey(garbage)}) {
    const absl::Status s = DecodePartitionKey(input, types, &out);
    if (!s.ok()) {
      RC_ASSERT(s.code() == absl::StatusCode::kDataLoss);
      continue;
    }
    RC_ASSERT(out.size() == types.size());
    for (const Value& v : out) RC_ASSERT(v.Validate().ok());
    RC_ASSERT(DecoratePartitionKey(SerializePartitionKey(out)) == input);
  }
}

}  // namespace
}  // namespace cassette

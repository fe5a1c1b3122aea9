#include "util/coding.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace cassette {
namespace {

TEST(CodingTest, Fixed32IsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(DecodeFixed32(s.data()), 0x04030201u);
}

TEST(CodingTest, Fixed64IsLittleEndian) {
  std::string s;
  PutFixed64(&s, 0x0807060504030201ull);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(DecodeFixed64(s.data()), 0x0807060504030201ull);
}

TEST(CodingTest, FixedHighBitsSurvive) {
  // Catches sign extension of char in the decoder.
  std::string s;
  PutFixed32(&s, 0xffffffffu);
  PutFixed64(&s, 0xfedcba9876543210ull);
  std::string_view in = s;
  uint32_t a = 0;
  uint64_t b = 0;
  ASSERT_TRUE(GetFixed32(&in, &a));
  ASSERT_TRUE(GetFixed64(&in, &b));
  EXPECT_EQ(a, 0xffffffffu);
  EXPECT_EQ(b, 0xfedcba9876543210ull);
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, GetFixedRejectsShortInput) {
  std::string s(7, '\x01');
  std::string_view in = s;
  uint64_t v = 42;
  EXPECT_FALSE(GetFixed64(&in, &v));
  EXPECT_EQ(v, 42u);
  EXPECT_EQ(in.size(), 7u);
  in = in.substr(0, 3);
  uint32_t w = 42;
  EXPECT_FALSE(GetFixed32(&in, &w));
  EXPECT_EQ(w, 42u);
  EXPECT_EQ(in.size(), 3u);
}

TEST(CodingTest, VarintKnownEncodings) {
  struct Case {
    uint64_t value;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0, std::string("\x00", 1)},
      {1, "\x01"},
      {127, "\x7f"},
      {128, "\x80\x01"},
      {300, "\xac\x02"},
      {16383, "\xff\x7f"},
      {16384, "\x80\x80\x01"},
      {0xffffffffull, "\xff\xff\xff\xff\x0f"},
      {std::numeric_limits<uint64_t>::max(), "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"},
  };
  for (const Case& c : cases) {
    std::string s;
    PutVarint64(&s, c.value);
    EXPECT_EQ(s, c.bytes) << c.value;
    EXPECT_EQ(VarintLength(c.value), static_cast<int>(c.bytes.size())) << c.value;
    if (c.value <= std::numeric_limits<uint32_t>::max()) {
      std::string t;
      PutVarint32(&t, static_cast<uint32_t>(c.value));
      EXPECT_EQ(t, c.bytes) << c.value;
    }
  }
}

TEST(CodingTest, VarintEmptyInput) {
  std::string_view in;
  uint32_t a = 7;
  uint64_t b = 7;
  EXPECT_FALSE(GetVarint32(&in, &a));
  EXPECT_FALSE(GetVarint64(&in, &b));
  EXPECT_EQ(a, 7u);
  EXPECT_EQ(b, 7u);
}

TEST(CodingTest, Varint32RejectsOverlong) {
  uint32_t v = 7;
  // Six bytes: a continuation bit on the fifth.
  std::string six("\x80\x80\x80\x80\x80\x01", 6);
  std::string_view in = six;
  EXPECT_FALSE(GetVarint32(&in, &v));
  EXPECT_EQ(in.size(), 6u);
  // Five bytes but carrying more than 32 bits.
  std::string wide("\xff\xff\xff\xff\x1f", 5);
  in = wide;
  EXPECT_FALSE(GetVarint32(&in, &v));
  // The same value is fine as a varint64.
  uint64_t w = 0;
  in = wide;
  ASSERT_TRUE(GetVarint64(&in, &w));
  EXPECT_EQ(w, 0x1ffffffffull);
  EXPECT_EQ(v, 7u);
}

TEST(CodingTest, Varint64RejectsOverlong) {
  uint64_t v = 7;
  std::string eleven(10, '\x80');
  eleven.push_back('\x01');
  std::string_view in = eleven;
  EXPECT_FALSE(GetVarint64(&in, &v));
  // Ten bytes whose last byte carries more than the one remaining bit.
  std::string wide(9, '\xff');
  wide.push_back('\x02');
  in = wide;
  EXPECT_FALSE(GetVarint64(&in, &v));
  // A long run of continuation bytes must not be read past the limit.
  std::string endless(100, '\xff');
  in = endless;
  EXPECT_FALSE(GetVarint64(&in, &v));
  EXPECT_EQ(in.size(), 100u);
  EXPECT_EQ(v, 7u);
}

TEST(CodingTest, VarintRejectsNonShortestForm) {
  uint32_t a = 7;
  uint64_t b = 7;
  for (std::string bad : {std::string("\x80\x00", 2), std::string("\x81\x80\x00", 3),
                          std::string("\xff\xff\xff\xff\x00", 5)}) {
    std::string_view in = bad;
    EXPECT_FALSE(GetVarint32(&in, &a));
    in = bad;
    EXPECT_FALSE(GetVarint64(&in, &b));
  }
  EXPECT_EQ(a, 7u);
  EXPECT_EQ(b, 7u);
}

TEST(CodingTest, GetVarintPtrHonoursLimit) {
  // The byte after the limit would complete the varint; it must not be looked at.
  const char buf[] = {'\x80', '\x01'};
  uint64_t v = 0;
  EXPECT_EQ(GetVarint64Ptr(buf, buf + 1, &v), nullptr);
  EXPECT_EQ(GetVarint64Ptr(buf, buf + 2, &v), buf + 2);
  EXPECT_EQ(v, 128u);
}

TEST(CodingTest, ZigZagKnownValues) {
  EXPECT_EQ(EncodeZigZag64(0), 0u);
  EXPECT_EQ(EncodeZigZag64(-1), 1u);
  EXPECT_EQ(EncodeZigZag64(1), 2u);
  EXPECT_EQ(EncodeZigZag64(-2), 3u);
  EXPECT_EQ(EncodeZigZag64(std::numeric_limits<int64_t>::max()),
            std::numeric_limits<uint64_t>::max() - 1);
  EXPECT_EQ(EncodeZigZag64(std::numeric_limits<int64_t>::min()),
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(DecodeZigZag64(std::numeric_limits<uint64_t>::max()),
            std::numeric_limits<int64_t>::min());
  static_assert(DecodeZigZag64(EncodeZigZag64(-12345)) == -12345);
}

TEST(CodingTest, LengthPrefixedRoundTrip) {
  std::string s;
  PutLengthPrefixed(&s, "");
  PutLengthPrefixed(&s, "foo");
  PutLengthPrefixed(&s, std::string(300, 'x'));
  std::string_view in = s;
  std::string_view out;
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "foo");
  ASSERT_TRUE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, std::string(300, 'x'));
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
}

TEST(CodingTest, LengthPrefixedRejectsLengthBeyondInput) {
  std::string s;
  PutLengthPrefixed(&s, "hello");
  // Drop the last byte: the length now claims one byte more than is there. The buffer
  // is copied to its own allocation so ASan would flag any read past it.
  auto* exact = new char[s.size() - 1];
  std::copy(s.begin(), s.end() - 1, exact);
  std::string_view in(exact, s.size() - 1);
  std::string_view out = "untouched";
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(out, "untouched");
  EXPECT_EQ(in.size(), s.size() - 1);
  EXPECT_EQ(in.data(), exact);
  delete[] exact;

  // A huge length must not be trusted either.
  std::string huge;
  PutVarint32(&huge, std::numeric_limits<uint32_t>::max());
  huge += "abc";
  in = huge;
  EXPECT_FALSE(GetLengthPrefixed(&in, &out));
  EXPECT_EQ(in.size(), huge.size());
}

TEST(CodingTest, EncodeVarintReturnsEnd) {
  char buf[kMaxVarint64Length];
  for (uint64_t v : {0ull, 127ull, 128ull, 1ull << 35, ~0ull}) {
    EXPECT_EQ(EncodeVarint64(buf, v) - buf, VarintLength(v));
  }
  EXPECT_EQ(EncodeVarint32(buf, ~0u) - buf, kMaxVarint32Length);
}

// ---- Properties.

// Values spread over every varint length, not just the large ones a uniform generator
// would almost always produce.
rc::Gen<uint64_t> AnyLengthU64() {
  return rc::gen::mapcat(rc::gen::inRange(0, 64), [](int bits) {
    return rc::gen::map(rc::gen::arbitrary<uint64_t>(), [bits](uint64_t v) {
      return bits == 64 ? v : v & ((uint64_t{1} << bits) - 1);
    });
  });
}

RC_GTEST_PROP(CodingProp, Varint64RoundTrip, ()) {
  const uint64_t v = *AnyLengthU64();
  const std::string suffix = *rc::gen::arbitrary<std::string>();
  std::string s;
  PutVarint64(&s, v);
  RC_ASSERT(static_cast<int>(s.size()) == VarintLength(v));
  s += suffix;
  std::string_view in = s;
  uint64_t out = 0;
  RC_ASSERT(GetVarint64(&in, &out));
  RC_ASSERT(out == v);
  RC_ASSERT(in == suffix);
}

RC_GTEST_PROP(CodingProp, Varint32RoundTrip, ()) {
  const uint32_t v = static_cast<uint32_t>(*AnyLengthU64());
  std::string s;
  PutVarint32(&s, v);
  RC_ASSERT(static_cast<int>(s.size()) == VarintLength(v));
  std::string_view in = s;
  uint32_t out = 0;
  RC_ASSERT(GetVarint32(&in, &out));
  RC_ASSERT(out == v);
  RC_ASSERT(in.empty());
}

RC_GTEST_PROP(CodingProp, Varint32RejectsValuesAbove32Bits, ()) {
  const uint64_t v = *rc::gen::suchThat(
      AnyLengthU64(), [](uint64_t x) { return x > std::numeric_limits<uint32_t>::max(); });
  std::string s;
  PutVarint64(&s, v);
  std::string_view in = s;
  uint32_t out = 7;
  RC_ASSERT(!GetVarint32(&in, &out));
  RC_ASSERT(out == 7u);
  RC_ASSERT(in.size() == s.size());
}

RC_GTEST_PROP(CodingProp, TruncatedVarintIsRejected, ()) {
  const uint64_t v = *AnyLengthU64();
  std::string s;
  PutVarint64(&s, v);
  const size_t cut = *rc::gen::inRange<size_t>(0, s.size());
  // Own allocation of exactly `cut` bytes so that ASan catches any over-read.
  std::vector<char> prefix(s.begin(), s.begin() + cut);
  std::string_view in(prefix.data(), prefix.size());
  uint64_t out = 7;
  RC_ASSERT(!GetVarint64(&in, &out));
  RC_ASSERT(out == 7u);
  RC_ASSERT(in.size() == cut);
  uint32_t out32 = 7;
  RC_ASSERT(!GetVarint32(&in, &out32));
}

// Decoding arbitrary bytes never crashes or over-reads, and whatever decodes re-encodes
// to exactly the bytes consumed (encodings are unique).
RC_GTEST_PROP(CodingProp, ArbitraryBytesDecodeCanonically, (const std::vector<char>& bytes)) {
  std::string_view in(bytes.data(), bytes.size());
  uint64_t v = 0;
  if (GetVarint64(&in, &v)) {
    std::string s;
    PutVarint64(&s, v);
    RC_ASSERT(std::string_view(bytes.data(), s.size()) == s);
    RC_ASSERT(in.size() == bytes.size() - s.size());
  } else {
    RC_ASSERT(in.size() == bytes.size());
  }
  in = std::string_view(bytes.data(), bytes.size());
  std::string_view field;
  if (GetLengthPrefixed(&in, &field)) {
    RC_ASSERT(field.data() >= bytes.data());
    RC_ASSERT(field.data() + field.size() <= bytes.data() + bytes.size());
  }
}

RC_GTEST_PROP(CodingProp, ZigZagRoundTrip, (int64_t v)) {
  RC_ASSERT(DecodeZigZag64(EncodeZigZag64(v)) == v);
  // Small magnitudes get small codes, which is the point of zigzag.
  if (v > -64 && v < 64) RC_ASSERT(EncodeZigZag64(v) < 128u);
}

RC_GTEST_PROP(CodingProp, MixedSequenceRoundTrip,
              (const std::vector<std::string>& strings, uint32_t a, uint64_t b)) {
  std::string s;
  for (const std::string& str : strings) {
    PutLengthPrefixed(&s, str);
    PutFixed32(&s, a);
    PutVarint64(&s, b);
    PutFixed64(&s, b);
  }
  std::string_view in = s;
  for (const std::string& str : strings) {
    std::string_view field;
    uint32_t a2 = 0;
    uint64_t b2 = 0, b3 = 0;
    RC_ASSERT(GetLengthPrefixed(&in, &field));
    RC_ASSERT(field == str);
    RC_ASSERT(GetFixed32(&in, &a2));
    RC_ASSERT(GetVarint64(&in, &b2));
    RC_ASSERT(GetFixed64(&in, &b3));
    RC_ASSERT(a2 == a);
    RC_ASSERT(b2 == b);
    RC_ASSERT(b3 == b);
  }
  RC_ASSERT(in.empty());
}

}  // namespace
}  // namespace cassette

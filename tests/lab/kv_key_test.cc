// The key-value engines' 16-byte key: byte order must be (p, c) order, c ascending or
// descending as the table's clustering order says, and ParseKvKey must invert KvKey.
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bench/lab/engine.h"
#include "gtest/gtest.h"

namespace cassette::lab {
namespace {

int Sign(int v) { return (v > 0) - (v < 0); }

int BytewiseCompare(const std::string& a, const std::string& b) {
  return Sign(std::memcmp(a.data(), b.data(), 16));
}

int RowCompare(uint64_t pa, int64_t ca, uint64_t pb, int64_t cb, bool newest_first) {
  if (pa != pb) return pa < pb ? -1 : 1;
  if (ca == cb) return 0;
  const int asc = ca < cb ? -1 : 1;
  return newest_first ? -asc : asc;
}

// Random values plus the edges where sign handling goes wrong.
std::vector<std::pair<uint64_t, int64_t>> Samples() {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr uint64_t kPMax = std::numeric_limits<uint64_t>::max();
  std::vector<std::pair<uint64_t, int64_t>> v;
  for (uint64_t p : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256}, kPMax - 1, kPMax}) {
    for (int64_t c : {kMin, kMin + 1, int64_t{-256}, int64_t{-1}, int64_t{0}, int64_t{1},
                      int64_t{255}, kMax - 1, kMax}) {
      v.emplace_back(p, c);
    }
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    // Small ranges too, so equal partitions and close clusterings occur.
    const uint64_t p = (i % 2) ? rng() : rng() % 4;
    const int64_t c = (i % 3) ? static_cast<int64_t>(rng()) : static_cast<int64_t>(rng() % 9) - 4;
    v.emplace_back(p, c);
  }
  return v;
}

TEST(KvKeyTest, IsSixteenBytesAndRoundTrips) {
  for (bool newest_first : {false, true}) {
    for (const auto& [p, c] : Samples()) {
      const std::string key = KvKey(p, c, newest_first);
      ASSERT_EQ(key.size(), 16u);
      uint64_t p2 = 0;
      int64_t c2 = 0;
      ASSERT_TRUE(ParseKvKey(key, newest_first, &p2, &c2));
      EXPECT_EQ(p2, p);
      EXPECT_EQ(c2, c);
    }
  }
}

TEST(KvKeyTest, ByteOrderIsRowOrder) {
  const auto samples = Samples();
  for (bool newest_first : {false, true}) {
    for (size_t i = 0; i < samples.size(); ++i) {
      for (size_t j = 0; j < samples.size(); j += 7) {
        const auto& [pa, ca] = samples[i];
        const auto& [pb, cb] = samples[j];
        ASSERT_EQ(BytewiseCompare(KvKey(pa, ca, newest_first), KvKey(pb, cb, newest_first)),
                  RowCompare(pa, ca, pb, cb, newest_first))
            << "p " << pa << " c " << ca << " vs p " << pb << " c " << cb
            << (newest_first ? " DESC" : " ASC");
      }
    }
  }
}

TEST(KvKeyTest, PartitionIsTheBigEndianPrefix) {
  const std::string key = KvKey(0x0102030405060708ull, -1, false);
  EXPECT_EQ(key.substr(0, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  // ASC: -1 maps just below 2^63; DESC complements it.
  EXPECT_EQ(key.substr(8), std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8));
  EXPECT_EQ(KvKey(1, -1, true).substr(8), std::string("\x80\x00\x00\x00\x00\x00\x00\x00", 8));
}

TEST(KvKeyTest, ParseRejectsWrongLengths) {
  uint64_t p = 0;
  int64_t c = 0;
  const std::string key = KvKey(3, 4, true);
  EXPECT_FALSE(ParseKvKey(std::string_view(key).substr(0, 15), true, &p, &c));
  EXPECT_FALSE(ParseKvKey(key + "x", true, &p, &c));
  EXPECT_FALSE(ParseKvKey("", false, &p, &c));
}

TEST(KvKeyTest, RangeUpToHoldsExactlyThePartitionsRowsAtOrBelowC) {
  for (bool newest_first : {false, true}) {
    for (int64_t c : {INT64_MIN, int64_t{-5}, int64_t{0}, int64_t{7}, INT64_MAX}) {
      std::string begin, end;
      KvRangeUpTo(42, c, newest_first, &begin, &end);
      for (uint64_t p : {uint64_t{41}, uint64_t{42}, uint64_t{43}}) {
        for (int64_t x : {INT64_MIN, int64_t{-6}, int64_t{-5}, int64_t{0}, int64_t{6}, int64_t{7},
                          int64_t{8}, INT64_MAX}) {
          const std::string k = KvKey(p, x, newest_first);
          const bool inside = begin <= k && k < end;
          EXPECT_EQ(inside, p == 42 && x <= c)
              << "newest_first=" << newest_first << " c=" << c << " p=" << p << " x=" << x;
        }
      }
    }
  }
}

}  // namespace
}  // namespace cassette::lab

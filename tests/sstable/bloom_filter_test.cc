#include "sstable/bloom_filter.h"

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "types/partition_key.h"

namespace cassette {
namespace {

std::string DKey(int i) { return DecoratePartitionKey("key" + std::to_string(i)); }

double FalsePositiveRate(int bits_per_key, int n) {
  BloomFilterBuilder b(bits_per_key);
  for (int i = 0; i < n; ++i) b.AddKey(DKey(i));
  std::string data;
  b.Finish(&data);
  BloomFilter f(data);
  for (int i = 0; i < n; ++i) {
    if (!f.MayContain(DKey(i))) {
      ADD_FAILURE() << "false negative for key " << i;
      return 1.0;
    }
  }
  int fp = 0;
  for (int i = n; i < 2 * n; ++i) fp += f.MayContain(DKey(i));
  return double(fp) / n;
}

TEST(BloomFilterTest, TenBitsPerKeyGiveAboutOnePercent) {
  double rate = FalsePositiveRate(10, 100'000);
  std::cout << "false positive rate at 10 bits/key over 100000 keys: " << rate << "\n";
  EXPECT_GT(rate, 0.004);
  EXPECT_LT(rate, 0.015);
}

TEST(BloomFilterTest, MoreBitsFewerFalsePositives) {
  double r5 = FalsePositiveRate(5, 20'000);
  double r20 = FalsePositiveRate(20, 20'000);
  EXPECT_GT(r5, 0.05);
  EXPECT_LT(r5, 0.15);
  EXPECT_LT(r20, 0.001);
}

TEST(BloomFilterTest, SmallAndEmptyFilters) {
  for (int n : {1, 2, 7}) EXPECT_LT(FalsePositiveRate(10, n), 1.0);
  BloomFilterBuilder no_keys(10);
  std::string empty;
  no_keys.Finish(&empty);
  EXPECT_FALSE(BloomFilter(empty).MayContain("absent"));
  BloomFilterBuilder none(0);
  none.AddKey("a");
  std::string data;
  none.Finish(&data);
  EXPECT_TRUE(data.empty());
  EXPECT_TRUE(BloomFilter(data).MayContain("anything"));
  EXPECT_TRUE(BloomFilter().MayContain("anything"));
}

TEST(BloomFilterTest, ImpossibleShapesMatchEverything) {
  BloomFilterBuilder b(10);
  b.AddKey("a");
  std::string data;
  b.Finish(&data);
  for (char probes : {'\0', '\x1f', '\xff'}) {
    std::string bad = data;
    bad.back() = probes;
    BloomFilter f(bad);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(f.MayContain(DKey(i)));
  }
  EXPECT_TRUE(BloomFilter(std::string(1, '\x07')).MayContain("x"));
}

}  // namespace
}  // namespace cassette

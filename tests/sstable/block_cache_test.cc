#include "sstable/block_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>

namespace cassette {
namespace {

std::shared_ptr<const Block> MakeBlock(uint64_t offset, size_t bytes) {
  auto b = std::make_shared<Block>();
  b->offset = offset;
  b->raw.Assign(std::string(bytes, 'x'));
  return b;
}

TEST(SharedBlockCacheTest, HitsAfterInsertAndCountsMisses) {
  SharedBlockCache cache(1 << 20);
  const SharedBlockCache::Key k{7, 0, 4096};
  EXPECT_EQ(cache.Lookup(k), nullptr);
  cache.Insert(k, MakeBlock(4096, 1000));
  auto hit = cache.Lookup(k);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->offset, 4096u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
  // The same offset of another file or another file kind is another block.
  EXPECT_EQ(cache.Lookup({8, 0, 4096}), nullptr);
  EXPECT_EQ(cache.Lookup({7, 1, 4096}), nullptr);
}

TEST(SharedBlockCacheTest, StaysWithinCapacity) {
  // 16 shards of 64 KiB: each shard holds at most 3 blocks of 16 KiB.
  SharedBlockCache cache(16 * (64 << 10));
  for (uint64_t i = 0; i < 1000; ++i) {
    cache.Insert({i, 0, 0}, MakeBlock(0, 16 << 10));
    EXPECT_LE(cache.usage(), cache.capacity());
  }
  int resident = 0;
  for (uint64_t i = 0; i < 1000; ++i) resident += cache.Lookup({i, 0, 0}) != nullptr;
  EXPECT_GT(resident, 16);
  EXPECT_LE(resident, 48);
  // The most recent insert is always resident; a block bigger than a shard never is.
  EXPECT_NE(cache.Lookup({999, 0, 0}), nullptr);
  cache.Insert({5000, 0, 0}, MakeBlock(0, 128 << 10));
  EXPECT_EQ(cache.Lookup({5000, 0, 0}), nullptr);
}

TEST(SharedBlockCacheTest, ABlockInUseSurvivesWhileUnusedOnesAreEvicted) {
  // 16 shards of 64 KiB (3 blocks each) and 1,000 blocks inserted: every shard evicts
  // many times over. Block 0 is read after every insert, so the hand always finds it
  // referenced (second chance); block 1 is never read again and must go, as under LRU.
  SharedBlockCache cache(16 * (64 << 10));
  cache.Insert({0, 0, 0}, MakeBlock(0, 16 << 10));
  for (uint64_t i = 1; i < 1000; ++i) {
    cache.Insert({i, 0, 0}, MakeBlock(0, 16 << 10));
    ASSERT_NE(cache.Lookup({0, 0, 0}), nullptr) << "after insert " << i;
  }
  EXPECT_EQ(cache.Lookup({1, 0, 0}), nullptr);
  EXPECT_LE(cache.usage(), cache.capacity());
}

// CachedDataBytes follows each file's data blocks in and out of the cache, eviction
// included, and ignores index blocks: it is the sum a model keeps of what is resident.
TEST(SharedBlockCacheTest, CachedDataBytesFollowsResidentDataBlocks) {
  SharedBlockCache cache(16 * (64 << 10));
  cache.Insert({1, 0, 0}, MakeBlock(0, 1000));
  cache.Insert({1, 0, 1000}, MakeBlock(1000, 500));
  cache.Insert({1, 1, 0}, MakeBlock(0, 700));  // index block
  cache.Insert({2, 0, 0}, MakeBlock(0, 300));
  cache.Insert({1, 0, 0}, MakeBlock(0, 1000));  // already there: not counted twice
  EXPECT_EQ(cache.CachedDataBytes(1), 1500u);
  EXPECT_EQ(cache.CachedDataBytes(2), 300u);
  EXPECT_EQ(cache.CachedDataBytes(3), 0u);
  // Enough other blocks to evict everything above many times over.
  for (uint64_t i = 10; i < 1000; ++i) cache.Insert({i, 0, 0}, MakeBlock(0, (i % 7 + 1) << 10));
  for (uint64_t f : {1, 2, 500, 999}) {
    uint64_t resident = 0;
    for (uint64_t off : {0, 1000}) {
      auto b = cache.Lookup({f, 0, off});
      if (b != nullptr) resident += b->raw.size();
    }
    EXPECT_EQ(cache.CachedDataBytes(f), resident) << "file " << f;
  }
  EXPECT_EQ(cache.CachedDataBytes(1), 0u);
}

// Blocks of mixed sizes: one insert may evict several smaller blocks, leaving free slots
// in the clock that later inserts reuse. Whatever is resident must be the very block
// inserted under its key, and the cache's usage must be exactly what is resident.
TEST(SharedBlockCacheTest, MixedSizesKeepEveryResidentBlockExact) {
  SharedBlockCache cache(16 * (64 << 10));
  std::mt19937_64 rng(42);
  std::map<uint64_t, std::shared_ptr<const Block>> inserted;
  for (uint64_t i = 0; i < 5000; ++i) {
    const uint64_t key = rng() % 400;
    if (rng() % 3 == 0) {
      auto b = cache.Lookup({key, 0, 0});
      if (b != nullptr) ASSERT_EQ(b, inserted[key]) << "key " << key;
      continue;
    }
    if (cache.Lookup({key, 0, 0}) != nullptr) continue;
    auto block = MakeBlock(0, 100 + rng() % (40 << 10));
    inserted[key] = block;
    cache.Insert({key, 0, 0}, block);
    ASSERT_EQ(cache.Lookup({key, 0, 0}), block) << "the newest block is never the victim";
    ASSERT_LE(cache.usage(), cache.capacity());
  }
  size_t resident_bytes = 0, resident = 0;
  for (const auto& [key, block] : inserted) {
    if (auto b = cache.Lookup({key, 0, 0}); b != nullptr) {
      EXPECT_EQ(b, block);
      resident_bytes += b->raw.size() + 128;  // kEntryOverhead per entry
      ++resident;
    }
  }
  EXPECT_GT(resident, 16u);
  EXPECT_EQ(cache.usage(), resident_bytes);
}

TEST(SharedBlockCacheTest, ZeroCapacityCachesNothing) {
  SharedBlockCache cache(0);
  cache.Insert({1, 0, 0}, MakeBlock(0, 10));
  EXPECT_EQ(cache.Lookup({1, 0, 0}), nullptr);
  EXPECT_EQ(cache.usage(), 0u);
}

}  // namespace
}  // namespace cassette

#include "util/arena.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

namespace cassette {
namespace {

constexpr size_t kBlockCost = Arena::kDefaultBlockSize + sizeof(char*);

bool IsAligned(const char* p) { return reinterpret_cast<uintptr_t>(p) % Arena::kAlignment == 0; }

TEST(ArenaTest, EmptyArenaUsesNothing) {
  Arena arena;
  EXPECT_EQ(arena.MemoryUsage(), 0u);
}

TEST(ArenaTest, SmallAllocationsShareBlocks) {
  Arena arena;
  char* first = arena.Allocate(100);
  EXPECT_EQ(arena.MemoryUsage(), kBlockCost);
  char* second = arena.Allocate(100);
  // Bump allocation: consecutive small requests are adjacent in one block.
  EXPECT_EQ(second, first + 100);
  EXPECT_EQ(arena.MemoryUsage(), kBlockCost);
  // 40 allocations of 100 bytes fit in a 4096-byte block; the 41st needs a new one.
  for (int i = 2; i < 40; ++i) arena.Allocate(100);
  EXPECT_EQ(arena.MemoryUsage(), kBlockCost);
  arena.Allocate(100);
  EXPECT_EQ(arena.MemoryUsage(), 2 * kBlockCost);
}

TEST(ArenaTest, LargeAllocationGetsItsOwnBlock) {
  Arena arena;
  // Leave 86 bytes in the first block: too few for the big request below.
  for (int i = 0; i < 40; ++i) arena.Allocate(100);
  char* small = arena.Allocate(10);
  const size_t big = Arena::kDefaultBlockSize / 4 + 1;
  char* large = arena.Allocate(big);
  EXPECT_EQ(arena.MemoryUsage(), kBlockCost + big + sizeof(char*));
  // The current block was kept for small requests.
  EXPECT_EQ(arena.Allocate(10), small + 10);
  // Much larger than a block works too.
  char* huge = arena.Allocate(1 << 20);
  std::memset(huge, 0xab, 1 << 20);
  std::memset(large, 0xcd, big);
  EXPECT_EQ(arena.MemoryUsage(), kBlockCost + big + sizeof(char*) + (1 << 20) + sizeof(char*));
  EXPECT_EQ(static_cast<unsigned char>(huge[(1 << 20) - 1]), 0xab);
}

TEST(ArenaTest, AllocateAlignedIsAligned) {
  Arena arena;
  for (size_t i = 1; i < 2000; ++i) {
    arena.Allocate(i % 7 + 1);  // Knock the bump pointer off alignment.
    char* p = arena.AllocateAligned(i % 50 + 1);
    ASSERT_TRUE(IsAligned(p)) << i;
  }
  // Also when the request is large enough for a dedicated block.
  arena.Allocate(3);
  EXPECT_TRUE(IsAligned(arena.AllocateAligned(Arena::kDefaultBlockSize)));
}

TEST(ArenaTest, AlignedRequestExactlyFillingTheBlock) {
  Arena arena(64);
  arena.Allocate(1);
  // 63 bytes remain but only 56 after alignment: the request must not overrun.
  char* p = arena.AllocateAligned(16);
  EXPECT_TRUE(IsAligned(p));
  char* q = arena.AllocateAligned(16);  // > 64 / 4, so a block of its own.
  EXPECT_TRUE(IsAligned(q));
  std::memset(p, 1, 16);
  std::memset(q, 2, 16);
}

TEST(ArenaTest, CustomBlockSize) {
  Arena arena(1 << 16);
  arena.Allocate(1);
  EXPECT_EQ(arena.MemoryUsage(), (1u << 16) + sizeof(char*));
}

TEST(ArenaTest, MemoryUsageReadableWhileAllocating) {
  Arena arena;
  std::atomic<bool> done{false};
  std::thread observer([&] {
    size_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      const size_t now = arena.MemoryUsage();
      EXPECT_GE(now, last);  // Only ever grows.
      last = now;
    }
  });
  size_t requested = 0;
  for (int i = 0; i < 20000; ++i) {
    const size_t n = (i % 97 == 0) ? 3000 : static_cast<size_t>(i % 61 + 1);
    char* p = (i % 2 == 0) ? arena.Allocate(n) : arena.AllocateAligned(n);
    std::memset(p, i & 0xff, n);
    requested += n;
  }
  done.store(true, std::memory_order_release);
  observer.join();
  EXPECT_GE(arena.MemoryUsage(), requested);
}

// Random mixes of requests: every allocation is writable, none overlaps another (each
// keeps its own fill pattern), aligned ones are aligned, and MemoryUsage covers what was
// requested while wasting at most about a quarter block per block.
RC_GTEST_PROP(ArenaProp, AllocationsAreDisjointAndAccounted, ()) {
  const size_t block = *rc::gen::element<size_t>(64, 256, 4096);
  Arena arena(block);
  const auto requests = *rc::gen::container<std::vector<std::pair<size_t, bool>>>(
      rc::gen::pair(rc::gen::inRange<size_t>(1, 2 * block), rc::gen::arbitrary<bool>()));

  std::vector<std::pair<char*, size_t>> allocations;
  size_t requested = 0;
  size_t last_usage = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto [n, aligned] = requests[i];
    char* p = aligned ? arena.AllocateAligned(n) : arena.Allocate(n);
    RC_ASSERT(p != nullptr);
    if (aligned) RC_ASSERT(IsAligned(p));
    std::memset(p, static_cast<int>(i & 0xff), n);
    allocations.emplace_back(p, n);
    requested += n;
    RC_ASSERT(arena.MemoryUsage() >= last_usage);
    last_usage = arena.MemoryUsage();
  }
  for (size_t i = 0; i < allocations.size(); ++i) {
    const auto [p, n] = allocations[i];
    const char fill = static_cast<char>(i & 0xff);
    RC_ASSERT(std::all_of(p, p + n, [fill](char c) { return c == fill; }));
  }
  // Fill patterns repeat every 256 allocations, so also check disjointness directly.
  std::vector<std::pair<uintptr_t, size_t>> ranges;
  for (const auto& [p, n] : allocations) ranges.emplace_back(reinterpret_cast<uintptr_t>(p), n);
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    RC_ASSERT(ranges[i - 1].first + ranges[i - 1].second <= ranges[i].first);
  }
  const size_t usage = arena.MemoryUsage();
  RC_ASSERT(usage >= requested);
  // A new shared block is started only when a request of at most block/4 bytes (plus
  // alignment slop) does not fit, so every shared block but the last is more than 3/4
  // used by requests and slop; dedicated blocks cost exactly their request. Each request
  // creates at most one block.
  const size_t n = requests.size();
  const size_t bound =
      (requested + 2 * n * Arena::kAlignment) * 4 / 3 + 1 + block + n * sizeof(char*);
  RC_ASSERT(usage <= bound);
}

}  // namespace
}  // namespace cassette

#include "memtable/skiplist.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/arena.h"

namespace cassette {
namespace {

using Key = uint64_t;

struct KeyComparator {
  int operator()(const Key& a, const Key& b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};

using List = SkipList<Key, KeyComparator>;

std::vector<Key> ScanForward(const List& list) {
  std::vector<Key> out;
  List::Iterator it(&list);
  for (it.SeekToFirst(); it.Valid(); it.Next()) out.push_back(it.key());
  return out;
}

std::vector<Key> ScanBackward(const List& list) {
  std::vector<Key> out;
  List::Iterator it(&list);
  for (it.SeekToLast(); it.Valid(); it.Prev()) out.push_back(it.key());
  return out;
}

TEST(SkipListTest, Empty) {
  Arena arena;
  List list(KeyComparator(), &arena);
  EXPECT_FALSE(list.Contains(0));
  EXPECT_FALSE(list.Contains(10));

  List::Iterator it(&list);
  EXPECT_FALSE(it.Valid());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
  it.Seek(100);
  EXPECT_FALSE(it.Valid());
  it.SeekForPrev(100);
  EXPECT_FALSE(it.Valid());
  it.SeekForPrev(0);
  EXPECT_FALSE(it.Valid());
}

TEST(SkipListTest, SingleEntry) {
  Arena arena;
  List list(KeyComparator(), &arena);
  list.Insert(5);
  EXPECT_TRUE(list.Contains(5));
  EXPECT_FALSE(list.Contains(4));
  EXPECT_FALSE(list.Contains(6));

  List::Iterator it(&list);
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 5u);
  it.Next();
  EXPECT_FALSE(it.Valid());

  it.SeekToLast();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 5u);
  it.Prev();
  EXPECT_FALSE(it.Valid());
}

// The head node's key is a default-constructed Key (0 here); it must never be mistaken
// for an entry, nor hide a real entry with the same value.
TEST(SkipListTest, KeyEqualToHeadKey) {
  Arena arena;
  List list(KeyComparator(), &arena);
  EXPECT_FALSE(list.Contains(0));
  List::Iterator it(&list);
  it.SeekForPrev(0);
  EXPECT_FALSE(it.Valid());

  list.Insert(0);
  list.Insert(std::numeric_limits<Key>::max());
  EXPECT_TRUE(list.Contains(0));
  it.SeekForPrev(0);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 0u);
  it.Prev();
  EXPECT_FALSE(it.Valid());
  it.Seek(1);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), std::numeric_limits<Key>::max());
  EXPECT_EQ(ScanForward(list), (std::vector<Key>{0, std::numeric_limits<Key>::max()}));
}

class SkipListEdgeTest : public ::testing::Test {
 protected:
  SkipListEdgeTest() : list_(KeyComparator(), &arena_) {
    for (Key k : {40, 10, 30, 20}) list_.Insert(k);
  }

  Arena arena_;
  List list_;
};

TEST_F(SkipListEdgeTest, Seek) {
  List::Iterator it(&list_);
  it.Seek(0);  // Before all.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 10u);
  it.Seek(10);  // Exact, first.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 10u);
  it.Seek(25);  // Between.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 30u);
  it.Seek(40);  // Exact, last.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 40u);
  it.Seek(41);  // After all.
  EXPECT_FALSE(it.Valid());
}

TEST_F(SkipListEdgeTest, SeekForPrev) {
  List::Iterator it(&list_);
  it.SeekForPrev(9);  // Before all.
  EXPECT_FALSE(it.Valid());
  it.SeekForPrev(10);  // Exact, first.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 10u);
  it.SeekForPrev(25);  // Between.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 20u);
  it.SeekForPrev(30);  // Exact, middle.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 30u);
  it.SeekForPrev(1000);  // After all.
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 40u);
}

TEST_F(SkipListEdgeTest, PrevAndNextAtTheEnds) {
  List::Iterator it(&list_);
  it.SeekToFirst();
  it.Prev();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  it.Next();
  EXPECT_FALSE(it.Valid());
  // Walk back and forth.
  it.Seek(30);
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 20u);
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 30u);
  EXPECT_EQ(ScanBackward(list_), (std::vector<Key>{40, 30, 20, 10}));
}

TEST_F(SkipListEdgeTest, IteratorSurvivesInsertsAroundIt) {
  List::Iterator it(&list_);
  it.Seek(20);
  list_.Insert(21);
  list_.Insert(19);
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 20u);
  it.Next();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 21u);
  it.Prev();
  it.Prev();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), 19u);
}

TEST(SkipListTest, ManySequentialAndReverseInserts) {
  Arena arena;
  List ascending(KeyComparator(), &arena, /*seed=*/1);
  List descending(KeyComparator(), &arena, /*seed=*/2);
  constexpr Key kN = 5000;
  for (Key k = 0; k < kN; ++k) {
    ascending.Insert(k * 2);
    descending.Insert((kN - 1 - k) * 2);
  }
  std::vector<Key> expected(kN);
  for (Key k = 0; k < kN; ++k) expected[k] = k * 2;
  EXPECT_EQ(ScanForward(ascending), expected);
  EXPECT_EQ(ScanForward(descending), expected);
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(ScanBackward(ascending), expected);
  for (Key k = 0; k < 2 * kN; ++k) {
    ASSERT_EQ(ascending.Contains(k), k % 2 == 0) << k;
  }
}

// The memtable's use: keys are pointers to bytes that live in the same arena.
TEST(SkipListTest, ArenaAllocatedStringKeys) {
  struct CStringComparator {
    int operator()(const char* a, const char* b) const { return std::strcmp(a, b); }
  };
  Arena arena;
  SkipList<const char*, CStringComparator> list(CStringComparator(), &arena);
  auto intern = [&arena](std::string_view s) {
    char* p = arena.Allocate(s.size() + 1);
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return static_cast<const char*>(p);
  };
  for (std::string_view s : {"pear", "apple", "fig", "banana", "apples"}) list.Insert(intern(s));
  EXPECT_TRUE(list.Contains("fig"));
  EXPECT_FALSE(list.Contains("figs"));

  std::vector<std::string> seen;
  SkipList<const char*, CStringComparator>::Iterator it(&list);
  for (it.Seek("apples"); it.Valid(); it.Next()) seen.emplace_back(it.key());
  EXPECT_EQ(seen, (std::vector<std::string>{"apples", "banana", "fig", "pear"}));
  it.SeekForPrev("c");
  ASSERT_TRUE(it.Valid());
  EXPECT_STREQ(it.key(), "banana");
}

// ---- Model-based property: the list behaves like a std::set.

RC_GTEST_PROP(SkipListProp, MatchesStdSet, ()) {
  // Small key ranges make probes hit, miss and fall between entries; the wide range
  // exercises the extremes of the comparator.
  const Key range = *rc::gen::element<Key>(16, 1000, std::numeric_limits<Key>::max());
  const auto gen_key = rc::gen::inRange<Key>(0, range);
  const auto inserts = *rc::gen::container<std::vector<Key>>(gen_key);
  const auto probes = *rc::gen::container<std::vector<Key>>(gen_key);
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();

  Arena arena;
  List list(KeyComparator(), &arena, seed);
  std::set<Key> model;
  for (Key k : inserts) {
    RC_ASSERT(list.Contains(k) == (model.count(k) == 1));
    if (model.insert(k).second) list.Insert(k);  // Insert requires a new key.
  }

  RC_ASSERT(ScanForward(list) == std::vector<Key>(model.begin(), model.end()));
  RC_ASSERT(ScanBackward(list) == std::vector<Key>(model.rbegin(), model.rend()));

  List::Iterator it(&list);
  for (Key p : probes) {
    RC_ASSERT(list.Contains(p) == (model.count(p) == 1));

    auto ge = model.lower_bound(p);
    it.Seek(p);
    RC_ASSERT(it.Valid() == (ge != model.end()));
    if (it.Valid()) {
      RC_ASSERT(it.key() == *ge);
      // Prev from a Seek result is the entry before it.
      it.Prev();
      RC_ASSERT(it.Valid() == (ge != model.begin()));
      if (it.Valid()) RC_ASSERT(it.key() == *std::prev(ge));
    }

    auto gt = model.upper_bound(p);
    it.SeekForPrev(p);
    RC_ASSERT(it.Valid() == (gt != model.begin()));
    if (it.Valid()) {
      RC_ASSERT(it.key() == *std::prev(gt));
      it.Next();
      RC_ASSERT(it.Valid() == (gt != model.end()));
      if (it.Valid()) RC_ASSERT(it.key() == *gt);
    }
  }
}

// ---- Concurrency: one writer, several readers.
//
// The writer inserts a shuffled permutation of the keys 2, 4, ..., 2N and publishes how
// many it has finished in `inserted`. A reader snapshots `inserted` before (`before`)
// and after (`after`) each scan. Then:
//   * keys come out strictly ordered in the scan's direction, and respect the seek target;
//   * every key seen is a real key whose insertion had at least started by the end of
//     the scan: its position in the permutation is <= after (the insert at position
//     `after` may be in flight and already visible);
//   * every key whose insertion finished before the scan started (position < before) and
//     that lies in the range the scan covered was seen.
// Odd seek targets fall between keys; no odd key is ever inserted.

class ConcurrentSkipListTest : public ::testing::Test {
 protected:
  static constexpr int kNumKeys = 5000;
  static constexpr int kReaders = 3;
  static constexpr int kRounds = 2;
  // Bounds the work of one partial scan, so that many scans overlap the writer.
  static constexpr size_t kMaxSteps = 200;
  // The writer waits at these fractions of the way until every reader has completed a
  // scan that began there, so that partial states are checked however threads get
  // scheduled. Between checkpoints readers and writer run truly concurrently.
  static constexpr int kCheckpoints = 4;

  struct Shared {
    explicit Shared(uint64_t seed) : list(KeyComparator(), &arena, seed) {}
    Arena arena;
    List list;
    std::vector<Key> permutation;  // Insertion order.
    std::vector<int> position;     // position[k / 2] = index of k in permutation.
    std::atomic<int> inserted{0};
    std::atomic<bool> done{false};
    std::atomic<bool> failed{false};
    std::atomic<int> scans[kReaders] = {};
    std::atomic<int> overlapping_scans{0};  // Scans that began with the list incomplete.
  };

  static void Fail(Shared* shared, const std::string& what) {
    // Report once per reader and stop checking: one bug would otherwise repeat forever.
    ADD_FAILURE() << what;
    shared->failed.store(true, std::memory_order_relaxed);
  }

  static bool IsKey(Key k) { return k % 2 == 0 && k >= 2 && k <= 2 * Key{kNumKeys}; }

  // Checks the keys a scan returned, in scan order. The scan covered [lo, hi].
  static bool CheckScan(Shared* shared, const std::vector<Key>& seen, bool forward, Key lo, Key hi,
                        int before, int after, std::string* error) {
    for (size_t i = 0; i < seen.size(); ++i) {
      const Key k = seen[i];
      if (!IsKey(k)) {
        *error = "saw a key that was never inserted: " + std::to_string(k);
        return false;
      }
      if (shared->position[k / 2] > after) {
        *error = "saw key " + std::to_string(k) + " before its insertion began";
        return false;
      }
      if (k < lo || k > hi) {
        *error = "key " + std::to_string(k) + " outside the scanned range";
        return false;
      }
      if (i > 0 && (forward ? seen[i - 1] >= k : seen[i - 1] <= k)) {
        *error = "out of order: " + std::to_string(seen[i - 1]) + " then " + std::to_string(k);
        return false;
      }
    }
    std::vector<Key> sorted = seen;
    if (!forward) std::reverse(sorted.begin(), sorted.end());
    size_t idx = 0;
    const Key first = std::max<Key>(2, lo + lo % 2);
    const Key last = std::min<Key>(2 * Key{kNumKeys}, hi);
    for (Key k = first; k <= last; k += 2) {
      if (shared->position[k / 2] >= before) continue;
      while (idx < sorted.size() && sorted[idx] < k) ++idx;
      if (idx == sorted.size() || sorted[idx] != k) {
        *error = "missed key " + std::to_string(k) + " inserted before the scan began";
        return false;
      }
    }
    return true;
  }

  static void Reader(Shared* shared, int id) {
    std::mt19937_64 rng(1000 + id);
    const Key kMax = std::numeric_limits<Key>::max();
    List::Iterator it(&shared->list);
    std::vector<Key> seen;
    std::string error;
    size_t last_usage = 0;
    while (!shared->failed.load(std::memory_order_relaxed)) {
      // Acquire: pairs with the writer's release so that every insert counted in
      // `before` happens-before this scan.
      const int before = shared->inserted.load(std::memory_order_acquire);
      const bool was_done = shared->done.load(std::memory_order_acquire);
      const Key target = rng() % (2 * Key{kNumKeys} + 3);
      seen.clear();
      bool forward = true;
      Key lo = 0, hi = kMax;
      switch (rng() % 4) {
        case 0:  // Whole list, forward.
          for (it.SeekToFirst(); it.Valid(); it.Next()) seen.push_back(it.key());
          break;
        case 1:  // Partial, forward from a target.
          lo = target;
          it.Seek(target);
          for (; it.Valid() && seen.size() < kMaxSteps; it.Next()) seen.push_back(it.key());
          if (it.Valid()) hi = seen.back();
          break;
        case 2:  // Partial, backward from a target.
          forward = false;
          hi = target;
          it.SeekForPrev(target);
          for (; it.Valid() && seen.size() < kMaxSteps; it.Prev()) seen.push_back(it.key());
          if (it.Valid()) lo = seen.back();
          break;
        case 3:  // Partial, backward from the end.
          forward = false;
          it.SeekToLast();
          for (; it.Valid() && seen.size() < kMaxSteps; it.Prev()) seen.push_back(it.key());
          if (it.Valid()) lo = seen.back();
          break;
      }
      const int after = shared->inserted.load(std::memory_order_acquire);
      if (!CheckScan(shared, seen, forward, lo, hi, before, after, &error)) {
        Fail(shared, "reader " + std::to_string(id) + ": " + error);
        return;
      }
      // Point lookups: anything finished before we started is there; odd keys never are.
      if (before > 0) {
        const Key present = shared->permutation[rng() % before];
        if (!shared->list.Contains(present)) {
          Fail(shared, "Contains missed " + std::to_string(present));
          return;
        }
      }
      if (shared->list.Contains(target | 1)) {
        Fail(shared, "Contains found " + std::to_string(target | 1));
        return;
      }
      // MemoryUsage is documented as safe to read while the writer allocates.
      const size_t usage = shared->arena.MemoryUsage();
      if (usage < last_usage) {
        Fail(shared, "MemoryUsage went down");
        return;
      }
      last_usage = usage;

      if (before < kNumKeys) shared->overlapping_scans.fetch_add(1, std::memory_order_relaxed);
      // Release: the writer's checkpoint wait reads this to learn a scan has finished.
      shared->scans[id].fetch_add(1, std::memory_order_release);
      if (was_done) return;  // One full pass over the final list, then stop.
    }
  }

  static void Writer(Shared* shared) {
    int next_checkpoint = 1;
    for (int i = 0; i < kNumKeys; ++i) {
      if (i == next_checkpoint * kNumKeys / (kCheckpoints + 1)) {
        ++next_checkpoint;
        WaitForEveryReader(shared);
      }
      shared->list.Insert(shared->permutation[i]);
      // Release: a reader that observes i + 1 also observes the insert's effects.
      shared->inserted.store(i + 1, std::memory_order_release);
      if (i % 64 == 0) std::this_thread::yield();  // Let readers interleave.
    }
    shared->done.store(true, std::memory_order_release);
  }

  // Returns once every reader has finished a scan that started after this call began
  // (two more completions guarantee that), or if a reader has failed.
  static void WaitForEveryReader(Shared* shared) {
    int start[kReaders];
    for (int r = 0; r < kReaders; ++r) start[r] = shared->scans[r].load(std::memory_order_acquire);
    for (int r = 0; r < kReaders; ++r) {
      while (shared->scans[r].load(std::memory_order_acquire) < start[r] + 2 &&
             !shared->failed.load(std::memory_order_relaxed)) {
        std::this_thread::yield();
      }
    }
  }

  static void RunRound(uint64_t seed) {
    Shared shared(seed);
    shared.permutation.resize(kNumKeys);
    for (int i = 0; i < kNumKeys; ++i) shared.permutation[i] = 2 * Key(i + 1);
    std::shuffle(shared.permutation.begin(), shared.permutation.end(), std::mt19937_64(seed));
    shared.position.assign(kNumKeys + 1, -1);
    for (int i = 0; i < kNumKeys; ++i) shared.position[shared.permutation[i] / 2] = i;

    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) readers.emplace_back(Reader, &shared, r);
    Writer(&shared);
    for (std::thread& t : readers) t.join();

    EXPECT_FALSE(shared.failed.load());
    // The checkpoints guarantee overlapping scans; fewer means the test tested nothing.
    EXPECT_GE(shared.overlapping_scans.load(), kReaders * kCheckpoints);
    EXPECT_EQ(ScanForward(shared.list).size(), static_cast<size_t>(kNumKeys));
  }
};

TEST_F(ConcurrentSkipListTest, OneWriterManyReaders) {
  for (int round = 0; round < kRounds && !HasFailure(); ++round) {
    RunRound(/*seed=*/round + 1);
  }
}

}  // namespace
}  // namespace cassette

// UnshadowedSlice (db/merged_partition.h): which part of a read a source older than the
// partition's range tombstones still has to serve, checked against a brute-force
// walk over every clustering of a small domain.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "db/merged_partition.h"

namespace cassette {
namespace {

std::string C(int i) { return std::string(1, static_cast<char>('a' + i)); }

TEST(UnshadowedSliceTest, CutsNewerFragmentsTouchingTheStart) {
  RangeTombstoneList rts;
  rts.Add(C(0), C(5), DeletionTime{100, 1});  // [a, f) at 100
  rts.Add(C(5), C(8), DeletionTime{50, 1});   // [f, i) at 50
  // A source older than both: forward from a skips [a, i).
  EXPECT_EQ(UnshadowedSlice(rts, C(0), C(20), false, 10),
            std::pair(std::string_view(C(8)), std::string_view(C(20))));
  // Between the two: only the newer fragment is cut.
  EXPECT_EQ(UnshadowedSlice(rts, C(0), C(20), false, 70).first, C(5));
  // Newer than both: nothing is cut.
  EXPECT_EQ(UnshadowedSlice(rts, C(0), C(20), false, 100).first, C(0));
  // A start outside every fragment: nothing is cut.
  EXPECT_EQ(UnshadowedSlice(rts, C(9), C(20), false, 10).first, C(9));
  // Reversed from i: [f, i) then [a, f) are cut.
  EXPECT_EQ(UnshadowedSlice(rts, C(0), C(8), true, 10).second, C(0));
  // The fragment at the top is older than the source: nothing is cut.
  EXPECT_EQ(UnshadowedSlice(rts, C(0), C(8), true, 70).second, C(8));
  // Reversed from f: the newer [a, f) is cut.
  EXPECT_EQ(UnshadowedSlice(rts, C(0), C(5), true, 70).second, C(0));
  // Never past the other end.
  EXPECT_EQ(UnshadowedSlice(rts, C(2), C(3), false, 10),
            std::pair(std::string_view(C(3)), std::string_view(C(3))));
}

// Every clustering the cut removes is covered by a fragment newer than the source, and
// the cut leaves the first (last, if reversed) clustering it keeps uncovered or older.
TEST(UnshadowedSliceTest, RemovesOnlyShadowedClusteringsAgainstBruteForce) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    RangeTombstoneList rts;
    for (int k = rng() % 5; k > 0; --k) {
      const int a = static_cast<int>(rng() % 12), b = static_cast<int>(rng() % 12);
      rts.Add(C(std::min(a, b)), C(std::max(a, b)),
              DeletionTime{static_cast<int64_t>(rng() % 100), 1});
    }
    const int a = static_cast<int>(rng() % 12), b = static_cast<int>(rng() % 12);
    const std::string lo = C(std::min(a, b)), hi = C(std::max(a, b));
    const int64_t source_max = static_cast<int64_t>(rng() % 100);
    const bool reversed = rng() % 2;
    const auto [from, to] = UnshadowedSlice(rts, lo, hi, reversed, source_max);
    ASSERT_LE(lo, from);
    ASSERT_LE(from, to);
    ASSERT_LE(to, hi);
    auto shadowed = [&](const std::string& c) {
      const DeletionTime d = rts.Covering(c);
      return !d.IsLive() && d.marked_for_delete_at > source_max;
    };
    for (int i = 0; i < 12; ++i) {
      const std::string c = C(i);
      if (c < lo || c >= hi) continue;
      const bool kept = c >= from && c < to;
      if (!kept) {
        EXPECT_TRUE(shadowed(c)) << "trial " << trial << " cut " << c;
      }
    }
    // Maximal: the clustering right at the new start (or just below the new end) is
    // not shadowed, unless the slice is empty.
    if (from < to) {
      if (!reversed && from != lo) {
        EXPECT_FALSE(shadowed(std::string(from))) << trial;
      }
    }
  }
}

}  // namespace
}  // namespace cassette

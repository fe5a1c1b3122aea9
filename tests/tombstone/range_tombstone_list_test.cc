#include "tombstone/range_tombstone_list.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace cassette {
namespace {

DeletionTime Del(int64_t ts, int64_t ldt = 100) {
  return DeletionTime{.marked_for_delete_at = ts, .ldt = ldt};
}

std::vector<RangeTombstone> Frags(std::initializer_list<RangeTombstone> l) { return l; }

TEST(RangeTombstoneListTest, EmptyListCoversNothing) {
  RangeTombstoneList l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.Covering("a"), DeletionTime::Live());
  EXPECT_EQ(l.CountMarkers("", kClusteringTop), 0u);
}

TEST(RangeTombstoneListTest, SingleRangeIsHalfOpen) {
  RangeTombstoneList l;
  l.Add("b", "d", Del(5));
  EXPECT_EQ(l.Covering("a"), DeletionTime::Live());
  EXPECT_EQ(l.Covering("b"), Del(5));
  EXPECT_EQ(l.Covering("c\xff"), Del(5));
  EXPECT_EQ(l.Covering("d"), DeletionTime::Live());
}

TEST(RangeTombstoneListTest, EmptyAndLiveRangesAreIgnored) {
  RangeTombstoneList l;
  l.Add("d", "b", Del(5));
  l.Add("c", "c", Del(5));
  l.Add("a", "z", DeletionTime::Live());
  EXPECT_TRUE(l.empty());
}

TEST(RangeTombstoneListTest, OverlapIsFragmentedAndNewerWins) {
  RangeTombstoneList l;
  l.Add("a", "e", Del(5));
  l.Add("c", "g", Del(7));
  EXPECT_EQ(l.fragments(), Frags({{"a", "c", Del(5)}, {"c", "g", Del(7)}}));
  // An older range under both changes nothing.
  l.Add("b", "d", Del(3));
  EXPECT_EQ(l.fragments(), Frags({{"a", "c", Del(5)}, {"c", "g", Del(7)}}));
  // A newer range in the middle splits one fragment in three.
  l.Add("d", "e", Del(9));
  EXPECT_EQ(
      l.fragments(),
      Frags({{"a", "c", Del(5)}, {"c", "d", Del(7)}, {"d", "e", Del(9)}, {"e", "g", Del(7)}}));
}

TEST(RangeTombstoneListTest, GapsAreFilledOnlyWhereAdded) {
  RangeTombstoneList l;
  l.Add("b", "c", Del(5));
  l.Add("e", "f", Del(5));
  l.Add("a", "g", Del(3));
  EXPECT_EQ(l.fragments(), Frags({{"a", "b", Del(3)},
                                  {"b", "c", Del(5)},
                                  {"c", "e", Del(3)},
                                  {"e", "f", Del(5)},
                                  {"f", "g", Del(3)}}));
}

TEST(RangeTombstoneListTest, EqualTimestampHigherLdtWins) {
  RangeTombstoneList l;
  l.Add("a", "c", Del(5, 100));
  l.Add("b", "d", Del(5, 101));
  EXPECT_EQ(l.fragments(), Frags({{"a", "b", Del(5, 100)}, {"b", "d", Del(5, 101)}}));
}

TEST(RangeTombstoneListTest, TouchingEqualFragmentsAreJoined) {
  RangeTombstoneList l;
  l.Add("a", "c", Del(5));
  l.Add("c", "e", Del(5));
  EXPECT_EQ(l.fragments(), Frags({{"a", "e", Del(5)}}));
  // Covering the middle fragment's difference by the same deletion re-joins everything.
  l.Add("b", "d", Del(8));
  l.Add("b", "d", Del(8));
  EXPECT_EQ(l.fragments().size(), 3u);
  RangeTombstoneList m;
  m.Add("a", "b", Del(8));
  m.Add("d", "e", Del(8));
  l.AddAll(m);
  EXPECT_EQ(l.fragments(), Frags({{"a", "e", Del(8)}}));
}

TEST(RangeTombstoneListTest, UnboundedEndAndPrefixBounds) {
  // "\x10" "b" is a one-component clustering; + "\x11" ends an inclusive prefix range.
  RangeTombstoneList l;
  l.Add("", kClusteringTop, Del(1));
  l.Add(
      "\x10"
      "b",
      "\x10"
      "b\x11",
      Del(4));
  EXPECT_EQ(l.Covering("\x10"
                       "a"),
            Del(1));
  EXPECT_EQ(l.Covering("\x10"
                       "b"),
            Del(4));
  EXPECT_EQ(l.Covering("\x10"
                       "b\x10"
                       "zz"),
            Del(4));  // any clustering extending "b"
  EXPECT_EQ(l.Covering("\x10"
                       "c"),
            Del(1));
  EXPECT_EQ(l.fragments().size(), 3u);
}

TEST(RangeTombstoneListTest, AddAllMerges) {
  RangeTombstoneList a;
  a.Add("a", "d", Del(5));
  RangeTombstoneList b;
  b.Add("c", "f", Del(6));
  b.Add("g", "h", Del(1));
  RangeTombstoneList ab = a;
  ab.AddAll(b);
  RangeTombstoneList ba = b;
  ba.AddAll(a);
  EXPECT_EQ(ab, ba);
  EXPECT_EQ(ab.fragments(), Frags({{"a", "c", Del(5)}, {"c", "f", Del(6)}, {"g", "h", Del(1)}}));
  RangeTombstoneList self = ab;
  self.AddAll(self);
  EXPECT_EQ(self, ab);
  RangeTombstoneList empty;
  empty.AddAll(ab);
  EXPECT_EQ(empty, ab);
}

TEST(RangeTombstoneListTest, DropSupersededByKeepsEqualAndNewer) {
  RangeTombstoneList l;
  l.Add("a", "b", Del(4));
  l.Add("b", "c", Del(5, 100));
  l.Add("c", "d", Del(5, 99));
  l.Add("d", "e", Del(6));
  l.DropSupersededBy(Del(5, 100));
  EXPECT_EQ(l.fragments(), Frags({{"b", "c", Del(5, 100)}, {"d", "e", Del(6)}}));
  l.DropSupersededBy(DeletionTime::Live());
  EXPECT_EQ(l.fragments().size(), 2u);
}

TEST(RangeTombstoneListTest, DropPurgeableUsesStrictLessThan) {
  RangeTombstoneList l;
  l.Add("a", "b", Del(1, 99));
  l.Add("b", "c", Del(2, 100));
  l.Add("c", "d", Del(3, 101));
  l.DropPurgeable(100);
  EXPECT_EQ(l.fragments(), Frags({{"b", "c", Del(2, 100)}, {"c", "d", Del(3, 101)}}));
}

TEST(RangeTombstoneListTest, CountMarkers) {
  RangeTombstoneList l;
  l.Add("b", "f", Del(5));
  // A slice entirely inside one tombstone: open + close.
  EXPECT_EQ(l.CountMarkers("c", "d"), 2u);
  EXPECT_EQ(l.CountMarkers("", kClusteringTop), 2u);
  // Slices that do not reach it (half-open on both sides).
  EXPECT_EQ(l.CountMarkers("a", "b"), 0u);
  EXPECT_EQ(l.CountMarkers("f", "g"), 0u);
  EXPECT_EQ(l.CountMarkers("d", "c"), 0u);
  EXPECT_EQ(l.CountMarkers("c", "c"), 0u);

  // Two touching fragments with different deletions: open, boundary, close.
  l.Add("f", "h", Del(6));
  EXPECT_EQ(l.CountMarkers("", kClusteringTop), 3u);
  EXPECT_EQ(l.CountMarkers("e", "g"), 3u);
  // Clipping at the boundary leaves one fragment.
  EXPECT_EQ(l.CountMarkers("a", "f"), 2u);
  EXPECT_EQ(l.CountMarkers("f", "z"), 2u);

  // A separate run adds its own open and close.
  l.Add("m", "p", Del(1));
  EXPECT_EQ(l.CountMarkers("", kClusteringTop), 5u);
  // Filling the gap joins everything into one run: b-f, f-h, h-m, m-p -> 4 + 1 markers.
  l.Add("h", "m", Del(2));
  EXPECT_EQ(l.CountMarkers("", kClusteringTop), 5u);
  // Clipped to [g, n): g-h, h-m, m-n -> 3 + 1 markers.
  EXPECT_EQ(l.CountMarkers("g", "n"), 4u);
}

// ---- Model test ----

// rc::gen::inRange scales its range with the test size (small sizes give only `lo`);
// the domains here are tiny on purpose, so draw uniformly at every size.
template <typename T>
T Uniform(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

// Points: every string of length <= 2 over {a, b, c}, plus the top bound.
std::vector<std::string> BoundPoints() {
  std::vector<std::string> pts = {""};
  for (char x : std::string("abc")) {
    pts.push_back(std::string(1, x));
    for (char y : std::string("abc")) pts.push_back(std::string{x, y});
  }
  pts.push_back(std::string(kClusteringTop));
  return pts;
}

// Probes: length <= 3 over {a, b, c}, plus bytes around the top.
std::vector<std::string> ProbePoints() {
  std::vector<std::string> pts = {""};
  const std::string alpha = "abc";
  for (char x : alpha) {
    pts.push_back(std::string(1, x));
    for (char y : alpha) {
      pts.push_back(std::string{x, y});
      for (char z : alpha) pts.push_back(std::string{x, y, z});
    }
  }
  pts.push_back("\xfe");
  pts.push_back(std::string(kClusteringTop));
  pts.push_back("\xff\x01");
  return pts;
}

struct Added {
  std::string start;
  std::string end;
  DeletionTime deletion;
};

rc::Gen<Added> GenAdded() {
  static const std::vector<std::string> kBounds = BoundPoints();
  return rc::gen::exec([] {
    return Added{*rc::gen::elementOf(kBounds), *rc::gen::elementOf(kBounds),
                 Del(Uniform<int64_t>(0, 4), Uniform<int64_t>(0, 3))};
  });
}

DeletionTime ModelCovering(const std::vector<Added>& adds, std::string_view p) {
  bool covered = false;
  DeletionTime d = DeletionTime::Live();
  for (const Added& a : adds) {
    if (std::string_view(a.start) <= p && p < std::string_view(a.end)) {
      d = covered ? MaxDeletion(d, a.deletion) : a.deletion;
      covered = true;
    }
  }
  return d;
}

void CheckCanonical(const RangeTombstoneList& l) {
  const auto& f = l.fragments();
  for (size_t i = 0; i < f.size(); ++i) {
    RC_ASSERT(f[i].start < f[i].end);
    RC_ASSERT(!f[i].deletion.IsLive());
    if (i > 0) {
      RC_ASSERT(f[i - 1].end <= f[i].start);
      if (f[i - 1].end == f[i].start) RC_ASSERT(!(f[i - 1].deletion == f[i].deletion));
    }
  }
}

RC_GTEST_PROP(RangeTombstoneListProps, MatchesBruteForceModel, ()) {
  static const std::vector<std::string> kProbes = ProbePoints();
  const auto adds = *rc::gen::container<std::vector<Added>>(GenAdded());
  RangeTombstoneList l;
  std::vector<Added> so_far;
  for (const Added& a : adds) {
    l.Add(a.start, a.end, a.deletion);
    so_far.push_back(a);
    CheckCanonical(l);
    for (const std::string& p : kProbes) RC_ASSERT(l.Covering(p) == ModelCovering(so_far, p));
  }
}

RC_GTEST_PROP(RangeTombstoneListProps, CanonicalFormIsOrderIndependent, ()) {
  const auto adds = *rc::gen::container<std::vector<Added>>(GenAdded());
  const auto split = Uniform<size_t>(0, adds.size() + 1);
  RangeTombstoneList forward;
  for (const Added& a : adds) forward.Add(a.start, a.end, a.deletion);
  RangeTombstoneList backward;
  for (auto it = adds.rbegin(); it != adds.rend(); ++it)
    backward.Add(it->start, it->end, it->deletion);
  RC_ASSERT(forward == backward);

  RangeTombstoneList left;
  RangeTombstoneList right;
  for (size_t i = 0; i < adds.size(); ++i) {
    (i < split ? left : right).Add(adds[i].start, adds[i].end, adds[i].deletion);
  }
  left.AddAll(right);
  RC_ASSERT(left == forward);
}

RC_GTEST_PROP(RangeTombstoneListProps, DropsMatchModel, ()) {
  static const std::vector<std::string> kProbes = ProbePoints();
  const auto adds = *rc::gen::container<std::vector<Added>>(GenAdded());
  const DeletionTime pdel = Del(Uniform<int64_t>(0, 4), Uniform<int64_t>(0, 3));
  const int64_t gc_before = Uniform<int64_t>(0, 4);
  RangeTombstoneList l;
  for (const Added& a : adds) l.Add(a.start, a.end, a.deletion);
  l.DropSupersededBy(pdel);
  CheckCanonical(l);
  for (const std::string& p : kProbes) {
    const DeletionTime m = ModelCovering(adds, p);
    const bool keep = !m.IsLive() && !pdel.Supersedes(m);
    RC_ASSERT(l.Covering(p) == (keep ? m : DeletionTime::Live()));
  }
  l.DropPurgeable(gc_before);
  CheckCanonical(l);
  for (const std::string& p : kProbes) {
    const DeletionTime m = ModelCovering(adds, p);
    const bool keep = !m.IsLive() && !pdel.Supersedes(m) && m.ldt >= gc_before;
    RC_ASSERT(l.Covering(p) == (keep ? m : DeletionTime::Live()));
  }
}

}  // namespace
}  // namespace cassette

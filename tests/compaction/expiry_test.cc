// FullyExpiredSSTables (§6) and WorthDroppingTombstones (§7), from text scenarios.
// Every scenario runs at now = 1000 s with gc_grace 0, so gc_before = 1000.

#include "compaction/expiry.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "compaction/picker_text.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

using picker_text::ParseScenario;
using picker_text::Scenario;

constexpr char kClock[] = "now 1000000000\ngc_grace 0\n";

// File numbers of the fully expired SSTables among `candidates` (file numbers; empty:
// every available SSTable).
std::string Expired(const std::string& text, bool ignore_overlaps = false,
                    const std::vector<uint64_t>& candidates = {}) {
  Scenario sc;
  ParseScenario(absl::StrCat(kClock, text), &sc);
  std::vector<const SSTableInfo*> in;
  if (candidates.empty()) {
    in = sc.view.Available();
  } else {
    for (uint64_t n : candidates) in.push_back(sc.state.Find(n));
  }
  std::vector<uint64_t> out;
  for (const SSTableInfo* s : FullyExpiredSSTables(sc.view, in, ignore_overlaps)) {
    out.push_back(s->file_number);
  }
  std::sort(out.begin(), out.end());
  return absl::StrJoin(out, ",");
}

TEST(ExpiryTest, ExpiredWithNothingElse) {
  EXPECT_EQ(Expired("sstable 1 tokens=0..100 ts=100..200 ldt=500..900"), "1");
}

TEST(ExpiryTest, DeletionTimeMustBeStrictlyBeforeGcBefore) {
  EXPECT_EQ(Expired("sstable 1 tokens=0..100 ts=100..200 ldt=500..1000"), "");
  EXPECT_EQ(Expired("sstable 1 tokens=0..100 ts=100..200 ldt=500..999"), "1");
}

TEST(ExpiryTest, BlockedByOlderOverlappingLiveSSTable) {
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=50..60 ldt=never..never
  )"),
            "");
  // Live because its max ldt is not yet before gc_before, though it holds only TTLs.
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=50..60 ldt=500..1000
  )"),
            "");
  // Equal timestamps block too: the tombstone could shadow that data.
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=200..300 ldt=never..never
  )"),
            "");
}

TEST(ExpiryTest, NotBlockedByNonOverlappingOrNewerSSTable) {
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=101..150 ts=50..60 ldt=never..never
  )",
                    false, {1}),
            "1");
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=201..300 ldt=never..never
  )"),
            "1");
}

// One minTs for the whole candidate set, as Cassandra computes it: a live candidate
// counts (it overlaps itself), and so does anything overlapping any candidate.
TEST(ExpiryTest, CandidatesArePooledAsInCassandra) {
  const std::string text = R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=200..300 ts=100..200 ldt=500..900
    sstable 3 tokens=50..60 ts=50..60 ldt=never..never
    sstable 4 tokens=400..500 ts=10..10 ldt=never..never
  )";
  EXPECT_EQ(Expired(text), "");                 // 4 is a live candidate older than both
  EXPECT_EQ(Expired(text, false, {1, 2}), "");  // 3 overlaps 1, so blocks 2 too
  EXPECT_EQ(Expired(text, false, {2}), "2");
  EXPECT_EQ(Expired(text, false, {1}), "");
}

TEST(ExpiryTest, ExpiredOverlapsDoNotBlockEachOther) {
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=50..60 ldt=10..20
  )"),
            "1,2");
}

TEST(ExpiryTest, BlockedByCompactingSSTableWithLiveData) {
  EXPECT_EQ(Expired(R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=50..60 ldt=never..never
    compacting 2
  )"),
            "");
}

TEST(ExpiryTest, BlockedByMemtableMinTimestamp) {
  const std::string one = "sstable 1 tokens=0..100 ts=100..200 ldt=500..900\n";
  EXPECT_EQ(Expired(one + "memtable_min_ts 150"), "");
  EXPECT_EQ(Expired(one + "memtable_min_ts 200"), "");
  EXPECT_EQ(Expired(one + "memtable_min_ts 201"), "1");
}

TEST(ExpiryTest, IgnoreOverlapsDropsWhateverIsPastGcBefore) {
  const std::string text = R"(
    sstable 1 tokens=0..100 ts=100..200 ldt=500..900
    sstable 2 tokens=50..150 ts=50..60 ldt=never..never
    memtable_min_ts 10
  )";
  EXPECT_EQ(Expired(text, /*ignore_overlaps=*/true), "1");
}

TEST(ExpiryTest, LiveNonExpiringDataNeverExpires) {
  EXPECT_EQ(Expired("sstable 1 tokens=0..100 ts=100..200 ldt=500..never"), "");
  EXPECT_EQ(Expired("sstable 1 tokens=0..100 ts=100..200 ldt=500..never", true), "");
}

TEST(ExpiryTest, EmptyCandidates) {
  Scenario sc;
  ParseScenario(kClock, &sc);
  EXPECT_TRUE(FullyExpiredSSTables(sc.view, {}, false).empty());
}

// Whether SSTable 1 is worth a tombstone compaction. Options: threshold 0.2, interval
// 100 s unless given.
bool Worth(const std::string& text, double threshold = 0.2, bool unchecked = false,
           int64_t interval = 100) {
  Scenario sc;
  ParseScenario(absl::StrCat(kClock, text), &sc);
  CommonCompactionOptions options;
  options.tombstone_threshold = threshold;
  options.tombstone_compaction_interval = interval;
  options.unchecked_tombstone_compaction = unchecked;
  const SSTableInfo* s = sc.state.Find(1);
  EXPECT_NE(s, nullptr);
  return s != nullptr && WorthDroppingTombstones(*s, sc.view, options);
}

// Half of its 100 cells are tombstones droppable at gc_before 1000; it has live data.
constexpr char kTombstoned[] =
    "sstable 1 tokens=0..99 ts=100..200 ldt=500..never cells=100 drop=500:50 ";

TEST(ExpiryTest, WorthDroppingWithoutOverlaps) {
  EXPECT_TRUE(Worth(absl::StrCat(kTombstoned, "created=0")));
}

TEST(ExpiryTest, WorthDroppingWaitsForTheInterval) {
  // now - created must reach the interval (100 s).
  EXPECT_FALSE(Worth(absl::StrCat(kTombstoned, "created=900000001")));
  EXPECT_TRUE(Worth(absl::StrCat(kTombstoned, "created=900000000")));
  EXPECT_TRUE(Worth(absl::StrCat(kTombstoned, "created=900000001"), 0.2, false, 0));
}

TEST(ExpiryTest, WorthDroppingNeedsRatioAboveThreshold) {
  const std::string base = "sstable 1 tokens=0..99 ldt=500..never cells=100 ";
  EXPECT_FALSE(Worth(base + "drop=500:20"));  // exactly 0.2 is not above
  EXPECT_TRUE(Worth(base + "drop=500:21"));
  EXPECT_FALSE(Worth(base + "drop=1000:90"));  // not yet past gc_before
  EXPECT_FALSE(Worth(base + "drop=500:50", 0.5));
  EXPECT_FALSE(Worth("sstable 1 cells=0"));  // no cells: ratio 0
}

TEST(ExpiryTest, FullyCoveredByOverlapIsNotWorthUnlessUnchecked) {
  const std::string text =
      absl::StrCat(kTombstoned, "\nsstable 2 tokens=0..99 ts=50..60 ldt=never..never");
  EXPECT_FALSE(Worth(text));
  EXPECT_TRUE(Worth(text, 0.2, /*unchecked=*/true));
}

TEST(ExpiryTest, UncoveredTokenFractionScalesTheRatio) {
  // Half the span uncovered: 0.5 * 0.5 = 0.25 > 0.2, but not > 0.3.
  const std::string half =
      absl::StrCat(kTombstoned, "\nsstable 2 tokens=50..150 ts=50..60 ldt=never..never");
  EXPECT_TRUE(Worth(half));
  EXPECT_FALSE(Worth(half, 0.3));
  // Overlaps 0..29 and 20..49 cover 50 tokens, not 60: uncovered 0.5 -> 0.25 > 0.2.
  const std::string two = absl::StrCat(kTombstoned,
                                       "\nsstable 2 tokens=0..29 ts=50..60 ldt=never..never"
                                       "\nsstable 3 tokens=20..49 ts=50..60 ldt=never..never");
  EXPECT_TRUE(Worth(two));
  // Adding 50..59 leaves 40% uncovered: 0.4 * 0.5 = 0.2, not above.
  EXPECT_FALSE(Worth(two + "\nsstable 4 tokens=50..59 ts=50..60 ldt=never..never"));
}

TEST(ExpiryTest, WorthDroppingWhenFullyExpiredAgainstOverlaps) {
  const std::string expired =
      "sstable 1 tokens=0..99 ts=100..200 ldt=500..900 cells=100 drop=500:50\n";
  EXPECT_TRUE(Worth(expired + "sstable 2 tokens=0..99 ts=300..400 ldt=never..never"));
  EXPECT_FALSE(Worth(expired + "sstable 2 tokens=0..99 ts=50..60 ldt=never..never"));
}

TEST(ExpiryTest, SingleTokenSSTableIsCoveredByAnyOverlap) {
  const std::string one = "sstable 1 tokens=5..5 ldt=500..never cells=100 drop=500:90\n";
  EXPECT_TRUE(Worth(one));
  EXPECT_FALSE(Worth(one + "sstable 2 tokens=0..10 ts=0..0 ldt=never..never"));
}

TEST(ExpiryTest, FullRingSpanDoesNotOverflow) {
  const std::string ring =
      "sstable 1 tokens=-9223372036854775808..9223372036854775807 ldt=500..never cells=100 "
      "drop=500:50\n";
  EXPECT_TRUE(Worth(ring));
  // Half the ring covered: 0.5 * 0.5 = 0.25.
  const std::string half = ring + "sstable 2 tokens=0..9223372036854775807 ldt=never..never";
  EXPECT_TRUE(Worth(half));
  EXPECT_FALSE(Worth(half, 0.3));
}

}  // namespace
}  // namespace cassette

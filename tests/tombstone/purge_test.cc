#include "tombstone/purge.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>
#include <vector>

// Designated initializers below leave the other members at their defaults on purpose;
// GCC 12 still reports that under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace cassette {
namespace {

// now = 1000 s, gc_grace = 100 s -> gc_before = 900.
constexpr int64_t kNow = 1000;
constexpr int64_t kGcBefore = 900;

Purger ReadPathPurger() { return Purger{.now_sec = kNow, .gc_before = kGcBefore}; }

// Compaction purger: data older than `min_ts` may exist outside the compaction.
Purger CompactionPurger(int64_t min_ts) {
  return Purger{.now_sec = kNow,
                .gc_before = kGcBefore,
                .timestamp_purgeable = [min_ts](int64_t ts) { return ts < min_ts; }};
}

Cell Live(int64_t ts, std::string_view value, uint32_t column = 1) {
  return Cell{.column = column, .timestamp = ts, .value = value};
}
// Written at write_sec with ttl: ldt = write_sec + ttl.
Cell Expiring(int64_t ts, int64_t write_sec, int32_t ttl, uint32_t column = 1) {
  return Cell{.column = column, .timestamp = ts, .ttl = ttl, .ldt = write_sec + ttl, .value = "v"};
}
Cell Tombstone(int64_t ts, int64_t ldt, uint32_t column = 1) {
  return Cell{.column = column, .timestamp = ts, .ldt = ldt};
}

// ---- PurgeCell ----

TEST(PurgeCellTest, LiveCellsAreUnchanged) {
  EXPECT_EQ(PurgeCell(Live(5, "x"), ReadPathPurger()), Live(5, "x"));
  const Cell not_yet_expired = Expiring(5, 990, 11);  // ldt 1001 > now
  EXPECT_EQ(PurgeCell(not_yet_expired, ReadPathPurger()), not_yet_expired);
}

TEST(PurgeCellTest, TombstonePurgedOnlyBeforeGcBefore) {
  EXPECT_EQ(PurgeCell(Tombstone(5, kGcBefore - 1), ReadPathPurger()), std::nullopt);
  // ldt == gc_before is NOT purgeable.
  EXPECT_EQ(PurgeCell(Tombstone(5, kGcBefore), ReadPathPurger()), Tombstone(5, kGcBefore));
  EXPECT_EQ(PurgeCell(Tombstone(5, kNow), ReadPathPurger()), Tombstone(5, kNow));
}

TEST(PurgeCellTest, TombstoneKeptWhenOlderDataMayExistElsewhere) {
  const Cell t = Tombstone(5, kGcBefore - 1);
  EXPECT_EQ(PurgeCell(t, CompactionPurger(/*min_ts=*/5)), t);  // 5 < 5 is false
  EXPECT_EQ(PurgeCell(t, CompactionPurger(/*min_ts=*/6)), std::nullopt);
}

TEST(PurgeCellTest, ExpiredAndPurgeableByExpiryIsDropped) {
  // Written at 700 with ttl 100: expired at 800 < gc_before.
  EXPECT_EQ(PurgeCell(Expiring(5, 700, 100), ReadPathPurger()), std::nullopt);
}

TEST(PurgeCellTest, ExpiredButNotPurgeableBecomesTombstone) {
  // Written at 950 with ttl 10: expired at 960 >= gc_before. The tombstone dates from the
  // write (ldt 950, still >= gc_before), keeps the timestamp and drops the value.
  const Cell c = Expiring(5, 950, 10);
  EXPECT_EQ(PurgeCell(c, ReadPathPurger()), Tombstone(5, 950));
  // Expired exactly at now (ldt == now).
  EXPECT_EQ(PurgeCell(Expiring(5, 990, 10), ReadPathPurger()), Tombstone(5, 990));
  // Converted ldt exactly at gc_before is still kept.
  EXPECT_EQ(PurgeCell(Expiring(5, kGcBefore, 50), ReadPathPurger()), Tombstone(5, kGcBefore));
}

TEST(PurgeCellTest, ConvertedTombstoneIsPurgeTestedAgain) {
  // Written at 800 with ttl 150 (ttl > gc_grace): expired at 950, not purgeable by its
  // expiry, but the tombstone it becomes (ldt 800) is: dropped at once (AbstractCell.purge).
  EXPECT_EQ(PurgeCell(Expiring(5, 800, 150), ReadPathPurger()), std::nullopt);
  // Unless older data may exist elsewhere: then it stays as a tombstone.
  EXPECT_EQ(PurgeCell(Expiring(5, 800, 150), CompactionPurger(5)), Tombstone(5, 800));
}

TEST(PurgeCellTest, ExpiredButTimestampNotPurgeableBecomesTombstone) {
  // Expired long ago (ldt 800 < gc_before), but the timestamp is blocked.
  EXPECT_EQ(PurgeCell(Expiring(7, 700, 100), CompactionPurger(7)), Tombstone(7, 700));
  EXPECT_EQ(PurgeCell(Expiring(7, 700, 100), CompactionPurger(8)), std::nullopt);
}

// ---- PurgeRow ----

TEST(PurgeRowTest, ExpiredPurgeableMarkerIsDropped) {
  Row row{.liveness = {.timestamp = 5, .ttl = 100, .ldt = 800}};
  EXPECT_FALSE(PurgeRow(&row, ReadPathPurger()));
  EXPECT_TRUE(row.liveness.IsEmpty());
}

TEST(PurgeRowTest, ExpiredMarkerNotPurgeableIsKept) {
  const LivenessInfo at_gc{.timestamp = 5, .ttl = 100, .ldt = kGcBefore};
  Row row{.liveness = at_gc};
  EXPECT_TRUE(PurgeRow(&row, ReadPathPurger()));
  EXPECT_EQ(row.liveness, at_gc);

  const LivenessInfo old{.timestamp = 5, .ttl = 100, .ldt = 800};
  Row blocked{.liveness = old};
  EXPECT_TRUE(PurgeRow(&blocked, CompactionPurger(5)));
  EXPECT_EQ(blocked.liveness, old);
}

TEST(PurgeRowTest, LiveMarkersAreKept) {
  Row plain{.liveness = {.timestamp = 5}};
  EXPECT_TRUE(PurgeRow(&plain, ReadPathPurger()));
  EXPECT_EQ(plain.liveness, (LivenessInfo{.timestamp = 5}));
  const LivenessInfo expiring{.timestamp = 5, .ttl = 100, .ldt = kNow + 1};
  Row row{.liveness = expiring};
  EXPECT_TRUE(PurgeRow(&row, ReadPathPurger()));
  EXPECT_EQ(row.liveness, expiring);
}

TEST(PurgeRowTest, RowDeletionPurgedOnlyBeforeGcBefore) {
  Row old{.deletion = {.marked_for_delete_at = 5, .ldt = kGcBefore - 1}};
  EXPECT_FALSE(PurgeRow(&old, ReadPathPurger()));
  EXPECT_TRUE(old.deletion.IsLive());

  const DeletionTime at_gc{.marked_for_delete_at = 5, .ldt = kGcBefore};
  Row boundary{.deletion = at_gc};
  EXPECT_TRUE(PurgeRow(&boundary, ReadPathPurger()));
  EXPECT_EQ(boundary.deletion, at_gc);

  const DeletionTime blocked_del{.marked_for_delete_at = 5, .ldt = kGcBefore - 1};
  Row blocked{.deletion = blocked_del};
  EXPECT_TRUE(PurgeRow(&blocked, CompactionPurger(5)));
  EXPECT_EQ(blocked.deletion, blocked_del);
}

TEST(PurgeRowTest, CellsArePurgedOneByOne) {
  Row row{.cells = {Tombstone(5, 100, 1), Expiring(5, 950, 10, 2), Live(5, "x", 3),
                    Expiring(5, 700, 100, 4)}};
  EXPECT_TRUE(PurgeRow(&row, ReadPathPurger()));
  const std::vector<Cell> want = {Tombstone(5, 950, 2), Live(5, "x", 3)};
  EXPECT_EQ(row.cells, want);
}

TEST(PurgeRowTest, ReturnsFalseWhenEverythingIsPurged) {
  Row row{.liveness = {.timestamp = 5, .ttl = 100, .ldt = 800},
          .deletion = {.marked_for_delete_at = 4, .ldt = 10},
          .cells = {Tombstone(5, 100, 1), Expiring(5, 700, 100, 2)}};
  EXPECT_FALSE(PurgeRow(&row, ReadPathPurger()));
  EXPECT_TRUE(row.IsEmpty());
  Row empty;
  EXPECT_FALSE(PurgeRow(&empty, ReadPathPurger()));
}

// ---- CountRowTombstones (§12) ----

TEST(CountRowTombstonesTest, EachDeadCellCountsOnce) {
  const Row row{.liveness = {.timestamp = 5},
                .cells = {Tombstone(5, 950, 1), Live(5, "x", 2), Tombstone(5, 950, 3),
                          Expiring(5, 900, 50, 4) /* expired at 950 */}};
  EXPECT_EQ(CountRowTombstones(row, kNow), 3);
}

TEST(CountRowTombstonesTest, DeadRowWithoutDeadCellsCountsOnce) {
  const Row deleted{.deletion = {.marked_for_delete_at = 5, .ldt = 950}};
  EXPECT_EQ(CountRowTombstones(deleted, kNow), 1);
}

TEST(CountRowTombstonesTest, RowDeletionNotCountedTwiceWithDeadCells) {
  const Row row{.deletion = {.marked_for_delete_at = 5, .ldt = 950},
                .cells = {Tombstone(6, 950, 1), Tombstone(6, 950, 2)}};
  EXPECT_EQ(CountRowTombstones(row, kNow), 2);
}

TEST(CountRowTombstonesTest, ExpiredMarkerCountsLikeARowDeletion) {
  // Cassandra Row.hasDeletion is true once an expiring marker has expired.
  const Row expired{.liveness = {.timestamp = 5, .ttl = 10, .ldt = kNow}};
  EXPECT_EQ(CountRowTombstones(expired, kNow), 1);
  EXPECT_EQ(CountRowTombstones(expired, kNow - 1), 0);  // still live
}

TEST(CountRowTombstonesTest, LiveRowsAndEmptyRowsCountZero) {
  const Row live_marker{.liveness = {.timestamp = 5}};
  EXPECT_EQ(CountRowTombstones(live_marker, kNow), 0);
  const Row live_cell{.cells = {Live(5, "x", 1)}};
  EXPECT_EQ(CountRowTombstones(live_cell, kNow), 0);
  // A live row that also carries an (older) row deletion is not a tombstone.
  const Row live_with_deletion{.liveness = {.timestamp = 6},
                               .deletion = {.marked_for_delete_at = 5, .ldt = 950}};
  EXPECT_EQ(CountRowTombstones(live_with_deletion, kNow), 0);
  EXPECT_EQ(CountRowTombstones(Row{}, kNow), 0);
}

}  // namespace
}  // namespace cassette

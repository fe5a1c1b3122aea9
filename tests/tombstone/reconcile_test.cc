#include "tombstone/reconcile.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string_view>
#include <vector>

// Designated initializers below leave the other members at their defaults on purpose;
// GCC 12 still reports that under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace cassette {
namespace {

using namespace std::string_view_literals;

Cell Live(int64_t ts, std::string_view value, uint32_t column = 1) {
  return Cell{.column = column, .timestamp = ts, .value = value};
}
Cell Expiring(int64_t ts, int32_t ttl, int64_t ldt, std::string_view value, uint32_t column = 1) {
  return Cell{.column = column, .timestamp = ts, .ttl = ttl, .ldt = ldt, .value = value};
}
Cell Tombstone(int64_t ts, int64_t ldt, uint32_t column = 1) {
  return Cell{.column = column, .timestamp = ts, .ldt = ldt};
}

// ---- ReconcileCells (§1) ----

TEST(ReconcileCellsTest, HigherTimestampWins) {
  const Cell old_tomb = Tombstone(10, 100);
  const Cell new_live = Live(11, "a");
  EXPECT_EQ(ReconcileCells(old_tomb, new_live), new_live);
  EXPECT_EQ(ReconcileCells(new_live, old_tomb), new_live);
}

TEST(ReconcileCellsTest, TombstoneBeatsLiveAtSameTimestamp) {
  const Cell live = Live(10, "\x7f\x7f"sv);
  const Cell tomb = Tombstone(10, 1);
  EXPECT_EQ(ReconcileCells(live, tomb), tomb);
  EXPECT_EQ(ReconcileCells(tomb, live), tomb);
}

TEST(ReconcileCellsTest, ExpiringBeatsLiveAtSameTimestampEvenIfStillLive) {
  // CASSANDRA-14592: independent of the clock, so no value comparison here.
  const Cell live = Live(10, "\x7f"sv);
  const Cell expiring = Expiring(10, 1000, 5000, "\x00"sv);
  EXPECT_EQ(ReconcileCells(live, expiring), expiring);
  EXPECT_EQ(ReconcileCells(expiring, live), expiring);
}

TEST(ReconcileCellsTest, TombstoneBeatsExpiringAtSameTimestamp) {
  const Cell expiring = Expiring(10, 1000, 5000, "z");
  const Cell tomb = Tombstone(10, 1);  // lower ldt does not matter
  EXPECT_EQ(ReconcileCells(expiring, tomb), tomb);
  EXPECT_EQ(ReconcileCells(tomb, expiring), tomb);
}

TEST(ReconcileCellsTest, HigherLdtWinsBetweenSameKind) {
  const Cell e1 = Expiring(10, 100, 200, "\x7f"sv);
  const Cell e2 = Expiring(10, 100, 201, "\x00"sv);
  EXPECT_EQ(ReconcileCells(e1, e2), e2);
  EXPECT_EQ(ReconcileCells(e2, e1), e2);
  const Cell t1 = Tombstone(10, 300);
  const Cell t2 = Tombstone(10, 299);
  EXPECT_EQ(ReconcileCells(t1, t2), t1);
  EXPECT_EQ(ReconcileCells(t2, t1), t1);
}

TEST(ReconcileCellsTest, ValuesComparedAsSignedBytes) {
  // The spec's example: int -1 (FF FF FF FF) vs int 1 (00 00 00 01) -> 1 wins.
  const Cell minus_one = Live(10, "\xff\xff\xff\xff"sv);
  const Cell one = Live(10, "\x00\x00\x00\x01"sv);
  EXPECT_EQ(ReconcileCells(minus_one, one), one);
  EXPECT_EQ(ReconcileCells(one, minus_one), one);
  // 0x7F > 0x80 signed.
  const Cell x7f = Live(10, "\x7f"sv);
  const Cell x80 = Live(10, "\x80"sv);
  EXPECT_EQ(ReconcileCells(x7f, x80), x7f);
  EXPECT_EQ(ReconcileCells(x80, x7f), x7f);
}

TEST(ReconcileCellsTest, LongerValueWinsOnCommonPrefix) {
  const Cell short_v = Live(10, "ab");
  const Cell long_v = Live(10, "ab\x80"sv);  // even with a negative extra byte
  EXPECT_EQ(ReconcileCells(short_v, long_v), long_v);
  EXPECT_EQ(ReconcileCells(long_v, short_v), long_v);
  const Cell empty = Live(10, "");
  EXPECT_EQ(ReconcileCells(empty, short_v), short_v);
}

TEST(ReconcileCellsTest, ExpiringValuesComparedOnlyWhenLdtTies) {
  const Cell a = Expiring(10, 100, 500, "\x01"sv);
  const Cell b = Expiring(10, 100, 500, "\x02"sv);
  EXPECT_EQ(ReconcileCells(a, b), b);
  EXPECT_EQ(ReconcileCells(b, a), b);
}

TEST(ReconcileCellsTest, FullTieOnDifferentTtlIsOrderIndependent) {
  // Same timestamp, ldt and value, different ttl: Cassandra returns its left argument;
  // cassette picks the smaller ttl either way.
  const Cell a = Expiring(10, 100, 500, "v");
  const Cell b = Expiring(10, 50, 500, "v");
  EXPECT_EQ(ReconcileCells(a, b), b);
  EXPECT_EQ(ReconcileCells(b, a), b);
}

TEST(ReconcileCellsTest, IdenticalCellsReturnOne) {
  const Cell a = Live(10, "v");
  const Cell b = Live(10, "v");
  const Cell& r = ReconcileCells(a, b);
  EXPECT_TRUE(&r == &a || &r == &b);
  EXPECT_EQ(r, a);
}

// rc::gen::inRange scales its range with the test size (small sizes give only `lo`);
// the domains here are tiny on purpose, so draw uniformly at every size.
template <typename T>
T Uniform(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

constexpr std::string_view kValues[] = {""sv,     "\x00"sv, "\x01"sv,     "\x7f"sv,
                                        "\x80"sv, "\xff"sv, "\x00\x01"sv, "\xff\xff"sv};

std::string_view AnyValue() { return kValues[Uniform<size_t>(0, std::size(kValues))]; }

// Small domains so that every tie-break rule is exercised often.
rc::Gen<Cell> GenCell() {
  return rc::gen::exec([] {
    Cell c;
    c.column = 7;
    c.timestamp = Uniform<int64_t>(0, 3);
    switch (Uniform<int>(0, 3)) {
      case 0:  // live regular
        c.value = AnyValue();
        break;
      case 1:  // expiring
        c.ttl = Uniform<int32_t>(1, 4);
        c.ldt = Uniform<int64_t>(0, 3);
        c.value = AnyValue();
        break;
      default:  // tombstone
        c.ldt = Uniform<int64_t>(0, 3);
        break;
    }
    return c;
  });
}

// Independent cells rarely tie on every field, so half the time derive the next cell
// from an earlier one by redrawing a single field (keeping the cell well formed).
Cell NextCell(const std::vector<Cell>& earlier) {
  if (earlier.empty() || *rc::gen::arbitrary<bool>()) return *GenCell();
  Cell c = *rc::gen::elementOf(earlier);
  switch (Uniform<int>(0, 4)) {
    case 0:
      c.timestamp = Uniform<int64_t>(0, 3);
      break;
    case 1:
      if (c.ldt != kNoDeletionTime) c.ldt = Uniform<int64_t>(0, 3);
      break;
    case 2:
      if (c.IsExpiring()) c.ttl = Uniform<int32_t>(1, 4);
      break;
    default:
      if (!c.IsTombstone()) c.value = AnyValue();
      break;
  }
  return c;
}

RC_GTEST_PROP(ReconcileCellsProps, ResultIsOneOfTheInputs, ()) {
  const Cell a = NextCell({});
  const Cell b = NextCell({a});
  const Cell& r = ReconcileCells(a, b);
  RC_ASSERT(&r == &a || &r == &b);
}

RC_GTEST_PROP(ReconcileCellsProps, Commutative, ()) {
  const Cell a = NextCell({});
  const Cell b = NextCell({a});
  RC_ASSERT(ReconcileCells(a, b) == ReconcileCells(b, a));
}

RC_GTEST_PROP(ReconcileCellsProps, Associative, ()) {
  const Cell a = NextCell({});
  const Cell b = NextCell({a});
  const Cell c = NextCell({a, b});
  const Cell left = ReconcileCells(ReconcileCells(a, b), c);
  const Cell right = ReconcileCells(a, ReconcileCells(b, c));
  RC_ASSERT(left == right);
}

RC_GTEST_PROP(ReconcileCellsProps, HigherTimestampAlwaysWins, ()) {
  const Cell a = NextCell({});
  const Cell b = NextCell({a});
  RC_PRE(a.timestamp != b.timestamp);
  RC_ASSERT(ReconcileCells(a, b).timestamp == std::max(a.timestamp, b.timestamp));
}

// ---- LivenessSupersedes ----

TEST(LivenessSupersedesTest, HigherTimestampWins) {
  const LivenessInfo a{.timestamp = 11};
  const LivenessInfo b{.timestamp = 10, .ttl = 5, .ldt = 100};
  EXPECT_TRUE(LivenessSupersedes(a, b));
  EXPECT_FALSE(LivenessSupersedes(b, a));
  EXPECT_TRUE(LivenessSupersedes(b, LivenessInfo{}));  // anything beats the empty marker
}

TEST(LivenessSupersedesTest, ExpiringBeatsNonExpiringOnTie) {
  const LivenessInfo plain{.timestamp = 10};
  const LivenessInfo expiring{.timestamp = 10, .ttl = 5, .ldt = 100};
  EXPECT_TRUE(LivenessSupersedes(expiring, plain));
  EXPECT_FALSE(LivenessSupersedes(plain, expiring));
}

TEST(LivenessSupersedesTest, HigherLdtWinsBetweenExpiring) {
  const LivenessInfo a{.timestamp = 10, .ttl = 5, .ldt = 100};
  const LivenessInfo b{.timestamp = 10, .ttl = 5, .ldt = 101};
  EXPECT_TRUE(LivenessSupersedes(b, a));
  EXPECT_FALSE(LivenessSupersedes(a, b));
  EXPECT_FALSE(LivenessSupersedes(a, a));
  const LivenessInfo plain{.timestamp = 10};
  EXPECT_FALSE(LivenessSupersedes(plain, plain));
}

// ---- MergeRowInto / ApplyDeletion / RowHasLiveData ----

TEST(MergeRowIntoTest, MergesMarkerDeletionAndCellsByColumn) {
  Row a{.liveness = {.timestamp = 10},
        .deletion = {.marked_for_delete_at = 5, .ldt = 50},
        .cells = {Live(10, "a1", 1), Live(10, "a3", 3)}};
  const Row b{.liveness = {.timestamp = 12},
              .deletion = {.marked_for_delete_at = 7, .ldt = 40},
              .cells = {Live(9, "b1", 1), Live(12, "b2", 2), Tombstone(11, 60, 4)}};
  MergeRowInto(&a, b);
  EXPECT_EQ(a.liveness, (LivenessInfo{.timestamp = 12}));
  EXPECT_EQ(a.deletion, (DeletionTime{.marked_for_delete_at = 7, .ldt = 40}));
  const std::vector<Cell> want = {Live(10, "a1", 1), Live(12, "b2", 2), Live(10, "a3", 3),
                                  Tombstone(11, 60, 4)};
  EXPECT_EQ(a.cells, want);
}

TEST(MergeRowIntoTest, TiedMarkersMergeTheSameWayInBothOrders) {
  // Neither marker supersedes the other (same timestamp and expiry); the smaller ttl is
  // kept either way so that merge order never matters.
  const LivenessInfo long_ttl{.timestamp = 10, .ttl = 100, .ldt = 500};
  const LivenessInfo short_ttl{.timestamp = 10, .ttl = 50, .ldt = 500};
  Row a{.liveness = long_ttl};
  MergeRowInto(&a, Row{.liveness = short_ttl});
  Row b{.liveness = short_ttl};
  MergeRowInto(&b, Row{.liveness = long_ttl});
  EXPECT_EQ(a.liveness, short_ttl);
  EXPECT_EQ(b.liveness, short_ttl);
}

TEST(MergeRowIntoTest, MergingIntoEmptyRowCopies) {
  Row a;
  const Row b{.liveness = {.timestamp = 3}, .cells = {Live(3, "x", 2)}};
  MergeRowInto(&a, b);
  EXPECT_EQ(a, b);
}

TEST(ApplyDeletionTest, RemovesShadowedMarkerAndCells) {
  Row row{.liveness = {.timestamp = 20},
          .cells = {Live(19, "a", 1), Live(20, "b", 2), Live(21, "c", 3), Tombstone(15, 9, 4)}};
  const DeletionTime del{.marked_for_delete_at = 20, .ldt = 100};
  ApplyDeletion(&row, del);
  EXPECT_TRUE(row.liveness.IsEmpty());  // ties go to the deletion
  ASSERT_EQ(row.cells.size(), 1u);
  EXPECT_EQ(row.cells[0], Live(21, "c", 3));
  EXPECT_TRUE(row.deletion.IsLive());  // kept as is
}

TEST(ApplyDeletionTest, KeepsNewerMarkerAndRowDeletion) {
  Row row{.liveness = {.timestamp = 21}, .deletion = {.marked_for_delete_at = 20, .ldt = 100}};
  ApplyDeletion(&row, row.deletion);
  EXPECT_EQ(row.liveness, (LivenessInfo{.timestamp = 21}));
  EXPECT_EQ(row.deletion, (DeletionTime{.marked_for_delete_at = 20, .ldt = 100}));
  ApplyDeletion(&row, DeletionTime::Live());
  EXPECT_EQ(row.liveness, (LivenessInfo{.timestamp = 21}));
}

// §3: INSERT (k, a, b) then DELETE a, b -> the row still exists (its marker is live).
TEST(RowLivenessTest, InsertThenDeleteColumnsKeepsRow) {
  Row row{.liveness = {.timestamp = 100}, .cells = {Live(100, "a", 1), Live(100, "b", 2)}};
  MergeRowInto(&row, Row{.cells = {Tombstone(200, 1000, 1), Tombstone(200, 1000, 2)}});
  ApplyDeletion(&row, row.deletion);
  EXPECT_TRUE(RowHasLiveData(row, 1001));
  EXPECT_FALSE(row.cells[0].IsLive(1001));
  EXPECT_FALSE(row.cells[1].IsLive(1001));
}

// §3: UPDATE SET a, b then DELETE a, b -> the row is gone (no marker).
TEST(RowLivenessTest, UpdateThenDeleteColumnsRemovesRow) {
  Row row{.cells = {Live(100, "a", 1), Live(100, "b", 2)}};
  MergeRowInto(&row, Row{.cells = {Tombstone(200, 1000, 1), Tombstone(200, 1000, 2)}});
  ApplyDeletion(&row, row.deletion);
  EXPECT_FALSE(RowHasLiveData(row, 1001));
}

// §3 (dtest ttl_test): INSERT ... USING TTL 2; UPDATE SET col1 = 42 (no TTL); after 2 s
// the row is [k, 42, null, null].
TEST(RowLivenessTest, LiveCellKeepsRowAfterTtlExpires) {
  const int64_t now = 1000;
  const int64_t ldt = now + 2;
  Row row{.liveness = {.timestamp = 1, .ttl = 2, .ldt = ldt},
          .cells = {Expiring(1, 2, ldt, "\x00\x00\x00\x01"sv, 1),
                    Expiring(1, 2, ldt, "\x00\x00\x00\x02"sv, 2),
                    Expiring(1, 2, ldt, "\x00\x00\x00\x03"sv, 3)}};
  MergeRowInto(&row, Row{.cells = {Live(2, "\x00\x00\x00\x2a"sv, 1)}});
  ApplyDeletion(&row, row.deletion);

  EXPECT_TRUE(RowHasLiveData(row, ldt - 1));
  EXPECT_TRUE(row.liveness.IsLive(ldt - 1));
  EXPECT_TRUE(row.cells[1].IsLive(ldt - 1));

  // Expired exactly at ldt.
  EXPECT_FALSE(row.liveness.IsLive(ldt));
  EXPECT_TRUE(RowHasLiveData(row, ldt));
  std::vector<Cell> live;
  for (const Cell& c : row.cells) {
    if (c.IsLive(ldt)) live.push_back(c);
  }
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].column, 1u);
  EXPECT_EQ(live[0].value, "\x00\x00\x00\x2a"sv);
}

TEST(RowLivenessTest, RowWithOnlyTtlDataDiesExactlyAtLdt) {
  Row row{.liveness = {.timestamp = 1, .ttl = 2, .ldt = 1002},
          .cells = {Expiring(1, 2, 1002, "v", 1)}};
  EXPECT_TRUE(RowHasLiveData(row, 1001));
  EXPECT_FALSE(RowHasLiveData(row, 1002));
  EXPECT_FALSE(RowHasLiveData(Row{}, 0));
}

// ---- Row merge properties ----

// Rows drawn from a shared pool of cells so that merged columns often tie.
Row NextRow(std::vector<Cell>* pool) {
  Row r;
  switch (Uniform<int>(0, 3)) {
    case 0:
      break;
    case 1:
      r.liveness = {.timestamp = Uniform<int64_t>(0, 3)};
      break;
    default:
      r.liveness = {.timestamp = Uniform<int64_t>(0, 2),
                    .ttl = Uniform<int32_t>(1, 3),
                    .ldt = Uniform<int64_t>(0, 2)};
  }
  if (*rc::gen::arbitrary<bool>()) {
    r.deletion = {.marked_for_delete_at = Uniform<int64_t>(0, 3), .ldt = Uniform<int64_t>(0, 3)};
  }
  for (uint32_t col = 0; col < 3; ++col) {
    if (*rc::gen::arbitrary<bool>()) {
      Cell c = NextCell(*pool);
      pool->push_back(c);
      c.column = col;
      r.cells.push_back(c);
    }
  }
  return r;
}

RC_GTEST_PROP(MergeRowIntoProps, CommutativeAndAssociative, ()) {
  std::vector<Cell> pool;
  const Row a = NextRow(&pool);
  const Row b = NextRow(&pool);
  const Row c = NextRow(&pool);
  Row ab = a;
  MergeRowInto(&ab, b);
  Row ba = b;
  MergeRowInto(&ba, a);
  RC_ASSERT(ab == ba);

  Row ab_c = ab;
  MergeRowInto(&ab_c, c);
  Row bc = b;
  MergeRowInto(&bc, c);
  Row a_bc = a;
  MergeRowInto(&a_bc, bc);
  RC_ASSERT(ab_c == a_bc);
  for (size_t i = 1; i < ab_c.cells.size(); ++i) {
    RC_ASSERT(ab_c.cells[i - 1].column < ab_c.cells[i].column);
  }
}

}  // namespace
}  // namespace cassette

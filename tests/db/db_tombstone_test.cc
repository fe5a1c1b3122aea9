// Read-time tombstone counting and thresholds (cassandra-semantics.md §12): what a read
// counts in ReadStats::tombstones_scanned, what gc_grace makes uncountable, and the
// tombstone_warn_threshold / tombstone_failure_threshold reactions.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cassette/cassette.h"
#include "db/test_folder.h"

namespace cassette {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kStartMicros = int64_t{1'700'000'000} * 1'000'000;

Value I(int32_t v) { return Value::Int(v); }
ColumnValues K(int32_t k) { return {{"k", I(k)}}; }
ColumnValues KC(int32_t k, int32_t c) { return {{"k", I(k)}, {"c", I(c)}}; }
ClusteringBound Bound(int32_t c, bool inclusive) { return ClusteringBound{{I(c)}, inclusive}; }
ClusteringSlice Closed(int32_t from, int32_t to) {
  return ClusteringSlice{Bound(from, true), Bound(to, true)};
}
WriteOptions At(int64_t timestamp) {
  WriteOptions o;
  o.timestamp = timestamp;
  return o;
}
WriteOptions Ttl(int64_t ttl) {
  WriteOptions o;
  o.ttl = ttl;
  return o;
}

class DbTombstoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = FreshFolder();
    Options options;
    options.clock = clock_;
    options.warning_log = [this](const std::string& msg) { logged_.push_back(msg); };
    auto db = Db::Open(options, folder_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(folder_);
  }

  // ks.tt (k int, c int, s int static, v int, w int)
  void CreateTable(TableOptions options = {}) {
    TableSchema schema{"ks",
                       "tt",
                       {{"k", CqlType::kInt, ColumnKind::kPartitionKey},
                        {"c", CqlType::kInt, ColumnKind::kClustering},
                        {"s", CqlType::kInt, ColumnKind::kStatic},
                        {"v", CqlType::kInt, ColumnKind::kRegular},
                        {"w", CqlType::kInt, ColumnKind::kRegular}},
                       options};
    absl::Status s = db_->CreateTable(schema);
    ASSERT_TRUE(s.ok()) << s;
  }
  // Rows c = 1..n with v and w in partition k, written at `ts`.
  void Fill(int32_t k, int n, int64_t ts = 1) {
    WriteBatch b;
    for (int c = 1; c <= n; ++c) {
      b.Insert("ks.tt", {{"k", I(k)}, {"c", I(c)}, {"v", I(c)}, {"w", I(c)}}, At(ts));
    }
    Write(b);
  }
  // Cell tombstones for v in rows c = 1..n of partition k.
  void DeleteV(int32_t k, int n) {
    WriteBatch b;
    for (int c = 1; c <= n; ++c) b.DeleteColumns("ks.tt", KC(k, c), {"v"});
    Write(b);
  }
  void Write(const WriteBatch& batch) {
    absl::Status s = db_->Write(batch);
    ASSERT_TRUE(s.ok()) << s;
  }
  absl::StatusOr<ResultSet> Read(std::optional<int32_t> k, ClusteringSlice slice = {}) {
    SelectQuery q;
    q.table = "ks.tt";
    if (k) q.partition_key = K(*k);
    q.slice = slice;
    return db_->Select(q);
  }
  // tombstones_scanned of a read that must succeed; -1 on failure.
  int64_t Tombstones(std::optional<int32_t> k, ClusteringSlice slice = {}) {
    auto rs = Read(k, slice);
    EXPECT_TRUE(rs.ok()) << rs.status();
    return rs.ok() ? rs->stats.tombstones_scanned : -1;
  }
  int64_t LiveRows(std::optional<int32_t> k, ClusteringSlice slice = {}) {
    auto rs = Read(k, slice);
    EXPECT_TRUE(rs.ok()) << rs.status();
    if (!rs.ok()) return -1;
    EXPECT_EQ(rs->stats.live_rows, static_cast<int64_t>(rs->rows.size()));
    return static_cast<int64_t>(rs->rows.size());
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStartMicros);
  std::string folder_;
  std::unique_ptr<Db> db_;
  std::vector<std::string> logged_;
};

TEST_F(DbTombstoneTest, EachCellTombstoneInTheSliceCountsOne) {
  CreateTable();
  Fill(1, 5);
  DeleteV(1, 3);
  EXPECT_EQ(Tombstones(1), 3);
  EXPECT_EQ(LiveRows(1), 5);
  EXPECT_EQ(Tombstones(1, Closed(2, 4)), 2);
  EXPECT_EQ(Tombstones(1, Closed(4, 5)), 0);
  Write(WriteBatch().DeleteColumns("ks.tt", KC(1, 5), {"v", "w"}));
  EXPECT_EQ(Tombstones(1), 5);
  EXPECT_EQ(Tombstones(1, Closed(4, 5)), 2);
}

TEST_F(DbTombstoneTest, RowDeletionCountsOne) {
  CreateTable();
  Fill(1, 3);
  Write(WriteBatch().Delete("ks.tt", KC(1, 2)));
  EXPECT_EQ(Tombstones(1), 1);
  EXPECT_EQ(LiveRows(1), 2);
  // A deletion of a row that never existed is counted too.
  Write(WriteBatch().Delete("ks.tt", KC(1, 9)));
  EXPECT_EQ(Tombstones(1), 2);
  EXPECT_EQ(Tombstones(1, Closed(1, 1)), 0);
}

TEST_F(DbTombstoneTest, RangeTombstoneInsideTheSliceCountsTwoMarkers) {
  CreateTable();
  Fill(1, 6);
  Write(WriteBatch().DeleteRange("ks.tt", K(1), Closed(2, 4)));
  EXPECT_EQ(LiveRows(1), 3);
  EXPECT_EQ(Tombstones(1), 2);
  EXPECT_EQ(Tombstones(1, {Bound(3, true), std::nullopt}), 2);  // starts inside the range
  EXPECT_EQ(Tombstones(1, {Bound(5, true), std::nullopt}), 0);
  EXPECT_EQ(Tombstones(1, {std::nullopt, Bound(2, false)}), 0);
}

TEST_F(DbTombstoneTest, TouchingAndOverlappingRangeTombstonesCountBoundaryMarkers) {
  CreateTable();
  Fill(1, 6);
  Fill(2, 6);
  // [2, 3] and (3, 5] with different deletion times: open, boundary, close.
  Write(WriteBatch().DeleteRange("ks.tt", K(1), Closed(2, 3), At(10)));
  Write(WriteBatch().DeleteRange("ks.tt", K(1), {Bound(3, false), Bound(5, true)}, At(20)));
  EXPECT_EQ(Tombstones(1), 3);
  // [3, 4] at 20 inside [2, 5] at 10: open, boundary, boundary, close.
  Write(WriteBatch().DeleteRange("ks.tt", K(2), Closed(2, 5), At(10)));
  Write(WriteBatch().DeleteRange("ks.tt", K(2), Closed(3, 4), At(20)));
  EXPECT_EQ(Tombstones(2), 4);
  EXPECT_EQ(LiveRows(2), 2);
}

TEST_F(DbTombstoneTest, PartitionDeletionAndWhatItShadowsAreNotCounted) {
  CreateTable();
  Fill(1, 3);
  Write(WriteBatch().Update("ks.tt", K(1), {{"s", I(1)}}, At(1)));
  DeleteV(1, 2);
  Write(WriteBatch().Delete("ks.tt", K(1)));
  EXPECT_EQ(Tombstones(1), 0);
  EXPECT_EQ(LiveRows(1), 0);
  Write(WriteBatch().Insert("ks.tt", {{"k", I(1)}, {"c", I(7)}, {"v", I(7)}}));
  EXPECT_EQ(Tombstones(1), 0);
  EXPECT_EQ(LiveRows(1), 1);
}

TEST_F(DbTombstoneTest, ExpiredCellsCountAsTombstones) {
  CreateTable();
  Write(WriteBatch()
            .Insert("ks.tt", {{"k", I(1)}, {"c", I(1)}, {"v", I(1)}, {"w", I(1)}}, Ttl(10))
            .Insert("ks.tt", {{"k", I(1)}, {"c", I(2)}}, Ttl(10))
            .Insert("ks.tt", {{"k", I(1)}, {"c", I(3)}, {"v", I(3)}}));
  EXPECT_EQ(Tombstones(1), 0);
  clock_->AdvanceSeconds(10);
  // Row 1: two expired cells. Row 2: only an expired marker, a dead row counted once.
  EXPECT_EQ(Tombstones(1), 3);
  EXPECT_EQ(LiveRows(1), 1);
}

TEST_F(DbTombstoneTest, GcableTombstonesAreNotCounted) {
  TableOptions options;
  options.gc_grace_seconds = 0;
  CreateTable(options);
  Fill(1, 8);
  DeleteV(1, 3);
  Write(WriteBatch().Delete("ks.tt", KC(1, 4)).DeleteRange("ks.tt", K(1), Closed(6, 7)));
  // Deleted this second: ldt == now - gc_grace is not yet purgeable.
  EXPECT_EQ(Tombstones(1), 3 + 1 + 2);
  EXPECT_EQ(LiveRows(1), 5);
  clock_->AdvanceSeconds(1);
  EXPECT_EQ(Tombstones(1), 0);
  EXPECT_EQ(LiveRows(1), 5);  // purging at read time resurrects nothing
}

TEST_F(DbTombstoneTest, ScanCountsTombstonesOfEveryPartition) {
  CreateTable();
  Fill(1, 3);
  Fill(2, 3);
  DeleteV(1, 2);
  DeleteV(2, 3);
  auto rs = Read(std::nullopt);
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_EQ(rs->stats.tombstones_scanned, 5);
  EXPECT_EQ(rs->stats.partitions_scanned, 2);
  EXPECT_EQ(rs->stats.live_rows, 6);
}

TEST_F(DbTombstoneTest, WarnThresholdExceededWarns) {
  TableOptions options;
  options.tombstone_warn_threshold = 2;
  CreateTable(options);
  Fill(1, 3);
  Fill(2, 3);
  DeleteV(1, 2);
  DeleteV(2, 3);
  auto at_threshold = Read(1);
  ASSERT_TRUE(at_threshold.ok()) << at_threshold.status();
  EXPECT_THAT(at_threshold->stats.warnings, IsEmpty());
  EXPECT_THAT(logged_, IsEmpty());

  auto over = Read(2);
  ASSERT_TRUE(over.ok()) << over.status();
  EXPECT_EQ(over->rows.size(), 3u);
  ASSERT_THAT(over->stats.warnings, SizeIs(1));
  EXPECT_THAT(over->stats.warnings[0], HasSubstr("ks.tt"));
  EXPECT_THAT(over->stats.warnings[0], HasSubstr("3 tombstone"));
  ASSERT_THAT(logged_, SizeIs(1));
  EXPECT_EQ(logged_[0], over->stats.warnings[0]);
}

TEST_F(DbTombstoneTest, FailureThresholdExceededFailsTheRead) {
  TableOptions options;
  options.tombstone_warn_threshold = 1;
  options.tombstone_failure_threshold = 3;
  CreateTable(options);
  Fill(7, 4);
  Fill(8, 4);
  DeleteV(7, 3);
  DeleteV(8, 4);
  auto at_threshold = Read(7);
  ASSERT_TRUE(at_threshold.ok()) << at_threshold.status();
  EXPECT_EQ(at_threshold->stats.tombstones_scanned, 3);
  EXPECT_THAT(at_threshold->stats.warnings, SizeIs(1));

  auto over = Read(8);
  ASSERT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted) << over.status();
  const std::string msg(over.status().message());
  EXPECT_THAT(msg, HasSubstr("ks.tt"));
  EXPECT_THAT(msg, HasSubstr("k=8"));
  EXPECT_THAT(msg, HasSubstr("4 tombstones"));
  EXPECT_THAT(msg, HasSubstr("3"));
  // A slice with fewer tombstones still reads.
  EXPECT_EQ(Tombstones(8, Closed(1, 3)), 3);
  // So does Get of one row, and a scan fails as a whole.
  auto row = db_->Get("ks.tt", KC(8, 4));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_TRUE(row->has_value());
  EXPECT_EQ(Read(std::nullopt).status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace cassette

// Behaviour of Db writes through the public API, each test named after the rule it pins
// (/work/shared/reference/cassandra-semantics.md §1–§5). Reads are in db_read_test.cc,
// tombstone counting in db_tombstone_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cassette/cassette.h"
#include "db/test_folder.h"

namespace cassette {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kStartMicros = 1'700'000'000 * kSec;  // a whole second

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
WriteOptions AtWithTtl(int64_t timestamp, int64_t ttl) {
  WriteOptions o = At(timestamp);
  o.ttl = ttl;
  return o;
}

ColumnDef Col(std::string name, ColumnKind kind, CqlType type = CqlType::kInt,
              ClusteringOrder order = ClusteringOrder::kAsc) {
  return ColumnDef{std::move(name), type, kind, order};
}
constexpr ColumnKind kPk = ColumnKind::kPartitionKey;
constexpr ColumnKind kCk = ColumnKind::kClustering;
constexpr ColumnKind kStatic = ColumnKind::kStatic;
constexpr ColumnKind kReg = ColumnKind::kRegular;

TableSchema Table(std::string name, std::vector<ColumnDef> columns, TableOptions options = {}) {
  return TableSchema{"ks", std::move(name), std::move(columns), options};
}

Value I(int32_t v) { return Value::Int(v); }
ClusteringBound Bound(std::vector<Value> prefix, bool inclusive) {
  return ClusteringBound{std::move(prefix), inclusive};
}

// "v1, v2, ..." in cqlsh rendering.
std::string Render(const ResultRow& row) {
  return absl::StrJoin(row.values, ", ", [](std::string* out, const Value& v) {
    absl::StrAppend(out, v.ToString());
  });
}

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = FreshFolder();
    Reopen(Options{});
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(folder_);
  }

  // Opens a fresh Db (no tables) with `options` and the test's clock.
  void Reopen(Options options) {
    db_.reset();
    options.clock = clock_;
    auto db = Db::Open(options, folder_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  void Create(const TableSchema& schema) {
    absl::Status s = db_->CreateTable(schema);
    ASSERT_TRUE(s.ok()) << s;
  }
  void Write(const WriteBatch& batch) {
    absl::Status s = db_->Write(batch);
    ASSERT_TRUE(s.ok()) << s;
  }
  ResultSet Select(const SelectQuery& q) {
    auto rs = db_->Select(q);
    EXPECT_TRUE(rs.ok()) << rs.status();
    return rs.ok() ? *std::move(rs) : ResultSet{};
  }
  std::vector<std::string> Rows(const SelectQuery& q) {
    std::vector<std::string> out;
    for (const ResultRow& r : Select(q).rows) out.push_back(Render(r));
    return out;
  }
  // SELECT `columns` FROM `table` WHERE k = `k` (every column if empty).
  std::vector<std::string> Partition(const std::string& table, int32_t k,
                                     std::vector<std::string> columns = {}) {
    SelectQuery q;
    q.table = table;
    q.partition_key = {{"k", I(k)}};
    q.columns = std::move(columns);
    return Rows(q);
  }
  // The row at `key` rendered, or "none".
  std::string GetRow(const std::string& table, const ColumnValues& key) {
    auto row = db_->Get(table, key);
    EXPECT_TRUE(row.ok()) << row.status();
    if (!row.ok()) return "error";
    return row->has_value() ? Render(**row) : "none";
  }
  void Advance(int64_t seconds) { clock_->AdvanceSeconds(seconds); }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStartMicros);
  std::string folder_;
  std::unique_ptr<Db> db_;
};

// ks.kv (k int PRIMARY KEY, col1 int, col2 int, col3 int)
TableSchema KvTable(TableOptions options = {}) {
  return Table("kv", {Col("k", kPk), Col("col1", kReg), Col("col2", kReg), Col("col3", kReg)},
               options);
}
ColumnValues K(int32_t k) { return {{"k", I(k)}}; }
ColumnValues KWith(int32_t k, ColumnValues more) {
  ColumnValues cv = K(k);
  cv.insert(cv.end(), more.begin(), more.end());
  return cv;
}

// ---- §3 row liveness ----

TEST_F(DbTest, InsertThenDeleteAllColumnsKeepsRowWithNulls) {
  Create(KvTable());
  Write(WriteBatch().Insert("ks.kv", KWith(1, {{"col1", I(1)}, {"col2", I(2)}, {"col3", I(3)}})));
  Write(WriteBatch().DeleteColumns("ks.kv", K(1), {"col1", "col2", "col3"}));
  EXPECT_THAT(Partition("ks.kv", 1), ElementsAre("1, null, null, null"));
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, null, null, null");
}

TEST_F(DbTest, UpdateThenDeleteAllColumnsRemovesRow) {
  Create(KvTable());
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(1)}, {"col2", I(2)}, {"col3", I(3)}}));
  EXPECT_THAT(Partition("ks.kv", 1), ElementsAre("1, 1, 2, 3"));
  Write(WriteBatch().DeleteColumns("ks.kv", K(1), {"col1", "col2", "col3"}));
  EXPECT_THAT(Partition("ks.kv", 1), IsEmpty());
  EXPECT_EQ(GetRow("ks.kv", K(1)), "none");
}

TEST_F(DbTest, SettingNullWritesCellTombstone) {
  Create(KvTable());
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(1)}}));
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", Value::Null()}}));
  EXPECT_EQ(GetRow("ks.kv", K(1)), "none");
}

// dtest ttl_test: INSERT ... USING TTL 2; UPDATE SET col1 = 42 -> after 2 s [k, 42, null, null].
TEST_F(DbTest, LiveCellKeepsRowAfterTtlInsertExpires) {
  Create(KvTable());
  Write(WriteBatch().Insert("ks.kv", KWith(1, {{"col1", I(1)}, {"col2", I(2)}, {"col3", I(3)}}),
                            Ttl(2)));
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(42)}}));
  Advance(1);
  EXPECT_THAT(Partition("ks.kv", 1), ElementsAre("1, 42, 2, 3"));
  Advance(1);
  EXPECT_THAT(Partition("ks.kv", 1), ElementsAre("1, 42, null, null"));
}

TEST_F(DbTest, ExpiringCellDiesExactlyAtLocalDeletionTime) {
  Create(KvTable());
  Write(WriteBatch().Insert("ks.kv", KWith(1, {{"col1", I(1)}}), Ttl(10)));
  clock_->SetMicros(kStartMicros + 10 * kSec - 1);
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, 1, null, null");
  clock_->SetMicros(kStartMicros + 10 * kSec);
  EXPECT_EQ(GetRow("ks.kv", K(1)), "none");
}

// ---- §5 TTL ----

TEST_F(DbTest, DefaultTimeToLiveAppliesAndTtlZeroOverridesIt) {
  TableOptions options;
  options.default_time_to_live = 100;
  Create(KvTable(options));
  Write(WriteBatch()
            .Insert("ks.kv", KWith(1, {{"col1", I(1)}}))
            .Insert("ks.kv", KWith(2, {{"col1", I(2)}}), Ttl(0))
            .Update("ks.kv", K(3), {{"col1", I(3)}})
            .Insert("ks.kv", KWith(4, {{"col1", I(4)}}), Ttl(300)));
  SelectQuery q;
  q.table = "ks.kv";
  q.columns = {"k", "col1"};
  q.with_writetime_ttl = true;
  std::vector<std::string> ttls;
  for (const ResultRow& r : Select(q).rows) {
    ttls.push_back(absl::StrCat(r.values[0].ToString(), ":",
                                r.ttl[1].has_value() ? absl::StrCat(*r.ttl[1]) : "none"));
  }
  EXPECT_THAT(ttls, ::testing::UnorderedElementsAre("1:100", "2:none", "3:100", "4:300"));

  Advance(99);
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, 1, null, null");
  Advance(1);
  EXPECT_EQ(GetRow("ks.kv", K(1)), "none");
  EXPECT_EQ(GetRow("ks.kv", K(2)), "2, 2, null, null");
  EXPECT_EQ(GetRow("ks.kv", K(3)), "none");
  EXPECT_EQ(GetRow("ks.kv", K(4)), "4, 4, null, null");
}

TEST_F(DbTest, WritetimeAndTtlAreReportedPerCell) {
  Create(Table("wt",
               {Col("k", kPk), Col("c", kCk), Col("s", kStatic), Col("v", kReg), Col("w", kReg)}));
  Write(
      WriteBatch().Insert("ks.wt", {{"k", I(1)}, {"c", I(1)}, {"v", I(1)}}, AtWithTtl(1000, 100)));
  Write(WriteBatch().Update("ks.wt", K(1), {{"s", I(5)}}, At(2000)));
  Advance(30);
  SelectQuery q;
  q.table = "ks.wt";
  q.partition_key = K(1);
  q.columns = {"k", "c", "s", "v", "w"};
  q.with_writetime_ttl = true;
  ResultSet rs = Select(q);
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(Render(rs.rows[0]), "1, 1, 5, 1, null");
  using W = std::optional<int64_t>;
  using T = std::optional<int32_t>;
  EXPECT_THAT(rs.rows[0].writetime, ElementsAre(W(), W(), W(2000), W(1000), W()));
  EXPECT_THAT(rs.rows[0].ttl, ElementsAre(T(), T(), T(), T(70), T()));
  // Without the flag the vectors stay empty.
  q.with_writetime_ttl = false;
  rs = Select(q);
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_THAT(rs.rows[0].writetime, IsEmpty());
  EXPECT_THAT(rs.rows[0].ttl, IsEmpty());
}

// ---- §1 reconciliation ----

TEST_F(DbTest, HigherTimestampWinsWhateverTheWriteOrder) {
  Create(KvTable());
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(2)}}, At(20)));
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(1)}}, At(10)));
  Write(WriteBatch().Insert("ks.kv", KWith(2, {{"col1", I(1)}}), At(10)));
  Write(WriteBatch().Delete("ks.kv", K(2), At(9)));
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, 2, null, null");
  EXPECT_EQ(GetRow("ks.kv", K(2)), "2, 1, null, null");
}

TEST_F(DbTest, LaterBatchWinsWithAFrozenClock) {
  Create(KvTable());
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(2)}}));
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(1)}}));
  Write(WriteBatch().Insert("ks.kv", KWith(2, {{"col1", I(1)}})));
  Write(WriteBatch().Delete("ks.kv", K(2)));
  Write(WriteBatch().Insert("ks.kv", KWith(2, {{"col2", I(7)}})));
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, 1, null, null");
  EXPECT_EQ(GetRow("ks.kv", K(2)), "2, null, 7, null");
}

TEST_F(DbTest, LaterBatchWinsEvenIfTheClockGoesBack) {
  Create(KvTable());
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(1)}}));
  clock_->SetMicros(kStartMicros - 3600 * kSec);
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(2)}}));
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, 2, null, null");
}

TEST_F(DbTest, EqualTimestampsGreaterSignedSerializedValueWins) {
  Create(Table("tie", {Col("k", kPk), Col("v", kReg), Col("b", kReg, CqlType::kBlob)}));
  // int -1 (FF FF FF FF) vs 1 (00 00 00 01): 1 wins in either order and in one batch.
  Write(WriteBatch().Update("ks.tie", K(1), {{"v", I(-1)}}, At(10)));
  Write(WriteBatch().Update("ks.tie", K(1), {{"v", I(1)}}, At(10)));
  Write(WriteBatch().Update("ks.tie", K(2), {{"v", I(1)}}, At(10)));
  Write(WriteBatch().Update("ks.tie", K(2), {{"v", I(-1)}}, At(10)));
  Write(WriteBatch()
            .Update("ks.tie", K(3), {{"v", I(1)}}, At(10))
            .Update("ks.tie", K(3), {{"v", I(-1)}}, At(10)));
  // Bytes compare signed, as Java's ByteBuffer.compareTo: 0x7f > 0x80.
  Write(WriteBatch().Update("ks.tie", K(4), {{"b", Value::Blob("\x7f")}}, At(10)));
  Write(WriteBatch().Update("ks.tie", K(4), {{"b", Value::Blob("\x80")}}, At(10)));
  Write(WriteBatch().Update("ks.tie", K(5), {{"b", Value::Blob("\x80")}}, At(10)));
  Write(WriteBatch().Update("ks.tie", K(5), {{"b", Value::Blob("\x7f")}}, At(10)));
  EXPECT_EQ(GetRow("ks.tie", K(1)), "1, null, 1");
  EXPECT_EQ(GetRow("ks.tie", K(2)), "2, null, 1");
  EXPECT_EQ(GetRow("ks.tie", K(3)), "3, null, 1");
  EXPECT_EQ(GetRow("ks.tie", K(4)), "4, 0x7f, null");
  EXPECT_EQ(GetRow("ks.tie", K(5)), "5, 0x7f, null");
}

TEST_F(DbTest, EqualTimestampsTombstoneBeatsLiveData) {
  Create(KvTable());
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(5)}}, At(10)));
  Write(WriteBatch().DeleteColumns("ks.kv", K(1), {"col1"}, At(10)));
  Write(WriteBatch().DeleteColumns("ks.kv", K(2), {"col1"}, At(10)));
  Write(WriteBatch().Update("ks.kv", K(2), {{"col1", I(5)}}, At(10)));
  Write(WriteBatch().Insert("ks.kv", KWith(3, {{"col1", I(5)}}), At(10)));
  Write(WriteBatch().Delete("ks.kv", K(3), At(10)));
  Write(WriteBatch().Delete("ks.kv", K(4), At(10)));
  Write(WriteBatch().Insert("ks.kv", KWith(4, {{"col1", I(5)}}), At(10)));
  for (int k = 1; k <= 4; ++k) EXPECT_EQ(GetRow("ks.kv", K(k)), "none") << "k=" << k;
}

TEST_F(DbTest, EqualTimestampsExpiringCellBeatsPlainCell) {
  Create(KvTable());
  // The expiring 0 wins over the plain 1 although 1 is the greater value.
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(1)}}, At(10)));
  Write(WriteBatch().Update("ks.kv", K(1), {{"col1", I(0)}}, AtWithTtl(10, 100)));
  Write(WriteBatch().Update("ks.kv", K(2), {{"col1", I(0)}}, AtWithTtl(10, 100)));
  Write(WriteBatch().Update("ks.kv", K(2), {{"col1", I(1)}}, At(10)));
  // Both expiring: the higher local deletion time wins.
  Write(WriteBatch().Update("ks.kv", K(3), {{"col1", I(1)}}, AtWithTtl(10, 100)));
  Write(WriteBatch().Update("ks.kv", K(3), {{"col1", I(0)}}, AtWithTtl(10, 200)));
  // A tombstone beats an expiring cell.
  Write(WriteBatch().Update("ks.kv", K(4), {{"col1", I(1)}}, AtWithTtl(10, 100)));
  Write(WriteBatch().DeleteColumns("ks.kv", K(4), {"col1"}, At(10)));
  EXPECT_EQ(GetRow("ks.kv", K(1)), "1, 0, null, null");
  EXPECT_EQ(GetRow("ks.kv", K(2)), "2, 0, null, null");
  EXPECT_EQ(GetRow("ks.kv", K(3)), "3, 0, null, null");
  EXPECT_EQ(GetRow("ks.kv", K(4)), "none");
  // Once the winner expires nothing is left: the plain cell lost for good.
  Advance(100);
  EXPECT_EQ(GetRow("ks.kv", K(1)), "none");
  EXPECT_EQ(GetRow("ks.kv", K(2)), "none");
  EXPECT_EQ(GetRow("ks.kv", K(3)), "3, 0, null, null");
}

// ---- §2 deletions ----

// ks.pc (k int, c int, s int static, v int)
TableSchema StaticTable() {
  return Table("pc", {Col("k", kPk), Col("c", kCk), Col("s", kStatic), Col("v", kReg)});
}
ColumnValues PkCk(int32_t k, int32_t c, ColumnValues more = {}) {
  ColumnValues cv = {{"k", I(k)}, {"c", I(c)}};
  cv.insert(cv.end(), more.begin(), more.end());
  return cv;
}

TEST_F(DbTest, PartitionDeletionHidesOlderRowsAndStaticRowButNotNewerWrites) {
  Create(StaticTable());
  Write(WriteBatch()
            .Insert("ks.pc", PkCk(1, 1, {{"v", I(1)}, {"s", I(7)}}), At(10))
            .Insert("ks.pc", PkCk(1, 2, {{"v", I(2)}}), At(10))
            .Update("ks.pc", K(1), {{"s", I(8)}}, At(15))
            .Insert("ks.pc", PkCk(1, 3, {{"v", I(3)}}), At(20))
            .Insert("ks.pc", PkCk(2, 1, {{"v", I(1)}, {"s", I(1)}}), At(10)));
  Write(WriteBatch().Delete("ks.pc", K(1), At(20)));
  EXPECT_THAT(Partition("ks.pc", 1), IsEmpty());
  Write(WriteBatch().Insert("ks.pc", PkCk(1, 4, {{"v", I(4)}}), At(30)));
  EXPECT_THAT(Partition("ks.pc", 1), ElementsAre("1, 4, null, 4"));
  Write(WriteBatch().Update("ks.pc", K(1), {{"s", I(9)}}, At(25)));
  EXPECT_THAT(Partition("ks.pc", 1), ElementsAre("1, 4, 9, 4"));
  EXPECT_THAT(Partition("ks.pc", 2), ElementsAre("2, 1, 1, 1"));
}

TEST_F(DbTest, RangeTombstoneNeverAppliesToStaticRow) {
  Create(StaticTable());
  Write(WriteBatch()
            .Insert("ks.pc", PkCk(1, 1, {{"v", I(1)}, {"s", I(7)}}), At(10))
            .Insert("ks.pc", PkCk(1, 2, {{"v", I(2)}}), At(10)));
  Write(WriteBatch().DeleteRange("ks.pc", K(1), {Bound({I(-1000)}, true), std::nullopt}, At(20)));
  EXPECT_THAT(Partition("ks.pc", 1), ElementsAre("1, null, 7, null"));
  // Nor does a row deletion.
  Write(WriteBatch().Insert("ks.pc", PkCk(2, 1, {{"v", I(1)}, {"s", I(8)}}), At(10)));
  Write(WriteBatch().Delete("ks.pc", PkCk(2, 1), At(20)));
  EXPECT_THAT(Partition("ks.pc", 2), ElementsAre("2, null, 8, null"));
}

TEST_F(DbTest, RowDeletionThenLaterInsert) {
  Create(Table("rd", {Col("k", kPk), Col("c", kCk), Col("v", kReg), Col("w", kReg)}));
  Write(WriteBatch().Insert("ks.rd", PkCk(1, 1, {{"v", I(1)}, {"w", I(1)}})));
  Write(WriteBatch().Delete("ks.rd", PkCk(1, 1)));
  EXPECT_EQ(GetRow("ks.rd", PkCk(1, 1)), "none");
  Write(WriteBatch().Insert("ks.rd", PkCk(1, 1, {{"v", I(2)}})));
  EXPECT_EQ(GetRow("ks.rd", PkCk(1, 1)), "1, 1, 2, null");
  // An insert older than the deletion stays hidden.
  Write(WriteBatch().Delete("ks.rd", PkCk(1, 2), At(100)));
  Write(WriteBatch().Insert("ks.rd", PkCk(1, 2, {{"v", I(3)}}), At(100)));
  Write(WriteBatch().Insert("ks.rd", PkCk(1, 2, {{"w", I(3)}}), At(99)));
  EXPECT_EQ(GetRow("ks.rd", PkCk(1, 2)), "none");
  Write(WriteBatch().Update("ks.rd", PkCk(1, 2), {{"w", I(4)}}, At(101)));
  EXPECT_EQ(GetRow("ks.rd", PkCk(1, 2)), "1, 2, null, 4");
}

// ---- §4 range tombstones ----

// ks.rt (k int, c1 int, c2 <c2_order>, v int), partition k holds c1 1..5 x c2 1..3.
class RangeTombstoneTest : public DbTest {
 protected:
  void CreateAndFill(ClusteringOrder c2_order, int partitions) {
    Create(Table("rt", {Col("k", kPk), Col("c1", kCk), Col("c2", kCk, CqlType::kInt, c2_order),
                        Col("v", kReg)}));
    WriteBatch b;
    for (int k = 0; k < partitions; ++k) {
      for (int c1 = 1; c1 <= 5; ++c1) {
        for (int c2 = 1; c2 <= 3; ++c2) {
          b.Insert("ks.rt", {{"k", I(k)}, {"c1", I(c1)}, {"c2", I(c2)}, {"v", I(0)}});
        }
      }
    }
    Write(b);
  }
  void DeleteRange(int32_t k, std::optional<ClusteringBound> start,
                   std::optional<ClusteringBound> end) {
    Write(WriteBatch().DeleteRange("ks.rt", K(k), ClusteringSlice{start, end}));
  }
  // A prefix delete and three "c1 = x AND c2 <op> y" slices (a start and an end bound).
  void DeletePrefixAndEqualityPlusSlice() {
    Write(WriteBatch().Delete("ks.rt", {{"k", I(0)}, {"c1", I(3)}}));  // c1 = 3
    DeleteRange(1, Bound({I(2), I(1)}, false), Bound({I(2)}, true));   // c1 = 2 AND c2 > 1
    DeleteRange(2, Bound({I(3)}, true), Bound({I(3), I(2)}, false));   // c1 = 3 AND c2 < 2
    DeleteRange(3, Bound({I(4)}, true), Bound({I(4), I(2)}, true));    // c1 = 4 AND c2 <= 2
  }
  // "c1.c2" of every row of partition k, in result order.
  std::string Left(int32_t k) {
    std::vector<std::string> out;
    for (const std::string& r : Partition("ks.rt", k, {"c1", "c2"})) {
      out.push_back(r.substr(0, r.find(',')) + "." + r.substr(r.find(", ") + 2));
    }
    return absl::StrJoin(out, " ");
  }
};

TEST_F(RangeTombstoneTest, ExclusiveInclusiveAndOpenBounds) {
  CreateAndFill(ClusteringOrder::kAsc, 4);
  DeleteRange(0, Bound({I(1)}, false), Bound({I(4)}, false));  // c1 > 1 AND c1 < 4
  DeleteRange(1, Bound({I(2)}, true), Bound({I(3)}, true));    // c1 >= 2 AND c1 <= 3
  DeleteRange(2, std::nullopt, Bound({I(3)}, false));          // c1 < 3
  DeleteRange(3, Bound({I(4)}, true), std::nullopt);           // c1 >= 4
  const std::string keep145 = "1.1 1.2 1.3 4.1 4.2 4.3 5.1 5.2 5.3";
  EXPECT_EQ(Left(0), keep145);
  EXPECT_EQ(Left(1), keep145);
  EXPECT_EQ(Left(2), "3.1 3.2 3.3 4.1 4.2 4.3 5.1 5.2 5.3");
  EXPECT_EQ(Left(3), "1.1 1.2 1.3 2.1 2.2 2.3 3.1 3.2 3.3");
  // Newer writes inside a deleted range are visible.
  Write(WriteBatch().Insert("ks.rt", {{"k", I(0)}, {"c1", I(2)}, {"c2", I(2)}}));
  EXPECT_EQ(Left(0), "1.1 1.2 1.3 2.2 4.1 4.2 4.3 5.1 5.2 5.3");
}

TEST_F(RangeTombstoneTest, PrefixAndEqualityPlusSliceBounds) {
  CreateAndFill(ClusteringOrder::kAsc, 4);
  DeletePrefixAndEqualityPlusSlice();
  EXPECT_EQ(Left(0), "1.1 1.2 1.3 2.1 2.2 2.3 4.1 4.2 4.3 5.1 5.2 5.3");
  EXPECT_EQ(Left(1), "1.1 1.2 1.3 2.1 3.1 3.2 3.3 4.1 4.2 4.3 5.1 5.2 5.3");
  EXPECT_EQ(Left(2), "1.1 1.2 1.3 2.1 2.2 2.3 3.2 3.3 4.1 4.2 4.3 5.1 5.2 5.3");
  EXPECT_EQ(Left(3), "1.1 1.2 1.3 2.1 2.2 2.3 3.1 3.2 3.3 4.3 5.1 5.2 5.3");
}

TEST_F(RangeTombstoneTest, BoundsOnDescColumnRestrictValues) {
  Create(Table("rt", {Col("k", kPk), Col("c1", kCk, CqlType::kInt, ClusteringOrder::kDesc),
                      Col("c2", kCk), Col("v", kReg)}));
  WriteBatch b;
  for (int k = 0; k < 4; ++k) {
    for (int c1 = 1; c1 <= 6; ++c1) b.Insert("ks.rt", {{"k", I(k)}, {"c1", I(c1)}, {"c2", I(1)}});
  }
  Write(b);
  DeleteRange(0, Bound({I(2)}, false), Bound({I(4)}, true));         // c1 > 2 AND c1 <= 4
  DeleteRange(1, Bound({I(5)}, true), std::nullopt);                 // c1 >= 5
  DeleteRange(2, std::nullopt, Bound({I(2)}, false));                // c1 < 2
  Write(WriteBatch().Delete("ks.rt", {{"k", I(3)}, {"c1", I(4)}}));  // c1 = 4
  EXPECT_EQ(Left(0), "6.1 5.1 2.1 1.1");
  EXPECT_EQ(Left(1), "4.1 3.1 2.1 1.1");
  EXPECT_EQ(Left(2), "6.1 5.1 4.1 3.1 2.1");
  EXPECT_EQ(Left(3), "6.1 5.1 3.1 2.1 1.1");
}

// Regression: with c2 DESC, "c1 = 2 AND c2 > 1" lost its c1 = 2 part (each bound was
// one byte half-space), reading or deleting rows of other c1 values.
TEST_F(RangeTombstoneTest, EqualityPlusSliceOnDescColumn) {
  CreateAndFill(ClusteringOrder::kDesc, 4);
  DeletePrefixAndEqualityPlusSlice();
  EXPECT_EQ(Left(0), "1.3 1.2 1.1 2.3 2.2 2.1 4.3 4.2 4.1 5.3 5.2 5.1");
  EXPECT_EQ(Left(1), "1.3 1.2 1.1 2.1 3.3 3.2 3.1 4.3 4.2 4.1 5.3 5.2 5.1");
  EXPECT_EQ(Left(2), "1.3 1.2 1.1 2.3 2.2 2.1 3.3 3.2 4.3 4.2 4.1 5.3 5.2 5.1");
  EXPECT_EQ(Left(3), "1.3 1.2 1.1 2.3 2.2 2.1 3.3 3.2 3.1 4.3 5.3 5.2 5.1");
}

// ---- Atomicity and concurrency ----

// WriteAsync: many writes in flight from two threads, each acknowledged through its
// future with Write's status, in queue order, and durable under kGroup.
TEST_F(DbTest, AsyncWritesCompleteWithWritesStatus) {
  Options o;
  o.commitlog_sync = CommitLogSync::kGroup;
  Reopen(o);
  Create(Table("aw", {Col("k", kPk), Col("c", kCk), Col("v", kReg)}));
  constexpr int kPerThread = 500;
  std::atomic<int> failures{0};
  auto writer = [&](int k) {
    std::vector<std::future<absl::Status>> inflight;
    for (int c = 0; c < kPerThread; ++c) {
      inflight.push_back(
          db_->WriteAsync(WriteBatch().Insert("ks.aw", PkCk(k, c, {{"v", I(c)}}), {})));
    }
    for (auto& f : inflight) failures += !f.get().ok();
  };
  std::thread a(writer, 1), b(writer, 2);
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  // An invalid batch fails through its future, exactly as Write would.
  absl::Status bad =
      db_->WriteAsync(WriteBatch().Insert("ks.aw", PkCk(1, 1, {{"nope", I(1)}}), {})).get();
  EXPECT_TRUE(absl::IsInvalidArgument(bad)) << bad;
  // Queued writes are completed before the Db closes, and they were synced.
  std::vector<std::future<absl::Status>> last;
  for (int c = kPerThread; c < kPerThread + 50; ++c) {
    last.push_back(db_->WriteAsync(WriteBatch().Insert("ks.aw", PkCk(3, c, {{"v", I(c)}}), {})));
  }
  Reopen(o);
  for (auto& f : last) EXPECT_TRUE(f.get().ok());
  for (int k : {1, 2}) EXPECT_EQ(Partition("ks.aw", k, {"v"}).size(), size_t{kPerThread});
  EXPECT_EQ(Partition("ks.aw", 3, {"v"}).size(), 50u);
}

TEST_F(DbTest, BatchIsAtomicForConcurrentReaders) {
  Create(Table("ab", {Col("k", kPk), Col("v", kReg), Col("pad", kReg, CqlType::kBlob)}));
  constexpr int kBatches = 300;
  // Padding makes applying each mutation take a while, widening any window in which
  // half a batch could be visible.
  const Value pad = Value::Blob(std::string(64 << 10, 'p'));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; i <= kBatches; ++i) {
      WriteBatch b;
      b.Update("ks.ab", K(2), {{"v", I(i)}, {"pad", pad}})
          .Update("ks.ab", K(1), {{"v", I(i)}, {"pad", pad}});
      EXPECT_TRUE(db_->Write(b).ok());
      if (i % 50 == 0) {
        EXPECT_TRUE(db_->SwitchMemtable("ks.ab").ok());
      }
    }
    done.store(true);
  });
  int reads = 0, torn = 0;
  std::string example;
  SelectQuery q;
  q.table = "ks.ab";
  q.columns = {"k", "v"};
  // Bounded: stops when the writer is done (plus one last read) or after 100000 reads.
  for (bool last = false; !last && reads < 100000; ++reads) {
    last = done.load();
    auto rs = db_->Select(q);
    ASSERT_TRUE(rs.ok()) << rs.status();
    std::string v1 = "absent", v2 = "absent";
    for (const ResultRow& r : rs->rows) {
      (r.values[0] == I(1) ? v1 : v2) = r.values[1].ToString();
    }
    if (v1 != v2) {
      ++torn;
      example = absl::StrCat("k=1 ", v1, ", k=2 ", v2);
    }
  }
  writer.join();
  EXPECT_EQ(torn, 0) << "half-applied batch seen " << torn << " times in " << reads
                     << " reads, e.g. " << example;
  EXPECT_GT(reads, 0);
  EXPECT_THAT(Partition("ks.ab", 1, {"v"}), ElementsAre(absl::StrCat(kBatches)));
  EXPECT_THAT(Partition("ks.ab", 2, {"v"}), ElementsAre(absl::StrCat(kBatches)));
}

// ---- Memtables ----

TEST_F(DbTest, PartitionDeletionSkipsOlderSSTables) {
  Create(Table("sk", {Col("k", kPk), Col("c", kCk), Col("v", kReg)}));
  WriteBatch old;
  for (int c = 1; c <= 3; ++c) old.Insert("ks.sk", PkCk(1, c, {{"v", I(c)}}), At(100));
  Write(old);
  ASSERT_TRUE(db_->Flush("ks.sk").ok());  // SSTable with max timestamp 100
  Write(WriteBatch().Insert("ks.sk", PkCk(2, 1, {{"v", I(9)}}), At(120)));
  ASSERT_TRUE(db_->Flush("ks.sk").ok());  // SSTable with max timestamp 120
  Write(WriteBatch()
            .Delete("ks.sk", K(1), At(110))
            .Insert("ks.sk", PkCk(1, 4, {{"v", I(4)}}), At(130)));
  ASSERT_TRUE(db_->Flush("ks.sk").ok());  // SSTable with the deletion, max timestamp 130
  SelectQuery q;
  q.table = "ks.sk";
  q.partition_key = K(1);
  ResultSet rs = Select(q);
  ASSERT_EQ(rs.rows.size(), 1u);
  // The newest SSTable holds the deletion at 110; the one with max timestamp 100 cannot
  // hold anything newer, so it is not read; the one at 120 must be (it could hold k=1).
  EXPECT_EQ(rs.stats.sstables_touched, 1);
  EXPECT_EQ(rs.stats.tombstones_scanned, 0);
}

// A point read (full primary key) stops once the row read so far settles the answer
// against every older SSTable's max timestamp (Cassandra's timestamp-ordered read).
TEST_F(DbTest, PointReadStopsAtSettledRow) {
  Create(Table("pr",
               {Col("k", kPk), Col("c", kCk), Col("s", kStatic), Col("v", kReg), Col("w", kReg)}));
  auto flush = [&] { ASSERT_TRUE(db_->Flush("ks.pr").ok()); };
  Write(WriteBatch().Insert("ks.pr", PkCk(1, 1, {{"v", I(1)}, {"w", I(1)}}), At(100)));
  flush();
  Write(WriteBatch().Insert("ks.pr", PkCk(1, 1, {{"v", I(2)}, {"w", I(2)}}), At(200)));
  flush();
  Write(WriteBatch().Update("ks.pr", PkCk(1, 1), {{"v", I(3)}}, At(300)));
  flush();
  auto point = [&](std::vector<std::string> cols) {
    SelectQuery q;
    q.table = "ks.pr";
    q.partition_key = K(1);
    ClusteringBound b{{I(1)}, true};
    q.slice = ClusteringSlice{b, b};
    q.columns = std::move(cols);
    return Select(q);
  };
  // v and the row's liveness are settled by the newest SSTable alone.
  ResultSet rs = point({"v"});
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0].values[0], I(3));
  EXPECT_EQ(rs.stats.sstables_touched, 1);
  // w was last written at 200: the SSTable at 300 cannot settle it, the one at 200 does.
  rs = point({"v", "w"});
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0].values[1], I(2));
  EXPECT_EQ(rs.stats.sstables_touched, 2);
  // The static column was never written: no source can settle it, all are read.
  rs = point({"s", "v"});
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.stats.sstables_touched, 3);
  // A row deletion newer than every older SSTable settles the row as absent.
  Write(WriteBatch().Delete("ks.pr", PkCk(1, 1), At(400)));
  flush();
  rs = point({"v"});
  EXPECT_TRUE(rs.rows.empty());
  EXPECT_EQ(rs.stats.sstables_touched, 1);
  // A newer cell tombstone does not make the row live: its liveness needs older data.
  Write(WriteBatch().Insert("ks.pr", PkCk(1, 2, {{"v", I(5)}, {"w", I(5)}}), At(500)));
  flush();
  Write(WriteBatch().DeleteColumns("ks.pr", PkCk(1, 2), {"v"}, At(600)));
  flush();
  SelectQuery q;
  q.table = "ks.pr";
  q.partition_key = K(1);
  ClusteringBound b{{I(2)}, true};
  q.slice = ClusteringSlice{b, b};
  q.columns = {"v"};
  rs = Select(q);
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_TRUE(rs.rows[0].values[0].is_null());
  EXPECT_EQ(rs.stats.sstables_touched, 2);
  // Get answers the same as an unskipped read.
  auto got = db_->Get("ks.pr", {{"k", I(1)}, {"c", I(2)}}, {"w"});
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->values[0], I(5));
  // A range deletion newer than an SSTable settles the rows it covers, not the static
  // row: a static cell in that SSTable must still be read.
  Write(WriteBatch().Update("ks.pr", K(2), {{"s", I(7)}}, At(700)));
  flush();
  Write(WriteBatch()
            .DeleteRange("ks.pr", K(2), ClusteringSlice{ClusteringBound{{I(0)}, true}, {}}, At(800))
            .Insert("ks.pr", PkCk(2, 1, {{"v", I(8)}}), At(900)));
  flush();
  got = db_->Get("ks.pr", {{"k", I(2)}, {"c", I(1)}}, {"s", "v"});
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->values[0], I(7));
  EXPECT_EQ((*got)->values[1], I(8));
}

TEST_F(DbTest, MemtableSwitchKeepsRowsReadableAndReconciles) {
  Create(Table("mt", {Col("k", kPk), Col("c", kCk), Col("v", kReg)}));
  WriteBatch first;
  for (int c = 1; c <= 4; ++c) first.Insert("ks.mt", PkCk(1, c, {{"v", I(c)}}), At(100));
  Write(first);
  ASSERT_TRUE(db_->SwitchMemtable("ks.mt").ok());
  Write(WriteBatch()
            .Update("ks.mt", PkCk(1, 1), {{"v", I(10)}}, At(50))  // older: loses
            .Update("ks.mt", PkCk(1, 2), {{"v", I(20)}}, At(200))
            .Delete("ks.mt", PkCk(1, 3), At(200))
            .DeleteColumns("ks.mt", PkCk(1, 4), {"v"}, At(50))  // older: no effect
            .Insert("ks.mt", PkCk(1, 5, {{"v", I(5)}}), At(200)));
  EXPECT_THAT(Partition("ks.mt", 1), ElementsAre("1, 1, 1", "1, 2, 20", "1, 4, 4", "1, 5, 5"));
  ASSERT_TRUE(db_->SwitchMemtable("ks.mt").ok());
  Write(WriteBatch()
            .Update("ks.mt", PkCk(1, 1), {{"v", I(11)}}, At(300))
            .Delete("ks.mt", K(1), At(150)));
  // The partition deletion at 150 removes what is older in every memtable: row 4 entirely
  // and the markers of rows 1 and 2, whose newer cells keep them alive.
  SelectQuery q;
  q.table = "ks.mt";
  q.partition_key = K(1);
  ResultSet rs = Select(q);
  std::vector<std::string> rows;
  for (const ResultRow& r : rs.rows) rows.push_back(Render(r));
  EXPECT_THAT(rows, ElementsAre("1, 1, 11", "1, 2, 20", "1, 5, 5"));
  // Three sources hold the partition; once the first memtable (timestamps <= 100) is
  // flushed, its SSTable is skipped under the partition deletion at 150.
  EXPECT_GE(rs.stats.sources_touched, 2);
  EXPECT_LE(rs.stats.sources_touched, 3);
  EXPECT_EQ(rs.stats.partitions_scanned, 1);
  auto stats = db_->GetTableStats("ks.mt");
  ASSERT_TRUE(stats.ok());
  // Every switched memtable is either waiting for flush or flushed.
  EXPECT_EQ(stats->memtable_count + stats->flush_count, 3);
  EXPECT_EQ(stats->memtable_switch_count, 2);
  Write(WriteBatch().Delete("ks.mt", PkCk(1, 2), At(250)));
  EXPECT_THAT(Partition("ks.mt", 1), ElementsAre("1, 1, 11", "1, 5, 5"));
}

TEST_F(DbTest, SmallMemtableBudgetSwitchesAutomatically) {
  Options options;
  options.memtable_budget_bytes = 64 << 10;
  Reopen(options);
  Create(Table("mt", {Col("k", kPk), Col("c", kCk), Col("v", kReg, CqlType::kText)}));
  constexpr int kRows = 1000;
  auto value = [](int c, int version) {
    return absl::StrCat(std::string(100, 'x'), c, "v", version);
  };
  for (int c = 0; c < kRows; ++c) {
    Write(WriteBatch().Insert("ks.mt", PkCk(c % 10, c, {{"v", Value::Text(value(c, 0))}})));
  }
  for (int c = 0; c < kRows; c += 7) {
    Write(WriteBatch().Update("ks.mt", PkCk(c % 10, c), {{"v", Value::Text(value(c, 1))}}));
  }
  auto stats = db_->GetTableStats("ks.mt");
  ASSERT_TRUE(stats.ok());
  EXPECT_GE(stats->memtable_switch_count, 2);
  EXPECT_EQ(stats->memtable_count + stats->flush_count, stats->memtable_switch_count + 1);
  EXPECT_EQ(stats->write_count, kRows + (kRows + 6) / 7);

  SelectQuery q;
  q.table = "ks.mt";
  ResultSet rs = Select(q);
  ASSERT_EQ(rs.rows.size(), static_cast<size_t>(kRows));
  int wrong = 0;
  for (const ResultRow& r : rs.rows) {
    const int c = r.values[1].AsInt();
    if (r.values[2] != Value::Text(value(c, c % 7 == 0 ? 1 : 0))) ++wrong;
  }
  EXPECT_EQ(wrong, 0);
}

TEST_F(DbTest, TableStatsCountWritesReadsAndSwitches) {
  Create(KvTable());
  Create(Table("other", {Col("k", kPk), Col("v", kReg)}));
  auto stats = db_->GetTableStats("ks.kv");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->memtable_count, 1);
  EXPECT_EQ(stats->memtable_switch_count, 0);
  EXPECT_EQ(stats->write_count, 0);
  EXPECT_EQ(stats->read_count, 0);

  Write(WriteBatch()
            .Insert("ks.kv", KWith(1, {{"col1", I(1)}}))
            .Update("ks.kv", K(2), {{"col1", I(2)}})
            .Insert("ks.other", {{"k", I(1)}, {"v", I(1)}}));
  Write(WriteBatch().Delete("ks.kv", K(3)));
  EXPECT_FALSE(db_->Write(WriteBatch().Insert("ks.kv", KWith(4, {{"nope", I(1)}}))).ok());
  Partition("ks.kv", 1);
  Partition("ks.kv", 2);
  GetRow("ks.kv", K(1));
  ASSERT_TRUE(db_->SwitchMemtable("ks.kv").ok());

  stats = db_->GetTableStats("ks.kv");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->write_count, 3);
  EXPECT_EQ(stats->read_count, 3);
  EXPECT_EQ(stats->memtable_count, 2);
  EXPECT_EQ(stats->memtable_switch_count, 1);
  EXPECT_GT(stats->memtable_bytes, 0);
  auto other = db_->GetTableStats("ks.other");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->write_count, 1);
  EXPECT_EQ(other->read_count, 0);
  EXPECT_EQ(other->memtable_switch_count, 0);
}

}  // namespace
}  // namespace cassette

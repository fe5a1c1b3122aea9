// Behaviour of Db reads through the public API: projection, static rows, slices,
// reversed order, LIMIT, paging, scan order and Get. Writes are in db_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cassette/cassette.h"
#include "db/test_folder.h"
#include "types/partition_key.h"

namespace cassette {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kStartMicros = int64_t{1'700'000'000} * 1'000'000;

ColumnDef Col(std::string name, ColumnKind kind, ClusteringOrder order = ClusteringOrder::kAsc) {
  return ColumnDef{std::move(name), CqlType::kInt, kind, order};
}
constexpr ColumnKind kPk = ColumnKind::kPartitionKey;
constexpr ColumnKind kCk = ColumnKind::kClustering;
constexpr ColumnKind kStatic = ColumnKind::kStatic;
constexpr ColumnKind kReg = ColumnKind::kRegular;

Value I(int32_t v) { return Value::Int(v); }
ColumnValues K(int32_t k) { return {{"k", I(k)}}; }
ColumnValues KC(int32_t k, int32_t c, ColumnValues more = {}) {
  ColumnValues cv = {{"k", I(k)}, {"c", I(c)}};
  cv.insert(cv.end(), more.begin(), more.end());
  return cv;
}
ClusteringBound Bound(int32_t c, bool inclusive) { return ClusteringBound{{I(c)}, inclusive}; }

std::string Render(const ResultRow& row) {
  return absl::StrJoin(row.values, ", ", [](std::string* out, const Value& v) {
    absl::StrAppend(out, v.ToString());
  });
}

class DbReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = FreshFolder();
    Options options;
    options.clock = clock_;
    auto db = Db::Open(options, folder_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(folder_);
  }

  void Create(std::string name, std::vector<ColumnDef> columns) {
    absl::Status s = db_->CreateTable(TableSchema{"ks", std::move(name), std::move(columns), {}});
    ASSERT_TRUE(s.ok()) << s;
  }
  // ks.st (k int, c int, s int static, v int)
  void CreateStaticTable() {
    Create("st", {Col("k", kPk), Col("c", kCk), Col("s", kStatic), Col("v", kReg)});
  }
  // ks.<name> (k int, c int <order>, v int), rows c = 1..n, v = 10 * c, in partitions `ks`.
  void CreateAndFill(const std::string& name, ClusteringOrder order, std::vector<int> ks, int n) {
    Create(name, {Col("k", kPk), Col("c", kCk, order), Col("v", kReg)});
    WriteBatch b;
    for (int k : ks) {
      for (int c = 1; c <= n; ++c) b.Insert("ks." + name, KC(k, c, {{"v", I(10 * c)}}));
    }
    Write(b);
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
  // Reads every page of `q` with `page_size`; *pages receives the number of calls.
  std::vector<std::string> Paged(SelectQuery q, int page_size, int* pages) {
    q.page_size = page_size;
    std::vector<std::string> out;
    for (*pages = 1; *pages <= 1000; ++*pages) {
      ResultSet rs = Select(q);
      EXPECT_LE(rs.rows.size(), static_cast<size_t>(page_size));
      for (const ResultRow& r : rs.rows) out.push_back(Render(r));
      if (rs.paging_state.empty()) return out;
      q.paging_state = rs.paging_state;
    }
    ADD_FAILURE() << "paging did not end";
    return out;
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStartMicros);
  std::string folder_;
  std::unique_ptr<Db> db_;
};

SelectQuery Query(std::string table, std::optional<int32_t> k = std::nullopt,
                  std::vector<std::string> columns = {}) {
  SelectQuery q;
  q.table = std::move(table);
  if (k) q.partition_key = K(*k);
  q.columns = std::move(columns);
  return q;
}
SelectQuery Sliced(SelectQuery q, std::optional<ClusteringBound> start,
                   std::optional<ClusteringBound> end, bool reversed = false) {
  q.slice = ClusteringSlice{std::move(start), std::move(end)};
  q.reversed = reversed;
  return q;
}

TEST_F(DbReadTest, SelectStarIsKeysThenStaticThenRegularColumnsByName) {
  Create("cols", {Col("k", kPk), Col("c", kCk), Col("zr", kReg), Col("bs", kStatic),
                  Col("as", kStatic), Col("av", kReg)});
  Write(WriteBatch().Insert("ks.cols",
                            KC(1, 2, {{"zr", I(3)}, {"bs", I(4)}, {"as", I(5)}, {"av", I(6)}})));
  ResultSet rs = Select(Query("ks.cols", 1));
  EXPECT_THAT(rs.columns, ElementsAre("k", "c", "as", "bs", "av", "zr"));
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(Render(rs.rows[0]), "1, 2, 5, 4, 6, 3");
  rs = Select(Query("ks.cols", 1, {"zr", "k", "bs"}));
  EXPECT_THAT(rs.columns, ElementsAre("zr", "k", "bs"));
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(Render(rs.rows[0]), "3, 1, 4");
}

TEST_F(DbReadTest, StaticColumnsShownOnEveryRow) {
  CreateStaticTable();
  Write(WriteBatch()
            .Insert("ks.st", KC(1, 1, {{"v", I(10)}}))
            .Insert("ks.st", KC(1, 2, {{"v", I(20)}}))
            .Update("ks.st", K(1), {{"s", I(7)}}));
  EXPECT_THAT(Rows(Query("ks.st", 1)), ElementsAre("1, 1, 7, 10", "1, 2, 7, 20"));
  EXPECT_THAT(Rows(Sliced(Query("ks.st", 1), Bound(2, true), std::nullopt)),
              ElementsAre("1, 2, 7, 20"));
  EXPECT_THAT(Rows(Sliced(Query("ks.st", 1), std::nullopt, std::nullopt, true)),
              ElementsAre("1, 2, 7, 20", "1, 1, 7, 10"));
}

TEST_F(DbReadTest, StaticOnlyPartitionIsOneRowOnlyWithoutClusteringRestriction) {
  CreateStaticTable();
  Write(WriteBatch()
            .Update("ks.st", K(2), {{"s", I(5)}})
            .Insert("ks.st", {{"k", I(4)}, {"s", I(8)}})  // INSERT (k, s): no row
            .Insert("ks.st", KC(3, 1, {{"v", I(1)}, {"s", I(6)}})));
  Write(WriteBatch().Delete("ks.st", KC(3, 1)));
  EXPECT_THAT(Rows(Query("ks.st", 2)), ElementsAre("2, null, 5, null"));
  EXPECT_THAT(Rows(Query("ks.st", 4)), ElementsAre("4, null, 8, null"));
  // Every row deleted: the static row is shown alone.
  EXPECT_THAT(Rows(Query("ks.st", 3)), ElementsAre("3, null, 6, null"));
  EXPECT_THAT(Rows(Sliced(Query("ks.st", 2), std::nullopt, std::nullopt, true)),
              ElementsAre("2, null, 5, null"));
  EXPECT_THAT(Rows(Sliced(Query("ks.st", 2), Bound(0, true), std::nullopt)), IsEmpty());
  EXPECT_THAT(Rows(Sliced(Query("ks.st", 3), std::nullopt, Bound(9, true))), IsEmpty());
  auto row = db_->Get("ks.st", KC(2, 1));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_FALSE(row->has_value());
  EXPECT_THAT(Rows(Query("ks.st", std::nullopt, {"k", "s"})),
              ::testing::UnorderedElementsAre("2, 5", "3, 6", "4, 8"));
}

TEST_F(DbReadTest, ReversedSlices) {
  CreateAndFill("asc", ClusteringOrder::kAsc, {1}, 5);
  CreateAndFill("desc", ClusteringOrder::kDesc, {1}, 5);
  auto cs = [&](SelectQuery q) {
    q.columns = {"c"};
    return absl::StrJoin(Rows(q), " ");
  };
  EXPECT_EQ(cs(Query("ks.asc", 1)), "1 2 3 4 5");
  EXPECT_EQ(cs(Sliced(Query("ks.asc", 1), std::nullopt, std::nullopt, true)), "5 4 3 2 1");
  EXPECT_EQ(cs(Sliced(Query("ks.asc", 1), Bound(2, true), Bound(5, false), true)), "4 3 2");
  EXPECT_EQ(cs(Query("ks.desc", 1)), "5 4 3 2 1");
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), std::nullopt, std::nullopt, true)), "1 2 3 4 5");
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), Bound(2, true), std::nullopt, true)), "2 3 4 5");
}

TEST_F(DbReadTest, SliceBoundsRestrictValuesOnDescColumn) {
  CreateAndFill("desc", ClusteringOrder::kDesc, {1}, 5);
  auto cs = [&](SelectQuery q) {
    q.columns = {"c"};
    return absl::StrJoin(Rows(q), " ");
  };
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), Bound(2, false), Bound(4, true))), "4 3");
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), Bound(4, true), std::nullopt)), "5 4");
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), std::nullopt, Bound(2, true))), "2 1");
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), Bound(3, true), Bound(3, true))), "3");
  EXPECT_EQ(cs(Sliced(Query("ks.desc", 1), Bound(3, false), Bound(4, false))), "");
}

// Regression: with c2 DESC, "c1 = 2 AND c2 > 1" lost its c1 = 2 part (each bound was
// one byte half-space), reading or deleting rows of other c1 values.
TEST_F(DbReadTest, EqualityPlusSliceOnDescColumn) {
  Create("mixed",
         {Col("k", kPk), Col("c1", kCk), Col("c2", kCk, ClusteringOrder::kDesc), Col("v", kReg)});
  WriteBatch b;
  for (int c1 = 1; c1 <= 3; ++c1) {
    for (int c2 = 1; c2 <= 3; ++c2) {
      b.Insert("ks.mixed", {{"k", I(1)}, {"c1", I(c1)}, {"c2", I(c2)}});
    }
  }
  Write(b);
  SelectQuery q = Query("ks.mixed", 1, {"c1", "c2"});
  q.slice = {ClusteringBound{{I(2), I(1)}, false}, ClusteringBound{{I(2)}, true}};
  EXPECT_THAT(Rows(q), ElementsAre("2, 3", "2, 2"));
  q.slice = {ClusteringBound{{I(2)}, true}, ClusteringBound{{I(2), I(3)}, false}};
  EXPECT_THAT(Rows(q), ElementsAre("2, 2", "2, 1"));
}

TEST_F(DbReadTest, LimitCountsCqlRows) {
  CreateAndFill("asc", ClusteringOrder::kAsc, {1, 2, 3}, 5);
  SelectQuery q = Query("ks.asc", 1, {"c"});
  q.limit = 2;
  EXPECT_THAT(Rows(q), ElementsAre("1", "2"));
  q.reversed = true;
  EXPECT_THAT(Rows(q), ElementsAre("5", "4"));
  q.limit = 7;
  EXPECT_THAT(Rows(q), ElementsAre("5", "4", "3", "2", "1"));

  SelectQuery scan = Query("ks.asc", std::nullopt, {"k", "c"});
  const std::vector<std::string> all = Rows(scan);
  ASSERT_EQ(all.size(), 15u);
  scan.limit = 7;
  ResultSet rs = Select(scan);
  std::vector<std::string> got;
  for (const ResultRow& r : rs.rows) got.push_back(Render(r));
  EXPECT_EQ(got, std::vector<std::string>(all.begin(), all.begin() + 7));
  EXPECT_TRUE(rs.paging_state.empty());
  EXPECT_EQ(rs.stats.live_rows, 7);
}

// The visitor form lends the rows instead of returning them, with WRITETIME/TTL, and a
// visitor that returns false ends the page there.
TEST_F(DbReadTest, VisitorLendsTheRowsAndCanEndThePage) {
  CreateAndFill("asc", ClusteringOrder::kAsc, {1, 2}, 5);
  SelectQuery q = Query("ks.asc", 1, {"k", "c"});
  q.with_writetime_ttl = true;
  const ResultSet collected = Select(q);
  std::vector<ResultRow> lent;
  auto rs = db_->Select(q, [&](const RowView& r) {
    EXPECT_EQ(r.values.size(), 2u);
    EXPECT_EQ(r.writetime.size(), 2u);
    EXPECT_EQ(r.values[0].AsInt(), 1);
    lent.push_back(r.ToResultRow());
    return true;
  });
  ASSERT_TRUE(rs.ok()) << rs.status();
  EXPECT_TRUE(rs->rows.empty());
  EXPECT_EQ(rs->columns, collected.columns);
  EXPECT_EQ(rs->stats.live_rows, 5);
  EXPECT_EQ(lent, collected.rows);

  // Stop after two rows: the page ends there and the paging state resumes at row 3.
  std::vector<int32_t> seen;
  auto first = db_->Select(q, [&](const RowView& r) {
    seen.push_back(r.values[1].AsInt());
    return seen.size() < 2;
  });
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->paging_state.empty());
  SelectQuery rest = q;
  rest.paging_state = first->paging_state;
  auto second = db_->Select(rest, [&](const RowView& r) {
    seen.push_back(r.values[1].AsInt());
    return true;
  });
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->paging_state.empty());
  EXPECT_THAT(seen, ElementsAre(1, 2, 3, 4, 5));
}

// Partitions with plain rows, a static row, only static data, a deleted row, every row
// deleted under a static row, and a deleted partition.
class DbPagingTest : public DbReadTest {
 protected:
  void SetUp() override {
    DbReadTest::SetUp();
    CreateStaticTable();
    WriteBatch b;
    for (int c = 1; c <= 3; ++c) b.Insert("ks.st", KC(1, c, {{"v", I(c)}}));
    for (int c = 1; c <= 2; ++c) b.Insert("ks.st", KC(2, c, {{"v", I(c)}}));
    b.Update("ks.st", K(2), {{"s", I(20)}}).Update("ks.st", K(3), {{"s", I(30)}});
    for (int c = 1; c <= 3; ++c) b.Insert("ks.st", KC(4, c, {{"v", I(c)}}));
    for (int c = 1; c <= 4; ++c) b.Insert("ks.st", KC(5, c, {{"v", I(c)}}));
    b.Update("ks.st", K(5), {{"s", I(50)}}).Insert("ks.st", KC(6, 1));
    Write(b);
    Write(WriteBatch()
              .Delete("ks.st", KC(4, 2))
              .DeleteRange("ks.st", K(5), {Bound(1, true), Bound(4, true)})
              .Delete("ks.st", K(6)));
  }
};

TEST_F(DbPagingTest, PagesConcatenateToTheUnpagedResult) {
  const std::vector<std::string> all = Rows(Query("ks.st"));
  EXPECT_THAT(
      all, ::testing::UnorderedElementsAre("1, 1, null, 1", "1, 2, null, 2", "1, 3, null, 3",
                                           "2, 1, 20, 1", "2, 2, 20, 2", "3, null, 30, null",
                                           "4, 1, null, 1", "4, 3, null, 3", "5, null, 50, null"));
  std::vector<SelectQuery> queries = {Query("ks.st"), Query("ks.st", 1), Query("ks.st", 5),
                                      Query("ks.st", 3), Query("ks.st", 2)};
  queries.push_back(Sliced(Query("ks.st", 1), std::nullopt, std::nullopt, true));
  queries.push_back(Sliced(Query("ks.st", 4), Bound(1, false), std::nullopt, true));
  for (size_t i = 0; i < queries.size(); ++i) {
    const std::vector<std::string> unpaged = Rows(queries[i]);
    for (int page_size = 1; page_size <= 4; ++page_size) {
      int pages = 0;
      EXPECT_EQ(Paged(queries[i], page_size, &pages), unpaged)
          << "query #" << i << " page_size " << page_size;
      EXPECT_LE(pages, static_cast<int>(unpaged.size()) / page_size + 1)
          << "query #" << i << " page_size " << page_size;
    }
  }
}

TEST_F(DbPagingTest, LimitHoldsAcrossPages) {
  const std::vector<std::string> all = Rows(Query("ks.st"));
  SelectQuery q = Query("ks.st");
  q.limit = 5;
  q.page_size = 2;
  std::vector<std::string> got;
  std::vector<size_t> sizes;
  for (int i = 0; i < 10; ++i) {
    ResultSet rs = Select(q);
    sizes.push_back(rs.rows.size());
    for (const ResultRow& r : rs.rows) got.push_back(Render(r));
    if (rs.paging_state.empty()) break;
    q.paging_state = rs.paging_state;
  }
  EXPECT_THAT(sizes, ElementsAre(2, 2, 1));
  EXPECT_EQ(got, std::vector<std::string>(all.begin(), all.begin() + 5));

  SelectQuery rev = Sliced(Query("ks.st", 1, {"c"}), std::nullopt, std::nullopt, true);
  rev.limit = 2;
  int pages = 0;
  EXPECT_THAT(Paged(rev, 1, &pages), ElementsAre("3", "2"));
  EXPECT_EQ(pages, 2);
}

TEST_F(DbReadTest, ScanReturnsPartitionsInTokenOrder) {
  Create("tok", {Col("k", kPk), Col("v", kReg)});
  WriteBatch b;
  std::vector<int32_t> keys;
  for (int32_t k = -20; k < 20; ++k) {
    b.Insert("ks.tok", {{"k", I(k)}, {"v", I(k)}});
    keys.push_back(k);
  }
  Write(b);
  auto token = [](int32_t k) { return PartitionToken(I(k).serialized()); };
  std::sort(keys.begin(), keys.end(), [&](int32_t a, int32_t b) { return token(a) < token(b); });
  ASSERT_FALSE(std::is_sorted(keys.begin(), keys.end()));
  std::vector<std::string> want;
  for (int32_t k : keys) want.push_back(absl::StrCat(k));
  EXPECT_EQ(Rows(Query("ks.tok", std::nullopt, {"k"})), want);
  int pages = 0;
  EXPECT_EQ(Paged(Query("ks.tok", std::nullopt, {"k"}), 3, &pages), want);
}

// CQL's `WHERE token(k) >= token(x)`: the scan starts at x's token, includes x, pages
// from there, and refuses a partition key beside it.
TEST_F(DbReadTest, ScanFromATokenStartsThereAndPages) {
  Create("tok", {Col("k", kPk), Col("v", kReg)});
  WriteBatch b;
  std::vector<int32_t> keys;
  for (int32_t k = 0; k < 30; ++k) {
    b.Insert("ks.tok", {{"k", I(k)}, {"v", I(k)}});
    keys.push_back(k);
  }
  Write(b);
  auto token = [](int32_t k) { return PartitionToken(I(k).serialized()); };
  std::sort(keys.begin(), keys.end(), [&](int32_t a, int32_t b) { return token(a) < token(b); });
  for (size_t from : {size_t{0}, size_t{7}, size_t{29}}) {
    std::vector<std::string> want;
    for (size_t i = from; i < keys.size(); ++i) want.push_back(absl::StrCat(keys[i]));
    SelectQuery q = Query("ks.tok", std::nullopt, {"k"});
    q.token_start = K(keys[from]);
    EXPECT_EQ(Rows(q), want) << "from " << keys[from];
    int pages = 0;
    EXPECT_EQ(Paged(q, 4, &pages), want);
    q.limit = 3;
    want.resize(std::min<size_t>(3, want.size()));
    EXPECT_EQ(Rows(q), want);
  }
  // A key that is not in the table starts at its token all the same.
  SelectQuery q = Query("ks.tok", std::nullopt, {"k"});
  q.token_start = K(1000);
  std::vector<std::string> want;
  for (int32_t k : keys) {
    if (token(k) >= token(1000)) want.push_back(absl::StrCat(k));
  }
  EXPECT_EQ(Rows(q), want);
  q = Query("ks.tok", 3, {"k"});
  q.token_start = K(1);
  auto rs = db_->Select(q);
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(rs.status().code(), absl::StatusCode::kInvalidArgument);
  q = Query("ks.tok", std::nullopt, {"k"});
  q.token_start = {{"v", I(1)}};
  EXPECT_FALSE(db_->Select(q).ok());
}

TEST_F(DbReadTest, GetReturnsTheRowOrNullopt) {
  CreateStaticTable();
  Write(WriteBatch().Insert("ks.st", KC(1, 1, {{"v", I(10)}, {"s", I(3)}})));
  auto row = db_->Get("ks.st", KC(1, 1));
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ(Render(**row), "1, 1, 3, 10");
  row = db_->Get("ks.st", KC(1, 1), {"v", "k"});
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
  EXPECT_EQ(Render(**row), "10, 1");
  row = db_->Get("ks.st", KC(1, 2));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_FALSE(row->has_value());
  row = db_->Get("ks.st", KC(2, 1));
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_FALSE(row->has_value());
}

}  // namespace
}  // namespace cassette

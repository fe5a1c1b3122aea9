// Every public entry point rejects bad input with InvalidArgument (NotFound /
// AlreadyExists where documented), names the offending item and the reason, and a batch
// holding one bad mutation applies nothing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cassette/cassette.h"
#include "db/table_info.h"
#include "db/test_folder.h"

namespace cassette {
namespace {

using ::testing::HasSubstr;
using Parts = std::vector<std::string>;

constexpr int64_t kStartMicros = 1'700'000'000'000'000;

void ExpectStatus(const absl::Status& s, absl::StatusCode code, const Parts& parts) {
  EXPECT_EQ(s.code(), code) << s;
  for (const std::string& p : parts) EXPECT_THAT(std::string(s.message()), HasSubstr(p));
}

void ExpectInvalid(const absl::Status& s, const Parts& parts) {
  ExpectStatus(s, absl::StatusCode::kInvalidArgument, parts);
}

ColumnDef Col(std::string name, CqlType type, ColumnKind kind,
              ClusteringOrder order = ClusteringOrder::kAsc) {
  return ColumnDef{std::move(name), type, kind, order};
}

TableSchema Table(std::string name, std::vector<ColumnDef> columns, TableOptions options = {}) {
  return TableSchema{"ks", std::move(name), std::move(columns), options};
}

// ks.t (k int, c1 int, c2 text DESC, s int static, v int, tx text, a ascii, b blob)
TableSchema MainTable() {
  return Table("t", {Col("k", CqlType::kInt, ColumnKind::kPartitionKey),
                     Col("c1", CqlType::kInt, ColumnKind::kClustering),
                     Col("c2", CqlType::kText, ColumnKind::kClustering, ClusteringOrder::kDesc),
                     Col("s", CqlType::kInt, ColumnKind::kStatic),
                     Col("v", CqlType::kInt, ColumnKind::kRegular),
                     Col("tx", CqlType::kText, ColumnKind::kRegular),
                     Col("a", CqlType::kAscii, ColumnKind::kRegular),
                     Col("b", CqlType::kBlob, ColumnKind::kRegular)});
}

// Full primary key of ks.t.
ColumnValues Key(int32_t k, int32_t c1 = 1, std::string c2 = "x") {
  return {{"k", Value::Int(k)}, {"c1", Value::Int(c1)}, {"c2", Value::Text(c2)}};
}
ColumnValues Pk(int32_t k) { return {{"k", Value::Int(k)}}; }

ColumnValues With(ColumnValues cv, ColumnValues more) {
  cv.insert(cv.end(), more.begin(), more.end());
  return cv;
}

WriteOptions TtlOpt(int64_t ttl) {
  WriteOptions o;
  o.ttl = ttl;
  return o;
}
WriteOptions TsOpt(int64_t timestamp) {
  WriteOptions o;
  o.timestamp = timestamp;
  return o;
}

ClusteringBound Bound(std::vector<Value> prefix, bool inclusive = true) {
  return ClusteringBound{std::move(prefix), inclusive};
}

// Re-records `m` into `b` through the public builder calls.
void Append(const WriteBatch::Mutation& m, WriteBatch* b) {
  using Kind = WriteBatch::Kind;
  switch (m.kind) {
    case Kind::kInsert:
      b->Insert(m.table, m.values, m.options);
      break;
    case Kind::kUpdate:
      b->Update(m.table, m.key, m.values, m.options);
      break;
    case Kind::kDeleteColumns:
      b->DeleteColumns(m.table, m.key, m.columns, m.options);
      break;
    case Kind::kDelete:
      b->Delete(m.table, m.key, m.options);
      break;
    case Kind::kDeleteRange:
      b->DeleteRange(m.table, m.key, m.slice, m.options);
      break;
  }
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = FreshFolder();
    Options options;
    options.clock = clock_;
    auto db = Db::Open(options, folder_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->CreateTable(MainTable()).ok());
    ASSERT_TRUE(db_->CreateTable(Table("other", {Col("k", CqlType::kInt, ColumnKind::kPartitionKey),
                                                 Col("v", CqlType::kInt, ColumnKind::kRegular)}))
                    .ok());
    ASSERT_TRUE(db_->CreateTable(Table("tk", {Col("k", CqlType::kText, ColumnKind::kPartitionKey),
                                              Col("v", CqlType::kInt, ColumnKind::kRegular)}))
                    .ok());
    ASSERT_TRUE(
        db_->CreateTable(Table("comp", {Col("k1", CqlType::kText, ColumnKind::kPartitionKey),
                                        Col("k2", CqlType::kText, ColumnKind::kPartitionKey),
                                        Col("v", CqlType::kInt, ColumnKind::kRegular)}))
            .ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(folder_);
  }

  int64_t CountRows(const std::string& table) {
    SelectQuery q;
    q.table = table;
    auto rs = db_->Select(q);
    EXPECT_TRUE(rs.ok()) << rs.status();
    return rs.ok() ? static_cast<int64_t>(rs->rows.size()) : -1;
  }

  int64_t WriteCount(const std::string& table) {
    auto stats = db_->GetTableStats(table);
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? stats->write_count : -1;
  }

  // Writes one batch: a good insert into ks.other, a good insert into ks.t, then `bad`.
  // Expects InvalidArgument naming the mutation (#2), its table and every part, and that
  // nothing of the batch was applied.
  void ExpectBatchRejected(const WriteBatch& bad, const Parts& parts) {
    WriteBatch b;
    b.Insert("ks.other", {{"k", Value::Int(1)}, {"v", Value::Int(1)}});
    b.Insert("ks.t", With(Key(99), {{"v", Value::Int(1)}}));
    for (const auto& m : bad.mutations()) Append(m, &b);
    const absl::Status s = db_->Write(b);
    ExpectInvalid(s, parts);
    EXPECT_THAT(std::string(s.message()), HasSubstr("mutation #2"));
    EXPECT_THAT(std::string(s.message()), HasSubstr(bad.mutations()[0].table));
    EXPECT_EQ(CountRows("ks.other"), 0);
    EXPECT_EQ(CountRows("ks.t"), 0);
    EXPECT_EQ(WriteCount("ks.other"), 0);
    EXPECT_EQ(WriteCount("ks.t"), 0);
  }

  void ExpectSelectInvalid(const SelectQuery& q, const Parts& parts) {
    auto rs = db_->Select(q);
    ExpectInvalid(rs.status(), parts);
  }

  absl::Status WriteOne(const WriteBatch& b) { return db_->Write(b); }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStartMicros);
  std::string folder_;
  std::unique_ptr<Db> db_;
};

SelectQuery PartitionQuery(int32_t k) {
  SelectQuery q;
  q.table = "ks.t";
  q.partition_key = Pk(k);
  return q;
}

TEST_F(BadInputTest, UnknownTable) {
  WriteBatch b;
  b.Insert("ks.nope", {{"k", Value::Int(1)}});
  ExpectBatchRejected(b, {"unconfigured table", "ks.nope"});

  SelectQuery q;
  q.table = "ks.nope";
  ExpectSelectInvalid(q, {"unconfigured table", "ks.nope"});
  ExpectInvalid(db_->Get("ks.nope", {{"k", Value::Int(1)}}).status(),
                {"unconfigured table", "ks.nope"});
  ExpectStatus(db_->GetSchema("ks.nope").status(), absl::StatusCode::kNotFound, {"ks.nope"});
  ExpectStatus(db_->SwitchMemtable("ks.nope"), absl::StatusCode::kNotFound, {"ks.nope"});
  ExpectStatus(db_->GetTableStats("ks.nope").status(), absl::StatusCode::kNotFound, {"ks.nope"});
}

TEST_F(BadInputTest, UnknownColumnInInsert) {
  WriteBatch b;
  b.Insert("ks.t", With(Key(1), {{"nope", Value::Int(1)}}));
  ExpectBatchRejected(b, {"unknown column", "'nope'"});
}

TEST_F(BadInputTest, UnknownColumnInUpdate) {
  WriteBatch set;
  set.Update("ks.t", Key(1), {{"nope", Value::Int(1)}});
  ExpectBatchRejected(set, {"unknown column", "'nope'"});
  WriteBatch key;
  key.Update("ks.t", With(Key(1), {{"nokey", Value::Int(1)}}), {{"v", Value::Int(1)}});
  ExpectBatchRejected(key, {"unknown column", "'nokey'"});
}

TEST_F(BadInputTest, UnknownColumnInDeleteColumns) {
  WriteBatch b;
  b.DeleteColumns("ks.t", Key(1), {"v", "nope"});
  ExpectBatchRejected(b, {"unknown column", "'nope'"});
}

TEST_F(BadInputTest, UnknownColumnInSelectAndGet) {
  SelectQuery q = PartitionQuery(1);
  q.columns = {"v", "nope"};
  ExpectSelectInvalid(q, {"undefined column", "'nope'"});
  ExpectInvalid(db_->Get("ks.t", Key(1), {"nope"}).status(), {"'nope'"});
  ExpectInvalid(db_->Get("ks.t", With(Key(1), {{"nokey", Value::Int(1)}})).status(),
                {"'nokey'", "not a primary key column"});
}

TEST_F(BadInputTest, WrongValueType) {
  WriteBatch regular;
  regular.Insert("ks.t", With(Key(1), {{"v", Value::Text("1")}}));
  ExpectBatchRejected(regular, {"'v'", "is int", "got a text value"});
  WriteBatch key;
  key.Update("ks.t", {{"k", Value::Bigint(1)}, {"c1", Value::Int(1)}, {"c2", Value::Text("x")}},
             {{"v", Value::Int(1)}});
  ExpectBatchRejected(key, {"'k'", "is int", "got a bigint value"});

  SelectQuery q;
  q.table = "ks.t";
  q.partition_key = {{"k", Value::Text("1")}};
  ExpectSelectInvalid(q, {"'k'", "is int", "got a text value"});
  q = PartitionQuery(1);
  q.slice.start = Bound({Value::Bigint(1)});
  ExpectSelectInvalid(q, {"'c1'", "is int", "got a bigint value"});
}

TEST_F(BadInputTest, InvalidValueBytes) {
  WriteBatch short_int;
  short_int.Insert("ks.t", With(Key(1), {{"v", Value::FromSerialized(CqlType::kInt, "abc")}}));
  ExpectBatchRejected(short_int, {"'v'", "must be 4 bytes, got 3"});
  WriteBatch bad_key;
  bad_key.Insert("ks.t", {{"k", Value::FromSerialized(CqlType::kInt, "abc")},
                          {"c1", Value::Int(1)},
                          {"c2", Value::Text("x")}});
  ExpectBatchRejected(bad_key, {"'k'", "must be 4 bytes, got 3"});
  WriteBatch utf8;
  utf8.Update("ks.t", Key(1), {{"tx", Value::Text("ok\xff\xfe")}});
  ExpectBatchRejected(utf8, {"'tx'", "not valid UTF-8"});
  WriteBatch utf8_key;
  utf8_key.Insert("ks.t", Key(1, 1, "\xc3"));
  ExpectBatchRejected(utf8_key, {"'c2'", "not valid UTF-8"});
  WriteBatch ascii;
  ascii.Insert("ks.t", With(Key(1), {{"a", Value::Ascii("caf\xc3\xa9")}}));
  ExpectBatchRejected(ascii, {"'a'", "non-ASCII"});
}

TEST_F(BadInputTest, NullInPartitionKey) {
  WriteBatch b;
  b.Insert("ks.t", {{"k", Value::Null()}, {"c1", Value::Int(1)}, {"c2", Value::Text("x")}});
  ExpectBatchRejected(b, {"null", "partition key column 'k'"});
  SelectQuery q;
  q.table = "ks.t";
  q.partition_key = {{"k", Value::Null()}};
  ExpectSelectInvalid(q, {"null", "partition key column 'k'"});
}

TEST_F(BadInputTest, NullInClusteringColumn) {
  WriteBatch b;
  b.Insert("ks.t", {{"k", Value::Int(1)}, {"c1", Value::Null()}, {"c2", Value::Text("x")}});
  ExpectBatchRejected(b, {"null", "clustering column 'c1'"});
  WriteBatch range;
  range.DeleteRange("ks.t", Pk(1), {Bound({Value::Int(1), Value::Null()}), std::nullopt});
  ExpectBatchRejected(range, {"null", "clustering column 'c2'"});
  SelectQuery q = PartitionQuery(1);
  q.slice.end = Bound({Value::Null()});
  ExpectSelectInvalid(q, {"null", "clustering column 'c1'"});
  ExpectInvalid(
      db_->Get("ks.t", {{"k", Value::Int(1)}, {"c1", Value::Int(1)}, {"c2", Value::Null()}})
          .status(),
      {"null", "'c2'"});
}

TEST_F(BadInputTest, MissingPartitionKeyColumn) {
  WriteBatch b;
  b.Insert("ks.comp", {{"k1", Value::Text("a")}, {"v", Value::Int(1)}});
  ExpectBatchRejected(b, {"missing partition key column 'k2'"});
  WriteBatch del;
  del.Delete("ks.t", {{"c1", Value::Int(1)}});
  ExpectBatchRejected(del, {"missing partition key column 'k'"});
  SelectQuery q;
  q.table = "ks.comp";
  q.partition_key = {{"k2", Value::Text("a")}};
  ExpectSelectInvalid(q, {"missing partition key column 'k1'"});
  ExpectInvalid(db_->Get("ks.comp", {{"k1", Value::Text("a")}}).status(),
                {"missing partition key column 'k2'"});
}

TEST_F(BadInputTest, MissingClusteringColumnOnInsert) {
  WriteBatch last;
  last.Insert("ks.t", {{"k", Value::Int(1)}, {"c1", Value::Int(1)}, {"v", Value::Int(1)}});
  ExpectBatchRejected(last, {"missing clustering column 'c2'"});
  WriteBatch key_only;
  key_only.Insert("ks.t", {{"k", Value::Int(1)}});
  ExpectBatchRejected(key_only, {"missing clustering column 'c1'"});
  WriteBatch regular;
  regular.Insert("ks.t", {{"k", Value::Int(1)}, {"v", Value::Int(1)}});
  ExpectBatchRejected(regular, {"'v'", "clustering"});
  ExpectInvalid(db_->Get("ks.t", {{"k", Value::Int(1)}, {"c1", Value::Int(1)}}).status(),
                {"missing clustering column 'c2'"});
}

TEST_F(BadInputTest, ClusteringRestrictionSkippingAColumn) {
  const ColumnValues skip = {{"k", Value::Int(1)}, {"c2", Value::Text("x")}};
  const Parts why = {"'c2'", "cannot be restricted", "preceding column 'c1'"};
  WriteBatch del;
  del.Delete("ks.t", skip);
  ExpectBatchRejected(del, why);
  WriteBatch upd;
  upd.Update("ks.t", skip, {{"v", Value::Int(1)}});
  ExpectBatchRejected(upd, why);
  WriteBatch cols;
  cols.DeleteColumns("ks.t", skip, {"v"});
  ExpectBatchRejected(cols, why);
}

TEST_F(BadInputTest, KeyComponentOver65535Bytes) {
  WriteBatch pk;
  pk.Insert("ks.tk", {{"k", Value::Text(std::string(65536, 'x'))}, {"v", Value::Int(1)}});
  ExpectBatchRejected(pk, {"'k'", "65536", "longer than maximum of 65535"});
  WriteBatch ck;
  ck.Insert("ks.t", Key(1, 1, std::string(65536, 'x')));
  ExpectBatchRejected(ck, {"'c2'", "65536", "longer than maximum of 65535"});
  // Components within the limit whose composite form is over it.
  WriteBatch composite;
  composite.Insert("ks.comp", {{"k1", Value::Text(std::string(40000, 'a'))},
                               {"k2", Value::Text(std::string(40000, 'b'))}});
  ExpectBatchRejected(composite, {"partition key length", "longer than maximum of 65535"});
  SelectQuery q;
  q.table = "ks.tk";
  q.partition_key = {{"k", Value::Text(std::string(65536, 'x'))}};
  ExpectSelectInvalid(q, {"'k'", "longer than maximum of 65535"});

  // Exactly 65535 bytes is accepted and readable.
  const std::string max_key(65535, 'y');
  WriteBatch ok;
  ok.Insert("ks.tk", {{"k", Value::Text(max_key)}, {"v", Value::Int(7)}});
  ASSERT_TRUE(WriteOne(ok).ok());
  auto row = db_->Get("ks.tk", {{"k", Value::Text(max_key)}}, {"v"});
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->values, std::vector<Value>{Value::Int(7)});
}

TEST_F(BadInputTest, ValueOver16MiB) {
  ASSERT_EQ(kMaxValueSize, size_t{16} << 20);
  WriteBatch ins;
  ins.Insert("ks.t", With(Key(1), {{"b", Value::Blob(std::string(kMaxValueSize + 1, 'z'))}}));
  ExpectBatchRejected(ins, {"'b'", "16777217", "over the maximum of 16777216"});
  WriteBatch upd;
  upd.Update("ks.t", Key(1), {{"tx", Value::Text(std::string(kMaxValueSize + 1, 'z'))}});
  ExpectBatchRejected(upd, {"'tx'", "over the maximum"});

  const std::string max_value(kMaxValueSize, 'q');
  WriteBatch ok;
  ok.Insert("ks.t", With(Key(1), {{"b", Value::Blob(max_value)}}));
  ASSERT_TRUE(WriteOne(ok).ok());
  auto row = db_->Get("ks.t", Key(1), {"b"});
  ASSERT_TRUE(row.ok() && row->has_value()) << row.status();
  EXPECT_TRUE((*row)->values[0].serialized() == max_value);
}

TEST_F(BadInputTest, EmptyPartitionKeyValue) {
  WriteBatch b;
  b.Insert("ks.tk", {{"k", Value::Text("")}, {"v", Value::Int(1)}});
  ExpectBatchRejected(b, {"partition key column 'k'", "empty"});
  SelectQuery q;
  q.table = "ks.tk";
  q.partition_key = {{"k", Value::Text("")}};
  ExpectSelectInvalid(q, {"'k'", "empty"});
}

TEST_F(BadInputTest, TtlOutOfRange) {
  WriteBatch negative;
  negative.Insert("ks.t", With(Key(1), {{"v", Value::Int(1)}}), TtlOpt(-1));
  ExpectBatchRejected(negative, {"TTL", "-1"});
  WriteBatch too_large;
  too_large.Update("ks.t", Key(1), {{"v", Value::Int(1)}}, TtlOpt(630720001));
  ExpectBatchRejected(too_large, {"ttl is too large", "630720001"});

  WriteBatch max;
  max.Insert("ks.t", With(Key(1), {{"v", Value::Int(1)}}), TtlOpt(630720000));
  ASSERT_TRUE(WriteOne(max).ok());
  SelectQuery q = PartitionQuery(1);
  q.columns = {"v"};
  q.with_writetime_ttl = true;
  auto rs = db_->Select(q);
  ASSERT_TRUE(rs.ok()) << rs.status();
  ASSERT_EQ(rs->rows.size(), 1u);
  EXPECT_EQ(rs->rows[0].ttl, (std::vector<std::optional<int32_t>>{630720000}));
}

TEST_F(BadInputTest, TtlOnDelete) {
  const WriteOptions ttl = TtlOpt(10);
  WriteBatch del;
  del.Delete("ks.t", Key(1), ttl);
  ExpectBatchRejected(del, {"TTL", "deletes"});
  WriteBatch cols;
  cols.DeleteColumns("ks.t", Key(1), {"v"}, ttl);
  ExpectBatchRejected(cols, {"TTL", "deletes"});
  WriteBatch range;
  range.DeleteRange("ks.t", Pk(1), {Bound({Value::Int(1)}), std::nullopt}, ttl);
  ExpectBatchRejected(range, {"TTL", "deletes"});
}

TEST_F(BadInputTest, TimestampInt64MinRejected) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  WriteBatch ins;
  ins.Insert("ks.t", With(Key(1), {{"v", Value::Int(1)}}), TsOpt(kMin));
  ExpectBatchRejected(ins, {"timestamp", "INT64_MIN"});
  WriteBatch del;
  del.Delete("ks.t", Pk(1), TsOpt(kMin));
  ExpectBatchRejected(del, {"timestamp", "INT64_MIN"});

  WriteBatch ok;
  ok.Insert("ks.t", With(Key(1), {{"v", Value::Int(1)}}), TsOpt(kMin + 1));
  ok.Insert("ks.t", With(Key(2), {{"v", Value::Int(2)}}), TsOpt(kMax));
  ASSERT_TRUE(WriteOne(ok).ok());
  SelectQuery q;
  q.table = "ks.t";
  q.columns = {"k", "v"};
  q.with_writetime_ttl = true;
  auto rs = db_->Select(q);
  ASSERT_TRUE(rs.ok()) << rs.status();
  ASSERT_EQ(rs->rows.size(), 2u);
  for (const ResultRow& r : rs->rows) {
    const int64_t want = r.values[0] == Value::Int(1) ? kMin + 1 : kMax;
    EXPECT_EQ(r.writetime[1], want);
  }
}

TEST_F(BadInputTest, InvertedBoundsInRangeDelete) {
  WriteBatch asc;
  asc.DeleteRange("ks.t", Pk(1), {Bound({Value::Int(5)}), Bound({Value::Int(3)})});
  ExpectBatchRejected(asc, {"range", "start bound"});
  // c2 is DESC: c2 >= 'b' AND c2 <= 'a' selects nothing although 'b' comes first on disk.
  WriteBatch desc;
  desc.DeleteRange(
      "ks.t", Pk(1),
      {Bound({Value::Int(1), Value::Text("b")}), Bound({Value::Int(1), Value::Text("a")})});
  ExpectBatchRejected(desc, {"range", "start bound"});
  // The same bounds the right way round are accepted on the DESC column.
  WriteBatch ok;
  ok.DeleteRange(
      "ks.t", Pk(1),
      {Bound({Value::Int(1), Value::Text("a")}), Bound({Value::Int(1), Value::Text("b")})});
  EXPECT_TRUE(WriteOne(ok).ok());
}

TEST_F(BadInputTest, InvertedBoundsInSelect) {
  SelectQuery q = PartitionQuery(1);
  q.slice = {Bound({Value::Int(5)}), Bound({Value::Int(3)})};
  ExpectSelectInvalid(q, {"inverted bounds"});
  q.slice = {Bound({Value::Int(1), Value::Text("b")}), Bound({Value::Int(1), Value::Text("a")})};
  ExpectSelectInvalid(q, {"inverted bounds"});
  q.slice = {Bound({Value::Int(1), Value::Text("a")}), Bound({Value::Int(1), Value::Text("b")})};
  EXPECT_TRUE(db_->Select(q).ok());
}

TEST_F(BadInputTest, BoundWithMoreValuesThanClusteringColumns) {
  const ClusteringBound three = Bound({Value::Int(1), Value::Text("x"), Value::Int(2)});
  WriteBatch b;
  b.DeleteRange("ks.t", Pk(1), {three, std::nullopt});
  ExpectBatchRejected(b, {"start bound has 3 values", "2 clustering columns"});
  SelectQuery q = PartitionQuery(1);
  q.slice.end = three;
  ExpectSelectInvalid(q, {"end bound has 3 values", "2 clustering columns"});
}

TEST_F(BadInputTest, SetOfPrimaryKeyColumn) {
  WriteBatch ck;
  ck.Update("ks.t", Key(1), {{"c1", Value::Int(2)}});
  ExpectBatchRejected(ck, {"PRIMARY KEY", "'c1'"});
  WriteBatch pk;
  pk.Update("ks.t", Key(1), {{"v", Value::Int(1)}, {"k", Value::Int(2)}});
  ExpectBatchRejected(pk, {"PRIMARY KEY", "'k'"});
  WriteBatch del;
  del.DeleteColumns("ks.t", Key(1), {"c2"});
  ExpectBatchRejected(del, {"PRIMARY KEY", "'c2'"});
}

TEST_F(BadInputTest, ColumnGivenTwice) {
  WriteBatch ins;
  ins.Insert("ks.t", With(Key(1), {{"v", Value::Int(1)}, {"v", Value::Int(2)}}));
  ExpectBatchRejected(ins, {"'v'", "twice"});
  WriteBatch key;
  key.Update("ks.t", With(Key(1), {{"k", Value::Int(1)}}), {{"v", Value::Int(1)}});
  ExpectBatchRejected(key, {"'k'", "twice"});
  WriteBatch set;
  set.Update("ks.t", Key(1), {{"tx", Value::Text("a")}, {"tx", Value::Text("b")}});
  ExpectBatchRejected(set, {"'tx'", "twice"});
  ExpectInvalid(db_->Get("ks.t", With(Key(1), {{"c1", Value::Int(1)}})).status(),
                {"'c1'", "twice"});
}

TEST_F(BadInputTest, BadNamesInCreateTable) {
  auto with_name = [](std::string ks, std::string name, std::string col) {
    TableSchema s =
        Table(std::move(name), {Col(std::move(col), CqlType::kInt, ColumnKind::kPartitionKey)});
    s.keyspace = std::move(ks);
    return s;
  };
  ExpectInvalid(db_->CreateTable(with_name("", "x", "k")), {"keyspace name", "1 to 48"});
  ExpectInvalid(db_->CreateTable(with_name("ks", std::string(49, 'n'), "k")),
                {"table name", std::string(49, 'n'), "1 to 48"});
  ExpectInvalid(db_->CreateTable(with_name("ks", "x", "bad-name")),
                {"column name", "'bad-name'", "letters, digits"});
  ExpectInvalid(db_->CreateTable(with_name("ks", "x", "bad name")),
                {"column name", "'bad name'", "letters, digits"});
  ExpectInvalid(db_->CreateTable(with_name("ks", "x", "")), {"column name", "1 to 48"});
  ExpectInvalid(db_->CreateTable(Table("x", {Col("k", CqlType::kInt, ColumnKind::kPartitionKey),
                                             Col("v", CqlType::kInt, ColumnKind::kRegular),
                                             Col("v", CqlType::kText, ColumnKind::kRegular)})),
                {"'v'", "twice"});
  EXPECT_EQ(db_->ListTables(), (std::vector<std::string>{"ks.comp", "ks.other", "ks.t", "ks.tk"}));
  // 48 characters is the longest allowed name.
  EXPECT_TRUE(db_->CreateTable(with_name(std::string(48, 'k'), std::string(48, 't'), "k")).ok());
}

TEST_F(BadInputTest, NoPartitionKey) {
  ExpectInvalid(db_->CreateTable(Table("x", {Col("c", CqlType::kInt, ColumnKind::kClustering),
                                             Col("v", CqlType::kInt, ColumnKind::kRegular)})),
                {"ks.x", "partition key"});
  ExpectInvalid(db_->CreateTable(Table("y", {})), {"ks.y", "partition key"});
}

TEST_F(BadInputTest, StaticColumnWithoutClusteringColumns) {
  ExpectInvalid(db_->CreateTable(Table("x", {Col("k", CqlType::kInt, ColumnKind::kPartitionKey),
                                             Col("s", CqlType::kInt, ColumnKind::kStatic)})),
                {"ks.x", "static", "clustering"});
}

TEST_F(BadInputTest, BadTableOptions) {
  auto with = [](auto edit) {
    TableOptions o;
    edit(o);
    return Table("x", {Col("k", CqlType::kInt, ColumnKind::kPartitionKey)}, o);
  };
  ExpectInvalid(db_->CreateTable(with([](TableOptions& o) { o.default_time_to_live = -1; })),
                {"default_time_to_live", "-1"});
  ExpectInvalid(db_->CreateTable(with([](TableOptions& o) { o.default_time_to_live = 630720001; })),
                {"default_time_to_live", "630720001"});
  ExpectInvalid(db_->CreateTable(with([](TableOptions& o) { o.gc_grace_seconds = -1; })),
                {"gc_grace_seconds", "-1"});
  ExpectInvalid(db_->CreateTable(with([](TableOptions& o) { o.tombstone_warn_threshold = 0; })),
                {"tombstone_warn_threshold", "0"});
  ExpectInvalid(db_->CreateTable(with([](TableOptions& o) { o.tombstone_warn_threshold = -5; })),
                {"tombstone_warn_threshold", "-5"});
  ExpectInvalid(db_->CreateTable(with([](TableOptions& o) { o.tombstone_failure_threshold = 0; })),
                {"tombstone_failure_threshold", "0"});
  ExpectInvalid(
      db_->CreateTable(with([](TableOptions& o) { o.compaction_class = "NoSuchStrategy"; })),
      {"compaction class", "'NoSuchStrategy'"});
  EXPECT_EQ(db_->GetSchema("ks.x").status().code(), absl::StatusCode::kNotFound);

  // The limits themselves are accepted.
  EXPECT_TRUE(db_->CreateTable(with([](TableOptions& o) {
                   o.default_time_to_live = 630720000;
                   o.gc_grace_seconds = 0;
                   o.tombstone_warn_threshold = 1;
                   o.tombstone_failure_threshold = 1;
                   o.compaction_class =
                       "org.apache.cassandra.db.compaction.LeveledCompactionStrategy";
                 }))
                  .ok());
}

TEST_F(BadInputTest, NegativeLimitAndPageSize) {
  SelectQuery q = PartitionQuery(1);
  q.limit = -1;
  ExpectSelectInvalid(q, {"LIMIT", "-1"});
  q.limit = 0;
  q.page_size = -3;
  ExpectSelectInvalid(q, {"page_size", "-3"});
}

TEST_F(BadInputTest, GarbagePagingState) {
  WriteBatch b;
  for (int c = 0; c < 3; ++c) b.Insert("ks.t", Key(1, c));
  ASSERT_TRUE(WriteOne(b).ok());
  SelectQuery q = PartitionQuery(1);
  q.paging_state = "garbage";
  ExpectSelectInvalid(q, {"paging_state"});
  q.paging_state = std::string(1, '\0');
  ExpectSelectInvalid(q, {"paging_state"});

  q.paging_state.clear();
  q.page_size = 1;
  auto first = db_->Select(q);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->paging_state.empty());
  q.paging_state = first->paging_state.substr(0, first->paging_state.size() - 1);
  ExpectSelectInvalid(q, {"paging_state"});
  q.paging_state = first->paging_state + "x";
  ExpectSelectInvalid(q, {"paging_state"});
}

TEST_F(BadInputTest, PagingStateFromAnotherPartition) {
  WriteBatch b;
  for (int c = 0; c < 3; ++c) b.Insert("ks.t", Key(1, c)).Insert("ks.t", Key(2, c));
  ASSERT_TRUE(WriteOne(b).ok());
  SelectQuery q = PartitionQuery(1);
  q.page_size = 1;
  auto first = db_->Select(q);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->paging_state.empty());
  SelectQuery other = PartitionQuery(2);
  other.page_size = 1;
  other.paging_state = first->paging_state;
  ExpectSelectInvalid(other, {"paging_state", "another partition"});
}

TEST_F(BadInputTest, ScanWithReversedOrClusteringSlice) {
  SelectQuery q;
  q.table = "ks.t";
  q.reversed = true;
  ExpectSelectInvalid(q, {"reversed", "partition key"});
  q.reversed = false;
  q.slice.start = Bound({Value::Int(1)});
  ExpectSelectInvalid(q, {"clustering", "partition key"});
}

TEST_F(BadInputTest, CreateTableTwice) {
  ExpectStatus(db_->CreateTable(MainTable()), absl::StatusCode::kAlreadyExists,
               {"ks.t", "already exists"});
  // Another definition under the same name is refused as well; the first one stays.
  ExpectStatus(db_->CreateTable(Table("t", {Col("k", CqlType::kText, ColumnKind::kPartitionKey)})),
               absl::StatusCode::kAlreadyExists, {"ks.t"});
  auto schema = db_->GetSchema("ks.t");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->columns.size(), MainTable().columns.size());
}

TEST_F(BadInputTest, MutationsThatNameNothing) {
  WriteBatch upd;
  upd.Update("ks.t", Key(1), {});
  ExpectBatchRejected(upd, {"update", "no column"});
  WriteBatch del;
  del.DeleteColumns("ks.t", Key(1), {});
  ExpectBatchRejected(del, {"delete", "no column"});
}

// Db::Open.

class OpenTest : public ::testing::Test {
 protected:
  void SetUp() override { folder_ = FreshFolder(); }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::string folder_;
};

TEST_F(OpenTest, EmptyFolderName) {
  ExpectInvalid(Db::Open(Options{}, "").status(), {"folder", "empty"});
}

TEST_F(OpenTest, PathIsAFile) {
  std::filesystem::create_directories(folder_);
  const std::string file = folder_ + "/plain_file";
  std::ofstream(file) << "not a folder";
  ExpectInvalid(Db::Open(Options{}, file).status(), {file, "not a folder"});
}

TEST_F(OpenTest, MemtableBudgetBelow64KiB) {
  Options options;
  options.memtable_budget_bytes = 65535;
  ExpectInvalid(Db::Open(options, folder_).status(), {"memtable_budget_bytes", "65535"});
  options.memtable_budget_bytes = 65536;
  EXPECT_TRUE(Db::Open(options, folder_).ok());
}

}  // namespace
}  // namespace cassette

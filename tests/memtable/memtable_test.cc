#include "memtable/memtable.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tombstone/reconcile.h"
#include "types/comparable.h"
#include "types/partition_key.h"

// Designated initializers below leave the other members at their defaults on purpose;
// GCC 12 still reports that under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace cassette {
namespace {

const std::string kTop(kClusteringTop);

std::string Pk(int i) {
  const Value v = Value::Int(i);
  return DecoratePartitionKey(SerializePartitionKey(std::span<const Value>(&v, 1)));
}
std::string Ck(int i) {
  const Value v = Value::Int(i);
  const ClusteringColumnType t{CqlType::kInt};
  return EncodeClustering(std::span<const Value>(&v, 1),
                          std::span<const ClusteringColumnType>(&t, 1));
}
// Sorts after Ck(i) and every clustering extending it, before Ck(i + 1).
std::string After(int i) { return Ck(i) + kAfterPrefixTag; }

Cell Live(uint32_t col, int64_t ts, std::string_view v) {
  return Cell{.column = col, .timestamp = ts, .value = v};
}
Cell Tomb(uint32_t col, int64_t ts, int64_t ldt = 100) {
  return Cell{.column = col, .timestamp = ts, .ldt = ldt};
}
Row MakeRow(std::vector<Cell> cells, LivenessInfo liveness = {},
            DeletionTime deletion = DeletionTime::Live()) {
  Row r;
  r.liveness = liveness;
  r.deletion = deletion;
  r.cells = std::move(cells);
  return r;
}
Row WithCk(Row r, std::string_view ck) {
  r.clustering = ck;
  return r;
}
PartitionUpdate Update(std::string pk, std::vector<RowUpdate> rows = {}) {
  PartitionUpdate u;
  u.decorated_key = std::move(pk);
  u.rows = std::move(rows);
  return u;
}
RowUpdate At(std::string ck, Row row) { return RowUpdate{std::move(ck), false, std::move(row)}; }
RowUpdate Static(Row row) { return RowUpdate{"", true, std::move(row)}; }

std::string Hex(std::string_view s) {
  return absl::CHexEscape(absl::string_view(s.data(), s.size()));
}

// Every field, so that comparing Show() strings is comparing rows (with readable diffs).
std::string Show(const Row& r) {
  std::string s = absl::StrCat("{ck=", Hex(r.clustering));
  if (!r.liveness.IsEmpty() || r.liveness.ttl != 0 || r.liveness.ldt != kNoDeletionTime) {
    absl::StrAppend(&s, " L(", r.liveness.timestamp, ",", r.liveness.ttl, ",", r.liveness.ldt, ")");
  }
  if (!r.deletion.IsLive()) {
    absl::StrAppend(&s, " D(", r.deletion.marked_for_delete_at, ",", r.deletion.ldt, ")");
  }
  for (const Cell& c : r.cells) {
    absl::StrAppend(&s, " ", c.column, ":", c.timestamp, "/", c.ttl, "/", c.ldt, "='", Hex(c.value),
                    "'");
  }
  return s + "}";
}
std::vector<std::string> ShowAll(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& r : rows) out.push_back(Show(r));
  return out;
}

std::vector<Row> ReadRows(Source* src, std::string_view pk, std::string_view lo = "",
                          std::string_view hi = kClusteringTop, bool reversed = false) {
  std::vector<Row> rows;
  auto c = src->NewRowCursor(pk, lo, hi, reversed);
  for (; c->Valid(); c->Next()) rows.push_back(c->row());
  EXPECT_TRUE(c->status().ok()) << c->status();
  return rows;
}
std::vector<std::string> ReadKeys(Source* src, std::string_view pk, std::string_view lo = "",
                                  std::string_view hi = kClusteringTop, bool reversed = false) {
  std::vector<std::string> keys;
  for (const Row& r : ReadRows(src, pk, lo, hi, reversed)) keys.emplace_back(r.clustering);
  return keys;
}
std::vector<std::string> ReadPartitions(Source* src, std::string_view start = "") {
  std::vector<std::string> keys;
  auto c = src->NewPartitionCursor(start);
  for (; c->Valid(); c->Next()) keys.emplace_back(c->key());
  EXPECT_TRUE(c->status().ok()) << c->status();
  return keys;
}
std::string ShowHeader(const PartitionHeader& h) {
  std::string s = absl::StrCat("D(", h.deletion.marked_for_delete_at, ",", h.deletion.ldt, ")");
  for (const RangeTombstone& rt : h.range_tombstones.fragments()) {
    absl::StrAppend(&s, " [", Hex(rt.start), ",", Hex(rt.end), ")@",
                    rt.deletion.marked_for_delete_at, ",", rt.deletion.ldt);
  }
  return s + " static" + Show(h.static_row);
}
// The header a Source returns for pk, or "<none>".
std::string HeaderAt(Source* src, std::string_view pk) {
  PartitionHeader h;
  absl::StatusOr<bool> found = src->ReadPartition(pk, &h);
  EXPECT_TRUE(found.ok()) << found.status();
  return found.ok() && *found ? ShowHeader(h) : "<none>";
}
std::string Header(DeletionTime deletion, const RangeTombstoneList& rts = {}, Row static_row = {}) {
  return ShowHeader(PartitionHeader{deletion, rts, std::move(static_row)});
}

class MemtableTest : public testing::Test {
 protected:
  std::unique_ptr<Source> Snap(uint64_t s) { return Memtable::NewSource(mem_, s); }
  std::shared_ptr<Memtable> mem_ = std::make_shared<Memtable>();
};

TEST_F(MemtableTest, EmptyMemtable) {
  auto src = Snap(UINT64_MAX);
  EXPECT_EQ(HeaderAt(src.get(), Pk(1)), "<none>");
  EXPECT_TRUE(ReadRows(src.get(), Pk(1)).empty());
  EXPECT_TRUE(ReadPartitions(src.get()).empty());
  EXPECT_EQ(mem_->min_timestamp(), INT64_MAX);
  EXPECT_EQ(mem_->update_count(), 0);
}

TEST_F(MemtableTest, ReadPartitionDeletionAndStaticRow) {
  PartitionUpdate u = Update(Pk(1), {Static(MakeRow({Live(1, 10, "s")})), At(Ck(1), {})});
  u.partition_deletion = DeletionTime{5, 50};
  mem_->Apply(u, 1);
  mem_->Apply(Update(Pk(2), {At(Ck(1), MakeRow({Live(1, 10, "r")}))}), 2);
  auto src = Snap(2);

  EXPECT_EQ(HeaderAt(src.get(), Pk(1)), Header({5, 50}, {}, MakeRow({Live(1, 10, "s")})));
  // The static row is not a clustering row.
  EXPECT_EQ(ReadKeys(src.get(), Pk(1)), std::vector<std::string>{Ck(1)});

  // A partition with rows only has an empty header; an unknown one is not found.
  EXPECT_EQ(HeaderAt(src.get(), Pk(2)), Header({}));
  EXPECT_EQ(HeaderAt(src.get(), Pk(3)), "<none>");

  // Static rows reconcile like any row.
  mem_->Apply(Update(Pk(1), {Static(MakeRow({Live(1, 9, "old"), Live(2, 11, "t")}))}), 3);
  EXPECT_EQ(HeaderAt(Snap(3).get(), Pk(1)),
            Header({5, 50}, {}, MakeRow({Live(1, 10, "s"), Live(2, 11, "t")})));
}

TEST_F(MemtableTest, RangeTombstonesMergeAndSupersededOnesAreDropped) {
  PartitionUpdate u1 = Update(Pk(1));
  u1.range_tombstones = {{Ck(1), Ck(5), {10, 100}}};
  mem_->Apply(u1, 1);
  PartitionUpdate u2 = Update(Pk(1));
  u2.range_tombstones = {{Ck(3), Ck(8), {20, 100}}};
  mem_->Apply(u2, 2);
  PartitionUpdate u3 = Update(Pk(1));
  u3.partition_deletion = {15, 100};
  u3.range_tombstones = {{Ck(8), Ck(9), {15, 100}}, {Ck(9), kTop, {12, 100}}};
  mem_->Apply(u3, 3);
  // An older partition deletion changes nothing; a tombstone it supersedes is dropped.
  PartitionUpdate u4 = Update(Pk(1));
  u4.partition_deletion = {4, 100};
  u4.range_tombstones = {{Ck(0), Ck(1), {14, 100}}, {Ck(20), Ck(21), {16, 1}}};
  mem_->Apply(u4, 4);

  RangeTombstoneList at1, at2, at3, at4;
  at1.Add(Ck(1), Ck(5), {10, 100});
  at2 = at1;
  at2.Add(Ck(3), Ck(8), {20, 100});
  at3.Add(Ck(3), Ck(8), {20, 100});  // [1, 3)@10 is superseded by the deletion @15
  at3.Add(Ck(8), Ck(9), {15, 100});  // equal to the partition deletion: kept
  at4 = at3;
  at4.Add(Ck(20), Ck(21), {16, 1});
  const RangeTombstoneList* expected[] = {nullptr, &at1, &at2, &at3, &at4};
  for (uint64_t s = 1; s <= 4; ++s) {
    SCOPED_TRACE(s);
    EXPECT_EQ(HeaderAt(Snap(s).get(), Pk(1)),
              Header(s >= 3 ? DeletionTime{15, 100} : DeletionTime::Live(), *expected[s]));
  }
}

TEST_F(MemtableTest, RowCursorRanges) {
  for (int k : {1, 3, 5, 7, 9}) {
    mem_->Apply(Update(Pk(1), {At(Ck(k), MakeRow({Live(1, 1, "v")}))}), 1);
  }
  mem_->Apply(Update(Pk(2), {At(Ck(4), MakeRow({Live(1, 1, "other")}))}), 1);
  auto src = Snap(1);
  struct Case {
    std::string lo, hi;
    std::vector<int> keys;
  };
  // clang-format off
  const Case cases[] = {
      {"", kTop, {1, 3, 5, 7, 9}},       {Ck(0), Ck(100), {1, 3, 5, 7, 9}},  {Ck(-5), Ck(2), {1}},
      {Ck(3), Ck(7), {3, 5}},            {Ck(3), After(7), {3, 5, 7}},       // hi is exclusive
      {After(3), Ck(7), {5}},            {Ck(4), Ck(6), {5}},                // bounds between keys
      {Ck(4), Ck(5), {}},  {Ck(5), Ck(5), {}},  {Ck(7), Ck(3), {}},          // empty ranges
      {"", Ck(1), {}},     {"", After(1), {1}},                              // at the first key
      {After(9), kTop, {}},  {Ck(9), kTop, {9}},                             // at the last key
  };
  // clang-format on
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(Hex(c.lo), " .. ", Hex(c.hi)));
    std::vector<std::string> want;
    for (int k : c.keys) want.push_back(Ck(k));
    EXPECT_EQ(ReadKeys(src.get(), Pk(1), c.lo, c.hi, false), want);
    std::reverse(want.begin(), want.end());
    EXPECT_EQ(ReadKeys(src.get(), Pk(1), c.lo, c.hi, true), want);
  }
  EXPECT_TRUE(ReadRows(src.get(), Pk(3)).empty());  // unknown partition
  EXPECT_TRUE(ReadRows(src.get(), Pk(3), "", kTop, true).empty());
}

TEST_F(MemtableTest, RowWithEmptyClustering) {
  // A table without clustering columns stores its one row at clustering "".
  mem_->Apply(Update(Pk(1), {At("", MakeRow({Live(1, 1, "v")}))}), 1);
  auto src = Snap(1);
  EXPECT_EQ(ReadKeys(src.get(), Pk(1)), std::vector<std::string>{""});
  EXPECT_EQ(ReadKeys(src.get(), Pk(1), "", kTop, true), std::vector<std::string>{""});
  EXPECT_TRUE(ReadKeys(src.get(), Pk(1), "", "", true).empty());
  EXPECT_TRUE(ReadKeys(src.get(), Pk(1), "", "", false).empty());
}

RC_GTEST_PROP(MemtableProp, RowCursorMatchesSortedSetFilter, ()) {
  const auto ints = *rc::gen::container<std::set<int>>(rc::gen::inRange(-20, 20));
  auto mem = std::make_shared<Memtable>();
  std::set<std::string> keys;
  for (int k : ints) {
    keys.insert(Ck(k));
    mem->Apply(Update(Pk(1), {At(Ck(k), MakeRow({Live(1, 1, "v")}))}), 1);
  }
  auto bound = [] {
    const int k = *rc::gen::inRange(-22, 22);
    const std::string options[] = {Ck(k), After(k), "", kTop};
    return options[*rc::gen::inRange(0, 4)];
  };
  const std::string lo = bound(), hi = bound();
  std::vector<std::string> want;
  for (const std::string& k : keys) {
    if (k >= lo && k < hi) want.push_back(k);
  }
  auto src = Memtable::NewSource(mem, 1);
  RC_ASSERT(ReadKeys(src.get(), Pk(1), lo, hi, false) == want);
  std::reverse(want.begin(), want.end());
  RC_ASSERT(ReadKeys(src.get(), Pk(1), lo, hi, true) == want);
}

TEST_F(MemtableTest, PartitionCursorOrderAndStart) {
  std::vector<std::string> all;
  for (int i = 0; i < 20; ++i) {
    all.push_back(Pk(i));
    mem_->Apply(Update(Pk(i), {At(Ck(0), MakeRow({Live(1, 1, "v")}))}), i + 1);
  }
  std::vector<std::string> sorted = all;
  std::sort(sorted.begin(), sorted.end());  // memcmp order: token, then key bytes
  auto src = Snap(20);
  EXPECT_EQ(ReadPartitions(src.get()), sorted);
  EXPECT_EQ(ReadPartitions(src.get(), sorted[7]),
            std::vector<std::string>(sorted.begin() + 7, sorted.end()));
  EXPECT_EQ(ReadPartitions(src.get(), sorted[7] + '\0'),
            std::vector<std::string>(sorted.begin() + 8, sorted.end()));
  EXPECT_TRUE(ReadPartitions(src.get(), std::string(16, '\xff')).empty());
  // At snapshot 10 only the partitions created by seqs 1..10 exist.
  std::vector<std::string> first10(all.begin(), all.begin() + 10);
  std::sort(first10.begin(), first10.end());
  EXPECT_EQ(ReadPartitions(Snap(10).get()), first10);
  EXPECT_TRUE(ReadPartitions(Snap(0).get()).empty());
}

TEST_F(MemtableTest, UpdatesToTheSameRowReconcile) {
  const std::string ck = Ck(1);
  mem_->Apply(Update(Pk(1), {At(ck, MakeRow({Live(1, 10, "a"), Live(2, 10, "b")}, {10}))}), 1);
  mem_->Apply(Update(Pk(1), {At(ck, MakeRow({Live(1, 5, "old"), Live(2, 20, "c"), Tomb(3, 10)}))}),
              2);
  mem_->Apply(Update(Pk(1), {At(ck, MakeRow({}, {}, {15, 100}))}), 3);
  mem_->Apply(Update(Pk(1), {At(ck, MakeRow({Live(1, 12, "late"), Live(4, 16, "new")}, {16}))}), 4);
  const Row expected[] = {
      {},
      MakeRow({Live(1, 10, "a"), Live(2, 10, "b")}, {10}),
      // Later timestamps win per cell; the older write to column 1 loses.
      MakeRow({Live(1, 10, "a"), Live(2, 20, "c"), Tomb(3, 10)}, {10}),
      // The row deletion @15 drops the marker and every cell at or before it.
      MakeRow({Live(2, 20, "c")}, {}, {15, 100}),
      // ... and keeps shadowing later writes with older timestamps.
      MakeRow({Live(2, 20, "c"), Live(4, 16, "new")}, {16}, {15, 100}),
  };
  for (uint64_t s = 1; s <= 4; ++s) {
    SCOPED_TRACE(s);
    EXPECT_EQ(ShowAll(ReadRows(Snap(s).get(), Pk(1))), ShowAll({WithCk(expected[s], ck)}));
  }
  EXPECT_EQ(mem_->update_count(), 4);
}

TEST_F(MemtableTest, SnapshotIsolation) {
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(1, 1, "v1")}))}), 1);
  auto early = Snap(1);  // opened before the later writes
  auto cursor = early->NewRowCursor(Pk(1), "", kTop, false);
  ASSERT_TRUE(cursor->Valid());

  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(1, 2, "v2")})),
                             At(Ck(2), MakeRow({Live(1, 2, "new")}))}),
              2);
  mem_->Apply(Update(Pk(2), {At(Ck(1), MakeRow({Live(1, 3, "p2")}))}), 3);
  PartitionUpdate del = Update(Pk(1), {Static(MakeRow({Live(7, 4, "s")}))});
  del.partition_deletion = {3, 100};
  del.range_tombstones = {{Ck(5), Ck(6), {4, 100}}};
  mem_->Apply(del, 4);

  // The cursor opened at snapshot 1 does not see the row inserted at seq 2.
  EXPECT_EQ(Show(cursor->row()), Show(WithCk(MakeRow({Live(1, 1, "v1")}), Ck(1))));
  cursor->Next();
  EXPECT_FALSE(cursor->Valid());

  std::vector<std::string> both = {Pk(1), Pk(2)};
  std::sort(both.begin(), both.end());
  auto late = Snap(1);  // opened after them
  for (Source* src : {early.get(), late.get()}) {
    EXPECT_EQ(ShowAll(ReadRows(src, Pk(1))), ShowAll({WithCk(MakeRow({Live(1, 1, "v1")}), Ck(1))}));
    EXPECT_EQ(ReadPartitions(src), std::vector<std::string>{Pk(1)});
    EXPECT_EQ(HeaderAt(src, Pk(2)), "<none>");
    EXPECT_TRUE(ReadRows(src, Pk(2)).empty());
    EXPECT_EQ(HeaderAt(src, Pk(1)), Header({}));
  }
  auto s2 = Snap(2);
  EXPECT_EQ(ReadKeys(s2.get(), Pk(1)), (std::vector<std::string>{Ck(1), Ck(2)}));
  EXPECT_EQ(ShowAll(ReadRows(s2.get(), Pk(1), Ck(1), After(1))),
            ShowAll({WithCk(MakeRow({Live(1, 2, "v2")}), Ck(1))}));
  EXPECT_EQ(ReadPartitions(s2.get()), std::vector<std::string>{Pk(1)});
  EXPECT_EQ(ReadPartitions(Snap(3).get()), both);
  EXPECT_EQ(HeaderAt(Snap(3).get(), Pk(1)), Header({}));
  RangeTombstoneList rts;
  rts.Add(Ck(5), Ck(6), {4, 100});
  EXPECT_EQ(HeaderAt(Snap(4).get(), Pk(1)), Header({3, 100}, rts, MakeRow({Live(7, 4, "s")})));
  // Snapshot 0 sees nothing.
  EXPECT_TRUE(ReadPartitions(Snap(0).get()).empty());
  EXPECT_EQ(HeaderAt(Snap(0).get(), Pk(1)), "<none>");
}

TEST_F(MemtableTest, BatchIsSeenEntirelyOrNotAtAll) {
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(1, 1, "before")}))}), 4);
  // Seq 5: three updates, two of them to the same row.
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(1, 5, "x")}))}), 5);
  mem_->Apply(Update(Pk(2), {At(Ck(1), MakeRow({Live(1, 5, "x")}))}), 5);
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(2, 5, "y")}))}), 5);

  auto s4 = Snap(4);
  EXPECT_EQ(ShowAll(ReadRows(s4.get(), Pk(1))),
            ShowAll({WithCk(MakeRow({Live(1, 1, "before")}), Ck(1))}));
  EXPECT_EQ(HeaderAt(s4.get(), Pk(2)), "<none>");
  auto s5 = Snap(5);
  EXPECT_EQ(ShowAll(ReadRows(s5.get(), Pk(1))),
            ShowAll({WithCk(MakeRow({Live(1, 5, "x"), Live(2, 5, "y")}), Ck(1))}));
  EXPECT_EQ(ShowAll(ReadRows(s5.get(), Pk(2))),
            ShowAll({WithCk(MakeRow({Live(1, 5, "x")}), Ck(1))}));
}

TEST_F(MemtableTest, ApproximateMemoryUsageGrows) {
  size_t last = mem_->ApproximateMemoryUsage();
  const size_t initial = last;
  for (int i = 0; i < 500; ++i) {
    mem_->Apply(Update(Pk(i % 7), {At(Ck(i), MakeRow({Live(1, i, "value")}))}), i + 1);
    const size_t now = mem_->ApproximateMemoryUsage();
    EXPECT_GE(now, last);
    last = now;
  }
  EXPECT_GT(last, initial + 500 * 5);  // at least the values
  const std::string big(64 << 10, 'x');
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(2, 1000, big)}))}), 1000);
  EXPECT_GE(mem_->ApproximateMemoryUsage(), last + big.size());
}

TEST_F(MemtableTest, MinTimestamp) {
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(1, 50, "a")}))}), 1);
  EXPECT_EQ(mem_->min_timestamp(), 50);
  mem_->Apply(Update(Pk(1), {At(Ck(1), MakeRow({Live(1, 100, "a")}))}), 2);
  EXPECT_EQ(mem_->min_timestamp(), 50);
  PartitionUpdate u = Update(Pk(2));
  u.partition_deletion = {40, 1};
  mem_->Apply(u, 3);
  EXPECT_EQ(mem_->min_timestamp(), 40);
  u.partition_deletion = DeletionTime::Live();
  u.range_tombstones = {{Ck(1), Ck(2), {30, 1}}};
  mem_->Apply(u, 4);
  EXPECT_EQ(mem_->min_timestamp(), 30);
  mem_->Apply(Update(Pk(3), {At(Ck(1), MakeRow({}, {}, {20, 1}))}), 5);
  EXPECT_EQ(mem_->min_timestamp(), 20);
  mem_->Apply(Update(Pk(3), {At(Ck(2), MakeRow({}, {10}))}), 6);
  EXPECT_EQ(mem_->min_timestamp(), 10);
  mem_->Apply(Update(Pk(3), {Static(MakeRow({Tomb(1, -5)}))}), 7);
  EXPECT_EQ(mem_->min_timestamp(), -5);
  EXPECT_EQ(mem_->update_count(), 7);
}

// One writer applies batches with increasing seqs and publishes each seq with a release
// store, as the Db does; readers open Sources at the published seq and must see exactly
// the state after that batch, and still that state after more writes. Batch i writes
// value i at timestamp i to a row of partition A, its static row and its header (a
// partition deletion and a range tombstone), to a row of partition B, and adds row Ck(i)
// to partition C.
TEST(MemtableConcurrencyTest, ReadersSeeExactlyAPublishedPrefix) {
  constexpr int kBatches = 1000;
  constexpr int kReaders = 2;
  auto mem = std::make_shared<Memtable>();
  std::atomic<uint64_t> published{0};
  std::atomic<bool> done{false};
  std::atomic<int> started{0};
  const std::string a = Pk(1), b = Pk(2), c = Pk(3), ck = Ck(0);
  std::vector<std::string> partitions = {a, b, c}, c_keys;
  std::sort(partitions.begin(), partitions.end());
  for (int i = 1; i <= kBatches; ++i) c_keys.push_back(Ck(i));

  auto observe = [&](Source* src, bool reversed) {
    std::string out = absl::StrJoin(ReadPartitions(src), ",",
                                    [](std::string* o, const auto& k) { o->append(Hex(k)); });
    for (const std::string& pk : {a, b}) {
      absl::StrAppend(&out, "|", absl::StrJoin(ShowAll(ReadRows(src, pk)), ";"));
    }
    if (std::string h = HeaderAt(src, a); h != "<none>") out += "|" + h;
    std::vector<std::string> keys = ReadKeys(src, c, "", kTop, reversed);
    if (reversed) std::reverse(keys.begin(), keys.end());
    const bool prefix =
        keys.size() <= c_keys.size() && std::equal(keys.begin(), keys.end(), c_keys.begin());
    return absl::StrCat(out, "|C:", keys.size(), prefix ? "" : " not Ck(1..n)");
  };
  auto expected = [&](uint64_t s) -> std::string {
    if (s == 0) return "|||C:0";
    const int64_t t = static_cast<int64_t>(s);
    const std::string v = std::to_string(s);
    const Row row = MakeRow({Live(1, t, v)});
    RangeTombstoneList rts;
    rts.Add(Ck(1), kTop, {t, t});
    return absl::StrCat(
        absl::StrJoin(partitions, ",", [](std::string* o, const auto& k) { o->append(Hex(k)); }),
        "|", Show(WithCk(row, ck)), "|", Show(WithCk(row, ck)), "|", Header({0, t}, rts, row),
        "|C:", s);
  };
  auto reader = [&] {
    started.fetch_add(1);
    for (int iter = 0; !done.load(std::memory_order_acquire) || iter < 20; ++iter) {
      const uint64_t s = published.load(std::memory_order_acquire);
      auto src = Memtable::NewSource(mem, s);
      const std::string want = expected(s);
      ASSERT_EQ(observe(src.get(), iter % 2 == 1), want) << "snapshot " << s;
      std::this_thread::yield();
      ASSERT_EQ(observe(src.get(), iter % 2 == 0), want) << "snapshot " << s << ", read again";
    }
  };

  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) readers.emplace_back(reader);
  while (started.load() < kReaders) std::this_thread::yield();
  for (int i = 1; i <= kBatches; ++i) {
    const std::string v = std::to_string(i);
    const uint64_t seq = static_cast<uint64_t>(i);
    PartitionUpdate ua =
        Update(a, {At(ck, MakeRow({Live(1, i, v)})), Static(MakeRow({Live(1, i, v)}))});
    ua.partition_deletion = {0, i};
    ua.range_tombstones = {{Ck(1), kTop, {i, i}}};
    mem->Apply(ua, seq);
    mem->Apply(Update(c, {At(Ck(i), MakeRow({Live(1, i, v)}))}), seq);
    mem->Apply(Update(b, {At(ck, MakeRow({Live(1, i, v)}))}), seq);
    published.store(seq, std::memory_order_release);
    if (i % 64 == 0) std::this_thread::yield();
  }
  done.store(true, std::memory_order_release);
  for (std::thread& t : readers) t.join();
}

// ---- Model test: random updates on few keys vs. "latest reconciled row per key".

constexpr std::string_view kValues[] = {"", "a", "b", "zz"};

struct ModelPartition {
  DeletionTime deletion;
  RangeTombstoneList rts;
  Row static_row;
  std::map<std::string, Row> rows;
};
using Model = std::map<std::string, ModelPartition>;

// The empty row is the identity of MergeRowInto, so a new row starts from Row{}.
void ApplyToModel(Model* model, const PartitionUpdate& u) {
  ModelPartition& p = (*model)[u.decorated_key];
  p.deletion = MaxDeletion(p.deletion, u.partition_deletion);
  for (const RangeTombstone& rt : u.range_tombstones) p.rts.Add(rt.start, rt.end, rt.deletion);
  p.rts.DropSupersededBy(p.deletion);
  for (const RowUpdate& r : u.rows) {
    Row* row = r.is_static ? &p.static_row : &p.rows[r.clustering];
    MergeRowInto(row, r.row);
    ApplyDeletion(row, row->deletion);
  }
}

int64_t GenTs() { return *rc::gen::inRange<int64_t>(1, 12); }

Row GenRow() {
  Row r;
  if (const int kind = *rc::gen::inRange(0, 3); kind == 1) {
    r.liveness = LivenessInfo{.timestamp = GenTs()};
  } else if (kind == 2) {
    r.liveness = LivenessInfo{GenTs(), *rc::gen::inRange(1, 3), *rc::gen::inRange(5, 8)};
  }
  if (*rc::gen::inRange(0, 4) == 0) r.deletion = DeletionTime{GenTs(), *rc::gen::inRange(0, 3)};
  for (uint32_t col = 0; col < 3; ++col) {
    const std::string_view v = kValues[*rc::gen::inRange(0, 4)];
    const int kind = *rc::gen::inRange(0, 5);  // 0, 1: no cell for this column
    if (kind == 2) r.cells.push_back(Live(col, GenTs(), v));
    if (kind == 3) {
      r.cells.push_back(Cell{col, GenTs(), *rc::gen::inRange(1, 3), *rc::gen::inRange(5, 8), v});
    }
    if (kind == 4) r.cells.push_back(Tomb(col, GenTs(), *rc::gen::inRange(0, 3)));
  }
  return r;
}

PartitionUpdate GenUpdate() {
  PartitionUpdate u = Update(Pk(*rc::gen::inRange(0, 3)));
  if (*rc::gen::inRange(0, 6) == 0) u.partition_deletion = {GenTs(), *rc::gen::inRange(0, 3)};
  if (*rc::gen::inRange(0, 4) == 0) {
    const int lo = *rc::gen::inRange(0, 4);
    u.range_tombstones.push_back(
        {Ck(lo),
         *rc::gen::arbitrary<bool>() ? kTop : After(*rc::gen::inRange(lo, 4)),
         {GenTs(), *rc::gen::inRange(0, 3)}});
  }
  const int n = *rc::gen::inRange(0, 4);
  for (int i = 0; i < n; ++i) {
    if (*rc::gen::inRange(0, 5) == 0) {
      u.rows.push_back(Static(GenRow()));
    } else {
      u.rows.push_back(At(Ck(*rc::gen::inRange(0, 4)), GenRow()));
    }
  }
  return u;
}

void CheckAgainstModel(Source* src, const Model& model) {
  std::vector<std::string> keys;
  for (const auto& [k, p] : model) keys.push_back(k);
  RC_ASSERT(ReadPartitions(src) == keys);
  for (int i = 0; i < 3; ++i) {
    const std::string pk = Pk(i);
    auto it = model.find(pk);
    if (it == model.end()) {
      RC_ASSERT(HeaderAt(src, pk) == "<none>");
      continue;
    }
    const ModelPartition& p = it->second;
    RC_ASSERT(HeaderAt(src, pk) == Header(p.deletion, p.rts, p.static_row));
    std::vector<Row> want;
    for (const auto& [ck, row] : p.rows) want.push_back(WithCk(row, ck));
    RC_ASSERT(ShowAll(ReadRows(src, pk)) == ShowAll(want));
    std::reverse(want.begin(), want.end());
    RC_ASSERT(ShowAll(ReadRows(src, pk, "", kClusteringTop, true)) == ShowAll(want));
    // One random sub-range, both directions.
    const std::string lo = Ck(*rc::gen::inRange(0, 5));
    const std::string hi = *rc::gen::arbitrary<bool>() ? After(*rc::gen::inRange(0, 4)) : lo;
    want.clear();
    for (const auto& [ck, row] : p.rows) {
      if (ck >= lo && ck < hi) want.push_back(WithCk(row, ck));
    }
    RC_ASSERT(ShowAll(ReadRows(src, pk, lo, hi)) == ShowAll(want));
    std::reverse(want.begin(), want.end());
    RC_ASSERT(ShowAll(ReadRows(src, pk, lo, hi, true)) == ShowAll(want));
  }
}

RC_GTEST_PROP(MemtableModelProp, MatchesModelAtEverySnapshot, ()) {
  auto mem = std::make_shared<Memtable>();
  std::vector<std::pair<uint64_t, Model>> history = {{0, Model{}}};  // state after each seq
  std::vector<std::pair<uint64_t, std::unique_ptr<Source>>> early;   // opened mid-way
  Model model;
  uint64_t seq = 0;
  const int batches = *rc::gen::inRange(1, 12);
  for (int b = 0; b < batches; ++b) {
    seq += *rc::gen::inRange<uint64_t>(1, 3);
    const int n = *rc::gen::inRange(1, 4);
    for (int i = 0; i < n; ++i) {
      const PartitionUpdate u = GenUpdate();
      mem->Apply(u, seq);
      ApplyToModel(&model, u);
    }
    history.emplace_back(seq, model);
    if (*rc::gen::arbitrary<bool>()) {
      const uint64_t s = *rc::gen::inRange<uint64_t>(0, seq + 1);
      early.emplace_back(s, Memtable::NewSource(mem, s));
    }
  }
  auto model_at = [&](uint64_t s) -> const Model& {
    const Model* m = &history.front().second;
    for (const auto& [hs, hm] : history) {
      if (hs <= s) m = &hm;
    }
    return *m;
  };
  for (uint64_t s = 0; s <= seq + 1; ++s) {
    CheckAgainstModel(Memtable::NewSource(mem, s).get(), model_at(s));
  }
  for (const auto& [s, src] : early) CheckAgainstModel(src.get(), model_at(s));
}

}  // namespace
}  // namespace cassette

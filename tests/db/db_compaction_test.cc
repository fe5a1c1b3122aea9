// Compaction through the public API: background tasks, the §6 purge rule as the engine
// applies it (gc_grace, blocked by a memtable or an older SSTable outside the
// compaction), fully expired SSTables dropped whole, major compaction, garbagecollect,
// a live strategy change, history, listeners and obsolete-file removal.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cassette/cassette.h"
#include "db/test_folder.h"
#include "sstable/file_names.h"
#include "sstable/sstable_reader.h"

namespace cassette {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSec;
constexpr int64_t kGcGrace = 864000;

Value I(int32_t v) { return Value::Int(v); }

WriteOptions At(int64_t timestamp) {
  WriteOptions o;
  o.timestamp = timestamp;
  return o;
}

class CountingListener : public EventListener {
 public:
  void OnFlushBegin(const FlushEvent&) override { flush_begin++; }
  void OnFlushCompleted(const FlushEvent&) override { flush_end++; }
  void OnCompactionBegin(const CompactionEvent&) override { compaction_begin++; }
  void OnCompactionCompleted(const CompactionEvent&) override { compaction_end++; }
  std::atomic<int> flush_begin{0}, flush_end{0}, compaction_begin{0}, compaction_end{0};
};

class DbCompactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = FreshFolder();
    Open();
  }

  void Open() {
    db_.reset();
    Options o;
    o.clock = clock_;
    o.listener = listener_;
    o.warning_log = [this](const std::string& m) {
      std::lock_guard<std::mutex> l(warnings_mu_);
      warnings_.push_back(m);
    };
    auto db = Db::Open(o, folder_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  // ks.t (k int, c int, v int, PRIMARY KEY (k, c)) with the given compaction.
  void Create(const std::string& cls, std::map<std::string, std::string> options,
              int32_t default_ttl = 0) {
    TableSchema s{"ks",
                  "t",
                  {{"k", CqlType::kInt, ColumnKind::kPartitionKey},
                   {"c", CqlType::kInt, ColumnKind::kClustering},
                   {"v", CqlType::kInt, ColumnKind::kRegular}},
                  {}};
    s.options.compaction_class = cls;
    s.options.compaction_options = std::move(options);
    s.options.default_time_to_live = default_ttl;
    ASSERT_TRUE(db_->CreateTable(s).ok());
  }

  void Put(int k, int c, int v, std::optional<int64_t> ts = std::nullopt) {
    WriteOptions o;
    o.timestamp = ts;
    ASSERT_TRUE(
        db_->Write(WriteBatch().Insert("ks.t", {{"k", I(k)}, {"c", I(c)}, {"v", I(v)}}, o)).ok());
  }
  void Flush() { ASSERT_TRUE(db_->Flush("ks.t").ok()); }
  bool Has(int k, int c) {
    auto r = db_->Get("ks.t", {{"k", I(k)}, {"c", I(c)}});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->has_value();
  }
  int64_t SSTables() { return db_->GetTableStats("ks.t")->sstable_count; }
  int DataFiles() {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(folder_)) {
      n += e.path().filename().string().ends_with("-Data.db");
    }
    return n;
  }
  CompactionEvent LastCompaction() {
    auto h = db_->CompactionHistory();
    EXPECT_FALSE(h.empty());
    return h.empty() ? CompactionEvent() : h.back();
  }

  std::string folder_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  std::shared_ptr<CountingListener> listener_ = std::make_shared<CountingListener>();
  std::mutex warnings_mu_;
  std::vector<std::string> warnings_;
  std::unique_ptr<Db> db_;
};

TEST_F(DbCompactionTest, SizeTieredMergesFourFlushesInTheBackground) {
  Create("SizeTieredCompactionStrategy", {});
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k < 50; ++k) Put(k, i, k * 10 + i);
    Flush();
  }
  ASSERT_TRUE(db_->WaitForCompactions("ks.t").ok());
  EXPECT_EQ(SSTables(), 1);
  const CompactionEvent e = LastCompaction();
  EXPECT_EQ(e.reason, "tiered");
  EXPECT_EQ(e.inputs.size(), 4u);
  EXPECT_EQ(e.outputs.size(), 1u);
  EXPECT_EQ(e.partitions_out, 50);
  EXPECT_EQ(e.rows_out, 200);
  EXPECT_EQ(e.merged_histogram.at(4), 50);  // every partition came from all four
  EXPECT_GT(e.bytes_in, 0u);
  EXPECT_TRUE(e.error.empty());
  for (int k = 0; k < 50; k += 7) EXPECT_TRUE(Has(k, 3));
  // The inputs' files are gone once no reader holds them.
  EXPECT_EQ(DataFiles(), 1);
  EXPECT_EQ(listener_->flush_end.load(), 4);
  EXPECT_EQ(listener_->compaction_begin.load(), 1);
  EXPECT_EQ(listener_->compaction_end.load(), 1);
  // The result survives a reopen: the manifest names the output only.
  Open();
  EXPECT_EQ(SSTables(), 1);
  EXPECT_TRUE(Has(49, 0));
}

// Many small partitions over many blocks: no partition is large, so no warning (the
// writer's size estimate shrinks when a block is compressed; it must not wrap).
TEST_F(DbCompactionTest, SmallPartitionsGiveNoLargePartitionWarning) {
  Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
  for (int f = 0; f < 2; ++f) {
    for (int k = 0; k < 4000; ++k) Put(k, f, k);
    Flush();
  }
  ASSERT_TRUE(db_->Compact("ks.t").ok());
  EXPECT_EQ(LastCompaction().partitions_out, 4000);
  std::lock_guard<std::mutex> l(warnings_mu_);
  EXPECT_TRUE(warnings_.empty()) << warnings_.size() << " warnings, first: " << warnings_[0];
}

TEST_F(DbCompactionTest, MajorCompactionPurgesTombstonesPastGcGrace) {
  Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
  Put(1, 1, 1);
  Put(2, 1, 1);
  Flush();
  ASSERT_TRUE(db_->Write(WriteBatch().Delete("ks.t", {{"k", I(1)}, {"c", I(1)}})).ok());
  Flush();
  // Within gc_grace the row deletion is kept.
  ASSERT_TRUE(db_->Compact("ks.t").ok());
  EXPECT_EQ(LastCompaction().tombstones_purged, 0);
  EXPECT_EQ(LastCompaction().rows_out, 2);  // the dead row (as its deletion) and k=2
  clock_->AdvanceMicros((kGcGrace + 1) * kSec);
  ASSERT_TRUE(db_->Compact("ks.t").ok());
  EXPECT_EQ(LastCompaction().reason, "major");
  EXPECT_EQ(LastCompaction().tombstones_purged, 1);
  EXPECT_EQ(LastCompaction().rows_out, 1);
  EXPECT_FALSE(Has(1, 1));
  EXPECT_TRUE(Has(2, 1));
}

// §6: a tombstone is kept while a memtable holding the partition has older data.
TEST_F(DbCompactionTest, PurgeIsBlockedByOlderDataInAMemtable) {
  for (bool older_in_memtable : {false, true}) {
    SCOPED_TRACE(older_in_memtable);
    db_.reset();  // before its folder is replaced
    SetUp();
    Create("SizeTieredCompactionStrategy", {{"enabled", "false"}, {"min_threshold", "2"}});
    // The row and its deletion in two SSTables (a flush drops what the deletions
    // flushed with it shadow), the deletion's beside live data so it does not expire whole.
    Put(1, 1, 1, 100);
    Flush();
    ASSERT_TRUE(db_->Write(WriteBatch().Delete("ks.t", {{"k", I(1)}}, At(200))).ok());
    Put(2, 1, 1, 300);
    Flush();
    clock_->AdvanceMicros((kGcGrace + 1) * kSec);
    if (older_in_memtable) Put(1, 2, 2, 150);  // shadowed by the deletion at 200
    ASSERT_TRUE(
        db_->SetCompaction("ks.t", "SizeTieredCompactionStrategy", {{"min_threshold", "2"}}).ok());
    ASSERT_TRUE(db_->WaitForCompactions("ks.t").ok());
    const CompactionEvent e = LastCompaction();
    EXPECT_EQ(e.reason, "tiered");
    EXPECT_EQ(e.tombstones_purged, older_in_memtable ? 0 : 1);
    EXPECT_FALSE(Has(1, 1));
    EXPECT_FALSE(Has(1, 2)) << "deleted data came back";
  }
}

// A flush drops the rows its memtable's own deletions shadow (the deletions are written
// with them, so nothing older can come back), and keeps the row written after them.
TEST_F(DbCompactionTest, AFlushDropsRowsItsOwnDeletionsShadow) {
  Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
  for (int c = 1; c <= 10; ++c) Put(1, c, c, 100);
  for (int c = 1; c <= 4; ++c) Put(2, c, c, 100);
  WriteOptions at200;
  at200.timestamp = 200;
  ASSERT_TRUE(db_->Write(WriteBatch()
                             .DeleteRange("ks.t", {{"k", I(1)}},
                                          {std::nullopt, ClusteringBound{{I(5)}, true}}, at200)
                             .Delete("ks.t", {{"k", I(2)}}, at200))
                  .ok());
  Put(1, 3, 33, 300);  // inside the deleted range, but newer
  Put(2, 9, 9, 300);
  Flush();
  uint64_t number = 0;
  for (const auto& e : std::filesystem::directory_iterator(folder_)) {
    SSTableFileKind kind;
    uint64_t n;
    if (ParseSSTableFileName(e.path().filename().string(), &n, &kind) &&
        kind == SSTableFileKind::kData) {
      number = n;
    }
  }
  ASSERT_NE(number, 0u);
  auto sst = SSTable::Open(Env::Default(), folder_, number);
  ASSERT_TRUE(sst.ok()) << sst.status();
  // k=1: c=3 and c=6..10; k=2: c=9. Without the drop, 15.
  EXPECT_EQ((*sst)->stats().row_count, 7);
  for (int c = 1; c <= 10; ++c) EXPECT_EQ(Has(1, c), c == 3 || c > 5) << c;
  for (int c = 1; c <= 9; ++c) EXPECT_EQ(Has(2, c), c == 9) << c;
}

// §6: and while an SSTable outside the compaction may hold older data for it.
TEST_F(DbCompactionTest, GarbageCollectKeepsTombstonesShadowingAnotherSSTable) {
  Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
  Put(1, 1, 1, 100);
  Flush();  // the older data, in its own SSTable
  ASSERT_TRUE(db_->Write(WriteBatch().Delete("ks.t", {{"k", I(1)}, {"c", I(1)}}, At(200))).ok());
  Flush();
  clock_->AdvanceMicros((kGcGrace + 1) * kSec);
  ASSERT_TRUE(db_->GarbageCollect("ks.t").ok());
  // Each SSTable was rewritten alone; the deletion shadows the other SSTable's row.
  for (const CompactionEvent& e : db_->CompactionHistory()) {
    EXPECT_EQ(e.reason, "garbagecollect");
    EXPECT_EQ(e.tombstones_purged, 0);
  }
  EXPECT_EQ(db_->CompactionHistory().size(), 2u);
  EXPECT_FALSE(Has(1, 1)) << "deleted data came back";
  // A major compaction takes both: the row and its deletion go together.
  ASSERT_TRUE(db_->Compact("ks.t").ok());
  EXPECT_EQ(LastCompaction().tombstones_purged, 1);
  EXPECT_EQ(LastCompaction().rows_out, 0);
  EXPECT_EQ(SSTables(), 0);
  EXPECT_FALSE(Has(1, 1));
}

// Two versions of one cell with one timestamp: v = 1 expiring after 1 s, v = 2 after
// 10 s, each in its own SSTable. Read 2 s later, the later expiry wins (§1 rule 4).
// Garbagecollect then rewrites the first SSTable alone and turns its expired cell into a
// tombstone (§5), which beats the expiring cell (rule 3): the value disappears. A major
// compaction merges the two first and keeps v = 2. Cassandra behaves the same; the
// property test allows both outcomes for that reason.
class TiedExpiryTest : public DbCompactionTest {
 protected:
  void WriteTiedVersions() {
    Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
    for (auto [v, ttl] : {std::pair{1, 1}, std::pair{2, 10}}) {
      WriteOptions o = At(100);
      o.ttl = ttl;
      ASSERT_TRUE(
          db_->Write(WriteBatch().Update("ks.t", {{"k", I(1)}, {"c", I(1)}}, {{"v", I(v)}}, o))
              .ok());
      Flush();
    }
    clock_->AdvanceMicros(2 * kSec);
    ASSERT_EQ(V(), std::optional<int32_t>(2));
  }
  std::optional<int32_t> V() {
    auto r = db_->Get("ks.t", {{"k", I(1)}, {"c", I(1)}}, {"v"});
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || !r->has_value() || (**r).values[0].is_null()) return std::nullopt;
    return (**r).values[0].AsInt();
  }
};

TEST_F(TiedExpiryTest, MajorCompactionKeepsTheLaterExpiry) {
  WriteTiedVersions();
  ASSERT_TRUE(db_->Compact("ks.t").ok());
  EXPECT_EQ(V(), std::optional<int32_t>(2));
}

TEST_F(TiedExpiryTest, GarbageCollectLetsTheExpiredVersionWinAsATombstone) {
  WriteTiedVersions();
  ASSERT_TRUE(db_->GarbageCollect("ks.t").ok());
  EXPECT_EQ(V(), std::nullopt);
}

TEST_F(DbCompactionTest, TimeWindowDropsFullyExpiredSSTablesWhole) {
  Create("TimeWindowCompactionStrategy",
         {{"compaction_window_unit", "MINUTES"}, {"compaction_window_size", "1"}},
         /*default_ttl=*/60);
  ASSERT_TRUE(
      db_->SetCompaction("ks.t", "TimeWindowCompactionStrategy",
                         {{"compaction_window_unit", "MINUTES"}, {"compaction_window_size", "1"}})
          .ok());
  Put(1, 1, 1);
  Flush();
  // Past the TTL and gc_grace: the first SSTable holds only expired data.
  clock_->AdvanceMicros((kGcGrace + 120) * kSec);
  Put(2, 1, 1);
  Flush();
  ASSERT_TRUE(db_->WaitForCompactions("ks.t").ok());
  const CompactionEvent e = LastCompaction();
  EXPECT_EQ(e.reason, "expired");
  EXPECT_EQ(e.expired.size(), 1u);
  EXPECT_TRUE(e.inputs.empty());
  EXPECT_EQ(SSTables(), 1);
  EXPECT_TRUE(Has(2, 1));
  EXPECT_EQ(DataFiles(), 1);
}

TEST_F(DbCompactionTest, SwitchingToLeveledPutsEverythingInL0ThenLevels) {
  Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 20; ++k) Put(k, i, i);
    Flush();
  }
  ASSERT_TRUE(
      db_->SetCompaction("ks.t", "LeveledCompactionStrategy", {{"sstable_size_in_mb", "1"}}).ok());
  ASSERT_TRUE(db_->WaitForCompactions("ks.t").ok());
  auto stats = db_->GetCompactionStats("ks.t");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->strategy, "LeveledCompactionStrategy");
  EXPECT_EQ(stats->pending_tasks, 0);
  // The three L0 SSTables overlap and were merged; as in Cassandra, an L0 batch smaller
  // than sstable_size_in_mb stays in L0.
  EXPECT_EQ(SSTables(), 1);
  EXPECT_EQ(stats->sstables_per_level[0], 1);
  EXPECT_EQ(LastCompaction().reason, "leveled");
  EXPECT_EQ(LastCompaction().inputs.size(), 3u);
  EXPECT_EQ(db_->GetSchema("ks.t")->options.compaction_class, "LeveledCompactionStrategy");
  for (int k = 0; k < 20; k += 3) EXPECT_TRUE(Has(k, 2));
  // The strategy change is durable.
  Open();
  EXPECT_EQ(db_->GetSchema("ks.t")->options.compaction_class, "LeveledCompactionStrategy");
  EXPECT_EQ(SSTables(), 1);
}

TEST_F(DbCompactionTest, WithoutBackgroundThreadsOnlyRequestedCompactionsRun) {
  db_.reset();
  Options o;
  o.clock = clock_;
  o.compaction_concurrency = 0;
  auto db = Db::Open(o, folder_);
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = *std::move(db);
  Create("SizeTieredCompactionStrategy", {{"min_threshold", "2"}});
  for (int i = 0; i < 3; ++i) {
    Put(i, 0, i);
    Flush();
  }
  // Work is pending, but no thread will do it: waiting must not hang.
  ASSERT_TRUE(db_->WaitForCompactions("ks.t").ok());
  EXPECT_EQ(SSTables(), 3);
  EXPECT_GE(db_->GetCompactionStats("ks.t")->pending_tasks, 1);
  ASSERT_TRUE(db_->Compact("ks.t").ok());
  EXPECT_EQ(SSTables(), 1);
}

TEST_F(DbCompactionTest, BadCompactionOptionsAreRejectedNamingTheOption) {
  Create("SizeTieredCompactionStrategy", {});
  absl::Status s = db_->SetCompaction("ks.t", "LeveledCompactionStrategy", {{"fanout_size", "0"}});
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_NE(s.message().find("fanout_size"), std::string_view::npos) << s;
  s = db_->SetCompaction("ks.t", "SizeTieredCompactionStrategy", {{"bucket_hgih", "2"}});
  EXPECT_NE(s.message().find("bucket_hgih"), std::string_view::npos) << s;
  // Nothing changed.
  EXPECT_EQ(db_->GetSchema("ks.t")->options.compaction_class, "SizeTieredCompactionStrategy");
}

TEST_F(DbCompactionTest, PendingTasksAndBacklogComeFromThePickers) {
  Create("SizeTieredCompactionStrategy", {{"enabled", "false"}});
  for (int i = 0; i < 8; ++i) {
    Put(i, 0, i);
    Flush();
  }
  auto stats = db_->GetCompactionStats("ks.t");
  ASSERT_TRUE(stats.ok());
  // Disabled: nothing is picked, but the estimate still reports the work waiting.
  EXPECT_EQ(stats->pending_tasks, 1);
  EXPECT_EQ(stats->pending_bytes, 0u);
  ASSERT_TRUE(db_->SetCompaction("ks.t", "SizeTieredCompactionStrategy", {}).ok());
  ASSERT_TRUE(db_->WaitForCompactions("ks.t").ok());
  stats = db_->GetCompactionStats("ks.t");
  EXPECT_EQ(stats->pending_tasks, 0);
  EXPECT_EQ(stats->completed, 1);
  EXPECT_EQ(SSTables(), 1);
}

}  // namespace
}  // namespace cassette

// The lab's RocksDB and LevelDB adapters against a model of the rows they hold: point
// reads, slices from either end in both clustering orders, scans across partitions,
// deletes, settling and major compaction, stats, file events, read counters and TTL.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "bench/lab/engine.h"
#include "gtest/gtest.h"

namespace cassette::lab {
namespace {

constexpr int64_t kCMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kCMax = std::numeric_limits<int64_t>::max();
constexpr uint64_t kPMax = std::numeric_limits<uint64_t>::max();
constexpr int64_t kStart = 1'700'000'000;  // lab clock start, unlike the real time

struct Peer {
  std::string name;  // test name
  absl::StatusOr<std::unique_ptr<Engine>> (*make)();
  std::string strategy;
  bool newest_first;
};

void PrintTo(const Peer& peer, std::ostream* os) { *os << peer.name; }

std::vector<Peer> Peers() {
  std::vector<Peer> v;
  for (bool desc : {false, true}) {
    const std::string order = desc ? "Desc" : "Asc";
#ifdef CASSETTE_LAB_HAVE_ROCKSDB
    v.push_back({"RocksDbLeveled" + order, &MakeRocksDbEngine, "leveled", desc});
    v.push_back({"RocksDbUniversal" + order, &MakeRocksDbEngine, "universal", desc});
#endif
#ifdef CASSETTE_LAB_HAVE_LEVELDB
    v.push_back({"LevelDb" + order, &MakeLevelDbEngine, "", desc});
#endif
  }
  return v;
}

std::filesystem::path FreshDir(const std::string& name) {
  const char* env = std::getenv("CASSETTE_TEST_TMPDIR");
  const std::filesystem::path base = (env != nullptr && *env != '\0') ? env : testing::TempDir();
  static std::atomic<int> counter{0};
  const std::filesystem::path dir = base / ("peer_engine_" + name + "_" + std::to_string(getpid()) +
                                            "_" + std::to_string(counter.fetch_add(1)));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// What the engine should hold: partition -> clustering values.
class Model {
 public:
  explicit Model(bool newest_first) : newest_first_(newest_first) {}
  void Put(uint64_t p, int64_t c) { rows_[p].insert(c); }
  void Delete(uint64_t p, int64_t c) {
    rows_[p].erase(c);
    if (rows_[p].empty()) rows_.erase(p);
  }
  bool Has(uint64_t p, int64_t c) const {
    auto it = rows_.find(p);
    return it != rows_.end() && it->second.count(c) > 0;
  }
  // Clustering values of p in the table's order.
  std::vector<int64_t> Ordered(uint64_t p) const {
    std::vector<int64_t> v;
    if (auto it = rows_.find(p); it != rows_.end()) v.assign(it->second.begin(), it->second.end());
    if (newest_first_) std::reverse(v.begin(), v.end());
    return v;
  }
  int64_t Slice(uint64_t p, std::optional<int64_t> from, int limit) const {
    int64_t n = 0;
    for (int64_t c : Ordered(p)) {
      if (from && (newest_first_ ? c > *from : c < *from)) continue;
      if (n < limit) ++n;
    }
    return n;
  }
  int64_t Scan(uint64_t p, int limit) const {
    int64_t n = 0;
    for (auto it = rows_.lower_bound(p); it != rows_.end(); ++it) {
      n += static_cast<int64_t>(it->second.size());
    }
    return std::min<int64_t>(n, limit);
  }

 private:
  bool newest_first_;
  std::map<uint64_t, std::set<int64_t>> rows_;
};

class PeerEngineTest : public testing::TestWithParam<Peer> {
 protected:
  void SetUp() override {
    dir_ = FreshDir(GetParam().name);
    auto made = GetParam().make();
    ASSERT_TRUE(made.ok()) << made.status();
    engine_ = std::move(*made);
  }
  void TearDown() override {
    if (engine_ != nullptr) {
      EXPECT_TRUE(engine_->Close().ok());
    }
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  EngineConfig Config() {
    EngineConfig c;
    c.dir = (dir_ / "db").string();
    std::filesystem::create_directories(c.dir);
    c.memtable_bytes = 1 << 20;
    c.block_cache_bytes = 4 << 20;
    c.clustering_newest_first = GetParam().newest_first;
    c.strategy = GetParam().strategy;
    c.clock = &clock_;
    c.on_file = [this](const FileEvent& e) {
      std::lock_guard<std::mutex> lock(events_mu_);
      events_.push_back(e);
    };
    return c;
  }

  bool IsRocksDb() const { return GetParam().strategy != ""; }

  // Every slice and scan shape the lab uses, against the model.
  void CheckReads(const Model& model, const std::string& when) {
    for (uint64_t p : {uint64_t{0}, uint64_t{3}, uint64_t{5}, uint64_t{6}, uint64_t{7}, kPMax}) {
      for (std::optional<int64_t> from :
           {std::optional<int64_t>(), std::optional(kCMin), std::optional<int64_t>(-50),
            std::optional<int64_t>(0), std::optional<int64_t>(5), std::optional(kCMax)}) {
        for (int limit : {0, 1, 3, 100}) {
          ReadCounters rc;
          auto n = engine_->Slice(p, from, limit, &rc);
          ASSERT_TRUE(n.ok()) << n.status();
          ASSERT_EQ(*n, model.Slice(p, from, limit))
              << when << ": Slice p=" << p << " from=" << (from ? std::to_string(*from) : "start")
              << " limit=" << limit;
          EXPECT_EQ(rc.rows, *n);
        }
      }
      for (int limit : {0, 1, 9, 10, 20, 100}) {
        ReadCounters rc;
        auto n = engine_->ScanPartitions(p, limit, &rc);
        ASSERT_TRUE(n.ok()) << n.status();
        ASSERT_EQ(*n, model.Scan(p, limit)) << when << ": Scan p=" << p << " limit=" << limit;
        EXPECT_EQ(rc.rows, *n);
      }
    }
    for (uint64_t p : {uint64_t{0}, uint64_t{5}, kPMax}) {
      for (int64_t c : {kCMin, int64_t{-10}, int64_t{2}, int64_t{10}, kCMax}) {
        ReadCounters rc;
        auto found = engine_->Get(p, c, &rc);
        ASSERT_TRUE(found.ok()) << found.status();
        EXPECT_EQ(*found, model.Has(p, c)) << when << ": Get p=" << p << " c=" << c;
        EXPECT_EQ(rc.rows, *found ? 1 : 0);
      }
    }
  }

  std::filesystem::path dir_;
  LabClock clock_{kStart};
  std::unique_ptr<Engine> engine_;
  std::mutex events_mu_;
  std::vector<FileEvent> events_;
};

TEST_P(PeerEngineTest, ReadsWritesCompactsAndReports) {
  ASSERT_TRUE(engine_->Open(Config()).ok());
  EXPECT_EQ(engine_->Name(), IsRocksDb() ? "rocksdb/" + GetParam().strategy : "leveldb");
  Model model(GetParam().newest_first);
  const std::string payload(100, 'v');
  for (uint64_t p : {uint64_t{0}, uint64_t{5}, uint64_t{6}, kPMax}) {
    for (int64_t c : {kCMin, int64_t{-100}, int64_t{-10}, int64_t{-1}, int64_t{0}, int64_t{1},
                      int64_t{10}, int64_t{100}, kCMax}) {
      ASSERT_TRUE(engine_->Put(p, c, payload).ok());
      model.Put(p, c);
    }
  }
  CheckReads(model, "memtable");

  // Delete the first three rows of partition 5 in clustering order: a slice from the
  // start must step over exactly those three tombstones (RocksDB counts each once).
  const std::vector<int64_t> first = model.Ordered(5);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engine_->Delete(5, first[i]).ok());
    model.Delete(5, first[i]);
  }
  ASSERT_TRUE(engine_->Delete(6, 2).ok());  // absent row: a tombstone for nothing
  CheckReads(model, "after deletes");
  ReadCounters rc;
  ASSERT_EQ(engine_->Slice(5, std::nullopt, 1, &rc).value(), 1);
  EXPECT_EQ(rc.tombstones_scanned, IsRocksDb() ? 3 : -1);
  EXPECT_EQ(rc.sstables_touched, -1);
  EXPECT_FALSE(engine_->Get(5, first[0], &rc).value());

  ASSERT_TRUE(engine_->Settle().ok());
  CheckReads(model, "settled");
  ASSERT_TRUE(engine_->Get(0, 10, &rc).value());
  const int64_t touched_flushed = rc.sstables_touched;
  // New rows inside the flushed file's key range: LevelDB's CompactRange(all) only
  // rewrites levels above the deepest one holding files, so without an overlapping
  // second file it may have nothing to compact.
  ASSERT_TRUE(engine_->Put(7, 1, payload).ok());
  ASSERT_TRUE(engine_->Put(0, 10, payload).ok());
  model.Put(7, 1);
  ASSERT_TRUE(engine_->Get(7, 1, &rc).value());
  if (IsRocksDb()) {
    EXPECT_GE(touched_flushed, 1);      // flushed: found in a table file
    EXPECT_EQ(rc.sstables_touched, 0);  // found in the memtable
    EXPECT_EQ(rc.tombstones_scanned, -1);
  } else {
    EXPECT_EQ(rc.sstables_touched, -1);
    EXPECT_EQ(rc.tombstones_scanned, -1);
  }

  ASSERT_TRUE(engine_->CompactAll().ok());
  CheckReads(model, "compacted");
  ASSERT_EQ(engine_->Slice(5, std::nullopt, 1, &rc).value(), 1);
  // A full compaction into the last level drops the tombstones.
  EXPECT_EQ(rc.tombstones_scanned, IsRocksDb() ? 0 : -1);

  const EngineStats st = engine_->Stats();
  EXPECT_GE(st.sstables, 1);
  EXPECT_GT(st.sstable_bytes, 0u);
  EXPECT_GT(st.bytes_compacted, 0u);
  int64_t per_level = 0;
  for (const auto& [level, n] : st.files_per_level) per_level += n;
  EXPECT_EQ(per_level, st.sstables);
  if (IsRocksDb()) {
    EXPECT_EQ(st.pending_compactions, 0);
    EXPECT_GE(st.pending_compaction_bytes, 0);
  } else {
    EXPECT_EQ(st.pending_compactions, -1);
  }

  // Replaying the file events must give the live table files Stats reports.
  std::map<uint64_t, FileEvent> live;
  int created = 0, deleted = 0;
  {
    std::lock_guard<std::mutex> lock(events_mu_);
    for (const FileEvent& e : events_) {
      if (e.created) {
        ++created;
        EXPECT_GT(e.bytes, 0u);
        EXPECT_EQ(live.count(e.file), 0u) << "file " << e.file << " created twice";
        live[e.file] = e;
      } else {
        ++deleted;
        EXPECT_EQ(live.erase(e.file), 1u) << "file " << e.file << " deleted but not live";
      }
    }
  }
  EXPECT_GE(created, 2);  // the flush and the compaction's output
  EXPECT_GE(deleted, 1);  // the flushed file, compacted away
  EXPECT_EQ(static_cast<int64_t>(live.size()), st.sstables);
  uint64_t live_bytes = 0;
  for (const auto& [file, e] : live) live_bytes += e.bytes;
  EXPECT_EQ(live_bytes, st.sstable_bytes);

  ASSERT_TRUE(engine_->Close().ok());
  EXPECT_FALSE(engine_->Put(1, 1, payload).ok());
  EXPECT_FALSE(engine_->Get(1, 1, nullptr).ok());
}

TEST_P(PeerEngineTest, RejectsBadConfig) {
  EngineConfig c = Config();
  c.strategy = "tiered-by-moonlight";
  EXPECT_EQ(engine_->Open(c).code(), absl::StatusCode::kInvalidArgument);
  c = Config();
  c.strategy_options["no_such_option"] = "1";
  EXPECT_FALSE(engine_->Open(c).ok());
  c = Config();
  c.clock = nullptr;
  EXPECT_EQ(engine_->Open(c).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(engine_->Slice(1, std::nullopt, 1, nullptr).ok());  // never opened
}

TEST_P(PeerEngineTest, TtlExpiresOnTheLabClock) {
  EngineConfig c = Config();
  c.ttl_seconds = 100;
  if (!IsRocksDb()) {
    EXPECT_EQ(engine_->Open(c).code(), absl::StatusCode::kUnimplemented);
    return;
  }
  ASSERT_TRUE(engine_->Open(c).ok());
  ASSERT_TRUE(engine_->Put(1, 1, "old").ok());
  ASSERT_TRUE(engine_->Get(1, 1, nullptr).value());
  clock_.Advance(200);
  ASSERT_TRUE(engine_->Put(1, 2, "fresh").ok());
  ASSERT_TRUE(engine_->CompactAll().ok());
  EXPECT_FALSE(engine_->Get(1, 1, nullptr).value()) << "expired on the lab clock";
  EXPECT_TRUE(engine_->Get(1, 2, nullptr).value()) << "written 0 lab seconds ago";
  EXPECT_EQ(engine_->Slice(1, std::nullopt, 10, nullptr).value(), 1);
}

TEST_P(PeerEngineTest, TtlRefusesAClockBeforeDbWithTtlsMinimum) {
  const LabClock early(1000);  // before DBWithTTL's minimum timestamp (2013)
  EngineConfig c = Config();
  c.ttl_seconds = 100;
  c.clock = &early;
  EXPECT_EQ(engine_->Open(c).code(),
            IsRocksDb() ? absl::StatusCode::kInvalidArgument : absl::StatusCode::kUnimplemented);
}

TEST_P(PeerEngineTest, AcceptsTheEnginesOwnOptionNames) {
  EngineConfig c = Config();
  if (IsRocksDb()) {
    c.strategy_options["level0_file_num_compaction_trigger"] = "2";
  } else {
    c.strategy_options["max_file_size"] = std::to_string(4 << 20);
  }
  ASSERT_TRUE(engine_->Open(c).ok());
  ASSERT_TRUE(engine_->Put(9, 9, "x").ok());
  EXPECT_TRUE(engine_->Get(9, 9, nullptr).value());
}

INSTANTIATE_TEST_SUITE_P(Peers, PeerEngineTest, testing::ValuesIn(Peers()),
                         [](const testing::TestParamInfo<Peer>& info) { return info.param.name; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PeerEngineTest);

}  // namespace
}  // namespace cassette::lab

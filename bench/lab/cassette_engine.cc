// The lab's cassette engine: one CQL table
//   lab.rows (p bigint, c bigint, v blob, PRIMARY KEY (p, c)) WITH CLUSTERING ORDER BY (c DESC)
// (ASC for queues), the compaction strategy and its options as Cassandra names them.
//
// Every Put is one Db::Write of one INSERT, as a CQL client sends one statement: the
// key-value peers also write one key per call, so per-write costs compare like with like.
#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <set>

#include "absl/strings/str_cat.h"
#include "bench/lab/engine.h"
#include "cassette/cassette.h"

namespace cassette::lab {
namespace {

namespace fs = std::filesystem;
constexpr char kTable[] = "lab.rows";

// cassette's clock from the lab's: writes are stamped and TTLs expire on the lab's time.
class LabClockAdapter final : public Clock {
 public:
  explicit LabClockAdapter(const LabClock* c) : c_(c) {}
  int64_t NowMicros() override { return c_->NowSeconds() * 1'000'000; }

 private:
  const LabClock* c_;
};

// Turns flush and compaction events into FileEvents. TWCS has no levels: a file's lane is
// its time window, taken from the lab clock when it is flushed and inherited (the newest
// input's) when compacted — exact for in-order time series, an estimate otherwise.
class FileTracker final : public EventListener {
 public:
  FileTracker(std::string dir, FileEventSink sink, const LabClock* clock, int64_t window_s)
      : dir_(std::move(dir)), sink_(std::move(sink)), clock_(clock), window_s_(window_s) {}

  void OnFlushCompleted(const FlushEvent& e) override {
    int lane = 0;
    if (window_s_ > 0) lane = static_cast<int>(clock_->NowSeconds() / window_s_);
    Emit(e.file_number, lane, true);
  }
  void OnCompactionCompleted(const CompactionEvent& e) override {
    if (!e.error.empty()) return;
    int lane = e.output_level;
    if (window_s_ > 0) {
      std::lock_guard<std::mutex> l(mu_);
      lane = 0;
      for (uint64_t in : e.inputs) lane = std::max(lane, lanes_[in]);
    }
    for (uint64_t out : e.outputs) Emit(out, lane, true);
    for (uint64_t in : e.inputs) Emit(in, 0, false);
    for (uint64_t in : e.expired) Emit(in, 0, false);
    compacted_.fetch_add(e.bytes_out, std::memory_order_relaxed);
  }
  uint64_t bytes_compacted() const { return compacted_.load(std::memory_order_relaxed); }

 private:
  uint64_t FileBytes(uint64_t n) const {
    uint64_t total = 0;
    for (const char* kind : {"Data", "Index"}) {
      struct stat st;
      const std::string path = absl::StrCat(dir_, "/cs-", n, "-", kind, ".db");
      if (::stat(path.c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_size);
    }
    return total;
  }
  void Emit(uint64_t file, int lane, bool created) {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (created) {
        lanes_[file] = lane;
      } else {
        auto it = lanes_.find(file);
        if (it != lanes_.end()) {
          lane = it->second;
          lanes_.erase(it);
        }
      }
    }
    if (!sink_) return;
    FileEvent ev;
    ev.file = file;
    ev.level = lane;
    ev.bytes = created ? FileBytes(file) : 0;
    ev.created = created;
    sink_(ev);
  }

  const std::string dir_;
  const FileEventSink sink_;
  const LabClock* const clock_;
  const int64_t window_s_;
  std::mutex mu_;
  std::map<uint64_t, int> lanes_;
  std::atomic<uint64_t> compacted_{0};
};

std::string ClassName(const std::string& s) {
  if (s == "STCS" || s.empty()) return "SizeTieredCompactionStrategy";
  if (s == "LCS") return "LeveledCompactionStrategy";
  if (s == "TWCS") return "TimeWindowCompactionStrategy";
  if (s == "UCS") return "UnifiedCompactionStrategy";
  return s;  // a class name given in full
}

// TWCS's window in seconds from its options (Cassandra's defaults: 1 DAYS).
int64_t WindowSeconds(const std::map<std::string, std::string>& o) {
  int64_t size = 1;
  std::string unit = "DAYS";
  if (auto it = o.find("compaction_window_size"); it != o.end()) size = std::stoll(it->second);
  if (auto it = o.find("compaction_window_unit"); it != o.end()) unit = it->second;
  const int64_t per = unit == "MINUTES" ? 60 : unit == "HOURS" ? 3600 : 86400;
  return size * per;
}

class CassetteEngine final : public Engine {
 public:
  std::string Name() const override { return "cassette/" + strategy_; }

  absl::Status Open(const EngineConfig& config) override {
    config_ = config;
    strategy_ = config.strategy.empty() ? "STCS" : config.strategy;
    if (auto it = config.strategy_options.find("scaling_parameters");
        strategy_ == "UCS" && it != config.strategy_options.end()) {
      strategy_ += "-" + it->second;
    }
    const std::string cls = ClassName(config.strategy);
    int64_t window_s = 0;
    try {
      if (cls == "TimeWindowCompactionStrategy") window_s = WindowSeconds(config.strategy_options);
    } catch (const std::exception&) {
      return absl::InvalidArgumentError("cassette: compaction_window_size is not a number");
    }
    tracker_ = std::make_shared<FileTracker>(config.dir, config.on_file, config.clock, window_s);
    Options o;
    o.clock = std::make_shared<LabClockAdapter>(config.clock);
    o.memtable_budget_bytes = config.memtable_bytes;
    o.block_cache_bytes = config.block_cache_bytes;
    o.sstable_compression_level = config.zstd_level;
    // Periodic sync, as RocksDB's and LevelDB's WAL without sync; a synced write asks
    // for its own sync through WriteSyncOptions below.
    o.commitlog_sync = CommitLogSync::kPeriodic;
    o.listener = tracker_;
    o.warning_log = [](const std::string&) {};  // counted by the workload, not printed
    if (!config.commit_log) {
      return absl::UnimplementedError(
          "cassette: running without a commit log is not supported (Cassandra's "
          "durable_writes=false); the lab compares engines with their logs on");
    }
    auto db = Db::Open(o, config.dir);
    if (!db.ok()) return db.status();
    db_ = *std::move(db);
    TableSchema s;
    s.keyspace = "lab";
    s.name = "rows";
    s.columns = {{"p", CqlType::kBigint, ColumnKind::kPartitionKey},
                 {"c", CqlType::kBigint, ColumnKind::kClustering,
                  config.clustering_newest_first ? ClusteringOrder::kDesc : ClusteringOrder::kAsc},
                 {"v", CqlType::kBlob, ColumnKind::kRegular}};
    s.options.gc_grace_seconds = config.gc_grace_seconds;
    s.options.compaction_class = cls;
    s.options.compaction_options = config.strategy_options;
    // The lab reads queues full of tombstones on purpose: it measures, it does not abort.
    s.options.tombstone_failure_threshold = 1 << 30;
    s.options.tombstone_warn_threshold = 1 << 30;
    return db_->CreateTable(s);
  }

  absl::Status Close() override {
    db_.reset();
    return absl::OkStatus();
  }

  absl::Status Put(uint64_t p, int64_t c, std::string_view payload) override {
    WriteBatch b;
    WriteOptions wo;
    if (config_.ttl_seconds > 0) wo.ttl = config_.ttl_seconds;
    b.Insert(kTable,
             {{"p", Value::Bigint(static_cast<int64_t>(p))},
              {"c", Value::Bigint(c)},
              {"v", Value::Blob(payload)}},
             wo);
    return db_->Write(b, WriteSyncOptions{config_.sync_every_write});
  }

  absl::Status Delete(uint64_t p, int64_t c) override {
    WriteBatch b;
    b.Delete(kTable, {{"p", Value::Bigint(static_cast<int64_t>(p))}, {"c", Value::Bigint(c)}});
    return db_->Write(b, WriteSyncOptions{config_.sync_every_write});
  }

  absl::Status DeleteUpTo(uint64_t p, int64_t c) override {
    WriteBatch b;
    b.DeleteRange(kTable, {{"p", Value::Bigint(static_cast<int64_t>(p))}},
                  ClusteringSlice{std::nullopt, ClusteringBound{{Value::Bigint(c)}, true}});
    return db_->Write(b, WriteSyncOptions{config_.sync_every_write});
  }

  // Reads use Select's visitor form, which lends each row (RocksDB's Get and iterator
  // lend slices too); like the RocksDB and LevelDB adapters, every value read is copied
  // once into a reused buffer, so each engine hands its bytes to the caller.
  absl::StatusOr<bool> Get(uint64_t p, int64_t c, ReadCounters* rc) override {
    SelectQuery q;
    q.table = kTable;
    q.partition_key = {{"p", Value::Bigint(static_cast<int64_t>(p))}};
    q.slice.start = ClusteringBound{{Value::Bigint(c)}, true};
    q.slice.end = ClusteringBound{{Value::Bigint(c)}, true};
    q.columns = {"v"};
    auto n = ReadRows(q, rc);
    if (!n.ok()) return n.status();
    return *n > 0;
  }

  absl::StatusOr<int64_t> Slice(uint64_t p, std::optional<int64_t> from, int limit,
                                ReadCounters* rc) override {
    SelectQuery q;
    q.table = kTable;
    q.partition_key = {{"p", Value::Bigint(static_cast<int64_t>(p))}};
    if (from) {
      // "From c onwards in clustering order": DESC tables go down in value.
      ClusteringBound b{{Value::Bigint(*from)}, true};
      (config_.clustering_newest_first ? q.slice.end : q.slice.start) = b;
    }
    q.limit = limit;
    q.columns = {"c", "v"};
    return ReadRows(q, rc);
  }

  absl::StatusOr<int64_t> ScanPartitions(uint64_t p, int limit, ReadCounters* rc) override {
    SelectQuery q;
    q.table = kTable;
    q.token_start = {{"p", Value::Bigint(static_cast<int64_t>(p))}};
    q.limit = limit;
    q.columns = {"p", "c", "v"};
    return ReadRows(q, rc);
  }

  absl::Status Settle() override {
    if (auto s = db_->Flush(kTable); !s.ok()) return s;
    return db_->WaitForCompactions(kTable);
  }

  absl::Status CompactAll() override {
    if (auto s = db_->Flush(kTable); !s.ok()) return s;
    if (auto s = db_->Compact(kTable); !s.ok()) return s;
    return db_->WaitForCompactions(kTable);
  }

  EngineStats Stats() override {
    EngineStats st;
    if (auto ts = db_->GetTableStats(kTable); ts.ok()) {
      st.sstables = ts->sstable_count;
      st.sstable_bytes = static_cast<uint64_t>(ts->sstable_bytes);
    }
    if (auto cs = db_->GetCompactionStats(kTable); cs.ok()) {
      st.pending_compactions = cs->pending_tasks + static_cast<int64_t>(cs->active.size());
      st.pending_compaction_bytes = static_cast<int64_t>(cs->pending_bytes);
      st.bytes_compacted = cs->bytes_compacted;
      for (const auto& [level, n] : cs->sstables_per_level) st.files_per_level[level] = n;
    }
    return st;
  }

 private:
  // Runs `q`, copying each row's last column (the payload) into scratch_.
  absl::StatusOr<int64_t> ReadRows(const SelectQuery& q, ReadCounters* rc) {
    int64_t rows = 0;
    auto rs = db_->Select(q, [&](const RowView& r) {
      const std::string_view v = r.values.back().serialized();
      scratch_.assign(v.data(), v.size());
      ++rows;
      return true;
    });
    if (!rs.ok()) return rs.status();
    if (rc != nullptr) {
      rc->rows = rows;
      rc->tombstones_scanned = rs->stats.tombstones_scanned;
      rc->sstables_touched = rs->stats.sstables_touched;
    }
    return rows;
  }

  EngineConfig config_;
  std::string strategy_;
  std::shared_ptr<FileTracker> tracker_;
  std::unique_ptr<Db> db_;
  std::string scratch_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> MakeCassetteEngine() {
  return std::unique_ptr<Engine>(new CassetteEngine());
}

#ifndef CASSETTE_LAB_HAVE_ROCKSDB
absl::StatusOr<std::unique_ptr<Engine>> MakeRocksDbEngine() {
  return absl::UnimplementedError("cassette-lab was built without RocksDB (librocksdb-dev)");
}
#endif
#ifndef CASSETTE_LAB_HAVE_LEVELDB
absl::StatusOr<std::unique_ptr<Engine>> MakeLevelDbEngine() {
  return absl::UnimplementedError("cassette-lab was built without LevelDB (libleveldb-dev)");
}
#endif

}  // namespace cassette::lab

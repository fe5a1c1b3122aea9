// bench/lab/rocksdb_engine.cc — RocksDB (Debian librocksdb 7.8.3) behind the lab's Engine.
//
// Variants: "leveled" (kCompactionStyleLevel, level_compaction_dynamic_level_bytes) and
// "universal". Tuned as RocksDB's tuning guide suggests for point reads plus short
// scans: block-based tables, 16 KiB blocks (cassette's), a whole-key 10 bits/key bloom
// filter and no prefix extractor (the lab does exact point gets), index and filter
// blocks charged to the LRU block cache with L0's pinned (so memtable + cache bounds
// memory as EngineConfig says), flushed blocks put into the cache (kFlushOnly, as
// cassette does by default), two write buffers, zstd at every level, two background
// jobs, 1 MiB bytes_per_sync. EngineConfig::strategy_options are RocksDB column-family
// option names, applied last with GetColumnFamilyOptionsFromMap (unknown ones fail Open).
//
// Time: the Env handed to RocksDB reads GetCurrentTime from the LabClock, always (not
// only under TTL), so DBWithTTL's stamps and expiry, file creation times and the
// time-driven compactions all follow the time the workload simulates. DBWithTTL stamps
// values as int32 seconds and rejects stamps before 2013-05-10, so Open refuses a TTL
// run whose clock is outside that range. DBWithTTL only drops expired values in
// compaction: reads may still return them until then (db_ttl.h) and they are counted
// as rows — that is RocksDB's behaviour, reported as is.
//
// Read costs, from the thread's PerfContext, only when the caller passes ReadCounters:
// counting costs a thread-local increment per key comparison (about 0.5 µs per
// memtable Get here), so a read with rc == nullptr runs with perf counting off.
//   Get: sstables_touched = bloom_sst_hit_count, the table files whose whole-key filter
//        passed and whose blocks were therefore searched (files the filter excluded are
//        not counted, as Cassandra's SSTablesPerRead does not count them).
//        tombstones_scanned = -1: a Get that meets a tombstone stops there and RocksDB
//        counts nothing for it.
//   Slice/ScanPartitions: tombstones_scanned = internal_delete_skipped_count (deletion
//        markers the iterator stepped over); sstables_touched = -1 (iterators count no
//        files). internal_recent_skipped_count is not added: it counts versions newer
//        than the read's snapshot, not tombstones.
//
// File events: see rocksdb_file_events.h (on_file runs on RocksDB's background threads).
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "bench/lab/engine.h"
#include "bench/lab/rocksdb_file_events.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/perf_context.h"
#include "rocksdb/statistics.h"
#include "rocksdb/system_clock.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/db_ttl.h"
#include "rocksdb/write_batch.h"

namespace cassette::lab {
namespace {

constexpr int64_t kTtlMinTimestamp = 1368146402;  // DBWithTTLImpl::kMinTimestamp

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  const std::string msg = absl::StrCat("rocksdb ", std::string(what), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsNotSupported()) return absl::UnimplementedError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  if (s.IsTimedOut()) return absl::DeadlineExceededError(msg);
  if (s.IsAborted()) return absl::AbortedError(msg);
  return absl::InternalError(msg);
}

class LabSystemClock : public rocksdb::SystemClockWrapper {
 public:
  LabSystemClock(const std::shared_ptr<rocksdb::SystemClock>& real, const LabClock* clock)
      : SystemClockWrapper(real), clock_(clock) {}
  const char* Name() const override { return "CassetteLabClock"; }
  rocksdb::Status GetCurrentTime(int64_t* unix_time) override {
    *unix_time = clock_->NowSeconds();
    return rocksdb::Status::OK();
  }

 private:
  const LabClock* clock_;
};

// Env::Default() with the LabClock's seconds. The file system and the clock RocksDB
// uses are taken from the Env's members, so I/O goes straight to the default file
// system and only GetCurrentTime changes.
class LabClockEnv : public rocksdb::EnvWrapper {
 public:
  explicit LabClockEnv(const LabClock* clock) : EnvWrapper(rocksdb::Env::Default()), clock_(clock) {
    file_system_ = target()->GetFileSystem();
    system_clock_ = std::make_shared<LabSystemClock>(target()->GetSystemClock(), clock);
  }
  const char* Name() const override { return "CassetteLabClockEnv"; }
  rocksdb::Status GetCurrentTime(int64_t* unix_time) override {
    *unix_time = clock_->NowSeconds();
    return rocksdb::Status::OK();
  }

 private:
  const LabClock* clock_;
};

class RocksDbEngine : public Engine {
 public:
  ~RocksDbEngine() override { Close().IgnoreError(); }

  std::string Name() const override { return "rocksdb/" + variant_; }

  absl::Status Open(const EngineConfig& config) override {
    if (db_ != nullptr) return absl::FailedPreconditionError("rocksdb Open: already open");
    if (config.clock == nullptr || config.dir.empty()) {
      return absl::InvalidArgumentError("rocksdb Open: EngineConfig needs a dir and a clock");
    }
    if (!config.strategy.empty() && config.strategy != "leveled" &&
        config.strategy != "universal") {
      return absl::InvalidArgumentError(absl::StrCat("rocksdb Open: unknown variant '",
                                                     config.strategy, "' (leveled, universal)"));
    }
    variant_ = config.strategy.empty() ? "leveled" : config.strategy;
    if (!config.commit_log && config.sync_every_write) {
      return absl::InvalidArgumentError("rocksdb Open: sync_every_write needs the WAL on");
    }
    const int64_t now = config.clock->NowSeconds();
    if (config.ttl_seconds > 0 && (now < kTtlMinTimestamp || now > INT32_MAX)) {
      return absl::InvalidArgumentError(
          absl::StrCat("rocksdb Open: DBWithTTL stamps int32 seconds after ", kTtlMinTimestamp,
                       "; the lab clock reads ", now));
    }
    dir_ = config.dir;
    newest_first_ = config.clustering_newest_first;
    write_options_.disableWAL = !config.commit_log;
    write_options_.sync = config.sync_every_write;

    env_ = std::make_unique<LabClockEnv>(config.clock);
    statistics_ = rocksdb::CreateDBStatistics();
    statistics_->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);

    rocksdb::Options o;
    o.create_if_missing = true;
    o.error_if_exists = true;  // the lab hands every run an empty folder
    o.env = env_.get();
    o.statistics = statistics_;
    o.write_buffer_size = config.memtable_bytes;
    o.max_write_buffer_number = 2;  // one filling, one flushing: the budget's memtable x2
    o.max_background_jobs = 2;
    o.bytes_per_sync = 1 << 20;
    o.optimize_filters_for_hits = false;
    o.compression = config.zstd_level > 0 ? rocksdb::kZSTD : rocksdb::kNoCompression;
    o.compression_opts.level = config.zstd_level;
    if (variant_ == "leveled") {
      o.compaction_style = rocksdb::kCompactionStyleLevel;
      o.level_compaction_dynamic_level_bytes = true;
    } else {
      o.compaction_style = rocksdb::kCompactionStyleUniversal;
    }
    rocksdb::BlockBasedTableOptions t;
    t.block_size = 16 << 10;
    t.block_cache = rocksdb::NewLRUCache(config.block_cache_bytes);
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    t.whole_key_filtering = true;
    t.cache_index_and_filter_blocks = true;
    t.pin_l0_filter_and_index_blocks_in_cache = true;
    // As cassette (Options::cache_written_blocks): a flush's blocks go into the cache.
    t.prepopulate_block_cache = rocksdb::BlockBasedTableOptions::PrepopulateBlockCache::kFlushOnly;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    if (config.on_file) o.listeners.push_back(std::make_shared<RocksDbFileEvents>(config.on_file));
    if (!config.strategy_options.empty()) {
      std::unordered_map<std::string, std::string> m(config.strategy_options.begin(),
                                                     config.strategy_options.end());
      rocksdb::ConfigOptions cfg;
      cfg.ignore_unknown_options = false;
      rocksdb::ColumnFamilyOptions cf;
      rocksdb::Status s = rocksdb::GetColumnFamilyOptionsFromMap(cfg, o, m, &cf);
      if (!s.ok()) return FromRocks(s, "Open: strategy_options");
      o = rocksdb::Options(rocksdb::DBOptions(o), cf);
    }

    rocksdb::Status s;
    if (config.ttl_seconds > 0) {
      rocksdb::DBWithTTL* ttl_db = nullptr;
      s = rocksdb::DBWithTTL::Open(o, config.dir, &ttl_db, config.ttl_seconds);
      db_.reset(ttl_db);
    } else {
      rocksdb::DB* db = nullptr;
      s = rocksdb::DB::Open(o, config.dir, &db);
      db_.reset(db);
    }
    if (!s.ok()) {
      db_.reset();
      return FromRocks(s, absl::StrCat("Open ", config.dir));
    }
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (db_ == nullptr) return absl::OkStatus();
    rocksdb::Status s = db_->Close();
    db_.reset();
    env_.reset();
    if (!s.ok()) return FromRocks(s, "Close");
    return absl::OkStatus();
  }

  absl::Status Put(uint64_t p, int64_t c, std::string_view payload) override {
    if (db_ == nullptr) return NotOpen("Put");
    // One reused batch, as db_bench does: DB::Put would allocate a fresh one per write.
    batch_.Clear();
    rocksdb::Status s =
        batch_.Put(KvKey(p, c, newest_first_), rocksdb::Slice(payload.data(), payload.size()));
    if (s.ok()) s = db_->Write(write_options_, &batch_);
    return s.ok() ? absl::OkStatus() : FromRocks(s, "Put");
  }

  absl::Status Delete(uint64_t p, int64_t c) override {
    if (db_ == nullptr) return NotOpen("Delete");
    batch_.Clear();
    rocksdb::Status s = batch_.Delete(KvKey(p, c, newest_first_));
    if (s.ok()) s = db_->Write(write_options_, &batch_);
    return s.ok() ? absl::OkStatus() : FromRocks(s, "Delete");
  }

  absl::Status DeleteUpTo(uint64_t p, int64_t c) override {
    if (db_ == nullptr) return NotOpen("DeleteUpTo");
    std::string begin, end;
    KvRangeUpTo(p, c, newest_first_, &begin, &end);
    batch_.Clear();
    rocksdb::Status s = batch_.DeleteRange(begin, end);
    if (s.ok()) s = db_->Write(write_options_, &batch_);
    return s.ok() ? absl::OkStatus() : FromRocks(s, "DeleteUpTo");
  }

  absl::StatusOr<bool> Get(uint64_t p, int64_t c, ReadCounters* rc) override {
    if (db_ == nullptr) return NotOpen("Get");
    const Counts before = StartCounting(rc != nullptr);
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), db_->DefaultColumnFamily(),
                                 KvKey(p, c, newest_first_), &value);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "Get");
    const bool found = s.ok();
    if (found) scratch_.assign(value.data(), value.size());
    if (rc != nullptr) {
      rc->rows = found ? 1 : 0;
      rc->tombstones_scanned = -1;
      rc->sstables_touched = static_cast<int64_t>(Now().sst_hits - before.sst_hits);
    }
    return found;
  }

  absl::StatusOr<int64_t> Slice(uint64_t p, std::optional<int64_t> from, int limit,
                                ReadCounters* rc) override {
    const std::string start = from ? KvKey(p, *from, newest_first_) : Prefix(p);
    return Scan(start, p, limit, /*one_partition=*/true, rc);
  }

  absl::StatusOr<int64_t> ScanPartitions(uint64_t p, int limit, ReadCounters* rc) override {
    return Scan(Prefix(p), p, limit, /*one_partition=*/false, rc);
  }

  absl::Status Settle() override {
    if (db_ == nullptr) return NotOpen("Settle");
    rocksdb::FlushOptions fo;
    fo.wait = true;
    rocksdb::Status s = db_->Flush(fo);
    if (!s.ok()) return FromRocks(s, "Settle: Flush");
    int idle_polls = 0;
    while (true) {
      uint64_t errors = 0, pending = 0, compactions = 0, flushes = 0;
      if (!db_->GetIntProperty("rocksdb.background-errors", &errors) ||
          !db_->GetIntProperty("rocksdb.compaction-pending", &pending) ||
          !db_->GetIntProperty("rocksdb.num-running-compactions", &compactions) ||
          !db_->GetIntProperty("rocksdb.num-running-flushes", &flushes)) {
        return absl::InternalError("rocksdb Settle: compaction properties unavailable");
      }
      if (errors > 0) {
        return absl::InternalError(
            absl::StrCat("rocksdb Settle: ", errors, " background error(s); see ", dir_, "/LOG"));
      }
      if (pending == 0 && compactions == 0 && flushes == 0) return absl::OkStatus();
      // Universal compaction can leave "compaction-pending" at 1 while its picker finds
      // nothing to run (seen with 7.8 after a large ingest): once nothing has run for a
      // second, RocksDB would have scheduled the work if there were any.
      if (compactions == 0 && flushes == 0) {
        if (++idle_polls >= 100) return absl::OkStatus();
      } else {
        idle_polls = 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  absl::Status CompactAll() override {
    if (db_ == nullptr) return NotOpen("CompactAll");
    rocksdb::CompactRangeOptions o;
    o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    rocksdb::Status s = db_->CompactRange(o, nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, "CompactAll");
    return Settle();
  }

  EngineStats Stats() override {
    EngineStats st;
    if (db_ == nullptr) return st;
    for (int level = 0; level < db_->NumberLevels(); ++level) {
      std::string v;
      int64_t n = 0;
      if (!db_->GetProperty(absl::StrCat("rocksdb.num-files-at-level", level), &v)) continue;
      for (char ch : v) {
        if (ch < '0' || ch > '9') break;
        n = n * 10 + (ch - '0');
      }
      if (n > 0) st.files_per_level[level] = n;
      st.sstables += n;
    }
    uint64_t v = 0;
    if (db_->GetIntProperty("rocksdb.live-sst-files-size", &v)) st.sstable_bytes = v;
    uint64_t pending = 0, running = 0;
    if (db_->GetIntProperty("rocksdb.compaction-pending", &pending) &&
        db_->GetIntProperty("rocksdb.num-running-compactions", &running)) {
      // Running compactions, plus one when RocksDB reports more work queued (it gives
      // only a flag for that; the amount is pending_compaction_bytes).
      st.pending_compactions = static_cast<int64_t>(running + (pending > 0 ? 1 : 0));
    }
    if (db_->GetIntProperty("rocksdb.estimate-pending-compaction-bytes", &v)) {
      st.pending_compaction_bytes = static_cast<int64_t>(v);
    }
    st.bytes_compacted = statistics_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
    return st;
  }

 private:
  static absl::Status NotOpen(std::string_view op) {
    return absl::FailedPreconditionError(absl::StrCat("rocksdb ", std::string(op), ": not open"));
  }
  static std::string Prefix(uint64_t p) { return KvKey(p, 0, false).substr(0, 8); }

  // The counters read, as deltas of the thread's PerfContext (cheaper than Reset()).
  struct Counts {
    uint64_t sst_hits;
    uint64_t deletes_skipped;
  };
  static Counts Now() {
    const rocksdb::PerfContext* pc = rocksdb::get_perf_context();
    return Counts{pc->bloom_sst_hit_count, pc->internal_delete_skipped_count};
  }
  // Counting costs a thread-local increment per key comparison, so it is on only for
  // reads that ask for counters (rc != nullptr) and off again for those that do not.
  static Counts StartCounting(bool on) {
    const rocksdb::PerfLevel want =
        on ? rocksdb::PerfLevel::kEnableCount : rocksdb::PerfLevel::kDisable;
    if (rocksdb::GetPerfLevel() != want) rocksdb::SetPerfLevel(want);
    return on ? Now() : Counts{0, 0};
  }

  absl::StatusOr<int64_t> Scan(const std::string& start, uint64_t p, int limit, bool one_partition,
                               ReadCounters* rc) {
    if (db_ == nullptr) return NotOpen(one_partition ? "Slice" : "ScanPartitions");
    if (limit < 0) return absl::InvalidArgumentError("rocksdb scan: negative limit");
    const Counts before = StartCounting(rc != nullptr);
    rocksdb::ReadOptions ro;
    ro.fill_cache = true;
    std::string upper;
    rocksdb::Slice upper_slice;
    if (one_partition && p != UINT64_MAX) {
      upper = Prefix(p + 1);  // the partition ends where the next one's keys begin
      upper_slice = rocksdb::Slice(upper);
      ro.iterate_upper_bound = &upper_slice;
    }
    int64_t rows = 0;
    if (limit > 0) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
      const std::string prefix = Prefix(p);
      for (it->Seek(start); it->Valid() && rows < limit; it->Next()) {
        if (one_partition && !it->key().starts_with(prefix)) break;
        scratch_.assign(it->value().data(), it->value().size());
        ++rows;
      }
      if (!it->status().ok()) return FromRocks(it->status(), "scan");
    }
    if (rc != nullptr) {
      rc->rows = rows;
      rc->tombstones_scanned = static_cast<int64_t>(Now().deletes_skipped - before.deletes_skipped);
      rc->sstables_touched = -1;
    }
    return rows;
  }

  std::string variant_ = "leveled";
  std::string dir_;
  bool newest_first_ = true;
  rocksdb::WriteOptions write_options_;
  rocksdb::WriteBatch batch_;
  std::unique_ptr<LabClockEnv> env_;  // outlives db_ (declared before it)
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<rocksdb::DB> db_;
  std::string scratch_;  // where reads copy values, as a client would
};

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> MakeRocksDbEngine() {
  return std::unique_ptr<Engine>(std::make_unique<RocksDbEngine>());
}

}  // namespace cassette::lab

// bench/lab/leveldb_engine.cc — LevelDB (Debian libleveldb 1.23) behind the lab's Engine.
//
// Options: 16 KiB blocks (cassette's), a 10 bits/key bloom filter, an LRU block cache of
// block_cache_bytes, write_buffer_size = memtable_bytes. Compression: Debian's 1.23 has
// only snappy (options.h lists kNoCompression and kSnappyCompression), so zstd_level > 0
// means snappy and 0 means none. max_file_size stays at LevelDB's 2 MiB: its docs say
// most clients should leave it alone, and its level sizes (10 MiB for level 1, x10 per
// level) are tuned for it. max_open_files follows the docs' one file per 2 MiB of
// working set: half the process's descriptor limit (at least LevelDB's 1000), so the
// table cache does not thrash. strategy_options may set max_file_size, block_size and
// max_open_files; anything else fails Open.
//
// Durability: LevelDB cannot turn its log off; commit_log = false still writes it (the
// lab's figures for LevelDB always include the log). sync_every_write maps to
// WriteOptions::sync. No TTL: Open refuses ttl_seconds > 0 (Unimplemented).
//
// What LevelDB does not expose, and how this adapter learns it:
//   - Per-read costs: none; ReadCounters keep -1.
//   - Flush: no call. Settle uses CompactRange over the empty key, which no 16-byte key
//     equals: LevelDB flushes the memtable first (CompactRange always does) and then has
//     no file to compact.
//   - Compaction state and bytes: LevelDB reports them only in its info log, which a
//     LevelDbLogWatcher (leveldb_log_watcher.h) follows; it also writes the LOG. Settle waits until
//     no compaction or flush is in progress, the size scores LevelDB schedules by (level 0:
//     files/4; level L>0: bytes / 10^L MiB) are all below 1, and the log has been quiet for 50 ms.
//   - Major compaction: CompactAll is LevelDB's CompactRange(nullptr, nullptr), which
//     pushes every level above the deepest non-empty one into it; files already in that
//     level are not rewritten (so it may write nothing, and tombstones there stay).
//   - File events: a thread diffs the "leveldb.sstables" property whenever the log says
//     the file set changed (and every second); Settle and Close diff synchronously, so
//     every change before them has been reported when they return. on_file is called
//     from that thread or the caller's, one call at a time.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/lab/engine.h"
#include "bench/lab/leveldb_log_watcher.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/env.h"
#include "leveldb/filter_policy.h"
#include "leveldb/write_batch.h"

namespace cassette::lab {
namespace {

using Clock = std::chrono::steady_clock;

absl::Status FromLevel(const leveldb::Status& s, std::string_view what) {
  const std::string msg = absl::StrCat("leveldb ", std::string(what), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsNotSupportedError()) return absl::UnimplementedError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  return absl::InternalError(msg);
}

class LevelDbEngine : public Engine {
 public:
  ~LevelDbEngine() override { Close().IgnoreError(); }

  std::string Name() const override { return "leveldb"; }

  absl::Status Open(const EngineConfig& config) override {
    if (db_ != nullptr) return absl::FailedPreconditionError("leveldb Open: already open");
    if (config.clock == nullptr || config.dir.empty()) {
      return absl::InvalidArgumentError("leveldb Open: EngineConfig needs a dir and a clock");
    }
    if (config.ttl_seconds > 0) return absl::UnimplementedError("leveldb has no TTL");
    if (!config.strategy.empty() && config.strategy != "leveled") {
      return absl::InvalidArgumentError(
          absl::StrCat("leveldb Open: no variant '", config.strategy, "' (it has one)"));
    }
    leveldb::Options o;
    o.create_if_missing = true;
    o.error_if_exists = true;  // the lab hands every run an empty folder
    o.write_buffer_size = config.memtable_bytes;
    o.block_size = 16 << 10;
    o.compression = config.zstd_level > 0 ? leveldb::kSnappyCompression : leveldb::kNoCompression;
    rlimit fds{};
    if (getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur != RLIM_INFINITY) {
      o.max_open_files =
          std::max<int>(1000, static_cast<int>(std::min<rlim_t>(fds.rlim_cur / 2, 1 << 20)));
    }
    for (const auto& [name, value] : config.strategy_options) {
      uint64_t v = 0;
      if (!absl::SimpleAtoi(value, &v) || v == 0 || v > (uint64_t{1} << 34)) {
        return absl::InvalidArgumentError(
            absl::StrCat("leveldb Open: option ", name, "='", value, "' is not a positive size"));
      }
      if (name == "max_file_size") {
        o.max_file_size = v;
      } else if (name == "block_size") {
        o.block_size = v;
      } else if (name == "max_open_files" && v < (1u << 30)) {
        o.max_open_files = static_cast<int>(v);
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "leveldb Open: unknown option ", name, " (max_file_size, block_size, max_open_files)"));
      }
    }

    std::error_code ec;
    std::filesystem::create_directories(config.dir, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("leveldb Open: mkdir ", config.dir, ": ", ec.message()));
    }
    leveldb::Logger* file_log = nullptr;
    if (!leveldb::Env::Default()->NewLogger(config.dir + "/LOG", &file_log).ok()) {
      file_log = nullptr;  // the LOG file is a convenience; compaction tracking still works
    }
    on_file_ = config.on_file;
    log_ = std::make_unique<LevelDbLogWatcher>(file_log, [this] { WakeTracker(); });
    cache_.reset(leveldb::NewLRUCache(config.block_cache_bytes));
    filter_.reset(leveldb::NewBloomFilterPolicy(10));
    o.info_log = log_.get();
    o.block_cache = cache_.get();
    o.filter_policy = filter_.get();

    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(o, config.dir, &db);
    if (!s.ok()) return FromLevel(s, absl::StrCat("Open ", config.dir));
    db_.reset(db);
    newest_first_ = config.clustering_newest_first;
    write_options_.sync = config.sync_every_write;
    if (on_file_) {
      stop_ = false;
      tracker_ = std::thread([this] { TrackerLoop(); });
    }
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (db_ == nullptr) return absl::OkStatus();
    if (tracker_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(wake_mu_);
        stop_ = true;
      }
      wake_.notify_all();
      tracker_.join();
      DiffFiles();
    }
    db_.reset();  // waits for LevelDB's background compaction
    filter_.reset();
    cache_.reset();
    log_.reset();
    return absl::OkStatus();
  }

  absl::Status Put(uint64_t p, int64_t c, std::string_view payload) override {
    if (db_ == nullptr) return NotOpen("Put");
    leveldb::Status s = db_->Put(write_options_, KvKey(p, c, newest_first_),
                                 leveldb::Slice(payload.data(), payload.size()));
    return s.ok() ? absl::OkStatus() : FromLevel(s, "Put");
  }

  absl::Status Delete(uint64_t p, int64_t c) override {
    if (db_ == nullptr) return NotOpen("Delete");
    leveldb::Status s = db_->Delete(write_options_, KvKey(p, c, newest_first_));
    return s.ok() ? absl::OkStatus() : FromLevel(s, "Delete");
  }

  // LevelDB has no range deletion: as a LevelDB application would, delete every key of
  // the range found by an iterator, in one WriteBatch.
  absl::Status DeleteUpTo(uint64_t p, int64_t c) override {
    if (db_ == nullptr) return NotOpen("DeleteUpTo");
    std::string begin, end;
    KvRangeUpTo(p, c, newest_first_, &begin, &end);
    leveldb::WriteBatch batch;
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(begin); it->Valid() && it->key().compare(end) < 0; it->Next()) {
      batch.Delete(it->key());
    }
    if (!it->status().ok()) return FromLevel(it->status(), "DeleteUpTo: iterate");
    leveldb::Status s = db_->Write(write_options_, &batch);
    return s.ok() ? absl::OkStatus() : FromLevel(s, "DeleteUpTo");
  }

  absl::StatusOr<bool> Get(uint64_t p, int64_t c, ReadCounters* rc) override {
    if (db_ == nullptr) return NotOpen("Get");
    leveldb::Status s = db_->Get(leveldb::ReadOptions(), KvKey(p, c, newest_first_), &scratch_);
    if (!s.ok() && !s.IsNotFound()) return FromLevel(s, "Get");
    if (rc != nullptr) *rc = ReadCounters{.rows = s.ok() ? 1 : 0};
    return s.ok();
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
    const leveldb::Slice empty;  // every lab key is 16 bytes: nothing to compact here
    db_->CompactRange(&empty, &empty);
    uint64_t seen = log_->activity();
    Clock::time_point quiet_since = Clock::now();
    while (true) {
      if (std::string e = log_->error(); !e.empty()) {
        return absl::InternalError(absl::StrCat("leveldb Settle: background error: ", e));
      }
      const Clock::time_point now = Clock::now();
      if (const uint64_t a = log_->activity(); a != seen) {
        seen = a;
        quiet_since = now;
      }
      const bool busy = log_->busy();
      const bool due = LevelDbSizeCompactionDue(ParseLevelDbSstables(Property("leveldb.sstables")));
      if (!busy && !due && now - quiet_since >= std::chrono::milliseconds(50)) break;
      if (!busy && due && now - quiet_since >= std::chrono::seconds(30)) {
        return absl::InternalError(
            "leveldb Settle: a level is over its size target but no compaction ran for 30 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    DiffFiles();
    return absl::OkStatus();
  }

  absl::Status CompactAll() override {
    if (db_ == nullptr) return NotOpen("CompactAll");
    db_->CompactRange(nullptr, nullptr);
    return Settle();
  }

  EngineStats Stats() override {
    EngineStats st;
    if (db_ == nullptr) return st;
    for (const auto& [number, f] : ParseLevelDbSstables(Property("leveldb.sstables"))) {
      ++st.sstables;
      st.sstable_bytes += f.bytes;
      ++st.files_per_level[f.level];
    }
    st.bytes_compacted = log_->compacted_bytes();
    return st;  // pending compactions: LevelDB exposes none (-1)
  }

 private:
  static absl::Status NotOpen(std::string_view op) {
    return absl::FailedPreconditionError(absl::StrCat("leveldb ", std::string(op), ": not open"));
  }
  static std::string Prefix(uint64_t p) { return KvKey(p, 0, false).substr(0, 8); }

  std::string Property(const char* name) {
    std::string v;
    if (!db_->GetProperty(name, &v)) v.clear();
    return v;
  }

  absl::StatusOr<int64_t> Scan(const std::string& start, uint64_t p, int limit, bool one_partition,
                               ReadCounters* rc) {
    if (db_ == nullptr) return NotOpen(one_partition ? "Slice" : "ScanPartitions");
    if (limit < 0) return absl::InvalidArgumentError("leveldb scan: negative limit");
    int64_t rows = 0;
    if (limit > 0) {
      std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
      const std::string prefix = Prefix(p);
      for (it->Seek(start); it->Valid() && rows < limit; it->Next()) {
        if (one_partition && !it->key().starts_with(prefix)) break;
        scratch_.assign(it->value().data(), it->value().size());
        ++rows;
      }
      if (!it->status().ok()) return FromLevel(it->status(), "scan");
    }
    if (rc != nullptr) *rc = ReadCounters{.rows = rows};
    return rows;
  }

  void WakeTracker() {
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      dirty_ = true;
    }
    wake_.notify_one();
  }

  void TrackerLoop() {
    std::unique_lock<std::mutex> lock(wake_mu_);
    while (!stop_) {
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || dirty_; });
      if (stop_) break;
      dirty_ = false;
      lock.unlock();
      DiffFiles();
      lock.lock();
    }
  }

  // Reports the difference between the last reported file set and the current one.
  void DiffFiles() {
    if (!on_file_) return;
    std::lock_guard<std::mutex> lock(diff_mu_);
    std::map<uint64_t, LevelDbTableFile> now = ParseLevelDbSstables(Property("leveldb.sstables"));
    for (const auto& [number, f] : reported_) {
      auto it = now.find(number);
      if (it == now.end() || it->second.level != f.level) {
        on_file_(FileEvent{.file = number, .level = f.level, .bytes = f.bytes, .created = false});
      }
    }
    for (const auto& [number, f] : now) {
      auto it = reported_.find(number);
      if (it == reported_.end() || it->second.level != f.level) {
        on_file_(FileEvent{.file = number, .level = f.level, .bytes = f.bytes, .created = true});
      }
    }
    reported_ = std::move(now);
  }

  bool newest_first_ = true;
  leveldb::WriteOptions write_options_;
  FileEventSink on_file_;
  std::unique_ptr<LevelDbLogWatcher> log_;  // the members below db_ outlive it
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
  std::string scratch_;  // where reads copy values, as a client would

  std::thread tracker_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool dirty_ = false;
  bool stop_ = false;
  std::mutex diff_mu_;
  std::map<uint64_t, LevelDbTableFile> reported_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> MakeLevelDbEngine() {
  return std::unique_ptr<Engine>(std::make_unique<LevelDbEngine>());
}

}  // namespace cassette::lab

// DbImpl: the engine behind cassette::Db.
//
// Concurrency (LevelDB's model, adapted):
//   mu_ guards the writer queue, the table map, each table's memtable list and SSTable
//     list, the manifest, sequence numbers and timestamps, and the background state.
//     It is held only for short stretches.
//   The writer at the front of writers_ is the leader: it alone appends to the commit
//     log and inserts into active memtables, and it does both with mu_ released, so
//     other writers can queue up behind it and share its next log sync (group commit).
//   Readers copy shared_ptrs to the memtables and SSTables under mu_, load visible_seq_,
//     and read lock-free. visible_seq_ is published (release) after a group's memtable
//     inserts; a reader that loads it (acquire) sees whole batches only.
//   The flush thread writes immutable memtables to SSTables with mu_ released, then
//     records them in the manifest and swaps them in under mu_.
// Lock order: mu_ is the only engine lock; the commit log and manifest have their own
// internal locking or are used under mu_.

#ifndef CASSETTE_DB_DB_IMPL_H_
#define CASSETTE_DB_DB_IMPL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "cassette/db.h"
#include "commitlog/commit_log.h"
#include "compaction/compaction_state.h"
#include "compaction/strategy.h"
#include "db/manifest.h"
#include "db/table_info.h"
#include "memtable/memtable.h"
#include "sstable/block_cache.h"
#include "sstable/sstable_reader.h"
#include "util/mutex.h"
#include "util/rate_limiter.h"

namespace cassette {

// The clock's seconds (deletion times, TTL expiry): floor, also before 1970.
inline int64_t FloorSeconds(int64_t micros) {
  int64_t s = micros / 1'000'000;
  return (micros % 1'000'000 < 0) ? s - 1 : s;
}

class DbImpl final : public Db {
 public:
  static absl::StatusOr<std::unique_ptr<Db>> OpenImpl(const Options& options,
                                                      const std::string& folder);
  ~DbImpl() override;

  using Db::Write;
  absl::Status CreateTable(const TableSchema& schema) override;
  absl::StatusOr<TableSchema> GetSchema(std::string_view table) const override;
  std::vector<std::string> ListTables() const override;
  absl::Status Write(const WriteBatch& batch, const WriteSyncOptions& options) override;
  std::future<absl::Status> WriteAsync(WriteBatch batch, const WriteSyncOptions& options) override;
  absl::StatusOr<ResultSet> Select(const SelectQuery& query) override;
  absl::StatusOr<ResultSet> Select(const SelectQuery& query, RowVisitor visit) override;
  absl::StatusOr<std::optional<ResultRow>> Get(std::string_view table,
                                               const ColumnValues& primary_key,
                                               std::vector<std::string> columns) override;
  absl::Status SwitchMemtable(std::string_view table) override;
  absl::Status Flush(std::string_view table) override;
  absl::StatusOr<TableStats> GetTableStats(std::string_view table) const override;
  absl::Status Compact(std::string_view table) override;
  absl::Status GarbageCollect(std::string_view table) override;
  absl::Status SetCompaction(std::string_view table, const std::string& class_name,
                             const std::map<std::string, std::string>& options) override;
  absl::Status WaitForCompactions(std::string_view table) override;
  absl::StatusOr<CompactionStats> GetCompactionStats(std::string_view table) const override;
  std::vector<CompactionEvent> CompactionHistory() const override;

 private:
  // Both Selects: rows go to *visit when it is set, into the ResultSet otherwise.
  absl::StatusOr<ResultSet> Select(const SelectQuery& query, const RowVisitor* visit);
  // A memtable and the span of the commit log whose records it holds.
  struct MemRef {
    std::shared_ptr<Memtable> mem = std::make_shared<Memtable>();
    bool empty = true;
    LogPosition first;  // where its first record starts (valid if !empty)
    LogPosition last;   // where its last record ends
  };
  struct TableState {
    std::shared_ptr<const TableInfo> info;
    MemRef active;
    std::deque<MemRef> immutables;                         // oldest at the front
    std::vector<std::shared_ptr<const SSTable>> sstables;  // newest first
    // What a read sees of `sstables`: the same tables ordered by max_timestamp, newest
    // first (a partition deletion found early lets older ones be skipped,
    // merged_partition.cc). Rebuilt by RefreshReadView whenever `sstables` changes, so a
    // read takes one reference instead of copying and sorting the list.
    std::shared_ptr<const std::vector<std::shared_ptr<const SSTable>>> read_view =
        std::make_shared<const std::vector<std::shared_ptr<const SSTable>>>();
    // Compaction (db_compact.cc). The strategy lives in info (TableInfo::compaction()).
    std::map<uint64_t, int32_t> levels;                 // live SSTable -> level, as in the manifest
    std::set<uint64_t> compacting;                      // inputs of running tasks
    std::map<int32_t, std::string> last_compacted_key;  // LCS round robin
    std::vector<CompactionEvent> running;               // events of the running tasks
    int running_compactions = 0;
    bool manual_running = false;    // Compact/GarbageCollect hold the table
    absl::Status compaction_error;  // a failed job pauses background compaction
    uint64_t flush_size_bytes = 0;  // moving average of flushed SSTable sizes
    int64_t compactions_completed = 0;
    uint64_t bytes_compacted = 0;
    int64_t switch_count = 0;
    int64_t flush_count = 0;
    int64_t write_stall_micros = 0;
    std::atomic<int64_t> writes{0};
    std::atomic<int64_t> reads{0};
  };
  struct Writer;

  DbImpl(const Options& options, std::string folder, Env* env);

  absl::Status Recover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RemoveOrphans() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TableState* FindTable(std::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  static void RefreshReadView(TableState* t);  // after every change to t->sstables
  void SwitchLocked(TableState* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits while `t` has too many memtables waiting for flush.
  absl::Status MakeRoom(TableState* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues a write (or a memtable switch) and returns its status once applied.
  absl::Status Enqueue(Writer* w) ABSL_LOCKS_EXCLUDED(mu_);
  void LeadGroup(Writer* leader) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Leads `first`'s group, then hands the queue's head to its leader: the waiting
  // thread of a Write, or the async leader thread for a WriteAsync.
  void LeadGroups(Writer* first) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AsyncLeaderLoop();
  // Marks `w` done with its status and wakes (or, if asynchronous, fulfils and deletes) it.
  void Complete(Writer* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DiscardFlushedLog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FlushLoop();
  absl::Status FlushMemtable(TableState* t, const MemRef& m, uint64_t file_number,
                             std::shared_ptr<const SSTable>* out);
  void Warn(const std::string& msg) const;

  // Compaction (db_compact.cc).
  CompactionState CompactionStateLocked(const TableState* t) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  CompactionView ViewLocked(const TableState* t, const CompactionState* state) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The next background task of any table; false if none.
  bool PickLocked(TableState** table, CompactionTask* task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `task` on `t`, releasing mu_ during I/O; records the result.
  absl::Status RunTaskLocked(TableState* t, CompactionTask task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CompactionLoop();
  // Major compaction or garbagecollect: waits for the table's running tasks, then runs
  // the tasks `make` returns in the calling thread.
  absl::Status RunManual(
      std::string_view table,
      const std::function<std::vector<CompactionTask>(const TableState*, const CompactionView&)>&
          make);
  template <typename F>
  void Notify(F&& f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (options_.listener == nullptr) return;
    mu_.Unlock();
    f(*options_.listener);
    mu_.Lock();
  }

  const Options options_;
  const std::string folder_;
  Env* const env_;
  const std::shared_ptr<Clock> clock_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<SharedBlockCache> block_cache_;  // null if disabled

  mutable Mutex mu_;
  CondVar bg_cv_;  // flush finished / work queued / shutting down
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<TableState>> tables_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Manifest> manifest_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<CommitLog> log_;  // appended by the leader only; internally locked
  uint64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_timestamp_ ABSL_GUARDED_BY(mu_) = INT64_MIN;
  absl::Status bg_error_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  int flushes_running_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread flush_thread_;
  CondVar async_cv_;          // an asynchronous write reached the queue's head
  std::thread async_leader_;  // leads groups whose head is a WriteAsync
  std::vector<std::thread> compaction_threads_;
  std::unique_ptr<RateLimiter> compaction_limiter_;
  std::deque<CompactionEvent> history_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> cancel_{false};  // set at close: running jobs stop early

  std::atomic<uint64_t> visible_seq_{0};
};

}  // namespace cassette

#endif  // CASSETTE_DB_DB_IMPL_H_

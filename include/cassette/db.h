// cassette/db.h — an open cassette database.
//
// Contract:
// - Db::Open returns an owning handle; destroying it closes the database.
// - Every method is thread-safe: writes are serialized internally, reads run
//   concurrently with writes and with each other and never block on them.
// - Errors are absl::Status values, never exceptions: InvalidArgument for bad input
//   (naming the item and why), NotFound for unknown tables, AlreadyExists,
//   FailedPrecondition/ResourceExhausted as documented per call.
// - A Write is visible atomically to reads that start after it returns.

#ifndef CASSETTE_DB_H_
#define CASSETTE_DB_H_

#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cassette/compaction.h"
#include "cassette/options.h"
#include "cassette/query.h"
#include "cassette/schema.h"
#include "cassette/write_batch.h"

namespace cassette {

struct TableStats {
  int64_t memtable_count = 0;  // active + immutable memtables
  int64_t memtable_bytes = 0;  // arena bytes of all memtables
  int64_t memtable_switch_count = 0;
  int64_t write_count = 0;  // mutations applied
  int64_t read_count = 0;
  int64_t flush_count = 0;
  int64_t write_stall_micros = 0;  // time writers waited for flushes
  int64_t sstable_count = 0;
  int64_t sstable_bytes = 0;  // on disk
};

class Db {
 public:
  // Opens (or creates, with options.create_if_missing) the database in `folder`.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const Options& options,
                                                  const std::string& folder);
  virtual ~Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // CREATE TABLE. InvalidArgument naming the bad item; AlreadyExists if present.
  [[nodiscard]] virtual absl::Status CreateTable(const TableSchema& schema) = 0;
  // NotFound if the table does not exist.
  virtual absl::StatusOr<TableSchema> GetSchema(std::string_view table) const = 0;
  virtual std::vector<std::string> ListTables() const = 0;

  // Applies the batch atomically (all or nothing). InvalidArgument if any mutation is
  // invalid, with nothing applied.
  [[nodiscard]] absl::Status Write(const WriteBatch& batch) { return Write(batch, {}); }
  // The same, with per-write durability: with sync, the batch is in the synced commit
  // log before this returns OK. Once a commit-log sync has failed, every later write
  // fails (Unavailable) until the database is reopened: nothing is acknowledged that
  // might not be durable.
  [[nodiscard]] virtual absl::Status Write(const WriteBatch& batch,
                                           const WriteSyncOptions& options) = 0;

  // The same write without waiting for it: the future becomes ready with exactly the
  // status Write would have returned, once the batch is applied (and, with sync or a
  // batch/group commitlog_sync, in the synced commit log). Writes complete in the order
  // they were queued. One thread can so keep many writes in flight and share one
  // commit-log sync among them, as an asynchronous driver does against Cassandra. It
  // does not wait for the write: an engine thread leads queued asynchronous writes.
  // Writes still queued when the Db is destroyed are completed first. Thread-safe.
  [[nodiscard]] virtual std::future<absl::Status> WriteAsync(
      WriteBatch batch, const WriteSyncOptions& options = {}) = 0;

  // SELECT. ResourceExhausted when tombstone_failure_threshold is exceeded (the message
  // names table, partition and counts); InvalidArgument for a bad query.
  virtual absl::StatusOr<ResultSet> Select(const SelectQuery& query) = 0;
  // The same SELECT with each row lent to `visit` instead of copied into the ResultSet:
  // rows stays empty; columns, paging_state and stats are filled as above. Nothing is
  // allocated per row, so this is the form for hot read loops (RocksDB's iterator habit).
  // The views are valid only during the call. `visit` runs on the calling thread with no
  // lock held and may use this Db; the read does not see writes made after it started.
  virtual absl::StatusOr<ResultSet> Select(const SelectQuery& query, RowVisitor visit) = 0;

  // One CQL row by full primary key, or nullopt if it does not exist.
  virtual absl::StatusOr<std::optional<ResultRow>> Get(std::string_view table,
                                                       const ColumnValues& primary_key,
                                                       std::vector<std::string> columns = {}) = 0;

  // Makes the table's active memtable immutable and starts a new one (the memtable
  // budget does this automatically). Reads keep seeing everything.
  [[nodiscard]] virtual absl::Status SwitchMemtable(std::string_view table) = 0;

  // Switches the memtable and waits until every memtable of the table is in an SSTable
  // (nodetool flush). Unavailable if a flush failed earlier.
  [[nodiscard]] virtual absl::Status Flush(std::string_view table) = 0;

  virtual absl::StatusOr<TableStats> GetTableStats(std::string_view table) const = 0;

  // ---- Compaction (docs/compaction/) ----

  // Major compaction (nodetool compact): flushes the table, then runs the strategy's
  // major tasks and waits for them. Unavailable if the engine has stopped on an error.
  [[nodiscard]] virtual absl::Status Compact(std::string_view table) = 0;
  // nodetool garbagecollect: rewrites each SSTable alone, dropping what is purgeable
  // (§6: gc_grace passed and nothing older outside it), and waits.
  [[nodiscard]] virtual absl::Status GarbageCollect(std::string_view table) = 0;
  // ALTER TABLE ... WITH compaction = {...}: validates (InvalidArgument naming a bad
  // option), records it durably, and switches the live table to it; e.g. STCS -> LCS
  // puts every SSTable in L0 and levels them from there.
  [[nodiscard]] virtual absl::Status SetCompaction(
      std::string_view table, const std::string& class_name,
      const std::map<std::string, std::string>& options) = 0;
  // Blocks until no compaction is running or pending for the table (background work
  // picked by the strategy included). Unavailable if the engine stopped on an error.
  [[nodiscard]] virtual absl::Status WaitForCompactions(std::string_view table) = 0;
  virtual absl::StatusOr<CompactionStats> GetCompactionStats(std::string_view table) const = 0;
  // Finished compactions, oldest first (at most Options::compaction_history_size).
  virtual std::vector<CompactionEvent> CompactionHistory() const = 0;

 protected:
  Db() = default;
};

}  // namespace cassette

#endif  // CASSETTE_DB_H_

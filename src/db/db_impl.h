// DbImpl: the engine behind cassette::Db.
//
// Concurrency:
//   write_mu_ serializes writers: timestamp assignment, validation, sequence numbers,
//     memtable switches and memtable inserts all happen under it.
//   mu_ guards the table map and each table's memtable list; readers hold it only to
//     copy shared_ptrs, then read lock-free.
//   visible_seq_ is the sequence number of the newest fully applied batch; a reader's
//     snapshot is its value when the read starts. Lock order: write_mu_ before mu_.

#ifndef CASSETTE_DB_DB_IMPL_H_
#define CASSETTE_DB_DB_IMPL_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "cassette/db.h"
#include "db/table_info.h"
#include "memtable/memtable.h"

namespace cassette {

class DbImpl final : public Db {
 public:
  DbImpl(const Options& options, std::string folder);
  ~DbImpl() override;

  absl::Status CreateTable(const TableSchema& schema) override;
  absl::StatusOr<TableSchema> GetSchema(std::string_view table) const override;
  std::vector<std::string> ListTables() const override;
  absl::Status Write(const WriteBatch& batch) override;
  absl::StatusOr<ResultSet> Select(const SelectQuery& query) override;
  absl::StatusOr<std::optional<ResultRow>> Get(std::string_view table,
                                               const ColumnValues& primary_key,
                                               std::vector<std::string> columns) override;
  absl::Status SwitchMemtable(std::string_view table) override;
  absl::StatusOr<TableStats> GetTableStats(std::string_view table) const override;

 private:
  struct TableState {
    std::shared_ptr<const TableInfo> info;
    std::shared_ptr<Memtable> active;
    std::vector<std::shared_ptr<const Memtable>> immutables;  // newest first
    int64_t switch_count = 0;
    std::atomic<int64_t> writes{0};
    std::atomic<int64_t> reads{0};
  };

  TableState* FindTable(std::string_view name) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void SwitchLocked(TableState* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_, mu_);
  void Warn(const std::string& msg) const;

  const Options options_;
  const std::string folder_;
  const std::shared_ptr<Clock> clock_;

  absl::Mutex write_mu_;
  uint64_t last_seq_ ABSL_GUARDED_BY(write_mu_) = 0;
  int64_t last_timestamp_ ABSL_GUARDED_BY(write_mu_) = INT64_MIN;

  mutable absl::Mutex mu_ ABSL_ACQUIRED_AFTER(write_mu_);
  absl::flat_hash_map<std::string, std::unique_ptr<TableState>> tables_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> visible_seq_{0};
};

}  // namespace cassette

#endif  // CASSETTE_DB_DB_IMPL_H_

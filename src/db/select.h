// SELECT execution: partitions in order, rows per partition through MergedPartition,
// liveness, purge and tombstone counting (§12), projection, LIMIT and paging.

#ifndef CASSETTE_DB_SELECT_H_
#define CASSETTE_DB_SELECT_H_

#include <functional>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "cassette/query.h"
#include "db/table_info.h"
#include "row/source.h"

namespace cassette {

struct SelectContext {
  const TableInfo* table = nullptr;
  std::span<Source* const> sources;  // every source of the table, one snapshot
  size_t memtable_sources = 0;       // the first ones are memtables, the rest SSTables
  int64_t now_sec = 0;
  std::function<void(const std::string&)> warn;  // receives threshold warnings
};

// Rows go to *visit (lent, ResultSet::rows left empty) when visit is not null.
absl::StatusOr<ResultSet> ExecuteSelect(const SelectContext& ctx, const SelectQuery& query,
                                        const RowVisitor* visit = nullptr);

}  // namespace cassette

#endif  // CASSETTE_DB_SELECT_H_

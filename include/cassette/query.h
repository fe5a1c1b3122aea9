// cassette/query.h — the read API: CQL SELECT over one partition or the whole table.

#ifndef CASSETTE_QUERY_H_
#define CASSETTE_QUERY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "cassette/value.h"
#include "cassette/write_batch.h"

namespace cassette {

struct SelectQuery {
  std::string table;  // "keyspace.table"

  // WHERE on the partition key: every partition key column named. Empty: scan the whole
  // table in token order (then `slice` must be open and `reversed` false: cassette does
  // not filter, as Cassandra without ALLOW FILTERING).
  ColumnValues partition_key;
  ClusteringSlice slice;
  bool reversed = false;  // ORDER BY the clustering columns reversed
  // Scans only (partition_key empty): start at the first partition whose token is >= the
  // token of this partition key (CQL `WHERE token(pk) >= token(...)`, how YCSB's scan
  // runs on Cassandra). Names every partition key column; empty = from the lowest token.
  ColumnValues token_start;

  // LIMIT in CQL rows across all pages; 0 = none.
  int64_t limit = 0;
  // Columns in result order; empty = SELECT * (partition key, clustering, static and
  // regular columns in name order).
  std::vector<std::string> columns;
  // Fill ResultRow::writetime and ::ttl (CQL WRITETIME() and TTL()).
  bool with_writetime_ttl = false;

  // Paging: at most page_size rows per call (0 = everything). Pass the previous
  // ResultSet::paging_state to continue; the query must otherwise be unchanged.
  int32_t page_size = 0;
  std::string paging_state;
};

struct ResultRow {
  std::vector<Value> values;  // one per result column; null Value for null
  // Per column, when with_writetime_ttl: the cell's write timestamp (µs) and remaining
  // TTL (s). nullopt for key columns, null cells, and (ttl) cells without TTL.
  std::vector<std::optional<int64_t>> writetime;
  std::vector<std::optional<int32_t>> ttl;
  friend bool operator==(const ResultRow&, const ResultRow&) = default;
};

// A result row lent to a RowVisitor (Db::Select's visitor form): views into the
// database's memory and the read's own buffers, valid only during the visitor's call.
// Copy what must outlive it (ToResultRow, or the bytes of a ValueView).
struct RowView {
  std::span<const ValueView> values;  // one per result column; null view for null
  // As ResultRow's, when with_writetime_ttl; empty otherwise.
  std::span<const std::optional<int64_t>> writetime;
  std::span<const std::optional<int32_t>> ttl;

  ResultRow ToResultRow() const;
};

// Called once per result row, in result order. Return false to end the page after this
// row: the ResultSet's paging_state then resumes after it, as when page_size is reached.
using RowVisitor = absl::FunctionRef<bool(const RowView&)>;

struct ReadStats {
  int64_t live_rows = 0;           // CQL rows returned
  int64_t tombstones_scanned = 0;  // counted as Cassandra does (docs/data-model.md)
  int64_t partitions_scanned = 0;
  int64_t sources_touched = 0;        // memtables and SSTables that held the partitions read
  int64_t sstables_touched = 0;       // of those, SSTables (Cassandra's SSTables per read)
  std::vector<std::string> warnings;  // e.g. tombstone_warn_threshold exceeded
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<ResultRow> rows;
  // Non-empty when more rows may follow; pass it back in SelectQuery::paging_state.
  std::string paging_state;
  ReadStats stats;

  // cqlsh's rendering: header, separator, right-aligned values, "(N rows)".
  std::string ToTable() const;
};

}  // namespace cassette

#endif  // CASSETTE_QUERY_H_

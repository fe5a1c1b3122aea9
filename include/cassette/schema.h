// cassette/schema.h — table definitions, as CQL's CREATE TABLE.
//
// A TableSchema is a plain description; Db::CreateTable validates it and returns
// InvalidArgument naming the offending item. Limits are documented in docs/data-model.md.

#ifndef CASSETTE_SCHEMA_H_
#define CASSETTE_SCHEMA_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cassette/value.h"

namespace cassette {

// Do not change the numeric values: embedded in on-disk data (schema records).
enum class ColumnKind : uint8_t {
  kPartitionKey = 1,
  kClustering = 2,
  kStatic = 3,
  kRegular = 4,
};

enum class ClusteringOrder : uint8_t { kAsc = 0, kDesc = 1 };

struct ColumnDef {
  std::string name;  // [A-Za-z0-9_]{1,48}, unique in the table
  CqlType type = CqlType::kInt;
  ColumnKind kind = ColumnKind::kRegular;
  ClusteringOrder order = ClusteringOrder::kAsc;  // clustering columns only
  friend bool operator==(const ColumnDef&, const ColumnDef&) = default;
};

// Table options, each with its CQL name and Cassandra's default.
struct TableOptions {
  int32_t default_time_to_live = 0;   // seconds, 0..630720000; 0 = none
  int32_t gc_grace_seconds = 864000;  // 10 days; >= 0
  // compaction = {'class': ..., <option>: <value>, ...} as in CQL. Class names may be
  // short ("SizeTieredCompactionStrategy") or fully qualified.
  std::string compaction_class = "SizeTieredCompactionStrategy";
  std::map<std::string, std::string> compaction_options;
  int32_t tombstone_warn_threshold = 1000;       // read warns when tombstones > this
  int32_t tombstone_failure_threshold = 100000;  // read fails when tombstones > this
};

struct TableSchema {
  std::string keyspace;  // [A-Za-z0-9_]{1,48}
  std::string name;      // [A-Za-z0-9_]{1,48}
  // Partition key columns in key order, clustering columns in clustering order, then
  // static and regular columns in any order. At least one partition key column; static
  // columns need at least one clustering column.
  std::vector<ColumnDef> columns;
  TableOptions options;

  // "keyspace.name"
  std::string QualifiedName() const { return keyspace + "." + name; }
};

}  // namespace cassette

#endif  // CASSETTE_SCHEMA_H_

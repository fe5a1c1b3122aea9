// TableInfo: a validated TableSchema resolved for the engine's use (column ids, key
// layouts, lookup by name). Immutable once built; shared by writers and readers.

#ifndef CASSETTE_DB_TABLE_INFO_H_
#define CASSETTE_DB_TABLE_INFO_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cassette/schema.h"
#include "compaction/strategy.h"
#include "types/comparable.h"

namespace cassette {

// Documented limits (docs/data-model.md).
inline constexpr size_t kMaxNameLength = 48;
inline constexpr size_t kMaxKeyComponentSize = 65535;  // each key column value
inline constexpr size_t kMaxPartitionKeySize = 65535;  // serialized partition key
inline constexpr size_t kMaxValueSize = 16 << 20;      // one cell value

class TableInfo {
 public:
  // Validates `schema`; InvalidArgument naming the bad item.
  static absl::StatusOr<std::shared_ptr<const TableInfo>> Build(const TableSchema& schema);

  const TableSchema& schema() const { return schema_; }
  const std::string& qualified_name() const { return qualified_name_; }
  // "select on ks.t": the context of a SELECT's error messages, made once, not per read.
  const std::string& select_context() const { return select_context_; }
  const ColumnDef& column(uint32_t id) const { return schema_.columns[id]; }
  size_t column_count() const { return schema_.columns.size(); }

  // Column id by name, or -1.
  int FindColumn(std::string_view name) const;

  const std::vector<uint32_t>& partition_key_columns() const { return pk_; }
  const std::vector<uint32_t>& clustering_columns() const { return ck_; }
  const std::vector<ClusteringColumnType>& clustering_types() const { return ck_types_; }
  const std::vector<CqlType>& partition_key_types() const { return pk_types_; }
  // SELECT * order: partition key, clustering, static by name, regular by name.
  const std::vector<uint32_t>& select_star_order() const { return star_; }
  bool has_static_columns() const { return has_static_; }
  // The table's compaction strategy, built from its options.
  const CompactionStrategy& compaction() const { return *compaction_; }

 private:
  TableSchema schema_;
  std::string qualified_name_;
  std::string select_context_;
  absl::flat_hash_map<std::string, uint32_t> by_name_;
  std::vector<uint32_t> pk_, ck_, star_;
  std::vector<ClusteringColumnType> ck_types_;
  std::vector<CqlType> pk_types_;
  bool has_static_ = false;
  std::shared_ptr<const CompactionStrategy> compaction_;
};

// [A-Za-z0-9_]{1,48}; `what` names the item in the error ("keyspace name").
absl::Status ValidateName(std::string_view name, std::string_view what);

// Accepts the compaction classes cassette knows, short or fully qualified, and returns
// the short name.
absl::StatusOr<std::string> CanonicalCompactionClass(std::string_view name);

}  // namespace cassette

#endif  // CASSETTE_DB_TABLE_INFO_H_

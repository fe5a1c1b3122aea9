// Turns the public WriteBatch into PartitionUpdates: every check a write needs (table,
// columns, types, nulls in keys, sizes, TTL, timestamps, bounds) happens here, before
// anything is applied, so a bad batch changes nothing.

#ifndef CASSETTE_DB_MUTATION_BUILDER_H_
#define CASSETTE_DB_MUTATION_BUILDER_H_

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cassette/write_batch.h"
#include "db/table_info.h"
#include "memtable/partition_update.h"

namespace cassette {

struct BuiltMutation {
  std::shared_ptr<const TableInfo> table;
  PartitionUpdate update;
};

using TableLookup = std::function<std::shared_ptr<const TableInfo>(std::string_view)>;

// Cell values in the result point into `batch`'s Values: `batch` must outlive it.
// `timestamp` is the batch timestamp (µs) for mutations without one; `now_sec` the
// write's local time for TTL expiry and deletion times.
absl::StatusOr<std::vector<BuiltMutation>> BuildMutations(const WriteBatch& batch,
                                                          const TableLookup& tables,
                                                          int64_t timestamp, int64_t now_sec);

// Shared with the read path: the partition key named in `key` (exactly the partition key
// columns), decorated. `where` prefixes error messages.
absl::StatusOr<std::string> BuildPartitionKey(const TableInfo& table, const ColumnValues& key,
                                              std::string_view where);

// Encodes a clustering slice as the half-open byte range [lo, hi) (types/comparable.h).
absl::Status EncodeSlice(const TableInfo& table, const ClusteringSlice& slice,
                         std::string_view where, std::string* lo, std::string* hi);

// Checks a key component value: non-null, right type, valid, within size limits.
absl::Status CheckKeyValue(const TableInfo& table, uint32_t column, const Value& v,
                           std::string_view where);

}  // namespace cassette

#endif  // CASSETTE_DB_MUTATION_BUILDER_H_

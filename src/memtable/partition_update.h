// PartitionUpdate: one mutation, validated and encoded, ready for the memtable (and,
// with the next layer, the commit log). Produced by db/mutation_builder.

#ifndef CASSETTE_MEMTABLE_PARTITION_UPDATE_H_
#define CASSETTE_MEMTABLE_PARTITION_UPDATE_H_

#include <string>
#include <vector>

#include "row/cell.h"
#include "tombstone/deletion_time.h"
#include "tombstone/range_tombstone_list.h"

namespace cassette {

struct RowUpdate {
  std::string clustering;  // comparable encoding; empty for the static row
  bool is_static = false;
  Row row;  // row.clustering is ignored; cells sorted by column id
};

struct PartitionUpdate {
  std::string decorated_key;  // types/partition_key.h
  DeletionTime partition_deletion;
  std::vector<RangeTombstone> range_tombstones;
  std::vector<RowUpdate> rows;
};

}  // namespace cassette

#endif  // CASSETTE_MEMTABLE_PARTITION_UPDATE_H_

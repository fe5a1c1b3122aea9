// The read path's view of one source of data (a memtable now, an SSTable later): the
// partitions it holds, each partition's header (partition deletion, range tombstones,
// static row) and its rows in clustering order. db/partition_reader merges sources.
//
// Contract for every implementation:
// - A Source answers for one fixed snapshot; concurrent writes never show through.
// - Views returned (clustering, cell values, keys) stay valid until the cursor that
//   produced them moves or is destroyed; PartitionHeader data stays valid as long as
//   the Source lives.
// - A cursor whose status() is not OK is !Valid().
// Thread safety: a Source and its cursors are used by one thread at a time.

#ifndef CASSETTE_ROW_SOURCE_H_
#define CASSETTE_ROW_SOURCE_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "row/cell.h"
#include "tombstone/range_tombstone_list.h"

namespace cassette {

struct PartitionHeader {
  DeletionTime deletion;
  RangeTombstoneList range_tombstones;
  Row static_row;  // empty if the source has no static data for the partition
};

class RowCursor {
 public:
  virtual ~RowCursor() = default;
  virtual bool Valid() const = 0;
  // REQUIRES: Valid().
  virtual const Row& row() const = 0;
  // row().clustering, which a cursor that decodes rows lazily can give without decoding
  // the row. REQUIRES: Valid().
  virtual std::string_view clustering() const { return row().clustering; }
  virtual void Next() = 0;
  virtual absl::Status status() const = 0;
};

class PartitionCursor {
 public:
  virtual ~PartitionCursor() = default;
  virtual bool Valid() const = 0;
  // The decorated key (types/partition_key.h). REQUIRES: Valid().
  virtual std::string_view key() const = 0;
  virtual void Next() = 0;
  virtual absl::Status status() const = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  // Fills *header and returns true if this source holds anything for the partition.
  virtual absl::StatusOr<bool> ReadPartition(std::string_view decorated,
                                             PartitionHeader* header) = 0;
  // Rows of the partition with clustering in [lo, hi), ascending, or descending if
  // `reversed`. The static row is not included.
  virtual std::unique_ptr<RowCursor> NewRowCursor(std::string_view decorated, std::string_view lo,
                                                  std::string_view hi, bool reversed) = 0;
  // Partitions with decorated key >= start, in order.
  virtual std::unique_ptr<PartitionCursor> NewPartitionCursor(std::string_view start) = 0;

  // An upper bound of every timestamp in the source (INT64_MAX if unknown). A partition
  // deletion above it shadows all the source holds for the partition, so the read path
  // may skip the source.
  virtual int64_t max_timestamp() const { return INT64_MAX; }
};

}  // namespace cassette

#endif  // CASSETTE_ROW_SOURCE_H_

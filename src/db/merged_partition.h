// MergedPartition: one partition as the union of all sources, reconciled.
//
// Opening it merges the partition headers (deletion, range tombstones, static row) of
// every source; Rows() then yields the partition's rows in clustering order, each the
// reconciliation of that clustering's versions in every source with every deletion
// that covers it applied (partition deletion, range tombstones, row deletion). Rows
// may be dead: deciding liveness, purging and counting is the caller's job.
//
// Thread safety: single-threaded; the sources must outlive the MergedPartition.

#ifndef CASSETTE_DB_MERGED_PARTITION_H_
#define CASSETTE_DB_MERGED_PARTITION_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "row/source.h"

namespace cassette {

class MergedRows {
 public:
  MergedRows(std::vector<std::unique_ptr<RowCursor>> cursors, bool reversed,
             const DeletionTime& partition_deletion, const RangeTombstoneList* rts);
  bool Valid() const { return valid_; }
  // The merged row; its views stay valid until Next(). REQUIRES: Valid().
  const Row& row() const { return row_; }
  void Next();
  const absl::Status& status() const { return status_; }

 private:
  void Compute();
  std::vector<std::unique_ptr<RowCursor>> cursors_;
  std::vector<size_t> current_;  // cursors contributing to row_
  bool reversed_;
  DeletionTime partition_deletion_;
  const RangeTombstoneList* rts_;
  bool valid_ = false;
  Row row_;
  absl::Status status_;
};

class MergedPartition {
 public:
  // Returns nullopt-like false in *found if no source holds the partition.
  static absl::StatusOr<std::unique_ptr<MergedPartition>> Open(std::span<Source* const> sources,
                                                               std::string_view decorated);

  const std::string& key() const { return key_; }
  const DeletionTime& deletion() const { return deletion_; }
  // Superseded fragments already dropped.
  const RangeTombstoneList& range_tombstones() const { return rts_; }
  // Merged, with the partition deletion applied.
  const Row& static_row() const { return static_row_; }
  int sources_with_data() const { return sources_with_data_; }
  // Positions (in the `sources` given to Open) of the sources that hold the partition.
  const std::vector<size_t>& source_positions() const { return positions_; }

  MergedRows Rows(std::string_view lo, std::string_view hi, bool reversed) const;

 private:
  std::string key_;
  std::vector<Source*> sources_;  // those holding the partition
  DeletionTime deletion_;
  RangeTombstoneList rts_;
  Row static_row_;
  std::vector<PartitionHeader> headers_;  // own the static rows' views' backing
  int sources_with_data_ = 0;
  std::vector<size_t> positions_;
};

}  // namespace cassette

#endif  // CASSETTE_DB_MERGED_PARTITION_H_

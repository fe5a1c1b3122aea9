// MergedPartition: one partition as the union of all sources, reconciled.
//
// Opening it merges the partition headers (deletion, range tombstones, static row) of
// every source; Rows() then yields the partition's rows in clustering order, each the
// reconciliation of that clustering's versions in every source with every deletion
// that covers it applied (partition deletion, range tombstones, row deletion). Rows
// may be dead: deciding liveness, purging and counting is the caller's job.
//
// PartitionHeaderMerge and MergedRows are the two halves, usable on their own by a
// caller that reads its sources itself (compaction's sequential scans); both can be
// reset and reused, so such a caller allocates nothing per partition.
//
// Thread safety: single-threaded; the sources must outlive the MergedPartition.

#ifndef CASSETTE_DB_MERGED_PARTITION_H_
#define CASSETTE_DB_MERGED_PARTITION_H_

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "row/source.h"

namespace cassette {

// The partition-level merge: headers are added newest source first.
class PartitionHeaderMerge {
 public:
  void Reset();
  // False if a partition deletion added so far is newer than every timestamp a source
  // whose maximum timestamp is `source_max_timestamp` can hold: all it has for the
  // partition is shadowed, and it is skipped (not added, not counted as a tombstone
  // source; §12). Strictly newer, so a range tombstone tied with the deletion stays.
  bool Admits(int64_t source_max_timestamp) const {
    return deletion_.IsLive() || source_max_timestamp >= deletion_.marked_for_delete_at;
  }
  // The static row's views must stay valid as long as static_row() is used.
  void Add(const PartitionHeader& h);
  // Drops what the merged partition deletion supersedes. REQUIRES: after the last Add.
  void Finish();

  const DeletionTime& deletion() const { return deletion_; }
  const RangeTombstoneList& range_tombstones() const { return rts_; }
  const Row& static_row() const { return static_row_; }
  int added() const { return added_; }

 private:
  DeletionTime deletion_;
  RangeTombstoneList rts_;
  Row static_row_;
  int added_ = 0;
};

class MergedRows {
 public:
  MergedRows() = default;
  MergedRows(std::vector<std::unique_ptr<RowCursor>> cursors, bool reversed,
             const DeletionTime& partition_deletion, const RangeTombstoneList* rts);
  // Restarts over `cursors`, which are not owned: they (and *rts) must stay valid while
  // this merge is used.
  void Reset(std::span<RowCursor* const> cursors, bool reversed,
             const DeletionTime& partition_deletion, const RangeTombstoneList* rts);

  bool Valid() const { return valid_; }
  // The merged row; its views stay valid until Next(). REQUIRES: Valid().
  const Row& row() const {
    if (pending_) Materialize();
    return borrowed_ != nullptr ? *borrowed_ : row_;
  }
  // The position (in the cursors given) of the one cursor the row comes from, if only
  // one holds it and neither the partition deletion nor a range tombstone covers it: the
  // row is then that cursor's row with only its own row deletion applied. -1 otherwise.
  // REQUIRES: Valid().
  int single_source() const { return single_ ? static_cast<int>(current_[0]) : -1; }
  void Next();
  const absl::Status& status() const { return status_; }

 private:
  void Compute();
  // Builds the row of a single source, which Compute leaves to the first row() call: a
  // caller that copies the cursor's row another way never decodes it.
  void Materialize() const;
  // Re-reads cursor i's position into heads_[i] (after it was created or moved).
  void Refresh(size_t i);

  // Each cursor's current clustering, so that finding the next row reads only the
  // cursors that moved: a partition merged from many inputs holds few rows of each.
  struct Head {
    std::string_view clustering;
    bool valid = false;
  };
  std::vector<std::unique_ptr<RowCursor>> owned_;
  // Inline: a read merges a few sources, and these are built on every read.
  absl::InlinedVector<RowCursor*, 4> cursors_;
  absl::InlinedVector<Head, 4> heads_;
  absl::InlinedVector<size_t, 4> current_;  // cursors contributing to the row
  bool reversed_ = false;
  DeletionTime partition_deletion_;
  const RangeTombstoneList* rts_ = nullptr;
  bool valid_ = false;
  bool single_ = false;
  mutable bool pending_ = false;  // single_, and row() not asked for yet
  // A row of one cursor that no deletion touches is that cursor's row itself (no copy).
  mutable const Row* borrowed_ = nullptr;
  mutable Row row_;
  absl::Status status_;
};

// The part of [lo, hi) a read needs from a source whose timestamps are all at most
// `source_max`, given the partition's merged range tombstones: fragments newer than the
// source that touch the start of the read (its end, if reversed) are cut off, since they
// shadow everything the source holds there. Exposed for tests.
std::pair<std::string_view, std::string_view> UnshadowedSlice(const RangeTombstoneList& rts,
                                                              std::string_view lo,
                                                              std::string_view hi, bool reversed,
                                                              int64_t source_max);

class MergedPartition {
 public:
  // Returns nullopt-like false in *found if no source holds the partition.
  static absl::StatusOr<std::unique_ptr<MergedPartition>> Open(std::span<Source* const> sources,
                                                               std::string_view decorated);

  const std::string& key() const { return key_; }
  const DeletionTime& deletion() const { return merged_.deletion(); }
  // Superseded fragments already dropped.
  const RangeTombstoneList& range_tombstones() const { return merged_.range_tombstones(); }
  // Merged, with the partition deletion applied.
  const Row& static_row() const { return merged_.static_row(); }
  const PartitionHeaderMerge& header() const { return merged_; }
  int sources_with_data() const { return sources_with_data_; }
  // Positions (in the `sources` given to Open) of the sources that hold the partition.
  std::span<const size_t> source_positions() const { return positions_; }

  MergedRows Rows(std::string_view lo, std::string_view hi, bool reversed) const;

  // Open, a source at a time, for a reader that decides after each source whether to
  // go on (a point read stops once its answer is settled): Begin, then Add for sources
  // in the order Open takes them (any subset, positions increasing), then Finish.
  static std::unique_ptr<MergedPartition> Begin(std::string_view decorated);
  // Reads the partition's header from `s` (at `position` among the reader's sources)
  // into *h and adds it, as Open does: false if `s` holds nothing for the partition or
  // a partition deletion added before shadows all it has. What is kept of *h is
  // copied (the static row's views are the source's, as with Open).
  absl::StatusOr<bool> Add(size_t position, Source* s, PartitionHeader* h);
  void Finish();
  // Rows() over cursors the caller already made: cursors[k] over the k-th source added,
  // for the same [lo, hi) and direction, not moved since they were made.
  MergedRows RowsFrom(std::vector<std::unique_ptr<RowCursor>> cursors, bool reversed) const;

 private:
  std::string key_;
  absl::InlinedVector<Source*, 4> sources_;  // those holding the partition
  PartitionHeaderMerge merged_;
  int sources_with_data_ = 0;
  absl::InlinedVector<size_t, 4> positions_;
};

}  // namespace cassette

#endif  // CASSETTE_DB_MERGED_PARTITION_H_

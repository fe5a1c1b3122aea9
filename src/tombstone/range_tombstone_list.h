// Range tombstones of one partition, kept as sorted, non-overlapping fragments.
//
// Bounds are comparable clustering encodings (types/comparable.h) and a fragment covers
// the half-open byte range [start, end). Inclusive/exclusive and prefix bounds are
// mapped to such byte strings by the encoder, so here every range is half-open.
// kClusteringTop is greater than every encoded clustering and ends an unbounded range.
//
// The list is fragmented when a tombstone is added, never when it is read: at every
// point the superseding deletion applies (§4), and adjacent fragments with equal
// deletions are joined, so the list is canonical for its content.
//
// Thread safety: a const list may be read concurrently; mutation needs exclusive access.

#ifndef CASSETTE_TOMBSTONE_RANGE_TOMBSTONE_LIST_H_
#define CASSETTE_TOMBSTONE_RANGE_TOMBSTONE_LIST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tombstone/deletion_time.h"

namespace cassette {

inline constexpr std::string_view kClusteringTop = "\xff";

struct RangeTombstone {
  std::string start;  // inclusive
  std::string end;    // exclusive; kClusteringTop for "to the end of the partition"
  DeletionTime deletion;
  friend bool operator==(const RangeTombstone&, const RangeTombstone&) = default;
};

class RangeTombstoneList {
 public:
  // Adds [start, end) deleted at `deletion`. An empty range (start >= end) is ignored.
  void Add(std::string_view start, std::string_view end, const DeletionTime& deletion);
  void AddAll(const RangeTombstoneList& other);

  // The deletion covering `clustering`, or DeletionTime::Live().
  DeletionTime Covering(std::string_view clustering) const;

  // Drops fragments that `partition_deletion` supersedes (§4: a partition deletion
  // drops the range tombstones it supersedes; equal deletions are kept).
  void DropSupersededBy(const DeletionTime& partition_deletion);

  // Drops fragments whose ldt < gc_before (the read path's purge, §6).
  void DropPurgeable(int64_t gc_before);

  // The number of range tombstone markers (bounds and boundaries, as Cassandra emits
  // them) a read of [lo, hi) sees: a fragment clipped to the slice opens with one marker
  // and closes with one; two touching fragments meet at a single boundary marker.
  size_t CountMarkers(std::string_view lo, std::string_view hi) const;

  const std::vector<RangeTombstone>& fragments() const { return fragments_; }
  bool empty() const { return fragments_.empty(); }
  friend bool operator==(const RangeTombstoneList&, const RangeTombstoneList&) = default;

 private:
  std::vector<RangeTombstone> fragments_;  // sorted by start, non-overlapping, canonical
};

}  // namespace cassette

#endif  // CASSETTE_TOMBSTONE_RANGE_TOMBSTONE_LIST_H_

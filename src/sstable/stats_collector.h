// Computes SSTableStats while a writer streams partitions (the rules are in the comments
// of sstable_stats.h; they follow Cassandra's MetadataCollector).
//
// Thread safety: one thread at a time.

#ifndef CASSETTE_SSTABLE_STATS_COLLECTOR_H_
#define CASSETTE_SSTABLE_STATS_COLLECTOR_H_

#include <cstdint>
#include <string_view>

#include "row/cell.h"
#include "sstable/live_row.h"
#include "sstable/sstable_stats.h"
#include "tombstone/range_tombstone_list.h"

namespace cassette {

class StatsCollector {
 public:
  void BeginPartition(std::string_view decorated, const DeletionTime& deletion,
                      const RangeTombstoneList& range_tombstones, const Row& static_row);
  void AddRow(const Row& row);
  // The same as AddRow(r) for the row `row` was parsed from (sstable/live_row.h).
  void AddLiveRow(const LiveRowRecord& row);
  // `bytes`: the partition's uncompressed size in the data stream.
  void EndPartition(uint64_t bytes);
  // The statistics of everything added; fills the fields the collector cannot know.
  SSTableStats Finish(uint64_t uncompressed_bytes, uint64_t data_bytes, int32_t level,
                      int64_t created_at_micros) const;

  // The power-of-two histogram bucket (its upper bound) holding `v`.
  static int64_t Bucket(int64_t v);

 private:
  void AddTimestamp(int64_t ts);
  // Every local deletion time, kNoDeletionTime for live non-expiring data.
  void AddLdt(int64_t ldt);
  void AddTtl(int32_t ttl);
  void AddDeletion(const DeletionTime& d);
  void AddRowContents(const Row& row);
  void AddClustering(std::string_view clustering);

  // Bucket(v) == 2^i counts in [i], INT64_MAX's in [63]: a partition's two histogram
  // entries are array increments; Finish makes the maps.
  static int BucketIndex(int64_t v);
  static constexpr int kBuckets = 64;

  SSTableStats s_;
  int64_t partition_sizes_[kBuckets] = {};
  int64_t cell_counts_[kBuckets] = {};
  bool saw_ttl_ = false;
  bool has_clustering_ = false;  // static rows do not count for the clustering range
  int64_t partition_cells_ = 0;
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_STATS_COLLECTOR_H_

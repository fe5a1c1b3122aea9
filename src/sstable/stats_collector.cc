#include "sstable/stats_collector.h"

#include <algorithm>
#include <bit>
#include <string>

#include "row/byte_order.h"
#include "types/partition_key.h"

namespace cassette {

int64_t StatsCollector::Bucket(int64_t v) {
  if (v <= 1) return 1;
  if (v > (int64_t{1} << 62)) return INT64_MAX;
  return static_cast<int64_t>(std::bit_ceil(static_cast<uint64_t>(v)));
}

int StatsCollector::BucketIndex(int64_t v) {
  const int64_t b = Bucket(v);
  return b == INT64_MAX ? kBuckets - 1 : std::countr_zero(static_cast<uint64_t>(b));
}

void StatsCollector::AddTimestamp(int64_t ts) {
  s_.min_timestamp = std::min(s_.min_timestamp, ts);
  s_.max_timestamp = std::max(s_.max_timestamp, ts);
}

void StatsCollector::AddLdt(int64_t ldt) {
  // A "never" enters max as Cassandra's NO_DELETION_TIME does: such a table never
  // becomes fully expired. It is not a droppable tombstone.
  s_.min_local_deletion_time = std::min(s_.min_local_deletion_time, ldt);
  s_.max_local_deletion_time = std::max(s_.max_local_deletion_time, ldt);
  if (ldt != kNoDeletionTime) ++s_.tombstone_drop_times[ldt];
}

void StatsCollector::AddTtl(int32_t ttl) {
  saw_ttl_ = true;
  s_.min_ttl = std::min(s_.min_ttl, ttl);
  s_.max_ttl = std::max(s_.max_ttl, ttl);
}

void StatsCollector::AddDeletion(const DeletionTime& d) {
  if (d.IsLive()) return;
  AddTimestamp(d.marked_for_delete_at);
  AddLdt(d.ldt);
  ++s_.tombstone_count;
}

void StatsCollector::AddRowContents(const Row& row) {
  ++s_.row_count;
  if (!row.liveness.IsEmpty()) {
    AddTimestamp(row.liveness.timestamp);
    AddLdt(row.liveness.IsExpiring() ? row.liveness.ldt : kNoDeletionTime);
    if (row.liveness.IsExpiring()) AddTtl(row.liveness.ttl);
  }
  AddDeletion(row.deletion);
  for (const Cell& c : row.cells) {
    ++s_.cell_count;
    ++partition_cells_;
    AddTimestamp(c.timestamp);
    AddLdt(c.ldt);  // kNoDeletionTime for a live regular cell
    if (c.IsExpiring()) AddTtl(c.ttl);
    if (c.IsTombstone()) ++s_.tombstone_count;
  }
}

void StatsCollector::BeginPartition(std::string_view decorated, const DeletionTime& deletion,
                                    const RangeTombstoneList& range_tombstones,
                                    const Row& static_row) {
  if (s_.partition_count == 0) {
    s_.first_key.assign(decorated);
    s_.first_token = TokenOfDecorated(decorated);
  }
  // Reuses the string's capacity; the last token is derived once, in Finish.
  s_.last_key.assign(decorated);
  ++s_.partition_count;
  partition_cells_ = 0;
  AddDeletion(deletion);
  for (const RangeTombstone& rt : range_tombstones.fragments()) AddDeletion(rt.deletion);
  if (!static_row.IsEmpty()) AddRowContents(static_row);
}

void StatsCollector::AddClustering(std::string_view clustering) {
  if (!has_clustering_) {
    s_.min_clustering = std::string(clustering);
    s_.max_clustering = std::string(clustering);
    has_clustering_ = true;
  } else if (CompareBytes(clustering, s_.min_clustering) < 0) {
    s_.min_clustering.assign(clustering);
  } else if (CompareBytes(clustering, s_.max_clustering) > 0) {
    s_.max_clustering.assign(clustering);
  }
}

void StatsCollector::AddRow(const Row& row) {
  AddClustering(row.clustering);
  AddRowContents(row);
}

void StatsCollector::AddLiveRow(const LiveRowRecord& row) {
  // AddRowContents of such a row: its marker and cells each add their timestamp and a
  // "never" local deletion time; no TTL, no tombstone. The row is not empty.
  AddClustering(row.clustering);
  ++s_.row_count;
  AddTimestamp(row.min_timestamp);
  AddTimestamp(row.max_timestamp);
  AddLdt(kNoDeletionTime);
  s_.cell_count += row.cells;
  partition_cells_ += row.cells;
}

void StatsCollector::EndPartition(uint64_t bytes) {
  ++partition_sizes_[BucketIndex(static_cast<int64_t>(std::min<uint64_t>(bytes, INT64_MAX)))];
  ++cell_counts_[BucketIndex(partition_cells_)];
}

SSTableStats StatsCollector::Finish(uint64_t uncompressed_bytes, uint64_t data_bytes, int32_t level,
                                    int64_t created_at_micros) const {
  SSTableStats s = s_;
  if (s.partition_count > 0) s.last_token = TokenOfDecorated(s.last_key);
  if (!saw_ttl_) s.min_ttl = 0;
  for (int i = 0; i < kBuckets; ++i) {
    const int64_t bound = i == kBuckets - 1 ? INT64_MAX : int64_t{1} << i;
    if (partition_sizes_[i] > 0) s.partition_size_histogram[bound] += partition_sizes_[i];
    if (cell_counts_[i] > 0) s.cell_count_histogram[bound] += cell_counts_[i];
  }
  s.uncompressed_bytes = uncompressed_bytes;
  s.data_bytes = data_bytes;
  s.level = level;
  s.created_at_micros = created_at_micros;
  return s;
}

}  // namespace cassette

// What an SSTable knows about its contents: everything compaction strategies, the read
// path's skipping rules and the tools (sstablemetadata, tablestats) need.
// Stored in the SSTable's statistics file; see docs/sstable-format.md.

#ifndef CASSETTE_SSTABLE_SSTABLE_STATS_H_
#define CASSETTE_SSTABLE_SSTABLE_STATS_H_

#include <cstdint>
#include <map>
#include <string>

#include "tombstone/deletion_time.h"

namespace cassette {

struct SSTableStats {
  // Over every timestamp in the table: cells, markers, row/range/partition deletions.
  int64_t min_timestamp = INT64_MAX;
  int64_t max_timestamp = INT64_MIN;
  // Over every local deletion time: tombstones' deletion times and expiring cells'
  // expiry times. A live non-expiring cell or marker sets max_local_deletion_time to
  // kNoDeletionTime ("never"), as Cassandra does, so such a table never fully expires.
  int64_t min_local_deletion_time = INT64_MAX;
  int64_t max_local_deletion_time = INT64_MIN;
  int32_t min_ttl = INT32_MAX;  // over expiring cells and markers; 0 if there are none
  int32_t max_ttl = 0;
  std::string min_clustering;  // comparable encodings; empty if no rows
  std::string max_clustering;
  std::string first_key;  // decorated partition keys
  std::string last_key;
  int64_t first_token = 0;
  int64_t last_token = 0;
  int64_t partition_count = 0;
  int64_t row_count = 0;  // rows, static rows included
  int64_t cell_count = 0;
  int64_t tombstone_count = 0;  // cell tombstones + row/range/partition deletions
  // Estimated droppable tombstones: local deletion time (s) -> count. Expiring cells are
  // entered at their expiry time. Compaction sums the entries below gcBefore.
  std::map<int64_t, int64_t> tombstone_drop_times;
  // Histograms keyed by bucket upper bound (powers of two).
  std::map<int64_t, int64_t> partition_size_histogram;  // uncompressed bytes
  std::map<int64_t, int64_t> cell_count_histogram;      // cells per partition
  uint64_t uncompressed_bytes = 0;                      // data file, before compression
  uint64_t data_bytes = 0;                              // data file on disk
  double compression_ratio() const {
    return uncompressed_bytes == 0 ? 1.0 : double(data_bytes) / double(uncompressed_bytes);
  }
  int32_t level = 0;  // LCS level (0 for other strategies)
  int64_t created_at_micros = 0;
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_SSTABLE_STATS_H_

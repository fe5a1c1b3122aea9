// SSTableInfo: what a compaction picker knows about one SSTable — sizes, level, key
// range, timestamps and the tombstone statistics — as plain data with no I/O, so the
// same pickers drive the engine, replay the manifest, run the simulator, and are tested
// from small text cases (tests/compaction/picker_text.h).

#ifndef CASSETTE_COMPACTION_SSTABLE_INFO_H_
#define CASSETTE_COMPACTION_SSTABLE_INFO_H_

#include <cstdint>
#include <map>
#include <string>

#include "sstable/sstable_stats.h"

namespace cassette {

// The decorated key of a partition with this token and an empty key: the smallest key
// of that token (types/partition_key.h's layout). For simulated tables.
std::string TokenOnlyKey(int64_t token);

struct SSTableInfo {
  uint64_t file_number = 0;
  // Bytes on disk (every file of the SSTable): what STCS buckets and LCS level budgets
  // count, as Cassandra's onDiskLength.
  uint64_t bytes = 0;
  uint64_t uncompressed_bytes = 0;
  int32_t level = 0;  // LCS level; 0 elsewhere
  // Decorated partition keys (types/partition_key.h): memcmp order is token order, so
  // [first_key, last_key] is the SSTable's key range. first_token/last_token repeat
  // the tokens for density and display.
  std::string first_key;
  std::string last_key;
  int64_t first_token = 0;
  int64_t last_token = 0;
  int64_t min_timestamp = INT64_MAX;  // microseconds, writer's clock
  int64_t max_timestamp = INT64_MIN;
  // Seconds. kNoDeletionTime (INT64_MAX) as max means "has live non-expiring data":
  // such an SSTable never fully expires.
  int64_t min_local_deletion_time = INT64_MAX;
  int64_t max_local_deletion_time = INT64_MIN;
  int64_t partition_count = 0;
  int64_t cell_count = 0;
  // Local deletion time (s) -> tombstones (expiring cells at their expiry time).
  std::map<int64_t, int64_t> tombstone_drop_times;
  int64_t created_at_micros = 0;  // when the SSTable was written (engine clock)

  // Cassandra's getEstimatedDroppableTombstoneRatio(gcBefore): tombstones with a local
  // deletion time before gc_before ÷ cells; 0 with no cells.
  double DroppableTombstoneRatio(int64_t gc_before) const;
  // Key ranges intersect (inclusive ends).
  bool Overlaps(const SSTableInfo& other) const {
    return !(last_key < other.first_key || other.last_key < first_key);
  }

  // The SSTable's metadata as the pickers see it.
  static SSTableInfo FromStats(uint64_t file_number, uint64_t total_bytes,
                               const SSTableStats& stats);
};

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_SSTABLE_INFO_H_

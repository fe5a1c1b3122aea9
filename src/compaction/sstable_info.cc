#include "compaction/sstable_info.h"

namespace cassette {

std::string TokenOnlyKey(int64_t token) {
  uint64_t u = static_cast<uint64_t>(token) ^ (uint64_t{1} << 63);
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, u >>= 8) out[i] = static_cast<char>(u & 0xff);
  return out;
}

double SSTableInfo::DroppableTombstoneRatio(int64_t gc_before) const {
  if (cell_count <= 0) return 0.0;
  int64_t droppable = 0;
  for (auto it = tombstone_drop_times.begin();
       it != tombstone_drop_times.end() && it->first < gc_before; ++it) {
    droppable += it->second;
  }
  return double(droppable) / double(cell_count);
}

SSTableInfo SSTableInfo::FromStats(uint64_t file_number, uint64_t total_bytes,
                                   const SSTableStats& stats) {
  SSTableInfo info;
  info.file_number = file_number;
  info.bytes = total_bytes;
  info.uncompressed_bytes = stats.uncompressed_bytes;
  info.level = stats.level;
  info.first_key = stats.first_key;
  info.last_key = stats.last_key;
  info.first_token = stats.first_token;
  info.last_token = stats.last_token;
  info.min_timestamp = stats.min_timestamp;
  info.max_timestamp = stats.max_timestamp;
  info.min_local_deletion_time = stats.min_local_deletion_time;
  info.max_local_deletion_time = stats.max_local_deletion_time;
  info.partition_count = stats.partition_count;
  info.cell_count = stats.cell_count;
  info.tombstone_drop_times = stats.tombstone_drop_times;
  info.created_at_micros = stats.created_at_micros;
  return info;
}

}  // namespace cassette

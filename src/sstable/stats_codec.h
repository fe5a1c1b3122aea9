// Serialization of SSTableStats, the statistics region of an SSTable
// (docs/sstable-format.md, "Statistics region"). The region's checksum lives in the
// footer; this codec only lays out the fields.
//
//   stats := min_timestamp max_timestamp min_ldt max_ldt min_ttl max_ttl   (zigzag64 each)
//            min_clustering max_clustering first_key last_key        (length-prefixed each)
//            first_token last_token partition_count row_count cell_count tombstone_count
//            tombstone_drop_times partition_size_histogram cell_count_histogram  (maps)
//            uncompressed_bytes data_bytes level created_at_micros   (zigzag64 each)
//   map   := count:varint64 (key:zigzag64 value:zigzag64)*   keys strictly increasing
//
// Every integer is a zigzag varint64, so every value of every field round-trips.
// Do not change: on disk (add fields only with a new format version).

#ifndef CASSETTE_SSTABLE_STATS_CODEC_H_
#define CASSETTE_SSTABLE_STATS_CODEC_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "sstable/sstable_stats.h"

namespace cassette {

void EncodeStats(const SSTableStats& stats, std::string* out);
// DataLoss (saying which field) if `in` is malformed, has trailing bytes, or a value is
// out of its field's range.
absl::Status DecodeStats(std::string_view in, SSTableStats* stats);

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_STATS_CODEC_H_

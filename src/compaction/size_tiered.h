// STCS's bucketing (SizeTieredCompactionStrategy.getBuckets / mostInterestingBucket),
// exposed because TWCS runs STCS inside its newest window and LCS inside an overfull L0.

#ifndef CASSETTE_COMPACTION_SIZE_TIERED_H_
#define CASSETTE_COMPACTION_SIZE_TIERED_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "compaction/common_options.h"
#include "compaction/sstable_info.h"

namespace cassette {

struct SizeTieredOptions {
  uint64_t min_sstable_size = 50ull << 20;  // bytes, >= 0
  double bucket_low = 0.5;                  // Cassandra's only rule: bucket_high > bucket_low
  double bucket_high = 1.5;

  void AppendTo(CompactionOptions* out) const;
};

// Reads min_sstable_size, bucket_low, bucket_high (validated as Cassandra does).
absl::StatusOr<SizeTieredOptions> ParseSizeTieredOptions(const CompactionOptions& options);

// getBuckets: sorts by bytes ascending and groups as §8 describes. Every SSTable lands
// in exactly one bucket; buckets come in the order they were created.
std::vector<std::vector<const SSTableInfo*>> SizeTieredBuckets(
    std::vector<const SSTableInfo*> sstables, const SizeTieredOptions& options);

// mostInterestingBucket: keeps buckets with >= min_threshold members, trims each to
// max_threshold and picks one. Cassandra ranks by read "hotness", then smaller average
// size; cassette tracks no per-SSTable read rate, so every bucket is equally cold and,
// exactly as Cassandra does for cold buckets, trimming keeps the smallest members and
// the bucket with the smaller average size wins (ties: more members). Empty if none
// qualifies.
std::vector<const SSTableInfo*> MostInterestingBucket(
    const std::vector<std::vector<const SSTableInfo*>>& buckets, int min_threshold,
    int max_threshold);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_SIZE_TIERED_H_

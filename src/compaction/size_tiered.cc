// STCS bucketing (§8): options, getBuckets and mostInterestingBucket. Shared by STCS,
// by TWCS inside its newest window and by LCS inside an overfull L0.

#include "compaction/size_tiered.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"

namespace cassette {
namespace {

constexpr char kMinSSTableSize[] = "min_sstable_size";
constexpr char kBucketLow[] = "bucket_low";
constexpr char kBucketHigh[] = "bucket_high";

// Ascending by size; equal sizes by file number so the result never depends on the
// caller's order.
bool BySize(const SSTableInfo* a, const SSTableInfo* b) {
  if (a->bytes != b->bytes) return a->bytes < b->bytes;
  return a->file_number < b->file_number;
}

long double TotalBytes(const std::vector<const SSTableInfo*>& bucket) {
  long double total = 0;
  for (const SSTableInfo* s : bucket) total += static_cast<long double>(s->bytes);
  return total;
}

}  // namespace

void SizeTieredOptions::AppendTo(CompactionOptions* out) const {
  (*out)[kMinSSTableSize] = absl::StrCat(min_sstable_size);
  (*out)[kBucketLow] = absl::StrCat(bucket_low);
  (*out)[kBucketHigh] = absl::StrCat(bucket_high);
}

absl::StatusOr<SizeTieredOptions> ParseSizeTieredOptions(const CompactionOptions& options) {
  SizeTieredOptions out;
  int64_t min_size = static_cast<int64_t>(out.min_sstable_size);
  if (absl::Status s = ReadInt(options, kMinSSTableSize, &min_size); !s.ok()) return s;
  if (min_size < 0) {
    return OptionRangeError(kMinSSTableSize, "an integer number of bytes >= 0",
                            options.at(kMinSSTableSize));
  }
  out.min_sstable_size = static_cast<uint64_t>(min_size);
  if (absl::Status s = ReadDouble(options, kBucketLow, &out.bucket_low); !s.ok()) return s;
  if (absl::Status s = ReadDouble(options, kBucketHigh, &out.bucket_high); !s.ok()) return s;
  // Cassandra's only rule between the two bounds; it leaves their absolute values free.
  if (out.bucket_high <= out.bucket_low) {
    const std::string given = options.contains(kBucketHigh)
                                  ? options.at(kBucketHigh)
                                  : absl::StrCat(out.bucket_high, " (default)");
    return OptionRangeError(kBucketHigh,
                            absl::StrCat("greater than bucket_low (", out.bucket_low, ")"), given);
  }
  return out;
}

std::vector<std::vector<const SSTableInfo*>> SizeTieredBuckets(
    std::vector<const SSTableInfo*> sstables, const SizeTieredOptions& options) {
  std::sort(sstables.begin(), sstables.end(), BySize);
  struct Bucket {
    std::vector<const SSTableInfo*> members;
    long double total = 0;
    long double Average() const { return total / static_cast<long double>(members.size()); }
  };
  std::vector<Bucket> buckets;
  const long double min_size = static_cast<long double>(options.min_sstable_size);
  for (const SSTableInfo* s : sstables) {
    const long double size = static_cast<long double>(s->bytes);
    Bucket* home = nullptr;
    for (Bucket& b : buckets) {
      const long double avg = b.Average();
      const bool similar = size > avg * options.bucket_low && size < avg * options.bucket_high;
      // Small SSTables are grouped regardless of ratio: flushes of a few KiB would
      // otherwise never find company, and merging them is cheap.
      const bool both_small = size < min_size && avg < min_size;
      if (similar || both_small) {
        home = &b;
        break;
      }
    }
    if (home == nullptr) home = &buckets.emplace_back();
    home->members.push_back(s);
    home->total += size;
  }
  std::vector<std::vector<const SSTableInfo*>> out;
  out.reserve(buckets.size());
  for (Bucket& b : buckets) out.push_back(std::move(b.members));
  return out;
}

std::vector<const SSTableInfo*> MostInterestingBucket(
    const std::vector<std::vector<const SSTableInfo*>>& buckets, int min_threshold,
    int max_threshold) {
  std::vector<const SSTableInfo*> best;
  long double best_avg = std::numeric_limits<long double>::infinity();
  for (const auto& bucket : buckets) {
    if (bucket.size() < static_cast<size_t>(std::max(min_threshold, 1))) continue;
    std::vector<const SSTableInfo*> trimmed = bucket;
    std::sort(trimmed.begin(), trimmed.end(), BySize);
    if (max_threshold > 0 && trimmed.size() > static_cast<size_t>(max_threshold)) {
      trimmed.resize(static_cast<size_t>(max_threshold));
    }
    const long double avg = TotalBytes(trimmed) / static_cast<long double>(trimmed.size());
    if (best.empty() || avg < best_avg || (avg == best_avg && trimmed.size() > best.size())) {
      best = std::move(trimmed);
      best_avg = avg;
    }
  }
  return best;
}

}  // namespace cassette

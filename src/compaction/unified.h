// The Unified Compaction Strategy (Cassandra 5.0 UnifiedCompactionStrategy + Controller +
// ShardManager + utils/Overlaps), split into pure pieces so each rule can be tested alone:
// option parsing, the scaling parameter W and its fanout/threshold, density, levels,
// overlap sets, buckets, the pick inside a bucket, and the shard count and boundaries of
// an output. The strategy object (unified_strategy.cc) only strings them together.
//
// Contract: every function here is a pure function of its arguments. Token ranges are the
// Murmur3 ring [-2^63, 2^63-1]; cassette is a single node, so the local ranges are the
// whole ring (Cassandra's localSpaceCoverage() = shardSetCoverage() = 1).
// docs/compaction/ucs.md describes the algorithm and every deviation from Cassandra.

#ifndef CASSETTE_COMPACTION_UNIFIED_H_
#define CASSETTE_COMPACTION_UNIFIED_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "compaction/sstable_info.h"
#include "compaction/strategy.h"

namespace cassette {

// Which neighbouring overlap sets join a bucket (Overlaps.InclusionMethod).
enum class OverlapInclusion { kNone, kSingle, kTransitive };

// The UCS-specific options (Controller.fromOptions / validateOptions), defaults as in
// Cassandra 5.0's CassandraRelevantProperties.
struct UnifiedOptions {
  std::vector<int> scaling_parameters = {2};  // "T4"; one per level, the last repeats
  uint64_t target_sstable_size = uint64_t{1} << 30;
  int base_shard_count = 4;
  uint64_t min_sstable_size = uint64_t{100} << 20;
  double sstable_growth = 0.333;
  uint64_t flush_size_override = 0;  // 0: use the view's flush size
  int max_sstables_to_compact = 0;   // <= 0: no limit
  int64_t expired_sstable_check_frequency_seconds = 600;
  bool unsafe_aggressive_sstable_expiration = false;
  OverlapInclusion overlap_inclusion_method = OverlapInclusion::kTransitive;

  // W of `level` (levels past the list use the last entry), and its fanout / threshold.
  int ScalingParameter(int level) const;
  int Fanout(int level) const;
  int Threshold(int level) const;
  // max_sstables_to_compact with "no limit" as INT_MAX, as the Controller stores it.
  int MaxSSTablesToCompact() const;

  // Adds the options above to `out` as strings (EffectiveOptions).
  void AppendTo(CompactionOptions* out) const;
};

// Every option name ParseUnifiedOptions reads (for RejectUnknownOptions).
const std::set<std::string>& UnifiedOptionNames();

// Reads and validates the UCS options of `options` (missing ones keep their defaults).
// Common options are not looked at. InvalidArgument names the option, value and rule.
absl::StatusOr<UnifiedOptions> ParseUnifiedOptions(const CompactionOptions& options);

// One scaling parameter: "N" (W = 0), "Ln" (W = 2 − n, n >= 2), "Tn" (W = n − 2, n >= 2)
// or a signed integer W. Surrounding whitespace is the caller's to trim.
absl::StatusOr<int> ParseScalingParameter(std::string_view text);
// A comma-separated list of them ("T4, T4, L10"); empty entries are errors.
absl::StatusOr<std::vector<int>> ParseScalingParameters(std::string_view text);
// "T4", "L10", "N": the inverse of ParseScalingParameter (T2 and L2 print as N).
std::string PrintScalingParameter(int w);

// W < 0: fanout 2 − W; W > 0: 2 + W; W = 0: 2.
int FanoutFromScalingParameter(int w);
// W <= 0: 2; W > 0: 2 + W.
int ThresholdFromScalingParameter(int w);

// FBUtilities.parseHumanReadableBytes: a decimal number (optionally with an e-exponent
// or a "*2^n" binary exponent), optional whitespace, an optional SI prefix (k, M, G, T,
// P, E, ... or m, u, ...) binary with a following 'i' ("MiB") or decimal without it
// ("MB"), and a mandatory final "B". The value is truncated to an integer as Java's
// (long) cast does. InvalidArgument naming `option` when malformed or out of range.
absl::StatusOr<int64_t> ParseHumanReadableBytes(std::string_view option, std::string_view text);

// Fraction of the token ring an SSTable covers: (last − first + 1) / 2^64. Spans below
// 2^-48 (single-partition SSTables) count as 1, as in Cassandra 5.0's ShardManager, so
// such SSTables are levelled by their plain size.
double TokenSpan(int64_t first_token, int64_t last_token);
// bytes ÷ TokenSpan.
double Density(const SSTableInfo& sstable);
// ShardManager.calculateCombinedDensity: total bytes over the span from the smallest
// first token to the largest last token (total bytes if that span is below 2^-48).
double CombinedDensity(const std::vector<const SSTableInfo*>& sstables);

// Controller.getNumShards for an output of the given density.
int64_t ShardCount(const UnifiedOptions& options, double density);
// The boundaries that split the ring into `shard_count` equal shards
// (-2^63 + ⌊i·2^64 / shard_count⌋ for i = 1 .. shard_count − 1), restricted to those in
// [first_token, last_token], ascending.
std::vector<int64_t> ShardBoundaries(int64_t shard_count, int64_t first_token, int64_t last_token);
// The split_tokens of a task writing `inputs`: ShardBoundaries(ShardCount(combined
// density)) over the inputs' token range. Empty for no inputs.
std::vector<int64_t> OutputSplitTokens(const UnifiedOptions& options,
                                       const std::vector<const SSTableInfo*>& inputs);

// Overlaps.constructOverlapSets over key ranges (end-inclusive): the minimal list of sets
// such that SSTables that do not overlap never share a set, every SSTable appears in
// consecutive sets only, and every point covered by several SSTables has a set holding
// all of them. Sets come in key order; each set is sorted by file number.
std::vector<std::vector<const SSTableInfo*>> OverlapSets(std::vector<const SSTableInfo*> sstables);

// One level of the density hierarchy.
struct UnifiedLevel {
  int index = 0;
  int scaling_parameter = 0;
  int fanout = 2;
  int threshold = 2;
  double min_density = 0;                    // inclusive
  double max_density = 0;                    // exclusive
  std::vector<const SSTableInfo*> sstables;  // ascending density
};

// The flush size the hierarchy starts from: flush_size_override if set, else the view's
// flush size rounded up to a whole MiB (as Controller.getFlushSizeBytes rounds the
// observed size).
uint64_t EffectiveFlushSize(const UnifiedOptions& options, uint64_t view_flush_size_bytes);

// UnifiedCompactionStrategy.formLevels: level 0 holds densities below
// ⌊max(1 MiB, flush) × (1 − 0.9/F0) × F0⌋, level i+1 those below ⌊max(i) × F(i+1)⌋, where
// F(i) is level i's own fanout. Empty levels below the last occupied one are included.
std::vector<UnifiedLevel> FormLevels(std::vector<const SSTableInfo*> sstables,
                                     const UnifiedOptions& options, uint64_t flush_size_bytes);

// What a level would compact (Level.getCompactionPick + Bucket.constructPick).
struct LevelPick {
  int max_overlap = -1;  // largest overlap set on the level (-1 when the level is empty)
  // Cassandra's estimate of this level's remaining tasks: Σ bucket overlap ÷ threshold.
  int estimated_tasks = 0;
  // The SSTables to compact: empty when no overlap set reaches the threshold.
  std::vector<const SSTableInfo*> inputs;
};
LevelPick PickFromLevel(const UnifiedLevel& level, const UnifiedOptions& options);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_UNIFIED_H_

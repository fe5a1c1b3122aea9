// UCS's structure over a set of SSTables: density (ShardManager), shard counts and
// boundaries (Controller.getNumShards, ShardManagerNoDisks.boundaries), overlap sets and
// buckets (utils/Overlaps), levels (UnifiedCompactionStrategy.formLevels) and what one
// level compacts (Level.getCompactionPick, Bucket.constructPick). Cassandra chooses among
// equally overlapped buckets at random; cassette takes the first in token order so the
// picker stays a pure function.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "compaction/unified.h"

namespace cassette {
namespace {

// ShardManager.MINIMUM_TOKEN_COVERAGE.
const double kMinimumTokenCoverage = std::ldexp(1.0, -48);
constexpr int kMaxShardShift = 20;  // Controller.MAX_SHARD_SHIFT

using Set = std::vector<const SSTableInfo*>;  // sorted by file number

bool ByFileNumber(const SSTableInfo* a, const SSTableInfo* b) {
  return a->file_number < b->file_number;
}

bool Contains(const Set& set, const SSTableInfo* s) {
  return std::binary_search(set.begin(), set.end(), s, ByFileNumber);
}

bool Intersect(const Set& a, const Set& b) {
  for (const SSTableInfo* s : a) {
    if (Contains(b, s)) return true;
  }
  return false;
}

uint64_t HighestOneBit(uint64_t v) { return std::bit_floor(v | 1); }

// Fraction of the ring from `first` to `last` inclusive.
double RawSpan(int64_t first, int64_t last) {
  if (last < first) return 0;
  const unsigned __int128 tokens =
      static_cast<unsigned __int128>(static_cast<__int128>(last) - first) + 1;
  return std::ldexp(static_cast<double>(tokens), -64);
}

}  // namespace

double TokenSpan(int64_t first_token, int64_t last_token) {
  double span = RawSpan(first_token, last_token);
  // A single partition (or a handful of close ones) covers a sliver of the ring and would
  // look enormously dense; Cassandra 5.0 substitutes the whole ring for such SSTables.
  return span >= kMinimumTokenCoverage ? span : 1.0;
}

double Density(const SSTableInfo& sstable) {
  return static_cast<double>(sstable.bytes) / TokenSpan(sstable.first_token, sstable.last_token);
}

double CombinedDensity(const std::vector<const SSTableInfo*>& sstables) {
  if (sstables.empty()) return 0;
  double total = 0;
  int64_t first = std::numeric_limits<int64_t>::max();
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const SSTableInfo* s : sstables) {
    total += static_cast<double>(s->bytes);
    first = std::min(first, s->first_token);
    last = std::max(last, s->last_token);
  }
  const double span = RawSpan(first, last);
  return span >= kMinimumTokenCoverage ? total / span : total;
}

int64_t ShardCount(const UnifiedOptions& options, double density) {
  const int64_t base = options.base_shard_count;
  if (std::isnan(density)) return base;  // every branch of getNumShards ends at base for NaN
  if (options.min_sstable_size > 0) {
    const double count = density / static_cast<double>(options.min_sstable_size);
    if (count < static_cast<double>(base)) {
      // Below the base count only powers of two that divide it, so lower-density
      // boundaries stay boundaries of the higher densities.
      return std::min<int64_t>(HighestOneBit(static_cast<uint64_t>(count)), base & -base);
    }
  }
  if (options.sstable_growth == 1) return base;
  const double target = static_cast<double>(options.target_sstable_size);
  if (options.sstable_growth == 0) {
    // sqrt(1/2) makes the rounding-down power of two land within [target/sqrt2, target*sqrt2].
    double count = density / (target * std::sqrt(0.5) * static_cast<double>(base));
    count = std::min(count, std::ldexp(1.0, kMaxShardShift));
    return base * static_cast<int64_t>(HighestOneBit(static_cast<uint64_t>(count)));
  }
  const double count = density / (target * static_cast<double>(base));
  const double pow = std::log2(count) * (1 - options.sstable_growth) + 0.5;
  if (pow >= kMaxShardShift) return base << kMaxShardShift;
  if (pow >= 0) return base << static_cast<int>(pow);
  return base;
}

std::vector<int64_t> ShardBoundaries(int64_t shard_count, int64_t first_token, int64_t last_token) {
  std::vector<int64_t> out;
  if (shard_count <= 1 || last_token < first_token) return out;
  using u128 = unsigned __int128;
  const u128 ring = u128{1} << 64;
  const u128 count = static_cast<u128>(shard_count);
  // Offsets from the ring's minimum token.
  const u128 lo = static_cast<u128>(static_cast<__int128>(first_token) + (__int128{1} << 63));
  const u128 hi = static_cast<u128>(static_cast<__int128>(last_token) + (__int128{1} << 63));
  // Smallest i with ⌊i·2^64/count⌋ >= lo.
  u128 i = (lo * count + ring - 1) / ring;
  if (i == 0) i = 1;
  for (; i < count; ++i) {
    const u128 offset = i * ring / count;
    if (offset > hi) break;
    out.push_back(static_cast<int64_t>(static_cast<__int128>(offset) - (__int128{1} << 63)));
  }
  return out;
}

std::vector<int64_t> OutputSplitTokens(const UnifiedOptions& options,
                                       const std::vector<const SSTableInfo*>& inputs) {
  if (inputs.empty()) return {};
  int64_t first = std::numeric_limits<int64_t>::max();
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const SSTableInfo* s : inputs) {
    first = std::min(first, s->first_token);
    last = std::max(last, s->last_token);
  }
  return ShardBoundaries(ShardCount(options, CombinedDensity(inputs)), first, last);
}

std::vector<std::vector<const SSTableInfo*>> OverlapSets(std::vector<const SSTableInfo*> sstables) {
  std::vector<Set> out;
  if (sstables.empty()) return out;
  std::sort(sstables.begin(), sstables.end(), [](const SSTableInfo* a, const SSTableInfo* b) {
    return std::tie(a->first_key, a->file_number) < std::tie(b->first_key, b->file_number);
  });
  auto by_end = [](const SSTableInfo* a, const SSTableInfo* b) {
    return std::tie(a->last_key, a->file_number) < std::tie(b->last_key, b->file_number);
  };
  std::set<const SSTableInfo*, decltype(by_end)> active(by_end);
  auto snapshot = [&] {
    Set set(active.begin(), active.end());
    std::sort(set.begin(), set.end(), ByFileNumber);
    out.push_back(std::move(set));
  };
  for (const SSTableInfo* s : sstables) {
    // Ends are inclusive: s is clear of an active SSTable only if it starts after its end.
    if (!active.empty() && s->first_key > (*active.begin())->last_key) {
      snapshot();
      while (!active.empty() && s->first_key > (*active.begin())->last_key) {
        active.erase(active.begin());
      }
    }
    active.insert(s);
  }
  snapshot();
  return out;
}

uint64_t EffectiveFlushSize(const UnifiedOptions& options, uint64_t view_flush_size_bytes) {
  if (options.flush_size_override > 0) return options.flush_size_override;
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  return (view_flush_size_bytes + kMiB - 1) / kMiB * kMiB;
}

std::vector<UnifiedLevel> FormLevels(std::vector<const SSTableInfo*> sstables,
                                     const UnifiedOptions& options, uint64_t flush_size_bytes) {
  std::vector<std::pair<double, const SSTableInfo*>> by_density;
  for (const SSTableInfo* s : sstables) by_density.emplace_back(Density(*s), s);
  std::sort(by_density.begin(), by_density.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second->file_number < b.second->file_number;
  });

  auto make_level = [&](int index, double min, double max) {
    UnifiedLevel level;
    level.index = index;
    level.scaling_parameter = options.ScalingParameter(index);
    level.fanout = options.Fanout(index);
    level.threshold = options.Threshold(index);
    level.min_density = min;
    level.max_density = max;
    return level;
  };
  // Controller.getBaseSstableSize: a little under the flush size (by less than 1/F), so
  // slightly small flushes still count as level 0 and F−1 of them do not reach level 1.
  const double f0 = options.Fanout(0);
  const double base =
      std::max<double>(uint64_t{1} << 20, static_cast<double>(flush_size_bytes)) * (1 - 0.9 / f0);
  std::vector<UnifiedLevel> levels;
  UnifiedLevel level = make_level(0, 0, std::floor(base * f0));
  for (const auto& [density, sstable] : by_density) {
    while (!(density < level.max_density)) {
      const double min = level.max_density;
      const int next = level.index + 1;
      levels.push_back(std::move(level));
      level = make_level(next, min, std::floor(min * options.Fanout(next)));
      if (std::isinf(min)) break;  // an infinitely dense SSTable: stop at the last level
    }
    level.sstables.push_back(sstable);
  }
  if (!level.sstables.empty()) levels.push_back(std::move(level));
  return levels;
}

namespace {

// The oldest (smallest max timestamp) last: pulling from the back takes the oldest first.
void SortNewestFirst(std::vector<const SSTableInfo*>* sstables) {
  std::sort(sstables->begin(), sstables->end(), [](const SSTableInfo* a, const SSTableInfo* b) {
    return a->max_timestamp != b->max_timestamp ? a->max_timestamp > b->max_timestamp
                                                : a->file_number > b->file_number;
  });
}

std::vector<const SSTableInfo*> PullLast(const std::vector<const SSTableInfo*>& sorted,
                                         size_t count) {
  count = std::min(count, sorted.size());
  return std::vector<const SSTableInfo*>(sorted.end() - static_cast<ptrdiff_t>(count),
                                         sorted.end());
}

// Overlaps.pullLastWithOverlapLimit: the oldest SSTables, as many as possible while no
// overlap set gets more than `limit` of them.
std::vector<const SSTableInfo*> PullLastWithOverlapLimit(
    const std::vector<const SSTableInfo*>& sorted, const std::vector<Set>& sets, int limit) {
  std::vector<int> selected(sets.size(), 0);
  for (size_t taken = 0; taken < sorted.size(); ++taken) {
    const SSTableInfo* candidate = sorted[sorted.size() - 1 - taken];
    for (size_t i = 0; i < sets.size(); ++i) {
      if (Contains(sets[i], candidate) && ++selected[i] > limit) return PullLast(sorted, taken);
    }
  }
  return sorted;
}

// Overlaps.assignOverlapsIntoBuckets: [start, end) ranges of overlap-set indexes.
std::vector<std::pair<size_t, size_t>> AssignBuckets(int threshold, OverlapInclusion method,
                                                     const std::vector<Set>& sets) {
  std::vector<std::pair<size_t, size_t>> buckets;
  const int64_t count = static_cast<int64_t>(sets.size());
  int64_t last_end = -1;
  for (int64_t i = 0; i < count; ++i) {
    if (static_cast<int64_t>(sets[i].size()) < threshold) continue;
    int64_t start = i, end = i + 1;
    if (method != OverlapInclusion::kNone) {
      Set all = sets[i];
      // SINGLE joins neighbours sharing an SSTable with this set; TRANSITIVE with
      // anything gathered so far.
      auto target = [&]() -> const Set& {
        return method == OverlapInclusion::kTransitive ? all : sets[i];
      };
      auto absorb = [&](const Set& next) {
        Set merged;
        std::set_union(all.begin(), all.end(), next.begin(), next.end(), std::back_inserter(merged),
                       ByFileNumber);
        all = std::move(merged);
      };
      int64_t j = i - 1;
      for (; j > last_end && Intersect(sets[j], target()); --j) absorb(sets[j]);
      start = j + 1;
      for (j = i + 1; j < count && Intersect(sets[j], target()); ++j) absorb(sets[j]);
      end = j;
      i = j - 1;
    }
    buckets.emplace_back(static_cast<size_t>(start), static_cast<size_t>(end));
    last_end = i;
  }
  return buckets;
}

}  // namespace

LevelPick PickFromLevel(const UnifiedLevel& level, const UnifiedOptions& options) {
  LevelPick pick;
  const std::vector<Set> sets = OverlapSets(level.sstables);
  for (const Set& set : sets) pick.max_overlap = std::max(pick.max_overlap, int(set.size()));
  if (pick.max_overlap < level.threshold) return pick;

  // The first bucket with the level's highest overlap (Cassandra: a random one of them).
  std::vector<Set> chosen;
  int chosen_overlap = -1;
  for (auto [start, end] : AssignBuckets(level.threshold, options.overlap_inclusion_method, sets)) {
    int overlap = 0;
    for (size_t i = start; i < end; ++i) overlap = std::max(overlap, int(sets[i].size()));
    pick.estimated_tasks += overlap / level.threshold;
    if (chosen_overlap < 0 && overlap == pick.max_overlap) {
      chosen.assign(sets.begin() + static_cast<ptrdiff_t>(start),
                    sets.begin() + static_cast<ptrdiff_t>(end));
      chosen_overlap = overlap;
    }
  }

  std::vector<const SSTableInfo*> all;
  for (const Set& set : chosen) all.insert(all.end(), set.begin(), set.end());
  std::sort(all.begin(), all.end(), ByFileNumber);
  all.erase(std::unique(all.begin(), all.end()), all.end());
  SortNewestFirst(&all);
  auto pull_oldest = [&](int64_t limit) {
    if (chosen.size() == 1) {
      return static_cast<int64_t>(all.size()) <= limit ? all : PullLast(all, limit);
    }
    return PullLastWithOverlapLimit(all, chosen, static_cast<int>(limit));
  };

  // Bucket.constructPick.
  const int64_t count = chosen_overlap;
  const int64_t fanout = level.fanout;
  const int64_t max_compact = std::max<int64_t>(fanout, options.MaxSSTablesToCompact());
  if (count <= fanout) {
    // On time (or, levelled, late by less than a level): compact everything.
    pick.inputs = all;
  } else if (count <= fanout * options.Fanout(level.index + 1) || max_compact == fanout) {
    pick.inputs = count <= max_compact ? all : pull_oldest(max_compact);
  } else {
    // Very late: compact as many as the hierarchy would have put into one SSTable of a
    // higher level (selectPickSize), oldest first.
    const int64_t limit = std::min<int64_t>(max_compact, count);
    int64_t pick_size = 0, next_step = fanout;
    int index = level.index;
    do {
      pick_size = next_step;
      next_step *= options.Fanout(++index);
    } while (next_step <= limit);
    // Levelled: everything that would reach this level merges into one.
    if (level.scaling_parameter < 0) pick_size *= limit / pick_size;
    pick.inputs = pull_oldest(pick_size);
  }
  return pick;
}

}  // namespace cassette

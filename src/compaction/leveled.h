// Leveled compaction (LCS, §9 of the semantics reference; Cassandra's LeveledManifest and
// LeveledCompactionStrategy): the level arithmetic and placement rule, exposed as pure
// functions so the engine, the simulator and the tests share them with the picker.
//
// Levels run from L0 (flushed SSTables, which may overlap one another) to L8. Within
// every level >= 1 the SSTables' key ranges never overlap; a level L >= 1 holds about
// fanout^L x sstable_size bytes. The strategy itself is built by
// CompactionStrategy::Create("LeveledCompactionStrategy", options); its options and
// algorithm are described in docs/compaction/lcs.md.

#ifndef CASSETTE_COMPACTION_LEVELED_H_
#define CASSETTE_COMPACTION_LEVELED_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "compaction/common_options.h"
#include "compaction/compaction_state.h"
#include "compaction/size_tiered.h"
#include "compaction/sstable_info.h"

namespace cassette {

// L0..L8, as Cassandra's LeveledGenerations.MAX_LEVEL_COUNT. An SSTable whose recorded
// level is outside [0, 8] is treated as if it were in the nearest valid level.
inline constexpr int32_t kLeveledLevelCount = 9;
// More SSTables than this in L0 means L0 has fallen behind: STCS runs inside L0 before
// any higher level is compacted.
inline constexpr int kMaxCompactingL0 = 32;
// A level needs compacting when its score exceeds this (not 1.0, so that rounding in
// the output sizes does not keep a level that is exactly full busy).
inline constexpr double kLeveledScoreThreshold = 1.001;

struct LeveledOptions {
  uint64_t sstable_size_bytes = 160ull << 20;  // sstable_size_in_mb, in bytes
  int fanout = 10;                             // fanout_size
  bool single_sstable_uplevel = false;
  CommonCompactionOptions common;
  SizeTieredOptions l0_stcs;  // STCS options used inside an overfull L0

  void AppendTo(CompactionOptions* out) const;
};

// Reads and validates LCS's options (its own, the common ones and STCS's), rejecting
// unknown ones; every error is InvalidArgument naming the option.
absl::StatusOr<LeveledOptions> ParseLeveledOptions(const CompactionOptions& options);

// maxBytesForLevel: 4 x sstable_size for L0 (used only to estimate pending tasks), and
// fanout^level x sstable_size above it. Saturates at INT64_MAX instead of failing when
// the product does not fit (Cassandra throws at run time there).
uint64_t LeveledMaxBytes(int32_t level, int fanout, uint64_t sstable_size);

// The level an SSTable counts in: its recorded level clamped to [0, kLeveledLevelCount).
int32_t LeveledLevelOf(const SSTableInfo& sstable);

// Bytes of the level's SSTables that are not being compacted, divided by
// LeveledMaxBytes(level). As Cassandra, SSTables already being compacted do not count.
double LeveledScore(const CompactionView& view, int32_t level, int fanout, uint64_t sstable_size);

// Whether `sstable` may be placed into `level` of `state` without breaking the "no
// overlaps in L >= 1" invariant: true for L0; otherwise true iff no SSTable of `state`
// in that level (other than one with the same file number) overlaps its key range.
// Callers adding compaction outputs check against the state after the inputs are
// removed; an SSTable that does not fit is to be placed in L0 instead, as Cassandra's
// LeveledGenerations.addAll does.
bool FitsInLevel(const CompactionState& state, const SSTableInfo& sstable, int32_t level);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_LEVELED_H_

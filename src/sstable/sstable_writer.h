// Writes one SSTable: partitions in decorated-key order, each with its deletion, range
// tombstones and static row, then its rows in clustering order. Format:
// docs/sstable-format.md. The writer syncs every file it wrote before Finish returns OK;
// syncing the folder and recording the table in the manifest is the caller's job.
//
// Thread safety: one thread at a time.

#ifndef CASSETTE_SSTABLE_SSTABLE_WRITER_H_
#define CASSETTE_SSTABLE_SSTABLE_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cassette/env.h"
#include "row/cell.h"
#include "sstable/live_row.h"
#include "sstable/sstable_stats.h"
#include "tombstone/range_tombstone_list.h"

namespace cassette {

class SharedBlockCache;

struct SSTableWriterOptions {
  int zstd_level = 3;  // 0: blocks stored uncompressed
  // The level of the index file's blocks, if set; else zstd_level. Any level gives the
  // same format: a reader does not know or care.
  std::optional<int> index_zstd_level;
  int bloom_bits_per_key = 10;   // ~1% false positives
  size_t block_size = 16 << 10;  // uncompressed bytes per data block (target)
  // A partition's row index cuts its rows into spans: the first ones of
  // row_index_first_span bytes, each later one of 1/64 of the partition so far, up to
  // row_index_interval (Cassandra's column_index_size, 64 KiB). A slice then reads at
  // most one span before its first row: 4 KiB into a partition of a few hundred KiB
  // (a queue's head past rows it consumed), 64 KiB into one of many MiB; a partition's
  // index has about 64 spans at 256 KiB and 250 at 4 MiB, then one per 64 KiB.
  size_t row_index_first_span = 4 << 10;
  size_t row_index_interval = 64 << 10;
  // Every Nth partition index entry is kept in memory (the summary); a lookup reads up to
  // N index entries past its summary floor. 32 rather than Cassandra's min_index_interval
  // of 128: a point read then passes over 16 entries on average instead of 64 (P2 in
  // docs/benchmarks.md), for ~2.5 bytes of memory per partition (25 MB at 10M).
  size_t summary_interval = 32;
  // ...or sooner, once summary_bytes of index records have passed since the last sample:
  // entries that carry row indexes (wide partitions) would otherwise make a lookup walk
  // N large records. About one summary entry per KiB of such index.
  size_t summary_bytes = 1 << 10;
  int32_t level = 0;
  int64_t created_at_micros = 0;
  // Bases for the delta encoding of timestamps and local deletion times (the footer
  // keeps them). Best set to lower bounds of what will be written (the memtable's or the
  // compaction inputs' minima); left unset, each base is the first value written. Any
  // value is correct: a poor base only costs bytes.
  int64_t timestamp_base_hint = kNoTimestamp;
  int64_t ldt_base_hint = kNoDeletionTime;
  // Blocks of both files are also put into this cache as they are written (not owned;
  // must outlive the writer). Null: none are.
  SharedBlockCache* cache_written_blocks = nullptr;
};

class SSTableWriter {
 public:
  // Files are created in `dir` with names derived from `file_number` (sstable/file_names.h).
  static absl::StatusOr<std::unique_ptr<SSTableWriter>> Create(Env* env, const std::string& dir,
                                                               uint64_t file_number,
                                                               const SSTableWriterOptions& options);
  virtual ~SSTableWriter() = default;

  // REQUIRES: decorated keys strictly increasing across calls.
  [[nodiscard]] virtual absl::Status BeginPartition(std::string_view decorated,
                                                    const DeletionTime& deletion,
                                                    const RangeTombstoneList& range_tombstones,
                                                    const Row& static_row) = 0;
  // REQUIRES: inside a partition; clusterings strictly increasing; row not empty.
  [[nodiscard]] virtual absl::Status AddRow(const Row& row) = 0;
  // The same as AddRow(r) for the row r that `row` was parsed from (sstable/live_row.h)
  // in an SSTable encoded against `bases`, without building r.
  [[nodiscard]] virtual absl::Status AddLiveRow(const LiveRowRecord& row,
                                                const EncodingBases& bases) = 0;
  [[nodiscard]] virtual absl::Status EndPartition() = 0;
  // Writes index, filter, statistics and footer, syncs every file. An SSTable with no
  // partition is valid.
  virtual absl::StatusOr<SSTableStats> Finish() = 0;
  // Bytes written so far (for output splitting).
  virtual uint64_t EstimatedSize() const = 0;
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_SSTABLE_WRITER_H_

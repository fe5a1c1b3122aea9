// The opened SSTable behind sstable_reader.h: the footer, statistics, summary and bloom
// filter held in memory, and the index lookup the table's Sources share. Internal to
// sstable/ (sstable_reader.cc opens it, table_source.cc reads through it).
//
// Thread safety: immutable after Open; safe for concurrent use. Each caller passes its
// own BlockCache.

#ifndef CASSETTE_SSTABLE_TABLE_H_
#define CASSETTE_SSTABLE_TABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sstable/block_stream.h"
#include "sstable/bloom_filter.h"
#include "sstable/index_format.h"
#include "sstable/sstable_reader.h"

namespace cassette {

class Table final : public SSTable {
 public:
  static absl::StatusOr<std::shared_ptr<const SSTable>> Open(Env* env, const std::string& dir,
                                                             uint64_t file_number,
                                                             SharedBlockCache* cache);
  SharedBlockCache* shared_cache() const { return shared_cache_; }

  uint64_t file_number() const override { return footer_.file_number; }
  const SSTableStats& stats() const override { return stats_; }
  uint64_t total_bytes() const override { return total_bytes_; }
  bool MayContain(std::string_view decorated) const override;
  std::unique_ptr<Source> NewSource(std::shared_ptr<const SSTable> self) const override;
  std::unique_ptr<SSTableScanner> NewScanner(std::shared_ptr<const SSTable> self) const override;
  SSTableReadCounters read_counters() const override {
    return {counters_.blocks.load(std::memory_order_relaxed),
            counters_.bytes.load(std::memory_order_relaxed)};
  }
  bool filter_usable() const override { return filter_usable_; }
  void MarkObsolete() const override { obsolete_.store(true, std::memory_order_release); }
  ~Table() override;

  const BlockFile& data() const { return data_; }
  const BlockFile& index() const { return index_; }
  const EncodingBases& bases() const { return footer_.bases; }
  uint32_t format_version() const { return footer_.format_version; }
  // Index entries sampled into the in-memory summary.
  size_t summary_size() const { return summary_.size(); }

  // Where a lookup stopped: the last index key it read that was <= the key looked up,
  // and the position of the index record after it. A Source looking partitions up in
  // key order (a scan) then reads each index record once instead of re-reading from
  // the nearest summary sample every time.
  struct IndexResume {
    bool valid = false;
    std::string key;
    StreamPosition next;
  };
  // Looks `key` up in the index: true and *entry (row index included) if present.
  // *resume is used if it helps and updated.
  absl::StatusOr<bool> FindEntry(std::string_view key, BlockCache* cache, IndexEntry* entry,
                                 IndexResume* resume) const;
  // Where a scan for the first partition >= key starts in the index stream; false if the
  // table has no partition.
  bool IndexScanStart(std::string_view key, StreamPosition* position) const;

 private:
  Table() = default;
  // The last summary entry <= key (the first if key is smaller); null if no partition.
  static uint64_t KeyHead(std::string_view key);  // for summary_heads_
  const SummaryEntry* SummaryFloor(std::string_view key) const;
  absl::Status ReadRegion(const RegionHandle& region, const char* what, std::string* out);

  Env* env_ = nullptr;
  SharedBlockCache* shared_cache_ = nullptr;
  mutable std::atomic<bool> obsolete_{false};
  BlockReadCounters counters_;
  BlockFile data_;
  BlockFile index_;
  Footer footer_;
  SSTableStats stats_;
  std::vector<SummaryEntry> summary_;
  // The first 8 bytes of each summary key, big-endian, zero-padded: a lookup's binary
  // search compares these 25 KB of integers per 100k partitions and reads a key itself
  // only among equal heads (decorated keys begin with the token: ties are rare).
  std::vector<uint64_t> summary_heads_;
  BloomFilter filter_;
  bool filter_usable_ = true;
  uint64_t total_bytes_ = 0;
};

// The Source of sstable_reader.h over `table` (table_source.cc).
std::unique_ptr<Source> NewTableSource(std::shared_ptr<const Table> table);
// The scanner of sstable_scanner.h over `table` (table_scanner.cc).
std::unique_ptr<SSTableScanner> NewTableScanner(std::shared_ptr<const Table> table);

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_TABLE_H_

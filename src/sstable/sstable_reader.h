// Opens an SSTable written by SSTableWriter and serves reads as a row/source.h Source.
//
// Everything read from disk is untrusted: lengths are checked before allocating,
// checksums are verified before decompressing, decompressed sizes are capped, and any
// inconsistency gives DataLoss naming the file and offset. A corrupt bloom filter is
// detected by its checksum and then ignored (reads stay correct, only slower).
//
// Thread safety: an open SSTable is immutable and may be shared by many readers; each
// reader makes its own Source (NewSource), used by one thread at a time.

#ifndef CASSETTE_SSTABLE_SSTABLE_READER_H_
#define CASSETTE_SSTABLE_SSTABLE_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cassette/env.h"
#include "row/source.h"
#include "sstable/sstable_scanner.h"
#include "sstable/sstable_stats.h"

namespace cassette {

class SharedBlockCache;

// What readers of one table fetched from its files since Open (block cache hits are
// not counted): for tests and for the engine's per-read reports.
struct SSTableReadCounters {
  uint64_t blocks_read = 0;  // data and index blocks fetched and verified
  uint64_t bytes_read = 0;   // file bytes fetched, regions read at Open included
};

class SSTable {
 public:
  // `cache` (optional, must outlive the table) is shared by every reader of the table.
  static absl::StatusOr<std::shared_ptr<const SSTable>> Open(Env* env, const std::string& dir,
                                                             uint64_t file_number,
                                                             SharedBlockCache* cache = nullptr);
  virtual ~SSTable() = default;

  virtual uint64_t file_number() const = 0;
  virtual const SSTableStats& stats() const = 0;
  // Bytes of all the table's files on disk.
  virtual uint64_t total_bytes() const = 0;
  // False if the partition is certainly absent (bloom filter and key range).
  virtual bool MayContain(std::string_view decorated) const = 0;

  // A Source over the whole table. `self` must be this table (keeps it alive).
  virtual std::unique_ptr<Source> NewSource(std::shared_ptr<const SSTable> self) const = 0;
  // A sequential reader of every partition (sstable_scanner.h); `self` as for NewSource.
  virtual std::unique_ptr<SSTableScanner> NewScanner(std::shared_ptr<const SSTable> self) const = 0;

  // Totals over every Source of this table. Thread-safe.
  virtual SSTableReadCounters read_counters() const = 0;
  // False if the bloom filter failed its checksum at Open and is being ignored (every
  // MayContain inside the key range is then true; reads stay correct).
  virtual bool filter_usable() const = 0;

  // The table was compacted away and the manifest no longer names it: its files are
  // removed when the last reference (the last reader's snapshot) lets it go, so no
  // reader ever finds a file missing. A failure to remove is left to orphan cleanup at
  // the next Open. Thread-safe.
  virtual void MarkObsolete() const = 0;
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_SSTABLE_READER_H_

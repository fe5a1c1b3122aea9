// SSTableScanner: reads one SSTable's data stream from its first partition to its last,
// without the index, summary or bloom filter: compaction's way of reading an input,
// which visits every partition once in key order (Cassandra's SSTableScanner). It
// decodes and checks what the read path does (checksums, record framing, header and
// row encodings, clustering order) plus the order of partition keys, and at the end
// that it found as many partitions as the statistics promise.
//
// Views returned (key, header, rows) stay valid until NextPartition() except a row's,
// which stay valid until the row cursor moves.
//
// Thread safety: one thread at a time; the table stays alive as long as the scanner.

#ifndef CASSETTE_SSTABLE_SSTABLE_SCANNER_H_
#define CASSETTE_SSTABLE_SSTABLE_SCANNER_H_

#include <string_view>

#include "absl/status/status.h"
#include "row/source.h"
#include "sstable/live_row.h"

namespace cassette {

class SSTableScanner {
 public:
  virtual ~SSTableScanner() = default;
  // Moves to the next partition (the first, at the first call), skipping the rows of
  // the current one that were not read. False at the end or on an error (status()).
  virtual bool NextPartition() = 0;
  // REQUIRES: the last NextPartition() returned true.
  virtual std::string_view key() const = 0;  // decorated: at least 8 bytes
  virtual const PartitionHeader& header() const = 0;
  // The partition's rows in clustering order, read as the cursor moves. The cursor is
  // owned by the scanner and serves every partition.
  virtual RowCursor* rows() = 0;
  // The cursor's current row as its record, if it is a live row (sstable/live_row.h);
  // null otherwise. Then the cursor decodes the row only if row() is asked for. Valid
  // until the cursor moves.
  virtual const LiveRowRecord* live_row() const = 0;
  // What the table's records are encoded against.
  virtual const EncodingBases& bases() const = 0;
  virtual absl::Status status() const = 0;
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_SSTABLE_SCANNER_H_

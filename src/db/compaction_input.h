// CompactionInput: what a compaction job reads — the union of its input SSTables, one
// merged partition at a time in key order, reconciled as the read path reconciles
// (db/merged_partition.h) but not yet purged. Two implementations give the same
// partitions:
// - scanned: each input is read sequentially (sstable/sstable_scanner.h) and merged
//   with MergedPartition's reusable halves. No index, summary or bloom filter lookup
//   and no allocation per partition: the job's way.
// - sourced: the read path itself (Sources, PartitionMerger, MergedPartition::Open),
//   looking every partition up in the index of each input holding it. Slower; kept as
//   the reference tests compare the scanned input against.
//
// Thread safety: single-threaded; the inputs stay alive (shared) as long as it.

#ifndef CASSETTE_DB_COMPACTION_INPUT_H_
#define CASSETTE_DB_COMPACTION_INPUT_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "db/merged_partition.h"
#include "sstable/sstable_reader.h"

namespace cassette {

class CompactionInput {
 public:
  virtual ~CompactionInput() = default;
  // Moves to the next partition some input holds: false at the end or on an error
  // (status()).
  virtual bool Next() = 0;
  virtual const absl::Status& status() const = 0;

  // The partition, valid until the next Next(). REQUIRES: Next() returned true.
  virtual std::string_view key() const = 0;
  // How many inputs contributed (held the partition and were not wholly shadowed by a
  // newer input's partition deletion): at least 1.
  virtual int sources_with_data() const = 0;
  // Partition deletion, range tombstones (superseded ones dropped) and static row.
  virtual const PartitionHeaderMerge& header() const = 0;
  // The merged rows, in clustering order; they fail through their own status().
  virtual MergedRows& rows() = 0;
  // The current merged row as the record it was read from, if that record is the row as
  // it is (one input holds it, no deletion covers it) and a live row
  // (sstable/live_row.h): the job then copies it without decoding it. *bases is what it
  // is encoded against. Null otherwise, and always for the sourced input.
  virtual const LiveRowRecord* LiveRow(const EncodingBases** bases) { return nullptr; }
};

// `inputs`: newest data first (a partition deletion then shadows the older inputs).
std::unique_ptr<CompactionInput> NewScannedCompactionInput(
    const std::vector<std::shared_ptr<const SSTable>>& inputs);
std::unique_ptr<CompactionInput> NewSourcedCompactionInput(
    const std::vector<std::shared_ptr<const SSTable>>& inputs);

}  // namespace cassette

#endif  // CASSETTE_DB_COMPACTION_INPUT_H_

// PartitionMerger: walks several sources' PartitionCursors together, one partition key
// at a time in key order, saying which cursors hold each key. Used by token-order scans
// and by compaction.
//
// Thread safety: single-threaded, like the cursors it owns.

#ifndef CASSETTE_ROW_PARTITION_MERGER_H_
#define CASSETTE_ROW_PARTITION_MERGER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "row/source.h"

namespace cassette {

class PartitionMerger {
 public:
  explicit PartitionMerger(std::vector<std::unique_ptr<PartitionCursor>> cursors)
      : cursors_(std::move(cursors)) {}

  // Moves to the next partition key: false at the end or on a cursor's error (then
  // status() says which). *holding receives the positions (in the constructor's vector)
  // of the cursors that hold *key.
  bool Next(std::string* key, std::vector<size_t>* holding);
  const absl::Status& status() const { return status_; }

 private:
  std::vector<std::unique_ptr<PartitionCursor>> cursors_;
  absl::Status status_;
};

}  // namespace cassette

#endif  // CASSETTE_ROW_PARTITION_MERGER_H_

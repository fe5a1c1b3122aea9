// The payload of one commit-log record: one write batch — its sequence number and the
// partition updates it applies, each tagged with its table.
//
//   batch        := seq:varint64 entry_count:varint32 entry{entry_count}
//   entry        := table:length-prefixed partition_key:length-prefixed eflags:u8
//                   [partition_deletion] rt_count:varint32 range_tombstone{rt_count}
//                   row_count:varint32 row{row_count}
//     eflags: 0x01 has partition deletion (absent means DeletionTime::Live())
//   partition_deletion := marked_for_delete_at:zigzag64 ldt:zigzag64
//   range_tombstone    := start:length-prefixed end:length-prefixed
//                         marked_for_delete_at:zigzag64 ldt:zigzag64
//   row          := rflags:u8 clustering:length-prefixed body:length-prefixed
//     rflags: 0x01 static row
//     body: the row encoding of row/row_codec.h (liveness, row deletion, cells)
//
// partition_key is the serialized key without its token: decoding decorates it again
// (Murmur3, types/partition_key.h). Primitive encodings are util/coding.h's. Range tombstones are
// kept as given (in order, unfragmented), so a decoded update is exactly the encoded one. Details
// and a hex dump: docs/commitlog-format.md. Do not change: embedded in on-disk data.
//
// Decoding treats the payload as untrusted even though the record checksum passed (a bug
// or a format change must not crash replay): every count and length is checked against
// the remaining bytes, and anything malformed gives DataLoss saying what and where.
//
// Thread safety: pure functions; a DecodedBatch is an immutable value once returned.

#ifndef CASSETTE_COMMITLOG_MUTATION_CODEC_H_
#define CASSETTE_COMMITLOG_MUTATION_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "memtable/partition_update.h"

namespace cassette {

struct BatchEntry {
  std::string table;
  PartitionUpdate update;
};

// A decoded batch. Cell values and each row's `row.clustering` view into a copy of the
// payload that the batch owns (strings — table, keys, clusterings, bounds — are copies),
// so the batch outlives the record it came from.
//
// Move-only: the views point into a heap buffer, which a move hands over unchanged but
// a copy would not own.
class DecodedBatch {
 public:
  DecodedBatch() = default;
  DecodedBatch(DecodedBatch&&) noexcept = default;
  DecodedBatch& operator=(DecodedBatch&&) noexcept = default;
  DecodedBatch(const DecodedBatch&) = delete;
  DecodedBatch& operator=(const DecodedBatch&) = delete;

  uint64_t seq() const { return seq_; }
  const std::vector<BatchEntry>& entries() const { return entries_; }

 private:
  friend absl::StatusOr<DecodedBatch> DecodeBatch(std::string_view payload);

  std::unique_ptr<char[]> bytes_;  // the payload; never reallocated after decoding
  uint64_t seq_ = 0;
  std::vector<BatchEntry> entries_;
};

// Encodes a batch. REQUIRES: every decorated_key is DecoratePartitionKey(serialized key)
// (the token is not written). Each row's `row.clustering` is ignored (RowUpdate::clustering is the
// row's clustering); cells are written as row/row_codec.h encodes them.
std::string EncodeBatch(uint64_t seq, const std::vector<BatchEntry>& entries);

// Decodes a payload produced by EncodeBatch. DataLoss if it is malformed in any way,
// including trailing bytes.
absl::StatusOr<DecodedBatch> DecodeBatch(std::string_view payload);

}  // namespace cassette

#endif  // CASSETTE_COMMITLOG_MUTATION_CODEC_H_

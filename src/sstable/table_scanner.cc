// The SSTableScanner over one Table: a StreamReader walking the data stream from its
// start, decoding each partition's header and then, as the row cursor is moved, its
// rows. A live row (sstable/live_row.h) is only parsed, and decoded if row() is asked
// for; rows nobody read are skipped by length without being decoded.

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "row/byte_order.h"
#include "sstable/row_format.h"
#include "sstable/sstable_scanner.h"
#include "sstable/table.h"
#include "util/coding.h"

namespace cassette {
namespace {

// File bytes per read: about 30 compressed 16 KiB blocks, so one system call per
// stretch instead of one per block, each reading only what follows the last.
constexpr size_t kReadahead = 256 << 10;

class TableScanner final : public SSTableScanner, private RowCursor {
 public:
  explicit TableScanner(std::shared_ptr<const Table> table)
      : table_(std::move(table)),
        cache_(table_->shared_cache(), kReadahead),
        reader_(&table_->data(), &cache_) {}

  bool NextPartition() override;
  std::string_view key() const override { return key_; }
  const PartitionHeader& header() const override { return header_; }
  RowCursor* rows() override {
    if (!rows_started_) {
      rows_started_ = true;
      ReadNextRow();
    }
    return this;
  }
  const LiveRowRecord* live_row() const override {
    return row_valid_ && is_live_ ? &live_ : nullptr;
  }
  const EncodingBases& bases() const override { return table_->bases(); }
  absl::Status status() const override { return status_; }

 private:
  // RowCursor over the current partition.
  bool Valid() const override { return row_valid_; }
  const Row& row() const override {
    if (!decoded_) {
      // A live row's record was checked by ParseLiveRowRecord, so DecodeRowRecord
      // succeeds on it (live_row.h).
      DecodeRowRecord(record_, table_->bases(), &row_).IgnoreError();
      decoded_ = true;
    }
    return row_;
  }
  std::string_view clustering() const override { return clustering_; }
  void Next() override {
    if (row_valid_) ReadNextRow();
  }

  bool Fail(absl::Status s) {
    if (status_.ok()) status_ = std::move(s);
    row_valid_ = false;
    in_partition_ = false;
    return false;
  }
  bool Corrupt(uint64_t offset, std::string_view what) {
    return Fail(CorruptionAt(table_->data().path, offset, what));
  }
  // Reads the next row record of the current partition into row_; at its end marker
  // the partition's rows are done.
  void ReadNextRow();
  // Reads the rest of the current partition's records up to its end marker.
  bool SkipRows();

  std::shared_ptr<const Table> table_;
  BlockCache cache_;
  StreamReader reader_;
  std::string scratch_;
  absl::Status status_;
  int64_t partitions_ = 0;

  // The current partition. Its header record is copied (the static row's views point
  // into it), alternating between two buffers so the previous key stays readable for
  // the order check.
  bool in_partition_ = false;
  std::string header_records_[2];
  int current_record_ = 0;
  std::string_view key_;
  PartitionHeader header_;

  // The row cursor's state.
  bool rows_started_ = false;
  bool rows_done_ = false;  // the end marker was read
  bool row_valid_ = false;
  bool has_prev_row_ = false;
  // The current row: its record, and either its summary as a live row (then it is
  // decoded into row_ only when asked for) or row_ decoded.
  std::string_view record_;
  std::string_view clustering_;
  bool is_live_ = false;
  LiveRowRecord live_;
  mutable bool decoded_ = false;
  mutable Row row_;
  std::string prev_clustering_;  // of this partition's last row (has_prev_row_)
  std::string logical_;          // the current row as a logical record; record_ views it
};

bool TableScanner::SkipRows() {
  std::string_view record;
  while (!rows_done_) {
    if (auto s = reader_.ReadRecord(&record, &scratch_); !s.ok()) return Fail(s);
    rows_done_ = record.empty();
  }
  return true;
}

bool TableScanner::NextPartition() {
  if (!status_.ok()) return false;
  if (in_partition_ && !SkipRows()) return false;
  in_partition_ = false;
  row_valid_ = false;
  const SSTableStats& stats = table_->stats();
  // An SSTable with no partition has an empty data stream: there is no first block to
  // ask AtEnd about.
  auto end = table_->data().stream_end == 0 ? absl::StatusOr<bool>(true) : reader_.AtEnd();
  if (!end.ok()) return Fail(end.status());
  if (*end) {
    if (partitions_ != stats.partition_count) {
      return Corrupt(reader_.block_offset(),
                     absl::StrCat("data stream ends after ", partitions_,
                                  " partitions; the statistics say ", stats.partition_count));
    }
    return false;
  }
  const uint64_t at = reader_.block_offset();
  std::string_view record;
  if (auto s = reader_.ReadRecord(&record, &scratch_); !s.ok()) return Fail(s);
  if (record.empty()) return Corrupt(at, "missing partition header");
  const std::string_view prev_key = key_;
  current_record_ ^= 1;
  std::string& owned = header_records_[current_record_];
  owned.assign(record);
  if (auto s = DecodePartitionHeader(owned, table_->bases(), &key_, &header_); !s.ok()) {
    return Corrupt(at, std::string(s.message()));
  }
  // A writer never writes a key without its 8-byte token; readers of keys rely on it.
  if (key_.size() < 8) return Corrupt(at, "partition key shorter than its token");
  if (partitions_ > 0 && CompareBytes(key_, prev_key) <= 0) {
    return Corrupt(at, "partition keys out of order");
  }
  if (partitions_ == 0 && key_ != stats.first_key) {
    return Corrupt(at, "first partition differs from the statistics");
  }
  if (++partitions_ == stats.partition_count && key_ != stats.last_key) {
    return Corrupt(at, "last partition differs from the statistics");
  }
  in_partition_ = true;
  rows_started_ = false;
  rows_done_ = false;
  has_prev_row_ = false;
  return true;
}

void TableScanner::ReadNextRow() {
  row_valid_ = false;
  if (!in_partition_ || rows_done_) return;
  const uint64_t at = reader_.block_offset();
  std::string_view record;
  if (auto s = reader_.ReadRecord(&record, &scratch_); !s.ok()) {
    Fail(s);
    return;
  }
  if (record.empty()) {
    rows_done_ = true;
    return;
  }
  // The stored row shares its clustering's prefix with the previous row; compaction
  // copies rows as logical records (live_row.h), so the whole record is rebuilt here.
  std::string_view body;
  if (auto s =
          ParseStoredRow(record, table_->format_version(), has_prev_row_, &prev_clustering_, &body);
      !s.ok()) {
    Corrupt(at, std::string(s.message()));
    return;
  }
  has_prev_row_ = true;
  logical_.clear();
  PutLengthPrefixed(&logical_, prev_clustering_);
  logical_.append(body);
  record_ = logical_;
  is_live_ = ParseLiveRowRecord(record_, table_->bases(), &live_);
  if (is_live_) {
    decoded_ = false;
    clustering_ = live_.clustering;
  } else {
    if (auto s = DecodeRowRecord(record_, table_->bases(), &row_); !s.ok()) {
      Corrupt(at, std::string(s.message()));
      return;
    }
    decoded_ = true;
    clustering_ = row_.clustering;
  }
  row_valid_ = true;
}

}  // namespace

std::unique_ptr<SSTableScanner> NewTableScanner(std::shared_ptr<const Table> table) {
  return std::make_unique<TableScanner>(std::move(table));
}

}  // namespace cassette

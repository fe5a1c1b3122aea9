// SSTableWriter: streams partitions into the data file and their index entries into the
// index file, then appends the summary, filter, statistics and footer (layout in
// docs/sstable-format.md).

#include "sstable/sstable_writer.h"

#include <zstd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "row/byte_order.h"
#include "sstable/block.h"
#include "sstable/block_stream.h"
#include "sstable/bloom_filter.h"
#include "sstable/file_names.h"
#include "sstable/index_format.h"
#include "sstable/row_format.h"
#include "sstable/stats_codec.h"
#include "sstable/stats_collector.h"

namespace cassette {
namespace {

absl::Status ValidateRowCells(const Row& row) {
  if (!row.liveness.IsEmpty() && row.liveness.ttl < 0) {
    return absl::InvalidArgumentError("negative liveness ttl");
  }
  for (size_t i = 0; i < row.cells.size(); ++i) {
    if (i > 0 && row.cells[i - 1].column >= row.cells[i].column) {
      return absl::InvalidArgumentError("cells not sorted by column");
    }
    if (row.cells[i].ttl < 0) return absl::InvalidArgumentError("negative cell ttl");
  }
  return absl::OkStatus();
}

class SSTableWriterImpl final : public SSTableWriter {
 public:
  SSTableWriterImpl(const std::string& dir, uint64_t file_number,
                    const SSTableWriterOptions& options, std::unique_ptr<WritableFile> data_file,
                    std::unique_ptr<WritableFile> index_file)
      : dir_(dir),
        file_number_(file_number),
        options_(options),
        data_file_(std::move(data_file)),
        index_file_(std::move(index_file)),
        data_(data_file_.get(), file_number, SSTableFileKind::kData, options.block_size,
              options.zstd_level),
        index_(index_file_.get(), file_number, SSTableFileKind::kIndex, options.block_size,
               options.index_zstd_level.value_or(options.zstd_level)),
        bloom_(options.bloom_bits_per_key) {
    data_.CacheWrittenBlocks(options.cache_written_blocks);
    index_.CacheWrittenBlocks(options.cache_written_blocks);
    if (options.timestamp_base_hint != kNoTimestamp) {
      bases_.timestamp = options.timestamp_base_hint;
      bases_.has_timestamp = true;
    }
    if (options.ldt_base_hint != kNoDeletionTime) {
      bases_.ldt = options.ldt_base_hint;
      bases_.has_ldt = true;
    }
  }

  absl::Status BeginPartition(std::string_view decorated, const DeletionTime& deletion,
                              const RangeTombstoneList& range_tombstones,
                              const Row& static_row) override;
  absl::Status AddRow(const Row& row) override;
  absl::Status AddLiveRow(const LiveRowRecord& row, const EncodingBases& bases) override;
  absl::Status EndPartition() override;
  absl::StatusOr<SSTableStats> Finish() override;
  uint64_t EstimatedSize() const override {
    return data_.estimated_file_bytes() + index_.estimated_file_bytes();
  }

 private:
  // Remembers the first failure: after it, every call returns it.
  absl::Status Fail(absl::Status s) {
    if (status_.ok()) status_ = std::move(s);
    return status_;
  }
  absl::Status AppendRecord(StreamWriter* w, std::string_view record);
  // What AddRow and AddLiveRow share: the order check, and the row index's span
  // bookkeeping before a row with this clustering is appended.
  absl::Status CheckRowOrder(std::string_view clustering) const;
  // Opens a row-index span at this row if one is due (always at a partition's first
  // row); true if it did, and the row is then stored sharing no clustering prefix.
  bool StartRow(std::string_view clustering);
  // Appends the logical row record `logical` to the data stream as a stored row.
  absl::Status AppendRow(std::string_view logical, bool restart);
  absl::Status AppendRegion(std::string_view bytes, RegionHandle* handle);

  const std::string dir_;
  const uint64_t file_number_;
  const SSTableWriterOptions options_;
  std::unique_ptr<WritableFile> data_file_;
  std::unique_ptr<WritableFile> index_file_;
  StreamWriter data_;
  StreamWriter index_;
  BloomFilterBuilder bloom_;
  StatsCollector collector_;
  EncodingBases bases_;
  std::vector<SummaryEntry> summary_;
  absl::Status status_;
  bool finished_ = false;
  int64_t partitions_ = 0;
  size_t until_summary_ = 0;  // partitions before the next summary sample
  uint64_t summary_raw_ = 0;  // index_.raw_bytes() at the last summary sample
  std::string record_;        // scratch for encoding
  std::string stored_;        // scratch for a row as stored (row_format.h)

  // The open partition.
  bool in_partition_ = false;
  IndexEntry entry_;  // key, header position, row index so far
  std::string last_key_;
  uint64_t partition_raw_start_ = 0;
  bool has_row_ = false;
  std::string last_clustering_;
  // The open row-index span.
  std::string span_first_;
  StreamPosition span_position_;
  uint64_t span_raw_start_ = 0;
  // The partition's closed spans: their clusterings are in span_bytes_, and entry_'s row
  // index views them once the partition ends (span_bytes_ no longer grows then).
  struct ClosedSpan {
    size_t first_at, first_size, last_size;
    StreamPosition position;
  };
  std::vector<ClosedSpan> spans_;
  std::string span_bytes_;
  void CloseSpan() {
    spans_.push_back(
        {span_bytes_.size(), span_first_.size(), last_clustering_.size(), span_position_});
    span_bytes_ += span_first_;
    span_bytes_ += last_clustering_;
  }
};

absl::Status SSTableWriterImpl::AppendRecord(StreamWriter* w, std::string_view record) {
  if (record.size() > UINT32_MAX) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("SSTable record of ", record.size(), " bytes exceeds 4 GiB")));
  }
  if (auto s = w->AppendRecord(record); !s.ok()) return Fail(s);
  return absl::OkStatus();
}

absl::Status SSTableWriterImpl::BeginPartition(std::string_view decorated,
                                               const DeletionTime& deletion,
                                               const RangeTombstoneList& range_tombstones,
                                               const Row& static_row) {
  if (!status_.ok()) return status_;
  if (finished_ || in_partition_) {
    return absl::FailedPreconditionError("BeginPartition: a partition is open or writer finished");
  }
  if (decorated.size() < 8) return absl::InvalidArgumentError("decorated key shorter than 8 bytes");
  if (partitions_ > 0 && CompareBytes(decorated, last_key_) <= 0) {
    return absl::InvalidArgumentError("partitions not in increasing decorated-key order");
  }
  if (auto s = ValidateRowCells(static_row); !s.ok()) return s;
  entry_.key.assign(decorated);
  entry_.position = data_.position();
  entry_.row_index.clear();
  spans_.clear();
  span_bytes_.clear();
  partition_raw_start_ = data_.raw_bytes();
  record_.clear();
  EncodePartitionHeader(decorated, deletion, range_tombstones, static_row, &bases_, &record_);
  if (auto s = AppendRecord(&data_, record_); !s.ok()) return s;
  collector_.BeginPartition(decorated, deletion, range_tombstones, static_row);
  in_partition_ = true;
  has_row_ = false;
  return absl::OkStatus();
}

absl::Status SSTableWriterImpl::CheckRowOrder(std::string_view clustering) const {
  if (has_row_ && CompareBytes(clustering, last_clustering_) <= 0) {
    return absl::InvalidArgumentError("rows not in increasing clustering order");
  }
  return absl::OkStatus();
}

bool SSTableWriterImpl::StartRow(std::string_view clustering) {
  if (has_row_) {
    const uint64_t so_far = data_.raw_bytes() - partition_raw_start_;
    const uint64_t span =
        std::min<uint64_t>(options_.row_index_interval,
                           std::max<uint64_t>(options_.row_index_first_span, so_far / 64));
    if (data_.raw_bytes() - span_raw_start_ < span) return false;
  }
  // Close the span so far (if any) and open one at this row: a slice then starts
  // reading at most one span's bytes before its first row.
  if (has_row_) CloseSpan();
  span_first_.assign(clustering);
  span_position_ = data_.position();
  span_raw_start_ = data_.raw_bytes();
  return true;
}

absl::Status SSTableWriterImpl::AppendRow(std::string_view logical, bool restart) {
  stored_.clear();
  AppendStoredRow(logical, restart ? std::string_view() : std::string_view(last_clustering_),
                  &stored_);
  return AppendRecord(&data_, stored_);
}

absl::Status SSTableWriterImpl::AddRow(const Row& row) {
  if (!status_.ok()) return status_;
  if (!in_partition_) return absl::FailedPreconditionError("AddRow outside a partition");
  if (row.IsEmpty()) return absl::InvalidArgumentError("AddRow: empty row");
  if (auto s = CheckRowOrder(row.clustering); !s.ok()) return s;
  if (auto s = ValidateRowCells(row); !s.ok()) return s;
  const bool restart = StartRow(row.clustering);
  record_.clear();
  EncodeRowRecord(row, &bases_, &record_);
  if (auto s = AppendRow(record_, restart); !s.ok()) return s;
  collector_.AddRow(row);
  last_clustering_.assign(row.clustering);
  has_row_ = true;
  return absl::OkStatus();
}

absl::Status SSTableWriterImpl::AddLiveRow(const LiveRowRecord& row, const EncodingBases& bases) {
  if (!status_.ok()) return status_;
  if (!in_partition_) return absl::FailedPreconditionError("AddRow outside a partition");
  // Not empty, and its cells valid: ParseLiveRowRecord checked.
  if (auto s = CheckRowOrder(row.clustering); !s.ok()) return s;
  const bool restart = StartRow(row.clustering);
  if (IsVerbatim(row, bases, bases_)) {
    if (auto s = AppendRow(row.record, restart); !s.ok()) return s;
  } else {
    record_.clear();
    AppendLiveRowRecord(row, bases, &bases_, &record_);
    if (auto s = AppendRow(record_, restart); !s.ok()) return s;
  }
  collector_.AddLiveRow(row);
  last_clustering_.assign(row.clustering);
  has_row_ = true;
  return absl::OkStatus();
}

absl::Status SSTableWriterImpl::EndPartition() {
  if (!status_.ok()) return status_;
  if (!in_partition_) return absl::FailedPreconditionError("EndPartition outside a partition");
  if (auto s = data_.AppendRecord(std::string_view()); !s.ok()) return Fail(s);  // end marker
  // A partition of one span needs no row index: a slice reads it from its header.
  if (!spans_.empty()) {
    CloseSpan();
    const std::string_view bytes(span_bytes_);
    for (const ClosedSpan& s : spans_) {
      entry_.row_index.push_back({bytes.substr(s.first_at, s.first_size),
                                  bytes.substr(s.first_at + s.first_size, s.last_size),
                                  s.position});
    }
  }
  // partitions_ % summary_interval == 0 (counted down instead of divided), or enough
  // index bytes since the last sample.
  if (until_summary_-- == 0 || index_.raw_bytes() - summary_raw_ >= options_.summary_bytes) {
    until_summary_ = options_.summary_interval - 1;
    summary_raw_ = index_.raw_bytes();
    summary_.push_back({entry_.key, index_.position()});
  }
  record_.clear();
  EncodeIndexEntry(entry_, &record_);
  if (auto s = AppendRecord(&index_, record_); !s.ok()) return s;
  bloom_.AddKey(entry_.key);
  collector_.EndPartition(data_.raw_bytes() - partition_raw_start_);
  // entry_.key is assigned afresh by the next BeginPartition: a swap saves a copy.
  last_key_.swap(entry_.key);
  ++partitions_;
  in_partition_ = false;
  return absl::OkStatus();
}

absl::Status SSTableWriterImpl::AppendRegion(std::string_view bytes, RegionHandle* handle) {
  handle->offset = index_file_->Size();
  handle->size = bytes.size();
  handle->checksum =
      Checksum(bytes, BlockSeed(file_number_, SSTableFileKind::kIndex, handle->offset));
  return index_file_->Append(bytes);
}

absl::StatusOr<SSTableStats> SSTableWriterImpl::Finish() {
  if (!status_.ok()) return status_;
  if (finished_ || in_partition_) {
    return absl::FailedPreconditionError("Finish: a partition is open or writer finished");
  }
  finished_ = true;
  if (auto s = data_.Flush(); !s.ok()) return Fail(s);
  if (auto s = data_file_->Sync(); !s.ok()) return Fail(s);
  if (auto s = data_file_->Close(); !s.ok()) return Fail(s);
  if (auto s = index_.Flush(); !s.ok()) return Fail(s);

  Footer footer;
  footer.file_number = file_number_;
  footer.data_size = data_file_->Size();
  footer.index_end = index_file_->Size();
  footer.block_size = static_cast<uint32_t>(options_.block_size);
  footer.bases = bases_;
  SSTableStats stats = collector_.Finish(data_.raw_bytes(), data_file_->Size(), options_.level,
                                         options_.created_at_micros);
  std::string region;
  EncodeSummary(summary_, &region);
  if (auto s = AppendRegion(region, &footer.summary); !s.ok()) return Fail(s);
  region.clear();
  bloom_.Finish(&region);
  if (auto s = AppendRegion(region, &footer.filter); !s.ok()) return Fail(s);
  region.clear();
  EncodeStats(stats, &region);
  if (auto s = AppendRegion(region, &footer.stats); !s.ok()) return Fail(s);
  region.clear();
  EncodeFooter(footer, &region);
  if (auto s = index_file_->Append(region); !s.ok()) return Fail(s);
  if (auto s = index_file_->Sync(); !s.ok()) return Fail(s);
  if (auto s = index_file_->Close(); !s.ok()) return Fail(s);
  return stats;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SSTableWriter>> SSTableWriter::Create(
    Env* env, const std::string& dir, uint64_t file_number, const SSTableWriterOptions& options) {
  if (options.block_size < kMinBlockSize || options.block_size > kMaxBlockSize) {
    return absl::InvalidArgumentError(absl::StrCat("SSTable block_size ", options.block_size,
                                                   " outside ", kMinBlockSize, "..",
                                                   kMaxBlockSize));
  }
  for (int level : {options.zstd_level, options.index_zstd_level.value_or(0)}) {
    if (level != 0 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())) {
      return absl::InvalidArgumentError(absl::StrCat("zstd level ", level));
    }
  }
  if (options.summary_interval == 0 || options.row_index_interval == 0 ||
      options.row_index_first_span == 0 || options.summary_bytes == 0) {
    return absl::InvalidArgumentError(
        "summary_interval, summary_bytes, row_index_first_span and row_index_interval must be "
        "positive");
  }
  if (options.bloom_bits_per_key < 0 || options.bloom_bits_per_key > 64) {
    return absl::InvalidArgumentError("bloom_bits_per_key outside 0..64");
  }
  auto data = env->NewWritableFile(SSTableFilePath(dir, file_number, SSTableFileKind::kData));
  if (!data.ok()) return data.status();
  auto index = env->NewWritableFile(SSTableFilePath(dir, file_number, SSTableFileKind::kIndex));
  if (!index.ok()) return index.status();
  return std::unique_ptr<SSTableWriter>(std::make_unique<SSTableWriterImpl>(
      dir, file_number, options, *std::move(data), *std::move(index)));
}

}  // namespace cassette

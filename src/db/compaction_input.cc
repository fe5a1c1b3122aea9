#include "db/compaction_input.h"

#include <cstdint>
#include <string>
#include <utility>

#include "row/byte_order.h"
#include "row/partition_merger.h"

namespace cassette {
namespace {

// One scanner per input; the scanners on the smallest key hold the partition. Their
// headers go through PartitionHeaderMerge and their row cursors through MergedRows,
// both reused from partition to partition.
class ScannedInput final : public CompactionInput {
 public:
  explicit ScannedInput(const std::vector<std::shared_ptr<const SSTable>>& inputs) {
    for (const auto& sst : inputs) {
      max_timestamps_.push_back(sst->stats().max_timestamp);
      scanners_.push_back(sst->NewScanner(sst));
      holding_.push_back(scanners_.size() - 1);  // every scanner moves to its first partition
    }
    prefixes_.resize(scanners_.size());
    keys_.resize(scanners_.size());
    live_.assign(scanners_.size(), 1);
    live_count_ = scanners_.size();
    cursors_.reserve(scanners_.size());
  }

  bool Next() override;
  const absl::Status& status() const override { return status_; }
  std::string_view key() const override { return key_; }
  int sources_with_data() const override { return header_.added(); }
  const PartitionHeaderMerge& header() const override { return header_; }
  MergedRows& rows() override { return rows_; }
  const LiveRowRecord* LiveRow(const EncodingBases** bases) override {
    const int i = rows_.single_source();
    if (i < 0) return nullptr;
    const SSTableScanner* s = admitted_[static_cast<size_t>(i)];
    *bases = &s->bases();
    return s->live_row();
  }

 private:
  // Moves scanner i to its next partition; false on an error.
  bool Advance(size_t i);

  std::vector<std::unique_ptr<SSTableScanner>> scanners_;
  std::vector<int64_t> max_timestamps_;
  // Each scanner's current key, and its first 8 bytes (the token) as an integer in an
  // array of their own: every partition looks at every scanner's key, and keys mostly
  // differ in the token.
  std::vector<uint64_t> prefixes_;
  std::vector<std::string_view> keys_;
  std::vector<uint8_t> live_;  // the scanner is on a partition
  size_t live_count_ = 0;
  std::vector<size_t> holding_;  // the scanners on the current partition
  std::vector<RowCursor*> cursors_;
  std::vector<SSTableScanner*> admitted_;  // the scanner of each of cursors_
  std::string_view key_;
  PartitionHeaderMerge header_;
  MergedRows rows_;
  absl::Status status_;
};

bool ScannedInput::Advance(size_t i) {
  SSTableScanner* s = scanners_[i].get();
  if (!s->NextPartition()) {
    live_[i] = 0;
    --live_count_;
    status_ = s->status();
    return status_.ok();
  }
  keys_[i] = s->key();
  prefixes_[i] = LoadBigEndian64(keys_[i].data());  // keys have at least 8 bytes
  return true;
}

bool ScannedInput::Next() {
  if (!status_.ok()) return false;
  // Only now may the scanners of the last partition move: key_ and the merged header
  // viewed into them.
  for (size_t i : holding_) {
    if (!Advance(i)) return false;
  }
  holding_.clear();
  if (live_count_ == 0) return false;
  uint64_t best = UINT64_MAX;
  for (size_t i = 0; i < prefixes_.size(); ++i) {
    if (live_[i] && prefixes_[i] < best) best = prefixes_[i];
  }
  for (size_t i = 0; i < prefixes_.size(); ++i) {
    if (!live_[i] || prefixes_[i] != best) continue;
    const int cmp = holding_.empty() ? -1 : CompareBytes(keys_[i], key_);
    if (cmp < 0) {
      holding_.assign(1, i);
      key_ = keys_[i];
    } else if (cmp == 0) {
      holding_.push_back(i);
    }
  }
  // MergedPartition::Open over the inputs holding the key, newest first.
  header_.Reset();
  cursors_.clear();
  admitted_.clear();
  for (size_t i : holding_) {
    if (!header_.Admits(max_timestamps_[i])) continue;
    header_.Add(scanners_[i]->header());
    cursors_.push_back(scanners_[i]->rows());
    admitted_.push_back(scanners_[i].get());
  }
  header_.Finish();
  rows_.Reset(cursors_, /*reversed=*/false, header_.deletion(), &header_.range_tombstones());
  return true;
}

class SourcedInput final : public CompactionInput {
 public:
  explicit SourcedInput(const std::vector<std::shared_ptr<const SSTable>>& inputs)
      : merger_(Cursors(inputs, &sources_)) {}

  bool Next() override;
  const absl::Status& status() const override { return status_; }
  std::string_view key() const override { return key_; }
  int sources_with_data() const override { return partition_->sources_with_data(); }
  const PartitionHeaderMerge& header() const override { return partition_->header(); }
  MergedRows& rows() override { return rows_; }

 private:
  static std::vector<std::unique_ptr<PartitionCursor>> Cursors(
      const std::vector<std::shared_ptr<const SSTable>>& inputs,
      std::vector<std::unique_ptr<Source>>* sources) {
    std::vector<std::unique_ptr<PartitionCursor>> cursors;
    for (const auto& sst : inputs) {
      sources->push_back(sst->NewSource(sst));
      cursors.push_back(sources->back()->NewPartitionCursor(""));
    }
    return cursors;
  }

  std::vector<std::unique_ptr<Source>> sources_;
  PartitionMerger merger_;
  std::string key_;
  std::vector<size_t> positions_;
  std::vector<Source*> holding_;
  std::unique_ptr<MergedPartition> partition_;
  MergedRows rows_;
  absl::Status status_;
};

bool SourcedInput::Next() {
  if (!status_.ok()) return false;
  // The merger says which inputs hold each partition: the others are not asked.
  while (merger_.Next(&key_, &positions_)) {
    holding_.clear();
    for (size_t i : positions_) holding_.push_back(sources_[i].get());
    auto p = MergedPartition::Open(holding_, key_);
    if (!p.ok()) {
      status_ = p.status();
      return false;
    }
    if ((*p)->sources_with_data() == 0) continue;
    rows_ = MergedRows();  // its cursors may view into the partition replaced next
    partition_ = *std::move(p);
    rows_ = partition_->Rows("", kClusteringTop, /*reversed=*/false);
    return true;
  }
  status_ = merger_.status();
  return false;
}

}  // namespace

std::unique_ptr<CompactionInput> NewScannedCompactionInput(
    const std::vector<std::shared_ptr<const SSTable>>& inputs) {
  return std::make_unique<ScannedInput>(inputs);
}

std::unique_ptr<CompactionInput> NewSourcedCompactionInput(
    const std::vector<std::shared_ptr<const SSTable>>& inputs) {
  return std::make_unique<SourcedInput>(inputs);
}

}  // namespace cassette

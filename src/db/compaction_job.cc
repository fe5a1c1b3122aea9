#include "db/compaction_job.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "db/compaction_input.h"
#include "sstable/file_names.h"
#include "tombstone/purge.h"
#include "types/partition_key.h"

namespace cassette {
namespace {

// Cassandra 4.0's compaction warnings: compaction_large_partition_warning_threshold
// (100 MiB) and compaction_tombstone_warning_threshold (100000).
constexpr uint64_t kLargePartitionBytes = 100ull << 20;
constexpr int64_t kManyTombstones = 100000;

// The zstd level of the outputs' index blocks (their data blocks keep the configured
// level). Index blocks are mostly keys with random tokens: at level 3 zstd compresses
// them 1.5x slower per byte than data blocks and for 16% of a compaction's zstd time
// when partitions are small, while level 2 is 1.5x faster and leaves the index 1.7%
// larger (0.2% of the SSTable). The format is the same at any level.
constexpr int kIndexZstdLevel = 2;

class Job {
 public:
  explicit Job(const CompactionJobSpec& spec)
      : spec_(spec),
        purger_{spec.now_sec, spec.now_sec - spec.table->schema().options.gc_grace_seconds,
                // Captures only `this`: std::function then allocates nothing.
                [this](int64_t timestamp) { return TimestampPurgeable(timestamp); }} {}
  absl::StatusOr<CompactionJobResult> Run();
  // After a failure: removes every file the job wrote (outputs once released).
  void Abandon();

 private:
  // The largest timestamp a tombstone of this partition may have to be purged.
  int64_t MaxPurgeableTimestamp(std::string_view key);
  // The purger's timestamp test for the partition being written.
  bool TimestampPurgeable(int64_t timestamp);
  absl::Status WritePartition(CompactionInput& in);
  // Purges and writes the partition's rows.
  absl::Status WriteRows(CompactionInput& in, int64_t* purged, int64_t* tombstones);
  // Begins the output partition out_ describes, unless it has begun.
  absl::Status BeginOutput();
  void WarnIfLarge(std::string_view key, uint64_t size, int64_t tombstones) const;
  absl::Status OpenOutput();
  absl::Status FinishOutput();
  bool ShouldSplitBefore(std::string_view key) const;

  const CompactionJobSpec& spec_;
  const Purger purger_;
  std::vector<std::unique_ptr<Source>> memtables_;
  std::unique_ptr<SSTableWriter> writer_;
  uint64_t writer_number_ = 0;
  size_t next_split_ = 0;  // index into task.split_tokens of the next boundary ahead
  // The partition being written, for the purger's lookups (made only if it asks).
  std::string_view partition_key_;
  bool max_purgeable_known_ = false;
  int64_t max_purgeable_ = INT64_MIN;
  // The output partition: written only once something in it survives purging.
  struct {
    std::string_view key;
    DeletionTime deletion;
    RangeTombstoneList rts;
    Row static_row;
    bool begun = false;
    uint64_t size_before = 0;  // the writer's estimated size before it
  } out_;
  Row scratch_;                  // a row being purged
  std::vector<int64_t> merged_;  // result_.merged_histogram, by sources_with_data
  CompactionJobResult result_;
};

int64_t Job::MaxPurgeableTimestamp(std::string_view key) {
  int64_t max_purgeable = std::numeric_limits<int64_t>::max();
  for (const auto& sst : spec_.others) {
    if (sst->MayContain(key)) max_purgeable = std::min(max_purgeable, sst->stats().min_timestamp);
  }
  for (size_t i = 0; i < memtables_.size(); ++i) {
    PartitionHeader h;
    auto found = memtables_[i]->ReadPartition(key, &h);
    // A memtable that cannot answer is assumed to hold the partition.
    if (!found.ok() || *found) {
      max_purgeable = std::min(max_purgeable, spec_.memtables[i]->min_timestamp());
    }
  }
  return max_purgeable;
}

bool Job::TimestampPurgeable(int64_t timestamp) {
  // Only partitions with something gc-able pay for the lookups.
  if (!max_purgeable_known_) {
    max_purgeable_ = MaxPurgeableTimestamp(partition_key_);
    max_purgeable_known_ = true;
  }
  return timestamp < max_purgeable_;
}

bool Job::ShouldSplitBefore(std::string_view key) const {
  if (writer_ == nullptr) return false;
  const uint64_t max = spec_.task.max_output_bytes;
  if (max > 0 && writer_->EstimatedSize() >= max) return true;
  const auto& splits = spec_.task.split_tokens;
  return next_split_ < splits.size() && TokenOfDecorated(key) >= splits[next_split_];
}

absl::Status Job::OpenOutput() {
  writer_number_ = spec_.new_file_number();
  SSTableWriterOptions wo = spec_.writer_options;
  wo.level = spec_.task.output_level;
  if (!wo.index_zstd_level && wo.zstd_level > kIndexZstdLevel) {
    wo.index_zstd_level = kIndexZstdLevel;
  }
  auto w = SSTableWriter::Create(spec_.env, spec_.dir, writer_number_, wo);
  if (!w.ok()) return w.status();
  writer_ = *std::move(w);
  return absl::OkStatus();
}

absl::Status Job::FinishOutput() {
  if (writer_ == nullptr) return absl::OkStatus();
  auto stats = writer_->Finish();  // syncs the output's files
  writer_.reset();
  if (!stats.ok()) return stats.status();
  auto sst = SSTable::Open(spec_.env, spec_.dir, writer_number_, spec_.block_cache);
  if (!sst.ok()) return sst.status();
  result_.bytes_out += (*sst)->total_bytes();
  result_.outputs.push_back(*std::move(sst));
  return absl::OkStatus();
}

absl::Status Job::BeginOutput() {
  if (out_.begun) return absl::OkStatus();
  if (writer_ == nullptr) {
    if (auto s = OpenOutput(); !s.ok()) return s;
  }
  out_.size_before = writer_->EstimatedSize();
  out_.begun = true;
  result_.partitions_out++;
  return writer_->BeginPartition(out_.key, out_.deletion, out_.rts, out_.static_row);
}

absl::Status Job::WriteRows(CompactionInput& in, int64_t* purged, int64_t* tombstones) {
  MergedRows& rows = in.rows();
  for (; rows.Valid(); rows.Next()) {
    const EncodingBases* bases = nullptr;
    if (const LiveRowRecord* live = in.LiveRow(&bases)) {
      // Live data only: purging leaves it whole, and it holds no tombstone.
      if (auto s = BeginOutput(); !s.ok()) return s;
      if (auto s = writer_->AddLiveRow(*live, *bases); !s.ok()) return s;
      result_.rows_out++;
      continue;
    }
    const Row* r = &rows.row();
    if (RowHasDeadData(*r, spec_.now_sec)) {
      scratch_ = *r;
      const size_t cells_before = scratch_.cells.size();
      const bool had_deletion = !scratch_.deletion.IsLive();
      if (!PurgeRow(&scratch_, purger_)) {
        *purged += static_cast<int64_t>(cells_before) + (had_deletion ? 1 : 0);
        continue;
      }
      *purged += static_cast<int64_t>(cells_before - scratch_.cells.size());
      r = &scratch_;
      for (const Cell& c : r->cells) *tombstones += c.IsLive(spec_.now_sec) ? 0 : 1;
      if (!r->deletion.IsLive()) ++*tombstones;
    } else if (r->IsEmpty()) {
      continue;  // everything in it was deleted: PurgeRow would report it empty
    }
    if (auto s = BeginOutput(); !s.ok()) return s;
    if (auto s = writer_->AddRow(*r); !s.ok()) return s;
    result_.rows_out++;
  }
  return rows.status();
}

absl::Status Job::WritePartition(CompactionInput& in) {
  const std::string_view key = in.key();
  const int sources = in.sources_with_data();
  result_.partitions_in += sources;
  if (merged_.size() <= static_cast<size_t>(sources)) merged_.resize(sources + 1);
  merged_[sources]++;
  partition_key_ = key;
  max_purgeable_known_ = false;

  const PartitionHeaderMerge& header = in.header();
  int64_t purged = 0;
  out_.key = key;
  out_.begun = false;
  out_.deletion = header.deletion();
  if (!out_.deletion.IsLive() &&
      purger_.ShouldPurge(out_.deletion.marked_for_delete_at, out_.deletion.ldt)) {
    out_.deletion = DeletionTime::Live();
    purged++;
  }
  if (!out_.rts.empty()) out_.rts = RangeTombstoneList();
  for (const RangeTombstone& rt : header.range_tombstones().fragments()) {
    if (purger_.ShouldPurge(rt.deletion.marked_for_delete_at, rt.deletion.ldt)) {
      purged++;
    } else {
      out_.rts.Add(rt.start, rt.end, rt.deletion);
    }
  }
  if (!header.static_row().IsEmpty()) {
    out_.static_row = header.static_row();
    if (!PurgeRow(&out_.static_row, purger_)) out_.static_row = Row();
  } else if (!out_.static_row.IsEmpty()) {
    out_.static_row = Row();
  }

  if (ShouldSplitBefore(key)) {
    if (auto s = FinishOutput(); !s.ok()) return s;
  }
  const auto& splits = spec_.task.split_tokens;
  while (next_split_ < splits.size() && TokenOfDecorated(key) >= splits[next_split_]) {
    next_split_++;
  }
  int64_t tombstones = static_cast<int64_t>(out_.rts.fragments().size());
  if (!out_.deletion.IsLive() || !out_.rts.empty() || !out_.static_row.IsEmpty()) {
    if (auto s = BeginOutput(); !s.ok()) return s;
  }
  if (auto s = WriteRows(in, &purged, &tombstones); !s.ok()) return s;
  result_.tombstones_purged += purged;
  if (!out_.begun) return absl::OkStatus();
  if (auto s = writer_->EndPartition(); !s.ok()) return s;
  // The estimate counts the open block uncompressed and shrinks when it is compressed,
  // so it can go down across a partition: clamp rather than wrap.
  const uint64_t size_after = writer_->EstimatedSize();
  const uint64_t size = size_after > out_.size_before ? size_after - out_.size_before : 0;
  WarnIfLarge(key, size, tombstones);
  if (spec_.limiter != nullptr) spec_.limiter->Request(size);
  return absl::OkStatus();
}

void Job::WarnIfLarge(std::string_view key, uint64_t size, int64_t tombstones) const {
  if (!spec_.warn || (size <= kLargePartitionBytes && tombstones <= kManyTombstones)) return;
  std::vector<Value> pk;
  std::string shown = "<undecodable>";
  if (DecodePartitionKey(key, spec_.table->partition_key_types(), &pk).ok()) {
    shown.clear();
    for (const Value& v : pk) absl::StrAppend(&shown, shown.empty() ? "" : ":", v.ToString());
  }
  if (size > kLargePartitionBytes) {
    spec_.warn(absl::StrCat("Writing large partition ", spec_.table->qualified_name(), ":", shown,
                            " (", size, " bytes to sstable ", writer_number_, ")"));
  }
  if (tombstones > kManyTombstones) {
    spec_.warn(absl::StrCat("Writing ", tombstones, " tombstones to ",
                            spec_.table->qualified_name(), ":", shown, " in sstable ",
                            writer_number_));
  }
}

absl::StatusOr<CompactionJobResult> Job::Run() {
  // Newest data first, so a partition deletion shadows the inputs after it.
  std::vector<std::shared_ptr<const SSTable>> inputs = spec_.inputs;
  std::stable_sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) {
    return a->stats().max_timestamp > b->stats().max_timestamp;
  });
  for (const auto& sst : inputs) result_.bytes_in += sst->total_bytes();
  for (const auto& m : spec_.memtables) {
    memtables_.push_back(Memtable::NewSource(m, std::numeric_limits<uint64_t>::max()));
  }
  std::unique_ptr<CompactionInput> in = spec_.read_through_sources
                                            ? NewSourcedCompactionInput(inputs)
                                            : NewScannedCompactionInput(inputs);
  while (in->Next()) {
    if (spec_.cancel != nullptr && spec_.cancel->load(std::memory_order_relaxed)) {
      return absl::CancelledError("compaction cancelled: the database is closing");
    }
    if (auto s = WritePartition(*in); !s.ok()) return s;
  }
  if (!in->status().ok()) return in->status();
  if (auto s = FinishOutput(); !s.ok()) return s;
  for (size_t k = 0; k < merged_.size(); ++k) {
    if (merged_[k] > 0) result_.merged_histogram[static_cast<int>(k)] = merged_[k];
  }
  // The outputs' folder entries must be durable before the manifest names them.
  if (!result_.outputs.empty()) {
    if (auto s = spec_.env->SyncDir(spec_.dir); !s.ok()) return s;
  }
  return std::move(result_);
}

}  // namespace

void Job::Abandon() {
  for (const auto& sst : result_.outputs) sst->MarkObsolete();
  result_.outputs.clear();
  if (writer_ != nullptr) {
    writer_.reset();
    for (SSTableFileKind kind : {SSTableFileKind::kIndex, SSTableFileKind::kData}) {
      spec_.env->RemoveFile(SSTableFilePath(spec_.dir, writer_number_, kind)).IgnoreError();
    }
  }
}

absl::StatusOr<CompactionJobResult> RunCompactionJob(const CompactionJobSpec& spec) {
  Job job(spec);
  auto result = job.Run();
  if (!result.ok()) job.Abandon();
  return result;
}

}  // namespace cassette

#include "db/compaction_job.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "db/merged_partition.h"
#include "row/partition_merger.h"
#include "sstable/file_names.h"
#include "tombstone/purge.h"
#include "types/partition_key.h"

namespace cassette {
namespace {

// Cassandra 4.0's compaction warnings: compaction_large_partition_warning_threshold
// (100 MiB) and compaction_tombstone_warning_threshold (100000).
constexpr uint64_t kLargePartitionBytes = 100ull << 20;
constexpr int64_t kManyTombstones = 100000;

class Job {
 public:
  explicit Job(const CompactionJobSpec& spec) : spec_(spec) {}
  absl::StatusOr<CompactionJobResult> Run();
  // After a failure: removes every file the job wrote (outputs once released).
  void Abandon();

 private:
  // The largest timestamp a tombstone of this partition may have to be purged.
  int64_t MaxPurgeableTimestamp(const std::string& key);
  // `sources`: the inputs holding the partition, newest data first.
  absl::Status WritePartition(const std::string& key, const std::vector<Source*>& sources);
  absl::Status OpenOutput();
  absl::Status FinishOutput();
  bool ShouldSplitBefore(const std::string& key) const;

  const CompactionJobSpec& spec_;
  std::vector<std::unique_ptr<Source>> inputs_;
  std::vector<std::unique_ptr<Source>> memtables_;
  std::unique_ptr<SSTableWriter> writer_;
  uint64_t writer_number_ = 0;
  size_t next_split_ = 0;  // index into task.split_tokens of the next boundary ahead
  CompactionJobResult result_;
};

int64_t Job::MaxPurgeableTimestamp(const std::string& key) {
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

bool Job::ShouldSplitBefore(const std::string& key) const {
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

absl::Status Job::WritePartition(const std::string& key, const std::vector<Source*>& sources) {
  auto mp = MergedPartition::Open(sources, key);
  if (!mp.ok()) return mp.status();
  const MergedPartition& p = **mp;
  if (p.sources_with_data() == 0) return absl::OkStatus();
  result_.partitions_in += p.sources_with_data();
  result_.merged_histogram[p.sources_with_data()]++;

  const int64_t gc_before = spec_.now_sec - spec_.table->schema().options.gc_grace_seconds;
  int64_t max_purgeable = INT64_MIN;
  bool max_purgeable_known = false;
  Purger purger{spec_.now_sec, gc_before, [&](int64_t timestamp) {
                  // Only partitions with something gc-able pay for the lookups.
                  if (!max_purgeable_known) {
                    max_purgeable = MaxPurgeableTimestamp(key);
                    max_purgeable_known = true;
                  }
                  return timestamp < max_purgeable;
                }};
  int64_t purged = 0;
  DeletionTime deletion = p.deletion();
  if (!deletion.IsLive() && purger.ShouldPurge(deletion.marked_for_delete_at, deletion.ldt)) {
    deletion = DeletionTime::Live();
    purged++;
  }
  RangeTombstoneList rts;
  for (const RangeTombstone& rt : p.range_tombstones().fragments()) {
    if (purger.ShouldPurge(rt.deletion.marked_for_delete_at, rt.deletion.ldt)) {
      purged++;
    } else {
      rts.Add(rt.start, rt.end, rt.deletion);
    }
  }
  Row static_row = p.static_row();
  if (!static_row.IsEmpty() && !PurgeRow(&static_row, purger)) static_row = Row();

  if (ShouldSplitBefore(key)) {
    if (auto s = FinishOutput(); !s.ok()) return s;
  }
  const auto& splits = spec_.task.split_tokens;
  while (next_split_ < splits.size() && TokenOfDecorated(key) >= splits[next_split_]) {
    next_split_++;
  }
  bool begun = false;
  uint64_t size_before = 0;
  int64_t tombstones = static_cast<int64_t>(rts.fragments().size());
  auto begin = [&]() -> absl::Status {
    if (begun) return absl::OkStatus();
    if (writer_ == nullptr) {
      if (auto s = OpenOutput(); !s.ok()) return s;
    }
    size_before = writer_->EstimatedSize();
    begun = true;
    result_.partitions_out++;
    return writer_->BeginPartition(key, deletion, rts, static_row);
  };
  if (!deletion.IsLive() || !rts.empty() || !static_row.IsEmpty()) {
    if (auto s = begin(); !s.ok()) return s;
  }
  MergedRows rows = p.Rows("", kClusteringTop, /*reversed=*/false);
  for (; rows.Valid(); rows.Next()) {
    Row r = rows.row();
    const size_t cells_before = r.cells.size();
    const bool had_deletion = !r.deletion.IsLive();
    if (!PurgeRow(&r, purger)) {
      purged += static_cast<int64_t>(cells_before) + (had_deletion ? 1 : 0);
      continue;
    }
    purged += static_cast<int64_t>(cells_before - r.cells.size());
    if (auto s = begin(); !s.ok()) return s;
    for (const Cell& c : r.cells) tombstones += c.IsLive(spec_.now_sec) ? 0 : 1;
    if (!r.deletion.IsLive()) tombstones++;
    if (auto s = writer_->AddRow(r); !s.ok()) return s;
    result_.rows_out++;
  }
  if (!rows.status().ok()) return rows.status();
  result_.tombstones_purged += purged;
  if (!begun) return absl::OkStatus();
  if (auto s = writer_->EndPartition(); !s.ok()) return s;
  // The estimate counts the open block uncompressed and shrinks when it is compressed,
  // so it can go down across a partition: clamp rather than wrap.
  const uint64_t size_after = writer_->EstimatedSize();
  const uint64_t size = size_after > size_before ? size_after - size_before : 0;
  if (spec_.warn && (size > kLargePartitionBytes || tombstones > kManyTombstones)) {
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
  if (spec_.limiter != nullptr) spec_.limiter->Request(size);
  return absl::OkStatus();
}

absl::StatusOr<CompactionJobResult> Job::Run() {
  // Newest data first, so MergedPartition skips inputs a partition deletion shadows.
  std::vector<std::shared_ptr<const SSTable>> inputs = spec_.inputs;
  std::stable_sort(inputs.begin(), inputs.end(), [](const auto& a, const auto& b) {
    return a->stats().max_timestamp > b->stats().max_timestamp;
  });
  for (const auto& sst : inputs) {
    inputs_.push_back(sst->NewSource(sst));
    result_.bytes_in += sst->total_bytes();
  }
  for (const auto& m : spec_.memtables) {
    memtables_.push_back(Memtable::NewSource(m, std::numeric_limits<uint64_t>::max()));
  }
  std::vector<std::unique_ptr<PartitionCursor>> cursors;
  for (auto& s : inputs_) cursors.push_back(s->NewPartitionCursor(""));
  PartitionMerger merger(std::move(cursors));
  std::string key;
  std::vector<size_t> positions;
  std::vector<Source*> holding;
  // The merger says which inputs hold each partition: the others are not asked (no
  // bloom filter, summary or index lookup for a partition known to be absent).
  while (merger.Next(&key, &positions)) {
    if (spec_.cancel != nullptr && spec_.cancel->load(std::memory_order_relaxed)) {
      return absl::CancelledError("compaction cancelled: the database is closing");
    }
    holding.clear();
    for (size_t i : positions) holding.push_back(inputs_[i].get());
    if (auto s = WritePartition(key, holding); !s.ok()) return s;
  }
  if (!merger.status().ok()) return merger.status();
  if (auto s = FinishOutput(); !s.ok()) return s;
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

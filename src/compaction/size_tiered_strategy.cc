// SizeTieredCompactionStrategy (§8): merges SSTables of similar size.
//
// Pick, in order: fully expired SSTables (dropped whole, as their own task), then the
// most interesting size bucket, then the largest SSTable worth a tombstone compaction.
// Pure: everything comes from the view and the options fixed at creation.

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "compaction/common_options.h"
#include "compaction/expiry.h"
#include "compaction/size_tiered.h"
#include "compaction/strategy_factories.h"

namespace cassette {
namespace {

constexpr std::string_view kName = "SizeTieredCompactionStrategy";

std::vector<uint64_t> Numbers(const std::vector<const SSTableInfo*>& sstables) {
  std::vector<uint64_t> out;
  out.reserve(sstables.size());
  for (const SSTableInfo* s : sstables) out.push_back(s->file_number);
  std::sort(out.begin(), out.end());
  return out;
}

// The fully expired SSTables among `sstables`, each judged against its own overlaps
// (see docs/compaction/stcs.md): pooling them, as FullyExpiredSSTables does for one
// compaction's inputs, would let any old live SSTable anywhere keep every one of them.
std::vector<const SSTableInfo*> ExpiredOneByOne(const CompactionView& view,
                                                const std::vector<const SSTableInfo*>& sstables) {
  const int64_t gc_before = view.gc_before_seconds();
  std::vector<const SSTableInfo*> out;
  for (const SSTableInfo* s : sstables) {
    if (s->max_local_deletion_time < gc_before &&
        !FullyExpiredSSTables(view, {s}, /*ignore_overlaps=*/false).empty()) {
      out.push_back(s);
    }
  }
  return out;
}

double AverageMiB(const std::vector<const SSTableInfo*>& sstables) {
  long double total = 0;
  for (const SSTableInfo* s : sstables) total += static_cast<long double>(s->bytes);
  return static_cast<double>(total / sstables.size() / (1 << 20));
}

class SizeTieredStrategy final : public CompactionStrategy {
 public:
  SizeTieredStrategy(const CommonCompactionOptions& common, const SizeTieredOptions& stcs)
      : common_(common), stcs_(stcs) {}

  std::string_view name() const override { return kName; }

  CompactionOptions EffectiveOptions() const override {
    CompactionOptions out;
    common_.AppendTo(&out);
    stcs_.AppendTo(&out);
    return out;
  }

  std::optional<CompactionTask> Pick(const CompactionView& view) const override {
    if (!common_.enabled) return std::nullopt;
    const std::vector<const SSTableInfo*> available = view.Available();
    if (available.empty()) return std::nullopt;

    // Cassandra drops these inside whatever task runs next; a task of their own frees
    // the space without waiting for a bucket to fill and costs no I/O.
    const std::vector<const SSTableInfo*> expired = ExpiredOneByOne(view, available);
    if (!expired.empty()) {
      CompactionTask task;
      task.expired = Numbers(expired);
      task.reason = CompactionReason::kExpired;
      task.description = absl::StrFormat("%d fully expired SSTables", expired.size());
      return task;
    }

    const std::vector<const SSTableInfo*> bucket = MostInterestingBucket(
        SizeTieredBuckets(available, stcs_), common_.min_threshold, common_.max_threshold);
    if (!bucket.empty()) {
      CompactionTask task;
      task.inputs = Numbers(bucket);
      task.reason = CompactionReason::kTiered;
      task.description =
          absl::StrFormat("bucket of %d SSTables, avg %.1f MiB", bucket.size(), AverageMiB(bucket));
      return task;
    }

    // Largest first: it holds the most tombstones to purge; ties go to the older file.
    const SSTableInfo* chosen = nullptr;
    for (const SSTableInfo* s : available) {
      if (!WorthDroppingTombstones(*s, view, common_)) continue;
      if (chosen == nullptr || s->bytes > chosen->bytes ||
          (s->bytes == chosen->bytes && s->file_number < chosen->file_number)) {
        chosen = s;
      }
    }
    if (chosen == nullptr) return std::nullopt;
    CompactionTask task;
    task.inputs = {chosen->file_number};
    task.reason = CompactionReason::kTombstone;
    task.description = absl::StrFormat("droppable tombstone ratio %.2f",
                                       chosen->DroppableTombstoneRatio(view.gc_before_seconds()));
    return task;
  }

  std::vector<CompactionTask> MajorTasks(const CompactionView& view) const override {
    const std::vector<const SSTableInfo*> available = view.Available();
    if (available.empty()) return {};
    // As Cassandra's CompactionTask does, fully expired members are dropped unread.
    const std::vector<const SSTableInfo*> expired = ExpiredOneByOne(view, available);
    CompactionTask task;
    task.expired = Numbers(expired);
    for (const SSTableInfo* s : available) {
      if (std::find(expired.begin(), expired.end(), s) == expired.end()) {
        task.inputs.push_back(s->file_number);
      }
    }
    std::sort(task.inputs.begin(), task.inputs.end());
    task.reason = CompactionReason::kMajor;
    task.description = absl::StrFormat("major compaction of %d SSTables", available.size());
    return {task};
  }

  int PendingTasks(const CompactionView& view) const override {
    const std::vector<const SSTableInfo*> available = view.Available();
    int pending = 0;
    // Pick runs the expired drop as a task of its own, so it counts as one.
    if (!ExpiredOneByOne(view, available).empty()) ++pending;
    for (const auto& bucket : SizeTieredBuckets(available, stcs_)) {
      if (bucket.size() < static_cast<size_t>(common_.min_threshold)) continue;
      pending += static_cast<int>((bucket.size() + common_.max_threshold - 1) /
                                  static_cast<size_t>(common_.max_threshold));
    }
    return pending;
  }

 private:
  const CommonCompactionOptions common_;
  const SizeTieredOptions stcs_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewSizeTieredStrategy(
    const CompactionOptions& options) {
  absl::StatusOr<CommonCompactionOptions> common = ParseCommonOptions(options);
  if (!common.ok()) return common.status();
  absl::StatusOr<SizeTieredOptions> stcs = ParseSizeTieredOptions(options);
  if (!stcs.ok()) return stcs.status();
  if (absl::Status s =
          RejectUnknownOptions(options, kName, {"min_sstable_size", "bucket_low", "bucket_high"});
      !s.ok()) {
    return s;
  }
  return std::make_unique<SizeTieredStrategy>(*common, *stcs);
}

}  // namespace cassette

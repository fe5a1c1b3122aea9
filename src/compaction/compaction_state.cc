#include "compaction/compaction_state.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace cassette {

const SSTableInfo* CompactionState::Find(uint64_t file_number) const {
  for (const SSTableInfo& s : sstables) {
    if (s.file_number == file_number) return &s;
  }
  return nullptr;
}

std::vector<const SSTableInfo*> CompactionView::Available() const {
  std::vector<const SSTableInfo*> out;
  for (const SSTableInfo& s : state->sstables) {
    if (!compacting.contains(s.file_number)) out.push_back(&s);
  }
  return out;
}

std::string_view CompactionReasonName(CompactionReason reason) {
  switch (reason) {
    case CompactionReason::kTiered: return "tiered";
    case CompactionReason::kLeveled: return "leveled";
    case CompactionReason::kL0Tiered: return "l0-tiered";
    case CompactionReason::kTimeWindow: return "time-window";
    case CompactionReason::kUnified: return "unified";
    case CompactionReason::kTombstone: return "tombstone";
    case CompactionReason::kExpired: return "expired";
    case CompactionReason::kMajor: return "major";
    case CompactionReason::kGarbageCollect: return "garbagecollect";
  }
  return "unknown";
}

absl::Status ApplyCompaction(const CompactionTask& task, const std::vector<SSTableInfo>& outputs,
                             CompactionState* state) {
  absl::flat_hash_set<uint64_t> removed;
  for (uint64_t n : task.AllInputs()) {
    if (state->Find(n) == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("compaction input ", n, " is not a live SSTable"));
    }
    if (!removed.insert(n).second) {
      return absl::FailedPreconditionError(absl::StrCat("compaction input ", n, " named twice"));
    }
  }
  for (const SSTableInfo& o : outputs) {
    if (state->Find(o.file_number) != nullptr && !removed.contains(o.file_number)) {
      return absl::FailedPreconditionError(
          absl::StrCat("compaction output ", o.file_number, " is already live"));
    }
  }
  // Round robin (LCS): remember how far the source level has been compacted.
  if (task.output_level > 0) {
    const int32_t source = task.output_level - 1;
    std::string last;
    bool any = false;
    for (uint64_t n : task.inputs) {
      const SSTableInfo* s = state->Find(n);
      if (s->level == source && (!any || last < s->last_key)) {
        last = s->last_key;
        any = true;
      }
    }
    if (any && source > 0) state->last_compacted_key[source] = last;
  }
  std::erase_if(state->sstables,
                [&](const SSTableInfo& s) { return removed.contains(s.file_number); });
  for (SSTableInfo o : outputs) {
    o.level = task.output_level;
    state->sstables.push_back(std::move(o));
  }
  return absl::OkStatus();
}

absl::Status ApplyFlush(const SSTableInfo& sstable, CompactionState* state) {
  if (state->Find(sstable.file_number) != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("flushed SSTable ", sstable.file_number, " is already live"));
  }
  SSTableInfo s = sstable;
  s.level = 0;
  state->sstables.push_back(std::move(s));
  return absl::OkStatus();
}

}  // namespace cassette

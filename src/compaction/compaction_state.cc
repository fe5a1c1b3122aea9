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
    case CompactionReason::kTiered:
      return "tiered";
    case CompactionReason::kLeveled:
      return "leveled";
    case CompactionReason::kL0Tiered:
      return "l0-tiered";
    case CompactionReason::kTimeWindow:
      return "time-window";
    case CompactionReason::kUnified:
      return "unified";
    case CompactionReason::kTombstone:
      return "tombstone";
    case CompactionReason::kExpired:
      return "expired";
    case CompactionReason::kMajor:
      return "major";
    case CompactionReason::kGarbageCollect:
      return "garbagecollect";
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

std::vector<SSTableInfo> EstimateOutputs(const CompactionState& state, const CompactionTask& task,
                                         uint64_t* next_file_number) {
  SSTableInfo total;
  bool any = false;
  for (uint64_t n : task.inputs) {
    const SSTableInfo* s = state.Find(n);
    if (s == nullptr) continue;
    if (!any) {
      total = *s;
      total.tombstone_drop_times.clear();
      total.bytes = total.uncompressed_bytes = 0;
      total.partition_count = total.cell_count = 0;
      any = true;
    }
    total.bytes += s->bytes;
    total.uncompressed_bytes += s->uncompressed_bytes;
    total.partition_count += s->partition_count;
    total.cell_count += s->cell_count;
    if (s->first_key < total.first_key) {
      total.first_key = s->first_key;
      total.first_token = s->first_token;
    }
    if (total.last_key < s->last_key) {
      total.last_key = s->last_key;
      total.last_token = s->last_token;
    }
    total.min_timestamp = std::min(total.min_timestamp, s->min_timestamp);
    total.max_timestamp = std::max(total.max_timestamp, s->max_timestamp);
    total.min_local_deletion_time =
        std::min(total.min_local_deletion_time, s->min_local_deletion_time);
    total.max_local_deletion_time =
        std::max(total.max_local_deletion_time, s->max_local_deletion_time);
    for (const auto& [ldt, count] : s->tombstone_drop_times)
      total.tombstone_drop_times[ldt] += count;
    total.created_at_micros = std::max(total.created_at_micros, s->created_at_micros);
  }
  if (!any) return {};
  total.level = task.output_level;
  uint64_t pieces = 1;
  if (task.max_output_bytes > 0) {
    pieces =
        std::max<uint64_t>(1, (total.bytes + task.max_output_bytes - 1) / task.max_output_bytes);
  }
  pieces = std::min<uint64_t>(pieces, std::max<int64_t>(1, total.partition_count));
  std::vector<SSTableInfo> out;
  // Equal token sub-ranges; keys hold only the token, as in the simulator's tables.
  const double lo = double(total.first_token), hi = double(total.last_token);
  for (uint64_t i = 0; i < pieces; ++i) {
    SSTableInfo piece = total;
    piece.file_number = (*next_file_number)++;
    piece.bytes = total.bytes / pieces;
    piece.uncompressed_bytes = total.uncompressed_bytes / pieces;
    piece.partition_count = total.partition_count / int64_t(pieces);
    piece.cell_count = total.cell_count / int64_t(pieces);
    piece.tombstone_drop_times.clear();
    for (const auto& [ldt, count] : total.tombstone_drop_times) {
      piece.tombstone_drop_times[ldt] = count / int64_t(pieces);
    }
    if (pieces > 1) {
      piece.first_token = int64_t(lo + (hi - lo) * double(i) / double(pieces));
      piece.last_token = i + 1 == pieces
                             ? total.last_token
                             : int64_t(lo + (hi - lo) * double(i + 1) / double(pieces)) - 1;
      piece.first_key = i == 0 ? total.first_key : TokenOnlyKey(piece.first_token);
      piece.last_key = i + 1 == pieces ? total.last_key : TokenOnlyKey(piece.last_token);
    }
    out.push_back(std::move(piece));
  }
  return out;
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

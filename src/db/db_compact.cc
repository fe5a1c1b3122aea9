// Compaction in the engine: background threads ask each table's strategy (a pure
// picker) for a task, run it with the engine lock released (db/compaction_job.h), then
// record the outputs and retire the inputs in one manifest edit. Major compaction and
// garbagecollect run the same way in the caller's thread.
//
// Invariants (under mu_):
// - An SSTable is in at most one running task (TableState::compacting); pickers see
//   those as unavailable.
// - A table's SSTable list changes only by whole edits that the manifest has synced;
//   readers that copied the old list keep reading it, and an input's files are removed
//   when the last such reader lets go (SSTable::MarkObsolete).
// - A failed job leaves the live set unchanged and pauses background compaction of the
//   table (so a persistent error does not loop); a failed manifest edit stops the engine
//   (bg_error_) because the durable state is then unknown.

#include <pthread.h>

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "db/compaction_job.h"
#include "db/db_impl.h"

namespace cassette {
namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Output level for LCS: a piece that would overlap an SSTable already in its level (one
// the task did not take) goes to L0 instead, as Cassandra's LeveledManifest does.
int32_t PlaceOutput(const std::vector<std::shared_ptr<const SSTable>>& live,
                    const std::map<uint64_t, int32_t>& levels, const std::set<uint64_t>& taken,
                    const SSTable& out, int32_t level) {
  if (level == 0) return 0;
  for (const auto& s : live) {
    if (taken.contains(s->file_number())) continue;
    auto it = levels.find(s->file_number());
    if (it == levels.end() || it->second != level) continue;
    if (!(s->stats().last_key < out.stats().first_key ||
          out.stats().last_key < s->stats().first_key)) {
      return 0;
    }
  }
  return level;
}

}  // namespace

CompactionState DbImpl::CompactionStateLocked(const TableState* t) const {
  CompactionState state;
  for (const auto& sst : t->sstables) {
    SSTableInfo info = SSTableInfo::FromStats(sst->file_number(), sst->total_bytes(), sst->stats());
    auto it = t->levels.find(sst->file_number());
    info.level = it == t->levels.end() ? 0 : it->second;
    state.sstables.push_back(std::move(info));
  }
  state.last_compacted_key = t->last_compacted_key;
  return state;
}

CompactionView DbImpl::ViewLocked(const TableState* t, const CompactionState* state) const {
  CompactionView view;
  view.state = state;
  view.compacting = t->compacting;
  view.now_micros = clock_->NowMicros();
  view.gc_grace_seconds = t->info->schema().options.gc_grace_seconds;
  std::optional<int64_t> mem_min;
  auto consider = [&](const MemRef& m) {
    if (m.empty) return;
    const int64_t ts = m.mem->min_timestamp();
    mem_min = mem_min ? std::min(*mem_min, ts) : ts;
  };
  consider(t->active);
  for (const MemRef& m : t->immutables) consider(m);
  view.memtable_min_timestamp = mem_min;
  if (t->flush_size_bytes > 0) view.flush_size_bytes = t->flush_size_bytes;
  return view;
}

bool DbImpl::PickLocked(TableState** table, CompactionTask* task) {
  for (auto& [name, t] : tables_) {
    if (t->manual_running || !t->compaction_error.ok()) continue;
    CompactionState state = CompactionStateLocked(t.get());
    CompactionView view = ViewLocked(t.get(), &state);
    std::optional<CompactionTask> picked = t->info->compaction().Pick(view);
    if (!picked) continue;
    *table = t.get();
    *task = *std::move(picked);
    return true;
  }
  return false;
}

absl::Status DbImpl::RunTaskLocked(TableState* t, CompactionTask task) {
  const std::string table = t->info->qualified_name();
  CompactionJobSpec spec;
  spec.table = t->info.get();
  std::set<uint64_t> taken(task.inputs.begin(), task.inputs.end());
  taken.insert(task.expired.begin(), task.expired.end());
  std::vector<std::shared_ptr<const SSTable>> expired;
  for (const auto& sst : t->sstables) {
    const uint64_t n = sst->file_number();
    if (!taken.contains(n)) {
      spec.others.push_back(sst);
    } else if (std::find(task.inputs.begin(), task.inputs.end(), n) != task.inputs.end()) {
      spec.inputs.push_back(sst);
    } else {
      expired.push_back(sst);
    }
  }
  if (spec.inputs.size() + expired.size() != taken.size()) {
    return absl::InternalError(absl::StrCat("compaction of ", table, " names a missing SSTable"));
  }
  spec.memtables.push_back(t->active.mem);
  for (const MemRef& m : t->immutables) spec.memtables.push_back(m.mem);
  spec.task = task;
  spec.now_sec = FloorSeconds(clock_->NowMicros());
  spec.writer_options.zstd_level = options_.sstable_compression_level;
  spec.writer_options.bloom_bits_per_key = options_.sstable_bloom_bits_per_key;
  spec.writer_options.created_at_micros = clock_->NowMicros();
  int64_t ts_base = INT64_MAX;
  for (const auto& sst : spec.inputs) ts_base = std::min(ts_base, sst->stats().min_timestamp);
  if (ts_base != INT64_MAX) spec.writer_options.timestamp_base_hint = ts_base;
  spec.env = env_;
  spec.dir = folder_;
  spec.new_file_number = [this] {
    MutexLock l(&mu_);
    return manifest_->NewFileNumber();
  };
  spec.limiter = compaction_limiter_.get();
  spec.cancel = &cancel_;
  spec.block_cache = block_cache_.get();
  if (options_.cache_written_blocks && block_cache_ != nullptr) {
    // Readers had most of the inputs' rows in the cache: the outputs, holding those rows,
    // replace them there as they are written, or every read right after would miss.
    uint64_t cached = 0, raw = 0;
    for (const auto& sst : spec.inputs) {
      cached += block_cache_->CachedDataBytes(sst->file_number());
      raw += sst->stats().uncompressed_bytes;
    }
    if (raw > 0 && 2 * cached >= raw) spec.writer_options.cache_written_blocks = block_cache_.get();
  }
  spec.warn = [this](const std::string& m) { Warn(m); };

  CompactionEvent event;
  event.table = table;
  event.reason = std::string(CompactionReasonName(task.reason));
  event.description = task.description;
  event.inputs = task.inputs;
  event.expired = task.expired;
  event.output_level = task.output_level;
  event.started_at_micros = clock_->NowMicros();
  for (uint64_t n : taken) t->compacting.insert(n);
  t->running_compactions++;
  t->running.push_back(event);
  const int64_t start = SteadyMicros();

  Notify([&](EventListener& l) { l.OnCompactionBegin(event); });
  absl::StatusOr<CompactionJobResult> result = CompactionJobResult();
  if (!spec.inputs.empty()) {
    mu_.Unlock();
    result = RunCompactionJob(spec);
    mu_.Lock();
  }
  absl::Status s = result.status();
  if (s.ok()) {
    ManifestEdit edit;
    for (const auto& out : result->outputs) {
      const int32_t level =
          t->info->compaction().name() == "LeveledCompactionStrategy"
              ? PlaceOutput(t->sstables, t->levels, taken, *out, task.output_level)
              : task.output_level;
      edit.added.push_back({table, out->file_number(), level});
    }
    for (uint64_t n : taken) edit.removed.push_back({table, n, 0});
    s = manifest_->LogAndApply(edit);
    if (!s.ok()) {
      bg_error_ = s;
      for (const auto& out : result->outputs) out->MarkObsolete();
    } else {
      CompactionState state = CompactionStateLocked(t);
      std::vector<SSTableInfo> outputs;
      for (const auto& out : result->outputs) {
        outputs.push_back(
            SSTableInfo::FromStats(out->file_number(), out->total_bytes(), out->stats()));
      }
      // Only the round-robin position is taken from the pure step; the live list below
      // is the engine's own.
      if (ApplyCompaction(task, outputs, &state).ok()) {
        t->last_compacted_key = state.last_compacted_key;
      }
      std::erase_if(t->sstables, [&](const std::shared_ptr<const SSTable>& sst) {
        if (!taken.contains(sst->file_number())) return false;
        sst->MarkObsolete();
        t->levels.erase(sst->file_number());
        return true;
      });
      for (size_t i = 0; i < result->outputs.size(); ++i) {
        t->levels[result->outputs[i]->file_number()] = edit.added[i].level;
        t->sstables.insert(t->sstables.begin(), result->outputs[i]);
      }
      RefreshReadView(t);
      t->compactions_completed++;
      t->bytes_compacted += result->bytes_out;
    }
  }
  std::erase_if(t->running, [&](const CompactionEvent& e) {
    return e.started_at_micros == event.started_at_micros && e.inputs == event.inputs;
  });
  event.duration_micros = SteadyMicros() - start;
  if (s.ok()) {
    for (const auto& out : result->outputs) event.outputs.push_back(out->file_number());
    event.bytes_in = result->bytes_in;
    for (const auto& sst : expired) event.bytes_in += sst->total_bytes();
    event.bytes_out = result->bytes_out;
    event.partitions_out = result->partitions_out;
    event.rows_out = result->rows_out;
    event.tombstones_purged = result->tombstones_purged;
    event.merged_histogram = result->merged_histogram;
  } else {
    event.error = std::string(s.message());
    if (!absl::IsCancelled(s)) {
      t->compaction_error = s;
      Warn(absl::StrCat("compaction of ", table, " failed (background compaction of the table ",
                        "is paused until reopen): ", s.message()));
    }
  }
  history_.push_back(event);
  while (history_.size() > static_cast<size_t>(std::max(0, options_.compaction_history_size))) {
    history_.pop_front();
  }
  // The job's references to retired inputs go now, so their files are removed before
  // anyone waiting for this task wakes up; the task counts as running until the
  // listener has heard of it.
  spec.inputs.clear();
  spec.others.clear();
  expired.clear();
  Notify([&](EventListener& l) { l.OnCompactionCompleted(event); });
  for (uint64_t n : taken) t->compacting.erase(n);
  t->running_compactions--;
  bg_cv_.SignalAll();
  return s;
}

void DbImpl::CompactionLoop() {
  // Named for top, perf and debuggers.
  pthread_setname_np(pthread_self(), "cassette-comp");
  MutexLock l(&mu_);
  while (!shutting_down_) {
    TableState* t = nullptr;
    CompactionTask task;
    if (bg_error_.ok() && PickLocked(&t, &task)) {
      (void)RunTaskLocked(t, std::move(task));  // failures are recorded and warned
      continue;
    }
    bg_cv_.Wait(&mu_);
  }
}

absl::Status DbImpl::RunManual(
    std::string_view table,
    const std::function<std::vector<CompactionTask>(const TableState*, const CompactionView&)>&
        make) {
  if (auto s = Flush(table); !s.ok()) return s;
  MutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  }
  // One manual operation at a time, after the background tasks of the table finish.
  while (bg_error_.ok() && (t->manual_running || t->running_compactions > 0)) bg_cv_.Wait(&mu_);
  if (!bg_error_.ok()) {
    return absl::UnavailableError(absl::StrCat("engine stopped: ", bg_error_.message()));
  }
  t->manual_running = true;
  CompactionState state = CompactionStateLocked(t);
  CompactionView view = ViewLocked(t, &state);
  std::vector<CompactionTask> tasks = make(t, view);
  absl::Status result;
  for (CompactionTask& task : tasks) {
    result = RunTaskLocked(t, std::move(task));
    if (!result.ok()) break;
  }
  t->manual_running = false;
  bg_cv_.SignalAll();
  return result;
}

absl::Status DbImpl::Compact(std::string_view table) {
  return RunManual(table, [](const TableState* t, const CompactionView& view) {
    return t->info->compaction().MajorTasks(view);
  });
}

absl::Status DbImpl::GarbageCollect(std::string_view table) {
  return RunManual(table, [](const TableState*, const CompactionView& view) {
    std::vector<CompactionTask> tasks;
    for (const SSTableInfo* s : view.Available()) {
      CompactionTask task;
      task.inputs = {s->file_number};
      task.output_level = s->level;
      task.reason = CompactionReason::kGarbageCollect;
      task.description = absl::StrCat("garbagecollect SSTable ", s->file_number);
      tasks.push_back(std::move(task));
    }
    return tasks;
  });
}

absl::Status DbImpl::SetCompaction(std::string_view table, const std::string& class_name,
                                   const std::map<std::string, std::string>& options) {
  MutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  }
  TableSchema schema = t->info->schema();
  schema.options.compaction_class = class_name;
  schema.options.compaction_options = options;
  auto info = TableInfo::Build(schema);
  if (!info.ok()) return info.status();
  while (bg_error_.ok() && (t->manual_running || t->running_compactions > 0)) bg_cv_.Wait(&mu_);
  if (!bg_error_.ok()) {
    return absl::UnavailableError(absl::StrCat("engine stopped: ", bg_error_.message()));
  }
  ManifestEdit edit;
  edit.altered_tables.push_back((*info)->schema());
  // Every SSTable starts over at the new strategy's adoption level (LCS: L0).
  const int32_t level = (*info)->compaction().LevelOnAdoption();
  for (const auto& [number, old_level] : t->levels) {
    if (old_level == level) continue;
    edit.removed.push_back({t->info->qualified_name(), number, 0});
    edit.added.push_back({t->info->qualified_name(), number, level});
  }
  if (auto s = manifest_->LogAndApply(edit); !s.ok()) {
    bg_error_ = s;
    return s;
  }
  for (auto& [number, old_level] : t->levels) old_level = level;
  t->last_compacted_key.clear();
  t->compaction_error = absl::OkStatus();
  t->info = *std::move(info);
  bg_cv_.SignalAll();
  return absl::OkStatus();
}

absl::Status DbImpl::WaitForCompactions(std::string_view table) {
  MutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  }
  while (true) {
    if (!bg_error_.ok()) {
      return absl::UnavailableError(absl::StrCat("engine stopped: ", bg_error_.message()));
    }
    if (!t->compaction_error.ok()) {
      return absl::UnavailableError(absl::StrCat("compaction of ", std::string(table),
                                                 " failed: ", t->compaction_error.message()));
    }
    if (t->running_compactions == 0 && !t->manual_running) {
      // Without background threads nothing more will run.
      if (options_.compaction_concurrency <= 0) return absl::OkStatus();
      CompactionState state = CompactionStateLocked(t);
      CompactionView view = ViewLocked(t, &state);
      if (!t->info->compaction().Pick(view)) return absl::OkStatus();
    }
    bg_cv_.Wait(&mu_);
  }
}

absl::StatusOr<CompactionStats> DbImpl::GetCompactionStats(std::string_view table) const {
  ReaderMutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  }
  CompactionStats stats;
  stats.strategy = std::string(t->info->compaction().name());
  CompactionState state = CompactionStateLocked(t);
  CompactionView view = ViewLocked(t, &state);
  stats.pending_tasks = t->info->compaction().PendingTasks(view);
  // The backlog: run the pure pickers forward on estimated outputs (no I/O) and add up
  // what the tasks would read.
  CompactionState sim = state;
  CompactionView sim_view = view;
  sim_view.state = &sim;
  uint64_t next_number = UINT64_MAX / 2;
  for (int i = 0; i < 1000; ++i) {
    std::optional<CompactionTask> task = t->info->compaction().Pick(sim_view);
    if (!task) break;
    for (uint64_t n : task->inputs) {
      if (const SSTableInfo* s = sim.Find(n)) stats.pending_bytes += s->bytes;
    }
    std::vector<SSTableInfo> outs = EstimateOutputs(sim, *task, &next_number);
    if (!ApplyCompaction(*task, outs, &sim).ok()) break;
  }
  stats.active = t->running;
  for (const auto& [number, level] : t->levels) stats.sstables_per_level[level]++;
  stats.completed = t->compactions_completed;
  stats.bytes_compacted = t->bytes_compacted;
  return stats;
}

std::vector<CompactionEvent> DbImpl::CompactionHistory() const {
  ReaderMutexLock l(&mu_);
  return {history_.begin(), history_.end()};
}

}  // namespace cassette

// Flush: immutable memtables become SSTables in the background; the manifest records
// each new SSTable together with how far the table's commit log is now covered, and
// commit-log segments nobody needs any more are deleted.
#include <pthread.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "db/db_impl.h"
#include "db/merged_partition.h"
#include "sstable/sstable_writer.h"

namespace cassette {

absl::Status DbImpl::FlushMemtable(TableState* t, const MemRef& m, uint64_t file_number,
                                   std::shared_ptr<const SSTable>* out) {
  // The manifest will say the table is flushed up to m.last. In periodic mode records
  // before that point (of any table) may not be synced yet; if they were lost in a crash
  // while this table's later data survived, the log would have a hole and a batch over
  // two tables could come back half-applied. Sync them first.
  if (auto s = log_->Sync(); !s.ok()) return s;
  SSTableWriterOptions wo;
  wo.zstd_level = options_.sstable_compression_level;
  wo.bloom_bits_per_key = options_.sstable_bloom_bits_per_key;
  wo.created_at_micros = clock_->NowMicros();
  if (options_.cache_written_blocks) wo.cache_written_blocks = block_cache_.get();
  auto writer = SSTableWriter::Create(env_, folder_, file_number, wo);
  if (!writer.ok()) return writer.status();
  // Everything in an immutable memtable is visible at the highest snapshot.
  auto source = Memtable::NewSource(m.mem, std::numeric_limits<uint64_t>::max());
  auto partitions = source->NewPartitionCursor("");
  for (; partitions->Valid(); partitions->Next()) {
    const std::string key(partitions->key());
    PartitionHeader header;
    auto found = source->ReadPartition(key, &header);
    if (!found.ok()) return found.status();
    if (auto s = (*writer)->BeginPartition(key, header.deletion, header.range_tombstones,
                                           header.static_row);
        !s.ok()) {
      return s;
    }
    auto rows = source->NewRowCursor(key, "", kClusteringTop, /*reversed=*/false);
    if (header.deletion.IsLive() && header.range_tombstones.empty()) {
      for (; rows->Valid(); rows->Next()) {
        if (auto s = (*writer)->AddRow(rows->row()); !s.ok()) return s;
      }
      if (!rows->status().ok()) return rows->status();
    } else {
      // What the partition's own deletions shadow is dropped here, as a compaction of
      // this one SSTable would drop it: the deletions are written, so nothing older can
      // come back, and reads of a queue (a range deletion in front of every consumed
      // row) no longer step over the consumed rows until a compaction takes the table.
      RowCursor* cursor = rows.get();
      MergedRows merged;
      merged.Reset(std::span(&cursor, 1), /*reversed=*/false, header.deletion,
                   &header.range_tombstones);
      for (; merged.Valid(); merged.Next()) {
        const Row& r = merged.row();
        if (r.IsEmpty()) continue;
        if (auto s = (*writer)->AddRow(r); !s.ok()) return s;
      }
      if (!merged.status().ok()) return merged.status();
    }
    if (auto s = (*writer)->EndPartition(); !s.ok()) return s;
  }
  if (!partitions->status().ok()) return partitions->status();
  auto stats = (*writer)->Finish();  // syncs the table's files
  if (!stats.ok()) return stats.status();
  // The new files' directory entries must be durable before the manifest names them.
  if (auto s = env_->SyncDir(folder_); !s.ok()) return s;
  auto sst = SSTable::Open(env_, folder_, file_number, block_cache_.get());
  if (!sst.ok()) return sst.status();
  *out = *std::move(sst);
  return absl::OkStatus();
}

absl::Status DbImpl::DiscardFlushedLog() {
  // The oldest record any memtable still needs; segments before it can go.
  LogPosition keep = log_->CurrentPosition();
  for (const auto& [name, t] : tables_) {
    for (const MemRef& m : t->immutables) {
      if (!m.empty) keep = std::min(keep, m.first);
    }
    if (!t->active.empty) keep = std::min(keep, t->active.first);
  }
  return log_->DiscardBefore(keep);
}

void DbImpl::FlushLoop() {
  // Named for top, perf and debuggers.
  pthread_setname_np(pthread_self(), "cassette-flush");
  MutexLock l(&mu_);
  while (true) {
    TableState* t = nullptr;
    if (bg_error_.ok()) {
      for (auto& [name, ts] : tables_) {
        if (!ts->immutables.empty()) {
          t = ts.get();
          break;
        }
      }
    }
    if (t == nullptr) {
      if (shutting_down_) return;
      bg_cv_.Wait(&mu_);
      continue;
    }
    MemRef m = t->immutables.front();
    ManifestEdit edit;
    std::shared_ptr<const SSTable> sst;
    absl::Status s;
    FlushEvent event;
    event.table = t->info->qualified_name();
    if (!m.empty) {
      const uint64_t number = manifest_->NewFileNumber();
      flushes_running_++;
      Notify([&](EventListener& l) { l.OnFlushBegin(event); });
      mu_.Unlock();
      s = FlushMemtable(t, m, number, &sst);
      mu_.Lock();
      flushes_running_--;
      if (s.ok()) edit.added.push_back({t->info->qualified_name(), number, 0});
    }
    if (s.ok() && !m.empty) {
      edit.flushed.emplace_back(t->info->qualified_name(), m.last);
      s = manifest_->LogAndApply(edit);
    }
    if (!s.ok()) {
      // Stop: the memtable stays readable and in the commit log; writes now fail rather
      // than pile up. Reopening retries the flush from the commit log.
      bg_error_ = s;
      Warn(absl::StrCat("flush of ", t->info->qualified_name(), " failed: ", s.message()));
      bg_cv_.SignalAll();
      continue;
    }
    if (sst != nullptr) {
      event.file_number = sst->file_number();
      event.bytes = sst->total_bytes();
      t->levels[sst->file_number()] = 0;
      // UCS's level base: a moving average of what flushes write.
      t->flush_size_bytes =
          t->flush_size_bytes == 0 ? event.bytes : (t->flush_size_bytes * 3 + event.bytes) / 4;
      t->sstables.insert(t->sstables.begin(), std::move(sst));
      RefreshReadView(t);
    }
    t->immutables.pop_front();
    t->flush_count++;
    if (auto d = DiscardFlushedLog(); !d.ok()) {
      Warn(absl::StrCat("could not delete old commit log segments: ", d.message()));
    }
    bg_cv_.SignalAll();
    if (event.file_number != 0) Notify([&](EventListener& l) { l.OnFlushCompleted(event); });
  }
}

absl::Status DbImpl::Flush(std::string_view table) {
  if (auto s = SwitchMemtable(table); !s.ok()) return s;
  MutexLock l(&mu_);
  TableState* t = FindTable(table);
  while (bg_error_.ok() && !t->immutables.empty()) bg_cv_.Wait(&mu_);
  if (!bg_error_.ok()) {
    return absl::UnavailableError(absl::StrCat("flush failed: ", bg_error_.message()));
  }
  return absl::OkStatus();
}

}  // namespace cassette

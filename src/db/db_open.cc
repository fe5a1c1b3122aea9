// Opening, recovering and closing a database; creating tables.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "commitlog/mutation_codec.h"
#include "db/db_impl.h"
#include "sstable/file_names.h"

namespace cassette {
namespace {

constexpr char kLockName[] = "LOCK";
constexpr char kCommitLogDir[] = "commitlog";

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const Options& options, const std::string& folder) {
  return DbImpl::OpenImpl(options, folder);
}

DbImpl::DbImpl(const Options& options, std::string folder, Env* env)
    : options_(options),
      folder_(std::move(folder)),
      env_(env),
      clock_(options.clock ? options.clock : SystemClock()) {
  if (options.block_cache_bytes > 0) {
    block_cache_ = std::make_unique<SharedBlockCache>(options.block_cache_bytes);
  }
}

absl::StatusOr<std::unique_ptr<Db>> DbImpl::OpenImpl(const Options& options,
                                                     const std::string& folder) {
  if (folder.empty()) return absl::InvalidArgumentError("database folder name is empty");
  if (options.memtable_budget_bytes < (64u << 10)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memtable_budget_bytes must be at least 65536, got ", options.memtable_budget_bytes));
  }
  if (options.max_immutable_memtables < 1) {
    return absl::InvalidArgumentError(absl::StrCat("max_immutable_memtables must be >= 1, got ",
                                                   options.max_immutable_memtables));
  }
  if (options.sstable_compression_level < 0 || options.sstable_compression_level > 22) {
    return absl::InvalidArgumentError(absl::StrCat("sstable_compression_level must be 0..22, got ",
                                                   options.sstable_compression_level));
  }
  Env* env = options.env ? options.env : Env::Default();
  if (!env->FileExists(folder)) {
    if (!options.create_if_missing) {
      return absl::NotFoundError(
          absl::StrCat("database folder '", folder, "' does not exist (create_if_missing is off)"));
    }
  } else if (auto children = env->GetChildren(folder); !children.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", folder, "' is not a folder: ", children.status().message()));
  }
  if (auto s = env->CreateDir(folder); !s.ok()) return s;
  std::unique_ptr<DbImpl> db(new DbImpl(options, folder, env));
  auto lock = env->LockFile(folder + "/" + kLockName);
  if (!lock.ok()) return lock.status();
  db->lock_ = *std::move(lock);
  {
    MutexLock l(&db->mu_);
    if (auto s = db->Recover(); !s.ok()) return s;
  }
  db->flush_thread_ = std::thread([p = db.get()] { p->FlushLoop(); });
  db->async_leader_ = std::thread([p = db.get()] { p->AsyncLeaderLoop(); });
  if (options.compaction_throughput_mib_per_sec > 0) {
    db->compaction_limiter_ = std::make_unique<RateLimiter>(
        static_cast<uint64_t>(options.compaction_throughput_mib_per_sec * 1048576.0));
  }
  for (int i = 0; i < options.compaction_concurrency; ++i) {
    db->compaction_threads_.emplace_back([p = db.get()] { p->CompactionLoop(); });
  }
  return std::unique_ptr<Db>(std::move(db));
}

absl::Status DbImpl::Recover() {
  auto manifest = Manifest::Open(env_, folder_, options_.create_if_missing);
  if (!manifest.ok()) return manifest.status();
  manifest_ = *std::move(manifest);
  for (const auto& [name, entry] : manifest_->state().tables) {
    auto info = TableInfo::Build(entry.schema);
    if (!info.ok()) {
      return absl::DataLossError(absl::StrCat("manifest holds an invalid schema for ", name, ": ",
                                              info.status().message()));
    }
    auto t = std::make_unique<TableState>();
    t->info = *std::move(info);
    // Newest first: higher file numbers were written later.
    for (auto it = entry.sstables.rbegin(); it != entry.sstables.rend(); ++it) {
      auto sst = SSTable::Open(env_, folder_, it->first, block_cache_.get());
      if (!sst.ok()) return sst.status();
      t->sstables.push_back(*std::move(sst));
      t->levels[it->first] = it->second;
    }
    RefreshReadView(t.get());
    tables_.emplace(name, std::move(t));
  }
  if (auto s = RemoveOrphans(); !s.ok()) return s;

  CommitLogOptions lo;
  lo.segment_size = options_.commitlog_segment_size;
  lo.salvage = options_.commitlog_salvage;
  lo.periodic_sync_ms =
      options_.commitlog_sync == CommitLogSync::kPeriodic ? options_.commitlog_sync_period_ms : 0;
  LogPosition prev;  // start of the record being replayed
  auto replay = [&](std::string_view record, LogPosition end) -> absl::Status {
    auto batch = DecodeBatch(record);
    if (!batch.ok()) return batch.status();
    const uint64_t seq = ++last_seq_;
    // Memtables switch only between records, as when the write was first applied: a
    // record split over two memtables would be half-skipped after the first is flushed.
    for (const BatchEntry& e : batch->entries()) {
      TableState* t = FindTable(e.table);
      if (t == nullptr) {
        return absl::DataLossError(absl::StrCat("commit log record at segment ", end.segment,
                                                " names unknown table ", e.table));
      }
      if (t->active.mem->ApproximateMemoryUsage() >= options_.memtable_budget_bytes) {
        SwitchLocked(t);
      }
    }
    for (const BatchEntry& e : batch->entries()) {
      TableState* t = FindTable(e.table);
      // Already in an SSTable: the manifest says the table is flushed past this record.
      if (end <= manifest_->state().tables.at(e.table).flushed) continue;
      t->active.mem->Apply(e.update, seq);
      if (t->active.empty) t->active.first = prev;
      t->active.empty = false;
      t->active.last = end;
    }
    prev = end;
    return absl::OkStatus();
  };
  ReplayReport report;
  auto log = CommitLog::Open(env_, folder_ + "/" + kCommitLogDir, lo, replay, &report);
  if (!log.ok()) return log.status();
  log_ = *std::move(log);
  // The commitlog/ folder's own entry in the database folder must be durable before any
  // write is acknowledged into it.
  if (auto s = env_->SyncDir(folder_); !s.ok()) return s;
  for (const std::string& note : report.notes) Warn(note);
  visible_seq_.store(last_seq_, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status DbImpl::RemoveOrphans() {
  auto children = env_->GetChildren(folder_);
  if (!children.ok()) return children.status();
  absl::flat_hash_map<uint64_t, bool> live;
  for (const auto& [name, t] : manifest_->state().tables) {
    for (const auto& [number, level] : t.sstables) live[number] = true;
  }
  const std::string current_manifest = Manifest::FileName(manifest_->manifest_number());
  for (const std::string& name : *children) {
    uint64_t number;
    bool orphan = false;
    SSTableFileKind kind;
    if (ParseSSTableFileName(name, &number, &kind)) {
      orphan = !live.contains(number) && !manifest_->torn_tail();
    } else if (name.rfind("MANIFEST-", 0) == 0) {
      orphan = name != current_manifest;
    } else if (name == "CURRENT.tmp") {
      orphan = true;
    }
    // Only files with cassette's own names are ever removed.
    if (orphan) {
      if (auto s = env_->RemoveFile(folder_ + "/" + name); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

DbImpl::~DbImpl() {
  {
    MutexLock l(&mu_);
    shutting_down_ = true;
    cancel_.store(true);
    bg_cv_.SignalAll();
    async_cv_.SignalAll();
  }
  // Asynchronous writes still queued are completed first (their futures are ready).
  if (async_leader_.joinable()) async_leader_.join();
  if (flush_thread_.joinable()) flush_thread_.join();
  for (std::thread& th : compaction_threads_) th.join();
  // Periodic mode acknowledges before syncing; a clean close makes those writes durable.
  if (log_ != nullptr) (void)log_->Sync();
}

absl::Status DbImpl::CreateTable(const TableSchema& schema) {
  auto info = TableInfo::Build(schema);
  if (!info.ok()) return info.status();
  MutexLock l(&mu_);
  const std::string& name = (*info)->qualified_name();
  if (tables_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("table ", name, " already exists"));
  }
  ManifestEdit edit;
  edit.created_tables.push_back((*info)->schema());
  if (auto s = manifest_->LogAndApply(edit); !s.ok()) return s;
  auto t = std::make_unique<TableState>();
  t->info = *std::move(info);
  tables_.emplace(name, std::move(t));
  return absl::OkStatus();
}

}  // namespace cassette

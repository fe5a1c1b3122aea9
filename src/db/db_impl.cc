#include "db/db_impl.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "db/mutation_builder.h"
#include "db/select.h"

namespace cassette {
namespace {

// Seconds for TTL and deletion times: floor, so that negative clocks work too.
int64_t FloorSeconds(int64_t micros) {
  int64_t s = micros / 1'000'000;
  return (micros % 1'000'000 < 0) ? s - 1 : s;
}

absl::Status EnsureFolder(const std::string& folder, bool create) {
  struct stat st;
  if (::stat(folder.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat("'", folder, "' exists and is not a folder"));
    }
    return absl::OkStatus();
  }
  if (!create) {
    return absl::NotFoundError(
        absl::StrCat("database folder '", folder, "' does not exist (create_if_missing is off)"));
  }
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::UnavailableError(
        absl::StrCat("cannot create database folder '", folder, "': ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const Options& options, const std::string& folder) {
  if (folder.empty()) return absl::InvalidArgumentError("database folder name is empty");
  if (options.memtable_budget_bytes < (64u << 10)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "memtable_budget_bytes must be at least 65536, got ", options.memtable_budget_bytes));
  }
  if (auto s = EnsureFolder(folder, options.create_if_missing); !s.ok()) return s;
  return std::unique_ptr<Db>(new DbImpl(options, folder));
}

DbImpl::DbImpl(const Options& options, std::string folder)
    : options_(options),
      folder_(std::move(folder)),
      clock_(options.clock ? options.clock : SystemClock()) {}

DbImpl::~DbImpl() = default;

void DbImpl::Warn(const std::string& msg) const {
  if (options_.warning_log) {
    options_.warning_log(msg);
  } else {
    std::cerr << "cassette WARN " << msg << "\n";
  }
}

DbImpl::TableState* DbImpl::FindTable(std::string_view name) const {
  auto it = tables_.find(absl::string_view(name.data(), name.size()));
  return it == tables_.end() ? nullptr : it->second.get();
}

absl::Status DbImpl::CreateTable(const TableSchema& schema) {
  auto info = TableInfo::Build(schema);
  if (!info.ok()) return info.status();
  absl::MutexLock wl(&write_mu_);
  absl::MutexLock l(&mu_);
  const std::string& name = (*info)->qualified_name();
  if (tables_.contains(name)) {
    return absl::AlreadyExistsError(absl::StrCat("table ", name, " already exists"));
  }
  auto t = std::make_unique<TableState>();
  t->info = *std::move(info);
  t->active = std::make_shared<Memtable>();
  tables_.emplace(name, std::move(t));
  return absl::OkStatus();
}

absl::StatusOr<TableSchema> DbImpl::GetSchema(std::string_view table) const {
  absl::ReaderMutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr)
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  return t->info->schema();
}

std::vector<std::string> DbImpl::ListTables() const {
  absl::ReaderMutexLock l(&mu_);
  std::vector<std::string> names;
  for (const auto& [name, t] : tables_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

void DbImpl::SwitchLocked(TableState* t) {
  t->immutables.insert(t->immutables.begin(), t->active);
  t->active = std::make_shared<Memtable>();
  t->switch_count++;
}

absl::Status DbImpl::Write(const WriteBatch& batch) {
  if (batch.empty()) return absl::OkStatus();
  absl::MutexLock wl(&write_mu_);
  // One timestamp per batch, strictly increasing across batches.
  const int64_t now_us = clock_->NowMicros();
  const int64_t ts =
      std::max(now_us, last_timestamp_ == INT64_MAX ? INT64_MAX : last_timestamp_ + 1);
  auto lookup = [this](std::string_view name) -> std::shared_ptr<const TableInfo> {
    absl::ReaderMutexLock l(&mu_);
    TableState* t = FindTable(name);
    return t == nullptr ? nullptr : t->info;
  };
  auto built = BuildMutations(batch, lookup, ts, FloorSeconds(now_us));
  if (!built.ok()) return built.status();
  last_timestamp_ = ts;

  std::vector<TableState*> targets;
  {
    absl::MutexLock l(&mu_);
    for (const BuiltMutation& m : *built) {
      TableState* t = FindTable(m.table->qualified_name());
      targets.push_back(t);
      // A full memtable becomes immutable before the batch, so a batch never spans two.
      if (t->active->ApproximateMemoryUsage() >= options_.memtable_budget_bytes) SwitchLocked(t);
    }
  }
  const uint64_t seq = ++last_seq_;
  for (size_t i = 0; i < built->size(); ++i) {
    targets[i]->active->Apply((*built)[i].update, seq);
    targets[i]->writes.fetch_add(1, std::memory_order_relaxed);
  }
  // Release: every version written above is visible to a reader that sees this seq.
  visible_seq_.store(seq, std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<ResultSet> DbImpl::Select(const SelectQuery& query) {
  std::shared_ptr<const TableInfo> info;
  std::vector<std::shared_ptr<const Memtable>> mems;
  TableState* t;
  {
    absl::ReaderMutexLock l(&mu_);
    t = FindTable(query.table);
    if (t == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unconfigured table ", query.table));
    }
    info = t->info;
    mems.push_back(t->active);
    mems.insert(mems.end(), t->immutables.begin(), t->immutables.end());
  }
  // Acquire pairs with Write's release: the snapshot's versions are fully written.
  const uint64_t snapshot = visible_seq_.load(std::memory_order_acquire);
  std::vector<std::unique_ptr<Source>> owned;
  std::vector<Source*> sources;
  for (auto& m : mems) {
    owned.push_back(Memtable::NewSource(m, snapshot));
    sources.push_back(owned.back().get());
  }
  t->reads.fetch_add(1, std::memory_order_relaxed);
  SelectContext ctx;
  ctx.table = info.get();
  ctx.sources = sources;
  ctx.now_sec = FloorSeconds(clock_->NowMicros());
  ctx.warn = [this](const std::string& m) { Warn(m); };
  return ExecuteSelect(ctx, query);
}

absl::StatusOr<std::optional<ResultRow>> DbImpl::Get(std::string_view table,
                                                     const ColumnValues& primary_key,
                                                     std::vector<std::string> columns) {
  std::shared_ptr<const TableInfo> info;
  {
    absl::ReaderMutexLock l(&mu_);
    TableState* t = FindTable(table);
    if (t == nullptr)
      return absl::InvalidArgumentError(absl::StrCat("unconfigured table ", std::string(table)));
    info = t->info;
  }
  SelectQuery q;
  q.table = std::string(table);
  q.columns = std::move(columns);
  q.limit = 1;
  ClusteringBound ck;
  std::vector<const Value*> by_id(info->column_count(), nullptr);
  for (const auto& [name, value] : primary_key) {
    int id = info->FindColumn(name);
    if (id < 0 || (info->column(id).kind != ColumnKind::kPartitionKey &&
                   info->column(id).kind != ColumnKind::kClustering)) {
      return absl::InvalidArgumentError(absl::StrCat("get on ", std::string(table), ": '", name,
                                                     "' is not a primary key column"));
    }
    if (by_id[id] != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("get on ", std::string(table), ": column '", name, "' is given twice"));
    }
    by_id[id] = &value;
  }
  for (uint32_t id : info->partition_key_columns()) {
    if (by_id[id] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("get on ", std::string(table),
                                                     ": missing partition key column '",
                                                     info->column(id).name, "'"));
    }
    q.partition_key.emplace_back(info->column(id).name, *by_id[id]);
  }
  for (uint32_t id : info->clustering_columns()) {
    if (by_id[id] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("get on ", std::string(table),
                                                     ": missing clustering column '",
                                                     info->column(id).name, "'"));
    }
    ck.prefix.push_back(*by_id[id]);
  }
  if (!ck.prefix.empty()) q.slice = ClusteringSlice{ck, ck};
  auto rs = Select(q);
  if (!rs.ok()) return rs.status();
  if (rs->rows.empty()) return std::optional<ResultRow>();
  return std::optional<ResultRow>(std::move(rs->rows[0]));
}

absl::Status DbImpl::SwitchMemtable(std::string_view table) {
  absl::MutexLock wl(&write_mu_);
  absl::MutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr)
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  SwitchLocked(t);
  return absl::OkStatus();
}

absl::StatusOr<TableStats> DbImpl::GetTableStats(std::string_view table) const {
  absl::ReaderMutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr)
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  TableStats s;
  s.memtable_count = 1 + static_cast<int64_t>(t->immutables.size());
  s.memtable_bytes = static_cast<int64_t>(t->active->ApproximateMemoryUsage());
  for (const auto& m : t->immutables) s.memtable_bytes += m->ApproximateMemoryUsage();
  s.memtable_switch_count = t->switch_count;
  s.write_count = t->writes.load(std::memory_order_relaxed);
  s.read_count = t->reads.load(std::memory_order_relaxed);
  return s;
}

}  // namespace cassette

#include "db/db_impl.h"

#include <algorithm>
#include <iostream>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "db/mutation_builder.h"
#include "db/select.h"

namespace cassette {
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

absl::StatusOr<TableSchema> DbImpl::GetSchema(std::string_view table) const {
  ReaderMutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr)
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  return t->info->schema();
}

std::vector<std::string> DbImpl::ListTables() const {
  ReaderMutexLock l(&mu_);
  std::vector<std::string> names;
  for (const auto& [name, t] : tables_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<ResultSet> DbImpl::Select(const SelectQuery& query) {
  return Select(query, nullptr);
}

absl::StatusOr<ResultSet> DbImpl::Select(const SelectQuery& query, RowVisitor visit) {
  return Select(query, &visit);
}

void DbImpl::RefreshReadView(TableState* t) {
  auto view = std::make_shared<std::vector<std::shared_ptr<const SSTable>>>(t->sstables);
  std::stable_sort(view->begin(), view->end(), [](const auto& a, const auto& b) {
    return a->stats().max_timestamp > b->stats().max_timestamp;
  });
  t->read_view = std::move(view);
}

absl::StatusOr<ResultSet> DbImpl::Select(const SelectQuery& query, const RowVisitor* visit) {
  std::shared_ptr<const TableInfo> info;
  absl::InlinedVector<std::shared_ptr<const Memtable>, 4> mems;
  std::shared_ptr<const std::vector<std::shared_ptr<const SSTable>>> ssts;
  TableState* t;
  {
    ReaderMutexLock l(&mu_);
    t = FindTable(query.table);
    if (t == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unconfigured table ", query.table));
    }
    info = t->info;
    mems.push_back(t->active.mem);
    for (auto it = t->immutables.rbegin(); it != t->immutables.rend(); ++it)
      mems.push_back(it->mem);
    ssts = t->read_view;  // keeps every table of this read alive
  }
  // Acquire pairs with the leader's release: the snapshot's versions are fully written.
  const uint64_t snapshot = visible_seq_.load(std::memory_order_acquire);
  absl::InlinedVector<std::unique_ptr<Source>, 8> owned;
  absl::InlinedVector<Source*, 8> sources;
  // An empty memtable (the usual state after a flush) is left out: a write it took
  // later has a sequence number above the snapshot, since Apply precedes the release
  // of visible_seq_ that made the snapshot.
  for (auto& m : mems) {
    if (m->update_count() > 0) owned.push_back(Memtable::NewSource(m, snapshot));
  }
  const size_t memtable_sources = owned.size();
  for (const auto& sst : *ssts) owned.push_back(sst->NewSource(sst));
  for (auto& o : owned) sources.push_back(o.get());
  t->reads.fetch_add(1, std::memory_order_relaxed);
  SelectContext ctx;
  ctx.table = info.get();
  ctx.sources = sources;
  ctx.memtable_sources = memtable_sources;
  ctx.now_sec = FloorSeconds(clock_->NowMicros());
  ctx.warn = [this](const std::string& m) { Warn(m); };
  return ExecuteSelect(ctx, query, visit);
}

absl::StatusOr<std::optional<ResultRow>> DbImpl::Get(std::string_view table,
                                                     const ColumnValues& primary_key,
                                                     std::vector<std::string> columns) {
  std::shared_ptr<const TableInfo> info;
  {
    ReaderMutexLock l(&mu_);
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

absl::StatusOr<TableStats> DbImpl::GetTableStats(std::string_view table) const {
  ReaderMutexLock l(&mu_);
  TableState* t = FindTable(table);
  if (t == nullptr)
    return absl::NotFoundError(absl::StrCat("unconfigured table ", std::string(table)));
  TableStats s;
  s.memtable_count = 1 + static_cast<int64_t>(t->immutables.size());
  s.memtable_bytes = static_cast<int64_t>(t->active.mem->ApproximateMemoryUsage());
  for (const auto& m : t->immutables) s.memtable_bytes += m.mem->ApproximateMemoryUsage();
  s.memtable_switch_count = t->switch_count;
  s.flush_count = t->flush_count;
  s.write_stall_micros = t->write_stall_micros;
  s.sstable_count = static_cast<int64_t>(t->sstables.size());
  for (const auto& sst : t->sstables) s.sstable_bytes += static_cast<int64_t>(sst->total_bytes());
  s.write_count = t->writes.load(std::memory_order_relaxed);
  s.read_count = t->reads.load(std::memory_order_relaxed);
  return s;
}

}  // namespace cassette

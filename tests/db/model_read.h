// tests/db/model_read.h — reads over the reference model's log (model.h), by brute force.
//
// Every read resolves every row it may return from the raw log: per column the winning
// version (§1), the row marker (LivenessInfo.supersedes), the strongest covering deletion
// (§2), then liveness at `now` (§3). Results follow query.h: SELECT * column order,
// static values on every row of their partition, one static-only row for a partition with
// live static data but no live rows when the query does not restrict clustering, LIMIT
// over the whole answer, whole-table scans in token order.

#ifndef CASSETTE_TESTS_DB_MODEL_READ_H_
#define CASSETTE_TESTS_DB_MODEL_READ_H_

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cassette/query.h"
#include "db/model.h"
#include "types/partition_key.h"

namespace cassette::model {

// The visible state of one row (or of the static row) at a given second.
struct ResolvedRow {
  bool live = false;
  std::map<std::string, CellVersion> cells;  // live cells only, by column name
};

// The highest deletion timestamp among `dels`, combined with `current`.
inline std::optional<int64_t> Strongest(std::optional<int64_t> current,
                                        const std::vector<Deletion>& dels) {
  for (const Deletion& d : dels) {
    if (!current || d.ts > *current) current = d.ts;
  }
  return current;
}

inline bool Shadowed(int64_t ts, std::optional<int64_t> deletion) {
  return deletion.has_value() && ts <= *deletion;  // §2: ties go to the deletion
}

// §2: only a partition deletion covers the static row.
inline ResolvedRow ResolveStatic(const PartitionLog& p, int64_t now_sec) {
  const std::optional<int64_t> del = Strongest(std::nullopt, p.deletions);
  ResolvedRow out;
  for (const auto& [name, versions] : p.static_cells) {
    const std::optional<CellVersion> w = WinningCell(versions);
    if (w && !Shadowed(w->ts, del) && CellIsLive(*w, now_sec)) out.cells.emplace(name, *w);
  }
  out.live = !out.cells.empty();
  return out;
}

inline ResolvedRow ResolveRow(const PartitionLog& p, const RowLog& r, int64_t now_sec) {
  // The strongest deletion covering the row: partition, any range containing it, row.
  std::optional<int64_t> del = Strongest(std::nullopt, p.deletions);
  for (const RangeDeletion& rd : p.range_deletions) {
    if (SliceContains(rd.slice, r.clustering)) del = Strongest(del, {rd.deletion});
  }
  del = Strongest(del, r.deletions);

  ResolvedRow out;
  const std::optional<Marker> marker = WinningMarker(r.markers);
  const bool marker_live = marker && !Shadowed(marker->ts, del) && MarkerIsLive(*marker, now_sec);
  for (const auto& [name, versions] : r.cells) {
    const std::optional<CellVersion> w = WinningCell(versions);
    if (w && !Shadowed(w->ts, del) && CellIsLive(*w, now_sec)) out.cells.emplace(name, *w);
  }
  // §3: a row exists if its marker is live or any of its cells is.
  out.live = marker_live || !out.cells.empty();
  return out;
}

// query.h: SELECT * is the partition key, the clustering columns, then static and regular
// columns each in name order.
inline std::vector<std::string> SelectedColumns(const TableDef& t,
                                                const std::vector<std::string>& requested) {
  if (!requested.empty()) return requested;
  std::vector<std::string> out;
  for (size_t i : t.pk) out.push_back(t.schema.columns[i].name);
  for (size_t i : t.ck) out.push_back(t.schema.columns[i].name);
  for (const auto* group : {&t.statics, &t.regulars}) {
    std::vector<std::string> names;
    for (size_t i : *group) names.push_back(t.schema.columns[i].name);
    std::sort(names.begin(), names.end());
    out.insert(out.end(), names.begin(), names.end());
  }
  return out;
}

// One CQL row. `clustering` is null for the static-only row (its clustering and regular
// columns are null). WRITETIME is the winning cell's timestamp, TTL its remaining
// seconds; both null for key columns and null cells, TTL also for cells without TTL.
inline ResultRow MakeRow(const TableDef& t, const std::vector<std::string>& columns,
                         const PartitionLog& p, const std::vector<Value>* clustering,
                         const ResolvedRow* row, const ResolvedRow& statics, bool with_wt_ttl,
                         int64_t now_sec) {
  ResultRow out;
  for (const std::string& name : columns) {
    const ColumnDef* col = t.Find(name);
    if (col == nullptr) Unsupported("selected column " + name);
    Value v;
    std::optional<int64_t> wt;
    std::optional<int32_t> ttl;
    const auto index = static_cast<size_t>(col - t.schema.columns.data());
    if (col->kind == ColumnKind::kPartitionKey) {
      v = p.key[std::find(t.pk.begin(), t.pk.end(), index) - t.pk.begin()];
    } else if (col->kind == ColumnKind::kClustering) {
      if (clustering != nullptr) {
        v = (*clustering)[std::find(t.ck.begin(), t.ck.end(), index) - t.ck.begin()];
      }
    } else {
      const ResolvedRow* src = col->kind == ColumnKind::kStatic ? &statics : row;
      if (src != nullptr) {
        auto it = src->cells.find(name);
        if (it != src->cells.end()) {
          v = Value::FromSerialized(col->type, *it->second.value);
          wt = it->second.ts;
          if (it->second.ttl > 0) ttl = static_cast<int32_t>(*it->second.ldt - now_sec);
        }
      }
    }
    out.values.push_back(std::move(v));
    if (with_wt_ttl) {
      out.writetime.push_back(wt);
      out.ttl.push_back(ttl);
    }
  }
  return out;
}

// Appends the CQL rows of one partition that fall in the query's slice.
inline void ReadPartition(const TableDef& t, const PartitionLog& p, const SelectQuery& q,
                          const std::vector<std::string>& columns, int64_t now_sec,
                          std::vector<ResultRow>* out) {
  const ResolvedRow statics = ResolveStatic(p, now_sec);
  std::vector<const RowLog*> rows;
  for (const RowLog& r : p.rows) {
    if (SliceContains(q.slice, r.clustering)) rows.push_back(&r);
  }
  std::sort(rows.begin(), rows.end(), [&](const RowLog* a, const RowLog* b) {
    return CompareStored(t, a->clustering, b->clustering) < 0;
  });
  if (q.reversed) std::reverse(rows.begin(), rows.end());
  bool any = false;
  for (const RowLog* r : rows) {
    const ResolvedRow resolved = ResolveRow(p, *r, now_sec);
    if (!resolved.live) continue;
    out->push_back(
        MakeRow(t, columns, p, &r->clustering, &resolved, statics, q.with_writetime_ttl, now_sec));
    any = true;
  }
  const bool restricted = q.slice.start.has_value() || q.slice.end.has_value();
  if (!any && !restricted && statics.live) {
    out->push_back(
        MakeRow(t, columns, p, nullptr, nullptr, statics, q.with_writetime_ttl, now_sec));
  }
}

struct Answer {
  std::vector<std::string> columns;
  std::vector<ResultRow> rows;
  // The slice selects no clustering at all: Db::Select may answer InvalidArgument.
  bool slice_empty = false;
};

// SELECT as query.h describes it, ignoring page_size / paging_state (the whole answer).
inline Answer Select(const Model& m, const SelectQuery& q, int64_t now_us) {
  const TableLog& tl = m.table(q.table);
  const TableDef& t = tl.def;
  const int64_t now_sec = FloorSeconds(now_us);
  Answer a;
  a.columns = SelectedColumns(t, q.columns);
  a.slice_empty = (q.slice.start || q.slice.end) && SliceIsEmpty(t, q.slice);

  std::vector<const PartitionLog*> parts;
  if (q.partition_key.empty()) {
    for (const auto& [key, p] : tl.partitions) parts.push_back(&p);
    // Token order (signed), then the serialized key as unsigned bytes.
    auto order = [](const PartitionLog* p) {
      const std::string s = SerializePartitionKey(p->key);
      return std::make_pair(PartitionToken(s), std::vector<uint8_t>(s.begin(), s.end()));
    };
    std::sort(parts.begin(), parts.end(),
              [&](const PartitionLog* x, const PartitionLog* y) { return order(x) < order(y); });
  } else {
    std::vector<Value> key;
    for (size_t i : t.pk) {
      for (const auto& [name, v] : q.partition_key) {
        if (name == t.schema.columns[i].name) key.push_back(v);
      }
    }
    auto it = tl.partitions.find(SerializePartitionKey(key));
    if (it != tl.partitions.end()) parts.push_back(&it->second);
  }
  for (const PartitionLog* p : parts) ReadPartition(t, *p, q, a.columns, now_sec, &a.rows);
  if (q.limit > 0 && a.rows.size() > static_cast<size_t>(q.limit)) a.rows.resize(q.limit);
  return a;
}

// Db::Get: the row with exactly this primary key if it exists (its static values
// included), else nullopt.
inline std::optional<ResultRow> Get(const Model& m, const std::string& table,
                                    const ColumnValues& primary_key,
                                    const std::vector<std::string>& columns, int64_t now_us) {
  const TableLog& tl = m.table(table);
  const TableDef& t = tl.def;
  const int64_t now_sec = FloorSeconds(now_us);
  auto value_of = [&](size_t col) {
    for (const auto& [name, v] : primary_key) {
      if (name == t.schema.columns[col].name) return v;
    }
    Unsupported("get without " + t.schema.columns[col].name);
  };
  std::vector<Value> pk, ck;
  for (size_t i : t.pk) pk.push_back(value_of(i));
  for (size_t i : t.ck) ck.push_back(value_of(i));
  auto it = tl.partitions.find(SerializePartitionKey(pk));
  if (it == tl.partitions.end()) return std::nullopt;
  const PartitionLog& p = it->second;
  for (const RowLog& r : p.rows) {
    if (r.clustering != ck) continue;
    const ResolvedRow resolved = ResolveRow(p, r, now_sec);
    if (!resolved.live) return std::nullopt;
    return MakeRow(t, SelectedColumns(t, columns), p, &r.clustering, &resolved,
                   ResolveStatic(p, now_sec), false, now_sec);
  }
  return std::nullopt;
}

}  // namespace cassette::model

#endif  // CASSETTE_TESTS_DB_MODEL_READ_H_

#include "db/mutation_builder.h"

#include <algorithm>
#include <optional>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "tombstone/ttl.h"
#include "types/partition_key.h"

namespace cassette {
namespace {

const char* KindName(WriteBatch::Kind k) {
  switch (k) {
    case WriteBatch::Kind::kInsert:
      return "insert";
    case WriteBatch::Kind::kUpdate:
      return "update";
    case WriteBatch::Kind::kDeleteColumns:
      return "delete of columns";
    case WriteBatch::Kind::kDelete:
      return "delete";
    case WriteBatch::Kind::kDeleteRange:
      return "range delete";
  }
  return "mutation";
}

absl::Status Bad(std::string_view where, std::string msg) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(where), ": ", msg));
}

// The primary key named by a mutation: partition key values by position and the
// clustering prefix given (a prefix of the clustering columns, in order).
struct ParsedKey {
  std::string decorated;
  std::vector<Value> clustering;  // prefix, possibly empty
};

absl::StatusOr<ParsedKey> ParseKey(const TableInfo& t, const ColumnValues& key,
                                   std::string_view where) {
  // Inline: every read and write parses a key, and tables have few columns.
  absl::InlinedVector<const Value*, 16> by_id(t.column_count(), nullptr);
  for (const auto& [name, value] : key) {
    int id = t.FindColumn(name);
    if (id < 0)
      return Bad(where, absl::StrCat("unknown column '", name, "' in ", t.qualified_name()));
    ColumnKind kind = t.column(id).kind;
    if (kind != ColumnKind::kPartitionKey && kind != ColumnKind::kClustering) {
      return Bad(where,
                 absl::StrCat("non PRIMARY KEY column '", name, "' cannot be used to select rows"));
    }
    if (by_id[id] != nullptr) return Bad(where, absl::StrCat("column '", name, "' is given twice"));
    if (auto s = CheckKeyValue(t, id, value, where); !s.ok()) return s;
    by_id[id] = &value;
  }
  absl::InlinedVector<Value, 2> pk;
  for (uint32_t id : t.partition_key_columns()) {
    if (by_id[id] == nullptr) {
      return Bad(where, absl::StrCat("missing partition key column '", t.column(id).name, "'"));
    }
    pk.push_back(*by_id[id]);
  }
  ParsedKey out;
  std::string serialized = SerializePartitionKey(pk);
  if (serialized.size() > kMaxPartitionKeySize) {
    return Bad(where, absl::StrCat("partition key length of ", serialized.size(),
                                   " is longer than maximum of ", kMaxPartitionKeySize));
  }
  out.decorated = DecoratePartitionKey(serialized);
  const auto& ck = t.clustering_columns();
  size_t i = 0;
  while (i < ck.size() && by_id[ck[i]] != nullptr) out.clustering.push_back(*by_id[ck[i++]]);
  for (size_t j = i + 1; j < ck.size(); ++j) {
    if (by_id[ck[j]] != nullptr) {
      return Bad(where, absl::StrCat("PRIMARY KEY column '", t.column(ck[j]).name,
                                     "' cannot be restricted as preceding column '",
                                     t.column(ck[i]).name, "' is not restricted"));
    }
  }
  return out;
}

// Builds cells for `values` (non-key columns) into the static and regular rows.
// Cell values point into `values`' Values, which must be the caller's batch.
absl::Status AddCells(const TableInfo& t,
                      const std::vector<const ColumnValues::value_type*>& values, int64_t ts,
                      int32_t ttl, int64_t now_sec, const std::string& missing_ck,
                      std::string_view where, Row* static_row, Row* row, std::vector<bool>* seen) {
  const bool key_is_full = missing_ck.empty();
  for (const auto* cv : values) {
    const std::string& name = cv->first;
    const Value& value = cv->second;
    int id = t.FindColumn(name);
    if (id < 0)
      return Bad(where, absl::StrCat("unknown column '", name, "' in ", t.qualified_name()));
    const ColumnDef& col = t.column(id);
    if (col.kind == ColumnKind::kPartitionKey || col.kind == ColumnKind::kClustering) {
      return Bad(where, absl::StrCat("PRIMARY KEY part '", name, "' found in SET part"));
    }
    if ((*seen)[id]) return Bad(where, absl::StrCat("column '", name, "' is given twice"));
    (*seen)[id] = true;
    if (col.kind == ColumnKind::kRegular && !key_is_full) {
      return Bad(where, absl::StrCat("regular column '", name,
                                     "' needs the full primary key: missing clustering column '",
                                     missing_ck, "'"));
    }
    Cell cell;
    cell.column = static_cast<uint32_t>(id);
    cell.timestamp = ts;
    if (value.is_null()) {
      cell.ldt = now_sec;  // a cell tombstone
    } else {
      if (value.type() != col.type) {
        return Bad(where, absl::StrCat("column '", name, "' is ", CqlTypeName(col.type), ", got a ",
                                       CqlTypeName(value.type()), " value"));
      }
      if (auto s = value.Validate(); !s.ok()) {
        return Bad(where, absl::StrCat("column '", name, "': ", s.message()));
      }
      if (value.serialized().size() > kMaxValueSize) {
        return Bad(where, absl::StrCat("column '", name, "': value of ", value.serialized().size(),
                                       " bytes is over the maximum of ", kMaxValueSize));
      }
      cell.value = value.serialized();
      if (ttl > 0) {
        cell.ttl = ttl;
        cell.ldt = ExpiryTime(now_sec, ttl);
      }
    }
    (col.kind == ColumnKind::kStatic ? static_row : row)->cells.push_back(cell);
  }
  return absl::OkStatus();
}

void SortCells(Row* row) {
  std::sort(row->cells.begin(), row->cells.end(),
            [](const Cell& a, const Cell& b) { return a.column < b.column; });
}

absl::StatusOr<PartitionUpdate> BuildOne(const TableInfo& t, const WriteBatch::Mutation& m,
                                         int64_t ts, int64_t now_sec, std::string_view where) {
  using Kind = WriteBatch::Kind;
  const bool is_delete =
      m.kind == Kind::kDeleteColumns || m.kind == Kind::kDelete || m.kind == Kind::kDeleteRange;
  if (is_delete && m.options.ttl.has_value()) {
    return Bad(where, "TTL is not allowed on deletes");
  }
  int32_t ttl = 0;
  if (!is_delete) {
    auto r = ResolveTtl(m.options.ttl, t.schema().options.default_time_to_live);
    if (!r.ok()) return Bad(where, std::string(r.status().message()));
    ttl = *r;
  }

  // Insert names key and non-key columns in one list; split them. Non-key entries stay
  // pointers into the batch, whose Values the cells will view.
  ColumnValues key = m.key;
  std::vector<const ColumnValues::value_type*> values;
  if (m.kind == Kind::kInsert) {
    key.clear();
    for (const auto& cv : m.values) {
      int id = t.FindColumn(cv.first);
      bool is_key = id >= 0 && (t.column(id).kind == ColumnKind::kPartitionKey ||
                                t.column(id).kind == ColumnKind::kClustering);
      if (is_key) {
        key.push_back(cv);
      } else {
        values.push_back(&cv);
      }
    }
  } else {
    for (const auto& cv : m.values) values.push_back(&cv);
  }
  auto parsed = ParseKey(t, key, where);
  if (!parsed.ok()) return parsed.status();
  const size_t ck_count = t.clustering_columns().size();
  const bool full = parsed->clustering.size() == ck_count;
  const std::string missing_ck =
      full ? "" : t.column(t.clustering_columns()[parsed->clustering.size()]).name;

  PartitionUpdate u;
  u.decorated_key = parsed->decorated;
  RowUpdate static_row;
  static_row.is_static = true;
  RowUpdate row;
  if (full) row.clustering = EncodeClustering(parsed->clustering, t.clustering_types());

  std::vector<bool> seen(t.column_count(), false);
  switch (m.kind) {
    case Kind::kInsert:
    case Kind::kUpdate: {
      if (m.kind == Kind::kUpdate && m.values.empty()) return Bad(where, "update sets no column");
      if (!full && !parsed->clustering.empty()) {
        return Bad(
            where,
            absl::StrCat("missing clustering column '",
                         t.column(t.clustering_columns()[parsed->clustering.size()]).name, "'"));
      }
      if (auto s = AddCells(t, values, ts, ttl, now_sec, missing_ck, where, &static_row.row,
                            &row.row, &seen);
          !s.ok()) {
        return s;
      }
      if (m.kind == Kind::kInsert) {
        if (full) {
          row.row.liveness.timestamp = ts;
          if (ttl > 0) {
            row.row.liveness.ttl = ttl;
            row.row.liveness.ldt = ExpiryTime(now_sec, ttl);
          }
        } else if (static_row.row.cells.empty()) {
          return Bad(where, absl::StrCat("missing clustering column '",
                                         t.column(t.clustering_columns()[0]).name, "'"));
        }
      }
      break;
    }
    case Kind::kDeleteColumns: {
      if (m.columns.empty()) return Bad(where, "delete names no column");
      if (!full && !parsed->clustering.empty()) {
        return Bad(where, "deleting columns needs the full primary key");
      }
      ColumnValues nulls;
      for (const auto& c : m.columns) nulls.emplace_back(c, Value::Null());
      std::vector<const ColumnValues::value_type*> null_ptrs;
      for (const auto& cv : nulls) null_ptrs.push_back(&cv);
      if (auto s = AddCells(t, null_ptrs, ts, 0, now_sec, missing_ck, where, &static_row.row,
                            &row.row, &seen);
          !s.ok()) {
        return s;
      }
      break;
    }
    case Kind::kDelete: {
      DeletionTime del{ts, now_sec};
      if (ck_count > 0 && full) {
        row.row.deletion = del;
      } else if (parsed->clustering.empty()) {
        u.partition_deletion = del;
      } else {
        std::string lo = EncodeClustering(parsed->clustering, t.clustering_types());
        std::string hi = lo + kAfterPrefixTag;
        u.range_tombstones.push_back({std::move(lo), std::move(hi), del});
      }
      break;
    }
    case Kind::kDeleteRange: {
      if (!parsed->clustering.empty()) {
        return Bad(where, "a range delete names the partition key only; give the range as a slice");
      }
      std::string lo, hi;
      if (auto s = EncodeSlice(t, m.slice, where, &lo, &hi); !s.ok()) return s;
      if (lo >= hi)
        return Bad(where, "range deletion selects no rows (start bound is not before end bound)");
      u.range_tombstones.push_back({std::move(lo), std::move(hi), DeletionTime{ts, now_sec}});
      break;
    }
  }
  if (!static_row.row.cells.empty()) {
    SortCells(&static_row.row);
    u.rows.push_back(std::move(static_row));
  }
  if (!row.row.IsEmpty()) {
    SortCells(&row.row);
    u.rows.push_back(std::move(row));
  }
  return u;
}

}  // namespace

absl::Status CheckKeyValue(const TableInfo& t, uint32_t column, const Value& v,
                           std::string_view where) {
  const ColumnDef& col = t.column(column);
  const bool pk = col.kind == ColumnKind::kPartitionKey;
  if (v.is_null()) {
    return Bad(where, absl::StrCat("invalid null value for ", pk ? "partition key" : "clustering",
                                   " column '", col.name, "'"));
  }
  if (v.type() != col.type) {
    return Bad(where, absl::StrCat("column '", col.name, "' is ", CqlTypeName(col.type), ", got a ",
                                   CqlTypeName(v.type()), " value"));
  }
  if (auto s = v.Validate(); !s.ok()) {
    return Bad(where, absl::StrCat("column '", col.name, "': ", s.message()));
  }
  if (v.serialized().size() > kMaxKeyComponentSize) {
    return Bad(where, absl::StrCat("key column '", col.name, "': length of ", v.serialized().size(),
                                   " is longer than maximum of ", kMaxKeyComponentSize));
  }
  if (pk && v.serialized().empty()) {
    return Bad(where, absl::StrCat("partition key column '", col.name, "' may not be empty"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BuildPartitionKey(const TableInfo& t, const ColumnValues& key,
                                              std::string_view where) {
  auto parsed = ParseKey(t, key, where);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->clustering.empty()) {
    return Bad(where, "clustering columns must be given as a slice, not in the partition key");
  }
  return parsed->decorated;
}

absl::Status EncodeSlice(const TableInfo& t, const ClusteringSlice& slice, std::string_view where,
                         std::string* lo, std::string* hi) {
  const auto& ck = t.clustering_columns();
  auto encode = [&](const ClusteringBound& b, const char* which, std::string* out) -> absl::Status {
    if (b.prefix.size() > ck.size()) {
      return Bad(where,
                 absl::StrCat(which, " bound has ", b.prefix.size(), " values but the table has ",
                              ck.size(), " clustering columns"));
    }
    for (size_t i = 0; i < b.prefix.size(); ++i) {
      if (auto s = CheckKeyValue(t, ck[i], b.prefix[i], where); !s.ok()) return s;
    }
    *out = EncodeClustering(b.prefix, t.clustering_types());
    return absl::OkStatus();
  };
  // A bound naming c1..ck means c1..c(k-1) equal to its values and ck compared (start:
  // >/>=, end: </<=), as CQL's single-column restrictions. The equality part is the
  // byte range of that prefix; the comparison is a half-space of encoded bytes, an upper
  // one for a lower value bound on a DESC column. The slice is their intersection.
  lo->clear();
  *hi = std::string(kClusteringTop);
  auto apply = [&](const ClusteringBound& b, bool lower_value, const char* which) -> absl::Status {
    std::string p;
    if (auto s = encode(b, which, &p); !s.ok()) return s;
    if (b.prefix.size() >= 2) {
      std::string eq = EncodeClustering(std::span<const Value>(b.prefix).first(b.prefix.size() - 1),
                                        t.clustering_types());
      *lo = std::max(*lo, eq);
      *hi = std::min(*hi, eq + kAfterPrefixTag);
    }
    const bool desc = !b.prefix.empty() && t.clustering_types()[b.prefix.size() - 1].descending;
    if (lower_value != desc) {  // a lower bound in byte order
      if (!b.inclusive) p.push_back(kAfterPrefixTag);
      *lo = std::max(*lo, p);
    } else {
      if (b.inclusive) p.push_back(kAfterPrefixTag);
      *hi = std::min(*hi, p);
    }
    return absl::OkStatus();
  };
  if (slice.start) {
    if (auto s = apply(*slice.start, true, "start"); !s.ok()) return s;
  }
  if (slice.end) {
    if (auto s = apply(*slice.end, false, "end"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BuiltMutation>> BuildMutations(const WriteBatch& batch,
                                                          const TableLookup& tables,
                                                          int64_t timestamp, int64_t now_sec) {
  std::vector<BuiltMutation> out;
  out.reserve(batch.size());
  for (size_t i = 0; i < batch.mutations().size(); ++i) {
    const auto& m = batch.mutations()[i];
    std::string where = absl::StrCat("mutation #", i, " (", KindName(m.kind), " on ", m.table, ")");
    auto table = tables(m.table);
    if (!table) return Bad(where, absl::StrCat("unconfigured table ", m.table));
    int64_t ts = m.options.timestamp.value_or(timestamp);
    if (ts == kNoTimestamp) {
      return Bad(where, "timestamp must be greater than INT64_MIN (reserved for 'no timestamp')");
    }
    auto u = BuildOne(*table, m, ts, now_sec, where);
    if (!u.ok()) return u.status();
    out.push_back({std::move(table), std::move(*u)});
  }
  return out;
}

}  // namespace cassette

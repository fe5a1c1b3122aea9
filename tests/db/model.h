// tests/db/model.h — a brute-force reference model of cassette's storage semantics.
//
// Written from /work/shared/reference/cassandra-semantics.md §1–§5 and the public headers,
// NOT from src/: it keeps a plain log of every fact ever written (cell versions, row
// markers, row / range / partition deletions) and answers reads (model_read.h) by
// resolving each row from scratch. Nothing is merged, purged or encoded, so that each rule
// can be read off one small function. Only cassette's public Value type and the partition
// key serialization (for scan order by token) are used.

#ifndef CASSETTE_TESTS_DB_MODEL_H_
#define CASSETTE_TESTS_DB_MODEL_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cassette/schema.h"
#include "cassette/value.h"
#include "cassette/write_batch.h"
#include "types/partition_key.h"

namespace cassette::model {

// The model only supports what the property test generates; anything else is a bug in
// the test, reported loudly rather than modelled wrongly.
[[noreturn]] inline void Unsupported(const std::string& what) {
  throw std::logic_error("model: unsupported " + what);
}

// §5 and query.h: seconds are floor(µs / 1e6), also for negative clocks.
inline int64_t FloorSeconds(int64_t micros) {
  int64_t s = micros / 1'000'000;
  return micros % 1'000'000 < 0 ? s - 1 : s;
}

// ---------------------------------------------------------------------------------------
// Facts.

struct Deletion {
  int64_t ts;   // markedForDeleteAt: deletes everything with timestamp <= ts (§2)
  int64_t ldt;  // seconds; only breaks ties between deletions, never visible in reads
};

struct CellVersion {
  int64_t ts;
  std::optional<std::string> value;  // serialized; nullopt = cell tombstone
  int64_t ttl = 0;                   // > 0: expiring cell
  std::optional<int64_t> ldt;        // tombstone: when deleted; expiring: when it expires
};

struct Marker {  // a primary-key liveness marker, written by INSERT (§3)
  int64_t ts;
  int64_t ttl = 0;  // > 0: expiring marker
  int64_t ldt = 0;  // expiry second when ttl > 0
};

// ---------------------------------------------------------------------------------------
// §1: which of two versions of one cell wins.

// Java's ByteBuffer.compareTo: byte by byte as SIGNED bytes, then the shorter is smaller.
inline int CompareSignedBytes(const std::string& a, const std::string& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<int8_t>(a[i]), y = static_cast<int8_t>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// True when `a` beats `b`. Ties are only possible for identical versions.
inline bool CellBeats(const CellVersion& a, const CellVersion& b) {
  if (a.ts != b.ts) return a.ts > b.ts;                                  // rule 1
  if (a.ldt.has_value() != b.ldt.has_value()) return a.ldt.has_value();  // rule 2
  if (a.ldt.has_value()) {
    const bool a_tomb = !a.value.has_value(), b_tomb = !b.value.has_value();
    if (a_tomb != b_tomb) return a_tomb;           // rule 3
    if (*a.ldt != *b.ldt) return *a.ldt > *b.ldt;  // rule 4
  }
  return CompareSignedBytes(a.value.value_or(""), b.value.value_or("")) > 0;  // rule 5
}

inline std::optional<CellVersion> WinningCell(const std::vector<CellVersion>& versions) {
  std::optional<CellVersion> best;
  for (const CellVersion& v : versions) {
    if (!best || CellBeats(v, *best)) best = v;
  }
  return best;
}

// LivenessInfo.supersedes: higher timestamp; tie: expiring beats non-expiring; both
// expiring: the later expiry.
inline bool MarkerSupersedes(const Marker& a, const Marker& b) {
  if (a.ts != b.ts) return a.ts > b.ts;
  const bool ae = a.ttl > 0, be = b.ttl > 0;
  if (ae != be) return ae;
  return ae && a.ldt > b.ldt;
}

inline std::optional<Marker> WinningMarker(const std::vector<Marker>& markers) {
  std::optional<Marker> best;
  for (const Marker& m : markers) {
    if (!best || MarkerSupersedes(m, *best)) best = m;
  }
  return best;
}

// §3: live iff it has a value and no expiry, or now < expiry.
inline bool CellIsLive(const CellVersion& c, int64_t now_sec) {
  return c.value.has_value() && (c.ttl == 0 || now_sec < *c.ldt);
}
inline bool MarkerIsLive(const Marker& m, int64_t now_sec) { return m.ttl == 0 || now_sec < m.ldt; }

// See Model::GarbageCollectChoices: when the winner is a live expiring cell and another
// version with its timestamp has expired, the tombstone that version becomes (the latest,
// if several); else nullopt.
inline std::optional<CellVersion> ExpiryTombstone(const std::vector<CellVersion>& versions,
                                                  int64_t now_sec) {
  const std::optional<CellVersion> w = WinningCell(versions);
  if (!w || w->ttl == 0 || !CellIsLive(*w, now_sec)) return std::nullopt;
  std::optional<CellVersion> out;
  for (const CellVersion& v : versions) {
    if (v.ts != w->ts || v.ttl == 0 || CellIsLive(v, now_sec)) continue;
    const CellVersion t{v.ts, std::nullopt, 0, *v.ldt - v.ttl};
    if (!out || CellBeats(t, *out)) out = t;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Tables and clustering order.

struct TableDef {
  TableSchema schema;
  std::vector<size_t> pk, ck, statics, regulars;  // indexes into schema.columns

  explicit TableDef(TableSchema s) : schema(std::move(s)) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      switch (schema.columns[i].kind) {
        case ColumnKind::kPartitionKey:
          pk.push_back(i);
          break;
        case ColumnKind::kClustering:
          ck.push_back(i);
          break;
        case ColumnKind::kStatic:
          statics.push_back(i);
          break;
        case ColumnKind::kRegular:
          regulars.push_back(i);
          break;
      }
    }
  }
  const ColumnDef* Find(const std::string& name) const {
    for (const ColumnDef& c : schema.columns) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
  bool CkDesc(size_t i) const { return schema.columns[ck[i]].order == ClusteringOrder::kDesc; }
};

// Orders two values of one clustering column by value: signed integers, text by
// unsigned bytes. Only the types the property test uses.
inline int CompareComponent(const Value& a, const Value& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  switch (a.type()) {
    case CqlType::kInt:
      return sign(a.AsInt(), b.AsInt());
    case CqlType::kBigint:
      return sign(a.AsInt64(), b.AsInt64());
    case CqlType::kText:
    case CqlType::kAscii:
    case CqlType::kBlob: {
      const std::string &x = a.serialized(), &y = b.serialized();
      const size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        const auto p = static_cast<uint8_t>(x[i]), q = static_cast<uint8_t>(y[i]);
        if (p != q) return p < q ? -1 : 1;
      }
      return sign(x.size(), y.size());
    }
    default:
      Unsupported(std::string("clustering type ") + CqlTypeName(a.type()));
  }
}

// Stored order of the first prefix.size() components of `x` against `prefix`: value
// order, reversed on DESC columns. 0 means x starts with the prefix.
inline int CompareStored(const TableDef& t, const std::vector<Value>& x,
                         const std::vector<Value>& prefix) {
  for (size_t i = 0; i < prefix.size() && i < x.size(); ++i) {
    int c = CompareComponent(x[i], prefix[i]);
    if (c != 0) return t.CkDesc(i) ? -c : c;
  }
  return 0;
}

// write_batch.h: a bound over c1..ck means c1..c(k-1) EQUAL to its values and ck
// compared by VALUE (start: > or >=, end: < or <=), whatever the clustering order, as
// CQL's single-column restrictions. An empty prefix (never generated) restricts nothing
// when inclusive and admits nothing when exclusive.
inline bool BoundAdmits(const ClusteringBound& b, bool is_start,
                        const std::vector<Value>& clustering) {
  if (b.prefix.empty()) return b.inclusive;
  const size_t last = b.prefix.size() - 1;
  for (size_t i = 0; i < last; ++i) {
    if (CompareComponent(clustering[i], b.prefix[i]) != 0) return false;
  }
  const int c = CompareComponent(clustering[last], b.prefix[last]);
  if (c == 0) return b.inclusive;
  return is_start ? c > 0 : c < 0;
}

// The slice is the intersection of its bounds; an absent bound is open.
inline bool SliceContains(const ClusteringSlice& s, const std::vector<Value>& clustering) {
  return (!s.start || BoundAdmits(*s.start, true, clustering)) &&
         (!s.end || BoundAdmits(*s.end, false, clustering));
}

// True when no clustering at all (of the whole type domain, not just values written)
// lies in the slice. Every region cut out by the bounds contains a probe point: per
// column the bound values themselves, and for each gap between/around them a value
// inside it (v - 1, v + 1 for ints; "" and v + "\0" — the smallest string after v — for
// text), so trying every combination of probes decides emptiness exactly.
inline bool SliceIsEmpty(const TableDef& t, const ClusteringSlice& s) {
  std::vector<std::vector<Value>> probes(t.ck.size());
  for (size_t i = 0; i < t.ck.size(); ++i) {
    const CqlType type = t.schema.columns[t.ck[i]].type;
    std::vector<Value> points;
    for (const auto* b : {s.start ? &*s.start : nullptr, s.end ? &*s.end : nullptr}) {
      if (b != nullptr && i < b->prefix.size()) points.push_back(b->prefix[i]);
    }
    auto& out = probes[i];
    if (type == CqlType::kInt) {
      out.push_back(Value::Int(0));
      for (const Value& v : points) {
        const int64_t x = v.AsInt();
        for (int64_t y : {x - 1, x, x + 1}) {
          if (y >= INT32_MIN && y <= INT32_MAX) out.push_back(Value::Int(static_cast<int32_t>(y)));
        }
      }
    } else if (type == CqlType::kText) {
      out.push_back(Value::Text(""));
      for (const Value& v : points) {
        out.push_back(v);
        out.push_back(Value::Text(v.serialized() + std::string(1, '\0')));
      }
    } else {
      Unsupported(std::string("clustering type for emptiness ") + CqlTypeName(type));
    }
  }
  // Odometer over the cross product.
  std::vector<size_t> idx(t.ck.size(), 0);
  while (true) {
    std::vector<Value> x;
    for (size_t i = 0; i < idx.size(); ++i) x.push_back(probes[i][idx[i]]);
    if (SliceContains(s, x)) return false;
    size_t i = 0;
    while (i < idx.size() && ++idx[i] == probes[i].size()) idx[i++] = 0;
    if (i == idx.size()) return true;
  }
}

// ---------------------------------------------------------------------------------------
// The log.

struct RowLog {
  std::vector<Value> clustering;
  std::vector<Marker> markers;
  std::vector<Deletion> deletions;
  std::map<std::string, std::vector<CellVersion>> cells;  // column name -> versions
};

struct RangeDeletion {
  ClusteringSlice slice;  // a value predicate, evaluated with SliceContains
  Deletion deletion;
};

struct PartitionLog {
  std::vector<Value> key;  // partition key values in key order
  std::vector<Deletion> deletions;
  std::vector<RangeDeletion> range_deletions;
  std::map<std::string, std::vector<CellVersion>> static_cells;
  std::vector<RowLog> rows;  // one entry per clustering ever named by a row-level fact

  RowLog& Row(const std::vector<Value>& clustering) {
    for (RowLog& r : rows) {
      if (r.clustering == clustering) return r;
    }
    rows.push_back(RowLog{clustering, {}, {}, {}});
    return rows.back();
  }
};

struct TableLog {
  TableDef def;
  std::map<std::string, PartitionLog> partitions;  // serialized partition key -> log
};

class Model {
 public:
  void CreateTable(const TableSchema& schema) {
    tables_.emplace(schema.QualifiedName(), TableLog{TableDef(schema), {}});
  }
  const TableLog& table(const std::string& name) const {
    auto it = tables_.find(name);
    if (it == tables_.end()) Unsupported("table " + name);
    return it->second;
  }
  // The timestamp of the last accepted batch (nullopt before the first).
  std::optional<int64_t> last_timestamp() const { return last_ts_; }

  // True when Db::Write may reject the batch with InvalidArgument: it has a range
  // deletion whose slice selects nothing. (Everything else the test generates is valid.)
  bool MayReject(const WriteBatch& batch) const {
    for (const auto& m : batch.mutations()) {
      if (m.kind == WriteBatch::Kind::kDeleteRange && SliceIsEmpty(table(m.table).def, m.slice)) {
        return true;
      }
    }
    return false;
  }

  // A cell where garbagecollect may have changed the answer, and the tombstone it then
  // left. Garbagecollect rewrites each SSTable alone, turning an expired cell into a
  // tombstone created when the cell was written (§5). Against another version of the same
  // cell with the same timestamp, a later expiry and still live, that tombstone wins
  // (§1 rule 3); merged before, in one memtable or one compaction, the later expiry won
  // (rule 4) and the cell stays live. Cassandra does the same. Which of the two happened
  // depends on which SSTables held the versions, which the model does not track, so the
  // test keeps both outcomes as candidate states.
  struct GcChoice {
    std::vector<Value> partition_key;
    std::optional<std::vector<Value>> clustering;  // nullopt: a static cell
    std::string column;
    CellVersion tombstone;
  };
  std::vector<GcChoice> GarbageCollectChoices(const std::string& name, int64_t now_sec) const {
    std::vector<GcChoice> out;
    auto check = [&](const PartitionLog& p, const std::vector<Value>* clustering,
                     const std::map<std::string, std::vector<CellVersion>>& cells) {
      for (const auto& [column, versions] : cells) {
        if (std::optional<CellVersion> t = ExpiryTombstone(versions, now_sec)) {
          out.push_back(
              GcChoice{p.key, clustering ? std::optional(*clustering) : std::nullopt, column, *t});
        }
      }
    };
    for (const auto& [key, p] : table(name).partitions) {
      check(p, nullptr, p.static_cells);
      for (const RowLog& r : p.rows) check(p, &r.clustering, r.cells);
    }
    return out;
  }
  void AddTombstone(const std::string& name, const GcChoice& c) {
    TableLog& t = tables_.at(name);
    PartitionLog& p = t.partitions[SerializePartitionKey(c.partition_key)];
    p.key = c.partition_key;
    (c.clustering ? p.Row(*c.clustering).cells : p.static_cells)[c.column].push_back(c.tombstone);
  }

  // Records an accepted batch written when the clock read `now_us`. One default
  // timestamp per batch: max(now, previous batch's + 1) (write_batch.h). A rejected batch
  // applies nothing, so it is not passed here and does not consume a timestamp.
  void Apply(const WriteBatch& batch, int64_t now_us) {
    if (batch.empty()) return;
    int64_t ts = now_us;
    if (last_ts_ && *last_ts_ != std::numeric_limits<int64_t>::max()) {
      ts = std::max(ts, *last_ts_ + 1);
    }
    last_ts_ = ts;
    for (const auto& m : batch.mutations()) ApplyOne(m, ts, FloorSeconds(now_us));
  }

 private:
  struct Key {
    PartitionLog* partition;
    std::vector<Value> clustering;  // prefix named by the mutation
  };

  void ApplyOne(const WriteBatch::Mutation& m, int64_t batch_ts, int64_t now_sec);
  Key ParseKey(TableLog& t, const ColumnValues& key);

  std::map<std::string, TableLog> tables_;
  std::optional<int64_t> last_ts_;
};

inline Model::Key Model::ParseKey(TableLog& t, const ColumnValues& key) {
  auto lookup = [&](size_t col) -> const Value* {
    for (const auto& [name, value] : key) {
      if (name == t.def.schema.columns[col].name) return &value;
    }
    return nullptr;
  };
  std::vector<Value> pk;
  for (size_t col : t.def.pk) {
    const Value* v = lookup(col);
    if (v == nullptr) Unsupported("mutation without the full partition key");
    pk.push_back(*v);
  }
  Key out;
  for (size_t col : t.def.ck) {
    const Value* v = lookup(col);
    if (v == nullptr) break;
    out.clustering.push_back(*v);
  }
  PartitionLog& p = t.partitions[SerializePartitionKey(pk)];
  p.key = pk;
  out.partition = &p;
  return out;
}

inline void Model::ApplyOne(const WriteBatch::Mutation& m, int64_t batch_ts, int64_t now_sec) {
  using Kind = WriteBatch::Kind;
  auto it = tables_.find(m.table);
  if (it == tables_.end()) Unsupported("table " + m.table);
  TableLog& t = it->second;
  const int64_t ts = m.options.timestamp.value_or(batch_ts);
  // §5: no TTL given -> the table's default; 0 -> none.
  const int64_t ttl = m.options.ttl.value_or(t.def.schema.options.default_time_to_live);

  // §3: null writes a cell tombstone (deleted "now"); §5: ldt = now + ttl.
  auto version = [&](const Value& v, int64_t cell_ttl) {
    if (v.is_null()) return CellVersion{ts, std::nullopt, 0, now_sec};
    CellVersion c{ts, v.serialized(), cell_ttl, std::nullopt};
    if (cell_ttl > 0) c.ldt = now_sec + cell_ttl;
    return c;
  };
  auto write_cells = [&](const Key& k, const ColumnValues& values, int64_t cell_ttl) {
    for (const auto& [name, v] : values) {
      const ColumnDef* col = t.def.Find(name);
      if (col == nullptr) Unsupported("column " + name);
      if (col->kind == ColumnKind::kStatic) {
        k.partition->static_cells[name].push_back(version(v, cell_ttl));
      } else if (col->kind == ColumnKind::kRegular && k.clustering.size() == t.def.ck.size()) {
        k.partition->Row(k.clustering).cells[name].push_back(version(v, cell_ttl));
      } else {
        Unsupported("cell write to " + name);
      }
    }
  };

  switch (m.kind) {
    case Kind::kInsert: {
      ColumnValues key, values;
      for (const auto& cv : m.values) {
        const ColumnDef* col = t.def.Find(cv.first);
        if (col == nullptr) Unsupported("column " + cv.first);
        const bool is_key =
            col->kind == ColumnKind::kPartitionKey || col->kind == ColumnKind::kClustering;
        (is_key ? key : values).push_back(cv);
      }
      const Key k = ParseKey(t, key);
      if (k.clustering.size() == t.def.ck.size()) {
        // INSERT writes the row marker with the statement's timestamp and TTL.
        k.partition->Row(k.clustering)
            .markers.push_back(Marker{ts, ttl, ttl > 0 ? now_sec + ttl : 0});
      } else if (!k.clustering.empty()) {
        Unsupported("insert with a partial clustering key");
      }
      // Without clustering (static columns only) there is no row, hence no marker.
      write_cells(k, values, ttl);
      break;
    }
    case Kind::kUpdate:
      write_cells(ParseKey(t, m.key), m.values, ttl);  // cells only, no marker
      break;
    case Kind::kDeleteColumns: {
      ColumnValues nulls;
      for (const std::string& c : m.columns) nulls.emplace_back(c, Value::Null());
      write_cells(ParseKey(t, m.key), nulls, 0);
      break;
    }
    case Kind::kDelete: {
      const Key k = ParseKey(t, m.key);
      const Deletion d{ts, now_sec};
      if (k.clustering.empty()) {
        k.partition->deletions.push_back(d);  // also a table without clustering columns
      } else if (k.clustering.size() == t.def.ck.size()) {
        k.partition->Row(k.clustering).deletions.push_back(d);
      } else {
        // §4: a prefix delete is the inclusive range [prefix, prefix].
        ClusteringBound b{k.clustering, true};
        k.partition->range_deletions.push_back({ClusteringSlice{b, b}, d});
      }
      break;
    }
    case Kind::kDeleteRange: {
      const Key k = ParseKey(t, m.key);
      if (!k.clustering.empty()) Unsupported("range delete naming clustering columns");
      k.partition->range_deletions.push_back({m.slice, Deletion{ts, now_sec}});
      break;
    }
  }
}

}  // namespace cassette::model

#endif  // CASSETTE_TESTS_DB_MODEL_H_

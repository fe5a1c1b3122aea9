// tests/db/property_gen.h — random operation sequences for property_test.cc.
//
// A case is a list of Steps generated up front (so RapidCheck shrinks it by dropping
// steps and simplifying each one). Anything that depends on the state reached — an
// explicit timestamp placed next to the last batch's, a clock move to the next second —
// is kept symbolic and resolved when the step runs. Domains are tiny on purpose so that
// keys collide, timestamps tie and deletions overlap; "narrow" cases shrink them further.

#ifndef CASSETTE_TESTS_DB_PROPERTY_GEN_H_
#define CASSETTE_TESTS_DB_PROPERTY_GEN_H_

#include <rapidcheck.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cassette/query.h"
#include "cassette/schema.h"
#include "cassette/write_batch.h"

namespace cassette::prop {

inline constexpr char kTableA[] = "ks.a";
inline constexpr char kTableB[] = "ks.b";
// A sub-second offset, so that floor(µs / 1e6) and "exactly at expiry" both matter.
inline constexpr int64_t kStartMicros = 1'700'000'000'250'000;

// A: static column, mixed ASC/DESC clustering. B: composite partition key, no
// clustering, a default TTL.
inline TableSchema SchemaA() {
  TableSchema s{"ks", "a", {}, {}};
  s.columns = {{"p", CqlType::kInt, ColumnKind::kPartitionKey},
               {"c1", CqlType::kInt, ColumnKind::kClustering, ClusteringOrder::kAsc},
               {"c2", CqlType::kText, ColumnKind::kClustering, ClusteringOrder::kDesc},
               {"s", CqlType::kInt, ColumnKind::kStatic},
               {"v", CqlType::kInt, ColumnKind::kRegular},
               {"w", CqlType::kText, ColumnKind::kRegular}};
  return s;
}
inline TableSchema SchemaB() {
  TableSchema s{"ks", "b", {}, {}};
  s.columns = {{"k1", CqlType::kText, ColumnKind::kPartitionKey},
               {"k2", CqlType::kInt, ColumnKind::kPartitionKey},
               {"v", CqlType::kInt, ColumnKind::kRegular}};
  s.options.default_time_to_live = 5;
  return s;
}

// ---------------------------------------------------------------------------------------
// Steps.

struct PlannedMutation {
  WriteBatch::Mutation m;
  // When set, the explicit timestamp is the last accepted batch's timestamp (or the
  // clock, before any) plus this.
  std::optional<int> ts_after_last;
};

struct Read {
  bool is_get = false;
  SelectQuery q;  // select; for a get: q.table, q.partition_key = full key, q.columns
};

struct Step {
  // kSwitch: SwitchMemtable; kFlush: Flush (data moves to SSTables); kReopen: close
  // the Db and open it again on the same folder (commit log replay, manifest); kCrash:
  // drop the Db, simulate a crash of the file system (crash_mode), and reopen.
  // kCompact: major compaction (Compact) or, with garbage_collect, GarbageCollect; both
  // purge what gc_grace allows.
  enum class Kind { kWrite, kAdvance, kSwitch, kFlush, kReopen, kCrash, kCompact };
  bool garbage_collect = false;  // kCompact
  int crash_mode = 0;            // kCrash: 0 drop unsynced, 1 random prefix, 2 torn last write
  uint64_t crash_seed = 0;       // kCrash: the seed of the crash's random choices
  bool sync = false;             // kWrite in a periodic-mode case: Write(batch, {.sync = true})
  Kind kind = Kind::kWrite;
  std::vector<PlannedMutation> batch;  // kWrite
  int64_t advance_us = 0;              // kAdvance
  bool to_next_second = false;         // kAdvance: to the next whole second instead
  std::string table;                   // kSwitch, kFlush, kCompact
  std::vector<Read> reads;             // after the step
};

// ---------------------------------------------------------------------------------------
// Rendering, for failure messages.

inline std::string Show(const Value& v) {
  if (v.is_null()) return "null";
  if (v.type() == CqlType::kText) return absl::StrCat("'", v.ToString(), "'");
  return v.ToString();
}
inline std::string Show(const ColumnValues& cvs) {
  std::vector<std::string> parts;
  for (const auto& [n, v] : cvs) parts.push_back(absl::StrCat(n, "=", Show(v)));
  return absl::StrJoin(parts, ", ");
}
inline std::string Show(const ClusteringSlice& s) {
  auto bound = [](const ClusteringBound& b, bool start) {
    std::vector<std::string> vals;
    for (const Value& v : b.prefix) vals.push_back(Show(v));
    return absl::StrCat(start ? (b.inclusive ? ">=" : ">") : (b.inclusive ? "<=" : "<"), " (",
                        absl::StrJoin(vals, ", "), ")");
  };
  std::string out;
  if (s.start) out += " start " + bound(*s.start, true);
  if (s.end) out += " end " + bound(*s.end, false);
  return out.empty() ? " (open)" : out;
}
inline std::string Show(const WriteBatch::Mutation& m) {
  static const char* const kKinds[] = {"INSERT", "UPDATE", "DELETE-COLUMNS", "DELETE",
                                       "DELETE-RANGE"};
  std::string out = absl::StrCat(kKinds[static_cast<int>(m.kind)], " ", m.table);
  if (!m.key.empty()) absl::StrAppend(&out, " key(", Show(m.key), ")");
  if (!m.values.empty()) absl::StrAppend(&out, " values(", Show(m.values), ")");
  if (!m.columns.empty()) absl::StrAppend(&out, " columns(", absl::StrJoin(m.columns, ", "), ")");
  if (m.kind == WriteBatch::Kind::kDeleteRange) out += Show(m.slice);
  if (m.options.timestamp) absl::StrAppend(&out, " TIMESTAMP ", *m.options.timestamp);
  if (m.options.ttl) absl::StrAppend(&out, " TTL ", *m.options.ttl);
  return out;
}
inline std::string Show(const SelectQuery& q) {
  std::string out = absl::StrCat(
      "SELECT ", q.columns.empty() ? "*" : absl::StrJoin(q.columns, ", "), " FROM ", q.table);
  if (!q.partition_key.empty()) absl::StrAppend(&out, " WHERE ", Show(q.partition_key));
  if (q.slice.start || q.slice.end) out += Show(q.slice);
  if (q.reversed) out += " REVERSED";
  if (q.limit > 0) absl::StrAppend(&out, " LIMIT ", q.limit);
  if (q.with_writetime_ttl) out += " +WRITETIME/TTL";
  if (q.page_size > 0) absl::StrAppend(&out, " page_size=", q.page_size);
  return out;
}
inline std::string ShowGet(const SelectQuery& q) {
  return absl::StrCat("GET ", q.table, " key(", Show(q.partition_key), ") columns(",
                      absl::StrJoin(q.columns, ", "), ")");
}
inline std::string Show(const ResultRow& r) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < r.values.size(); ++i) {
    std::string s = Show(r.values[i]);
    if (i < r.writetime.size() && r.writetime[i]) absl::StrAppend(&s, "@", *r.writetime[i]);
    if (i < r.ttl.size() && r.ttl[i]) absl::StrAppend(&s, "~", *r.ttl[i], "s");
    parts.push_back(s);
  }
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}
inline std::string Show(const std::vector<ResultRow>& rows) {
  std::string out;
  for (const ResultRow& r : rows) absl::StrAppend(&out, "\n      ", Show(r));
  return rows.empty() ? " (no rows)" : out;
}
// `periodic`: the case runs in periodic commit-log mode, where `sync` matters.
inline std::string Show(const Step& s, bool periodic = false) {
  std::string out;
  switch (s.kind) {
    case Step::Kind::kWrite:
      out = periodic ? (s.sync ? "write batch (sync):" : "write batch (no sync):") : "write batch:";
      for (const PlannedMutation& pm : s.batch) {
        absl::StrAppend(&out, "\n      ", Show(pm.m));
        if (pm.ts_after_last) absl::StrAppend(&out, " TIMESTAMP last+", *pm.ts_after_last);
      }
      break;
    case Step::Kind::kAdvance:
      out = s.to_next_second ? "advance clock to the next second"
                             : absl::StrCat("advance clock by ", s.advance_us, " us");
      break;
    case Step::Kind::kSwitch:
      out = absl::StrCat("switch memtable of ", s.table);
      break;
    case Step::Kind::kFlush:
      out = absl::StrCat("flush ", s.table);
      break;
    case Step::Kind::kCompact:
      out = absl::StrCat(s.garbage_collect ? "garbagecollect " : "compact ", s.table);
      break;
    case Step::Kind::kReopen:
      out = "reopen";
      break;
    case Step::Kind::kCrash:
      out = absl::StrCat("crash (mode ", s.crash_mode, ", seed ", s.crash_seed, ") and reopen");
      break;
  }
  for (const Read& r : s.reads) {
    absl::StrAppend(&out, "\n    read: ", r.is_get ? ShowGet(r.q) : Show(r.q));
  }
  return out;
}
// RapidCheck prints counterexamples with this (found by ADL).
inline void showValue(const Step& s, std::ostream& os) { os << Show(s); }

// One case. `periodic`: the Db runs with CommitLogSync::kPeriodic (and a period so long
// that only the test's sync points sync), so a write without `sync` is acknowledged
// unsynced and a crash may lose it; otherwise kBatch, where every write is synced.
struct Case {
  bool periodic = false;
  std::vector<Step> steps;
};
inline void showValue(const Case& c, std::ostream& os) {
  os << (c.periodic ? "periodic" : "batch") << " commit log, " << c.steps.size() << " steps:";
  for (size_t i = 0; i < c.steps.size(); ++i) {
    os << "\n  " << i + 1 << ". " << Show(c.steps[i], c.periodic);
  }
}

// ---------------------------------------------------------------------------------------
// Random choices, made with RapidCheck's `*gen` inside gen::exec. Uniform ranges ignore
// RapidCheck's size so that every case uses the whole (small) domain.

namespace gen = rc::gen;

inline int Uniform(int lo, int hi) { return *gen::resize(100, gen::inRange(lo, hi + 1)); }
inline bool OneIn(int n) { return Uniform(1, n) == 1; }

// Set for the duration of one step's generation.
inline thread_local bool narrow_domain = false;

// Values whose serialized bytes differ in sign (128 = 00 00 00 80, -1 = FF FF FF FF,
// "é" = C3 A9) so that the signed-byte tie-break of §1 is exercised.
inline Value IntValue() {
  return Value::Int(*gen::element(-3, -1, 0, 1, 2, 127, 128, 255, 256, -128));
}
inline Value TextValue() {
  return Value::Text(*gen::element<std::string>("", "a", "b", "ab", "\xC3\xA9", "z"));
}
inline Value Nullable(Value v) { return OneIn(6) ? Value::Null() : v; }

inline Value P() { return Value::Int(Uniform(0, narrow_domain ? 1 : 3)); }
inline Value C1() { return Value::Int(Uniform(0, narrow_domain ? 1 : 3)); }
inline Value C2() {
  return Value::Text(narrow_domain ? *gen::element<std::string>("", "a")
                                   : *gen::element<std::string>("", "a", "b"));
}
// Bound values reach a little outside the written keys.
inline Value BoundC1() { return Value::Int(Uniform(-1, 4)); }
inline Value BoundC2() { return Value::Text(*gen::element<std::string>("", "a", "b", "c")); }
inline ColumnValues KeyA(bool with_clustering) {
  ColumnValues k = {{"p", P()}};
  if (with_clustering) {
    k.emplace_back("c1", C1());
    k.emplace_back("c2", C2());
  }
  return k;
}
inline ColumnValues KeyB() {
  return {{"k1", Value::Text(narrow_domain ? *gen::element<std::string>("x", "\xC3\xA9")
                                           : *gen::element<std::string>("x", "y", "\xC3\xA9"))},
          {"k2", Value::Int(Uniform(narrow_domain ? 0 : -1, 1))}};
}

// Half the time both bounds share their c1, so that (c1, c2) bounds make non-empty
// slices (a 2-value bound fixes c1, see write_batch.h).
inline ClusteringSlice RandomSlice() {
  const std::optional<Value> shared_c1 =
      OneIn(2) ? std::optional<Value>(BoundC1()) : std::optional<Value>();
  auto bound = [&] {
    std::optional<ClusteringBound> b;
    if (OneIn(3)) return b;
    b.emplace();
    b->prefix.push_back(shared_c1 ? *shared_c1 : BoundC1());
    if (OneIn(3)) b->prefix.push_back(BoundC2());
    b->inclusive = OneIn(2);
    return b;
  };
  ClusteringSlice s;
  s.start = bound();
  s.end = bound();
  return s;
}

// Explicit timestamps come from a small set around the clock's start, or are placed
// next to the last batch timestamp, to force ties with other writes.
inline PlannedMutation Plan(WriteBatch::Kind kind, std::string table, ColumnValues key,
                            ColumnValues values, bool allow_ttl) {
  PlannedMutation pm;
  pm.m.kind = kind;
  pm.m.table = std::move(table);
  pm.m.key = std::move(key);
  pm.m.values = std::move(values);
  switch (Uniform(0, 5)) {
    case 0:
      pm.m.options.timestamp =
          *gen::element<int64_t>(-1, kStartMicros - 1, kStartMicros, kStartMicros + 1,
                                 kStartMicros + 1'000'000, kStartMicros + 3'000'000);
      break;
    case 1:
      pm.ts_after_last = Uniform(-1, 2);
      break;
    default:
      break;  // the batch's timestamp
  }
  if (allow_ttl && OneIn(2)) pm.m.options.ttl = *gen::element<int64_t>(0, 1, 2, 5, 10);
  return pm;
}

inline std::vector<std::string> SomeOf(const std::vector<std::string>& cols) {
  std::vector<std::string> out;
  while (out.empty()) {
    for (const auto& c : cols) {
      if (OneIn(2)) out.push_back(c);
    }
  }
  return out;
}

inline PlannedMutation RandomMutationA() {
  using K = WriteBatch::Kind;
  auto value_for = [](const std::string& col) {
    return Nullable(col == "w" ? TextValue() : IntValue());
  };
  switch (Uniform(0, 10)) {
    case 0:
    case 1: {  // INSERT, possibly with statics and nulls
      ColumnValues vals = KeyA(true);
      for (const char* c : {"s", "v", "w"}) {
        if (OneIn(2)) vals.emplace_back(c, value_for(c));
      }
      return Plan(K::kInsert, kTableA, {}, vals, true);
    }
    case 2:  // INSERT of static columns only: no row, no marker
      return Plan(K::kInsert, kTableA, {}, {{"p", P()}, {"s", Nullable(IntValue())}}, true);
    case 3: {
      ColumnValues set;
      for (const auto& c : SomeOf({"s", "v", "w"})) set.emplace_back(c, value_for(c));
      return Plan(K::kUpdate, kTableA, KeyA(true), set, true);
    }
    case 4:
      return Plan(K::kUpdate, kTableA, KeyA(false), {{"s", Nullable(IntValue())}}, true);
    case 5: {
      const bool statics_only = OneIn(3);
      PlannedMutation pm = Plan(K::kDeleteColumns, kTableA, KeyA(!statics_only), {}, false);
      pm.m.columns = statics_only ? std::vector<std::string>{"s"} : SomeOf({"s", "v", "w"});
      return pm;
    }
    case 6:
      return Plan(K::kDelete, kTableA, KeyA(true), {}, false);
    case 7:
      return Plan(K::kDelete, kTableA, {{"p", P()}, {"c1", C1()}}, {}, false);
    case 8:
      return Plan(K::kDelete, kTableA, KeyA(false), {}, false);
    default: {
      PlannedMutation pm = Plan(K::kDeleteRange, kTableA, KeyA(false), {}, false);
      pm.m.slice = RandomSlice();
      return pm;
    }
  }
}

inline PlannedMutation RandomMutationB() {
  using K = WriteBatch::Kind;
  switch (Uniform(0, 3)) {
    case 0: {
      ColumnValues vals = KeyB();
      if (OneIn(2)) vals.emplace_back("v", Nullable(IntValue()));
      return Plan(K::kInsert, kTableB, {}, vals, true);
    }
    case 1:
      return Plan(K::kUpdate, kTableB, KeyB(), {{"v", Nullable(IntValue())}}, true);
    case 2: {
      PlannedMutation pm = Plan(K::kDeleteColumns, kTableB, KeyB(), {}, false);
      pm.m.columns = {"v"};
      return pm;
    }
    default:
      return Plan(K::kDelete, kTableB, KeyB(), {}, false);
  }
}

inline std::vector<std::string> RandomColumns(bool table_a) {
  std::vector<std::string> out;
  if (OneIn(2)) return out;  // SELECT *
  const std::vector<std::string> all =
      table_a ? std::vector<std::string>{"p", "c1", "c2", "s", "v", "w"}
              : std::vector<std::string>{"k1", "k2", "v"};
  const int n = Uniform(1, 4);  // duplicates allowed, as in CQL
  for (int i = 0; i < n; ++i) out.push_back(all[Uniform(0, static_cast<int>(all.size()) - 1)]);
  return out;
}

inline Read RandomRead() {
  Read r;
  const bool a = !OneIn(3);
  r.q.table = a ? kTableA : kTableB;
  if (OneIn(4)) {
    r.is_get = true;
    r.q.partition_key = a ? KeyA(true) : KeyB();
    r.q.columns = RandomColumns(a);
    return r;
  }
  if (!OneIn(3)) {  // one partition; otherwise a whole-table scan
    r.q.partition_key = a ? KeyA(false) : KeyB();
    if (a) {
      if (OneIn(2)) r.q.slice = RandomSlice();
      r.q.reversed = OneIn(3);
    }
  }
  r.q.limit = OneIn(2) ? 0 : Uniform(1, 5);
  r.q.columns = RandomColumns(a);
  r.q.with_writetime_ttl = OneIn(2);
  r.q.page_size = OneIn(3) ? 0 : Uniform(1, 4);
  return r;
}

// The same key (and columns) as `pm` with fresh values and TTL but the same timestamp
// choice: within a batch this ties on timestamp, so every tie-break rule gets exercised.
inline PlannedMutation Twin(const PlannedMutation& pm) {
  PlannedMutation t = pm;
  for (auto& [name, v] : t.m.values) {
    if (name == "v" || name == "s") v = Nullable(IntValue());
    if (name == "w") v = Nullable(TextValue());
  }
  const bool writes =
      pm.m.kind == WriteBatch::Kind::kInsert || pm.m.kind == WriteBatch::Kind::kUpdate;
  t.m.options.ttl.reset();
  if (writes && !OneIn(3)) t.m.options.ttl = *gen::element<int64_t>(0, 1, 2, 5, 10);
  return t;
}

// `periodic`: crashes, which there may lose unsynced writes, come twice as often.
inline Step RandomStep(bool narrow, bool periodic) {
  narrow_domain = narrow;
  Step s;
  const int kind = Uniform(0, 99);
  if (kind < 70) {
    s.kind = Step::Kind::kWrite;
    s.sync = OneIn(4);
    const int n = Uniform(1, 4);
    for (int i = 0; i < n; ++i) {
      if (i > 0 && OneIn(4)) {
        s.batch.push_back(Twin(s.batch[Uniform(0, i - 1)]));
      } else {
        s.batch.push_back(OneIn(4) ? RandomMutationB() : RandomMutationA());
      }
    }
  } else if (kind < 88) {
    s.kind = Step::Kind::kAdvance;
    // -1: to the next whole second. Also: just under a second, a minute, past
    // gc_grace_seconds (10 days), and backwards (timestamps must still increase).
    s.advance_us =
        *gen::element<int64_t>(0, 1, -1, 999'999, 60'000'000, (864'000 + 1) * int64_t{1'000'000},
                               -2'000'000, Uniform(0, 10'000'000), Uniform(0, 10'000'000));
    s.to_next_second = s.advance_us == -1;
    if (s.to_next_second) s.advance_us = 0;
  } else if (kind < (periodic ? 96 : 97)) {
    s.kind =
        kind < 92 ? Step::Kind::kSwitch : (kind < 95 ? Step::Kind::kFlush : Step::Kind::kCompact);
    s.garbage_collect = OneIn(2);
    s.table = OneIn(2) ? kTableA : kTableB;
  } else if (OneIn(periodic ? 4 : 2)) {
    s.kind = Step::Kind::kReopen;
  } else {
    s.kind = Step::Kind::kCrash;
    s.crash_mode = Uniform(0, 2);
    s.crash_seed = static_cast<uint64_t>(Uniform(0, 1 << 20));
  }
  const int reads = Uniform(1, 3);
  for (int i = 0; i < reads; ++i) s.reads.push_back(RandomRead());
  return s;
}

// Up to `max_steps` steps; "narrow" cases use two values per key column. One case in
// three runs in periodic commit-log mode (shrinking moves towards batch mode); see Case.
inline rc::Gen<Case> RandomCase(int max_steps) {
  return gen::mapcat(
      gen::pair(gen::arbitrary<bool>(), gen::resize(100, gen::inRange(0, 3))),
      [max_steps](std::pair<bool, int> p) {
        const bool narrow = p.first, periodic = p.second == 2;
        return gen::map(
            gen::resize(max_steps, gen::nonEmpty(gen::container<std::vector<Step>>(
                                       gen::exec([=] { return RandomStep(narrow, periodic); })))),
            [periodic](std::vector<Step> steps) {
              return Case{periodic, std::move(steps)};
            });
      });
}

}  // namespace cassette::prop

#endif  // CASSETTE_TESTS_DB_PROPERTY_GEN_H_

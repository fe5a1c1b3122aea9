// Crash sweep: a fixed workload (two tables; inserts, updates, TTL writes, cell, row,
// range and partition deletes; automatic and explicit flushes; commit-log segment rolls)
// runs on a FaultInjectionEnv that freezes after its k-th durability point, for every k
// and every CrashMode. After the crash the database must open, and what it holds must be
// exactly what an in-test model of the acknowledged writes says:
//   kBatch:    every acknowledged write, plus all or nothing of the one in flight.
//   kPeriodic: a prefix of the attempted writes that includes every write acknowledged
//              with WriteSyncOptions{.sync = true} (no holes).
// Recovery itself must be durable: a second crash right after the reopen changes nothing.
//
// CASSETTE_SWEEP_SCALE=n makes the workload n times longer (the default keeps the three
// modes of a sweep within a minute or two under ASan on two cores).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cassette/cassette.h"
#include "env/fault_injection_env.h"
#include "util/mutex.h"

namespace cassette {
namespace {

constexpr char kDir[] = "/db";
constexpr char kKv[] = "ks.kv";      // k int PRIMARY KEY, a text, b int
constexpr char kWide[] = "ks.wide";  // p int, c int, s int static, v text, PRIMARY KEY (p, c)
constexpr int64_t kStartMicros = 1'700'000'000LL * 1'000'000;

const char* ModeName(CrashMode m) {
  static constexpr const char* kNames[] = {"DropUnsynced", "KeepRandomPrefix", "TornLastWrite"};
  return kNames[static_cast<int>(m)];
}

// ---- The workload

TableSchema SchemaOf(const std::string& table) {
  using K = ColumnKind;
  if (table == kKv) {
    return {"ks",
            "kv",
            {{"k", CqlType::kInt, K::kPartitionKey}, {"a", CqlType::kText}, {"b", CqlType::kInt}}};
  }
  return {"ks",
          "wide",
          {{"p", CqlType::kInt, K::kPartitionKey},
           {"c", CqlType::kInt, K::kClustering},
           {"s", CqlType::kInt, K::kStatic},
           {"v", CqlType::kText}}};
}

// One mutation, in terms both the WriteBatch and the model understand.
struct Mut {
  enum Kind { kInsert, kUpdate, kDeleteColumns, kDeleteRow, kDeletePartition, kDeleteRange };
  Kind kind;
  std::string table;
  int pk = 0;
  std::optional<int> ck;  // wide rows
  ColumnValues cols;      // Insert/Update: values (null = tombstone); DeleteColumns: names
  std::optional<int64_t> ttl;
  int lo = 0, hi = 0;  // DeleteRange: lo <= c < hi
};

struct Op {
  enum Kind { kCreate, kWrite, kFlush };
  Kind kind;
  std::string table;  // kCreate, kFlush
  std::vector<Mut> muts;
  bool sync = false;
};

ColumnValues Key(const Mut& m) {
  if (m.table == kKv) return {{"k", Value::Int(m.pk)}};
  ColumnValues key = {{"p", Value::Int(m.pk)}};
  if (m.ck.has_value()) key.emplace_back("c", Value::Int(*m.ck));
  return key;
}

void AddTo(const Mut& m, WriteBatch* b) {
  WriteOptions o;
  o.ttl = m.ttl;
  switch (m.kind) {
    case Mut::kInsert: {
      ColumnValues all = Key(m);
      all.insert(all.end(), m.cols.begin(), m.cols.end());
      b->Insert(m.table, all, o);
      break;
    }
    case Mut::kUpdate:
      b->Update(m.table, Key(m), m.cols, o);
      break;
    case Mut::kDeleteColumns: {
      std::vector<std::string> names;
      for (const auto& [name, v] : m.cols) names.push_back(name);
      b->DeleteColumns(m.table, Key(m), names);
      break;
    }
    case Mut::kDeleteRow:
    case Mut::kDeletePartition:
      b->Delete(m.table, Key(m));
      break;
    case Mut::kDeleteRange:
      b->DeleteRange(m.table, Key(m),
                     ClusteringSlice{ClusteringBound{{Value::Int(m.lo)}, true},
                                     ClusteringBound{{Value::Int(m.hi)}, false}});
      break;
  }
}

// A text value unique to (op, mutation), 1000..9000 bytes so memtables fill and flush.
Value Text(int op, int mut, std::mt19937* rng) {
  std::string s = absl::StrCat("o", op, "m", mut, ":");
  s.append(1000 + (*rng)() % 8000, static_cast<char>('a' + (op + mut) % 26));
  return Value::Text(s);
}

// `table`: 0 = ks.kv, 1 = ks.wide, else either.
Mut RandomMut(int op, int index, int table, std::mt19937* rng) {
  auto pick = [rng](int n) { return static_cast<int>((*rng)() % n); };
  const int b = op * 10 + index;  // unique int values
  Mut m;
  m.ttl = pick(5) == 0 ? std::optional<int64_t>(1000 + pick(100000)) : std::nullopt;
  const int r = pick(20);
  if (const int coin = pick(2); (table == 0 || table == 1 ? table : coin) == 0) {
    m.table = kKv;
    m.pk = pick(40);
    if (r < 8) {
      m.kind = Mut::kInsert;
      m.cols = {{"a", Text(op, index, rng)}, {"b", Value::Int(b)}};
    } else if (r < 10) {
      m.kind = Mut::kUpdate;
      m.cols = {{"a", Text(op, index, rng)}};
    } else if (r < 12) {
      m.kind = Mut::kUpdate;
      m.cols = {{"b", Value::Int(b)}};
    } else if (r < 14) {
      m.kind = Mut::kUpdate;  // SET b = null: a cell tombstone
      m.cols = {{"b", Value::Null()}};
      m.ttl.reset();
    } else if (r < 16) {
      m.kind = Mut::kDeleteColumns;
      m.cols = {{"a", Value::Null()}};
    } else {
      m.kind = Mut::kDeleteRow;  // the whole primary key: the row (= partition) goes
    }
  } else {
    m.table = kWide;
    m.pk = pick(8);
    m.ck = pick(20);
    if (r < 8) {
      m.kind = Mut::kInsert;
      m.cols = {{"v", Text(op, index, rng)}};
    } else if (r < 11) {
      m.kind = Mut::kUpdate;
      m.cols = {{"v", Text(op, index, rng)}};
    } else if (r < 13) {
      m.kind = Mut::kUpdate;  // static column: partition key only
      m.ck.reset();
      m.cols = {{"s", Value::Int(b)}};
    } else if (r < 15) {
      m.kind = Mut::kDeleteRow;
    } else if (r < 16) {
      m.kind = Mut::kDeleteColumns;
      m.cols = {{"v", Value::Null()}};
    } else {
      m.kind = r < 18 ? Mut::kDeleteRange : Mut::kDeletePartition;
      m.ck.reset();
      m.lo = pick(20);
      m.hi = m.lo + 1 + pick(6);
    }
  }
  if (m.kind != Mut::kInsert && m.kind != Mut::kUpdate) m.ttl.reset();
  return m;
}

struct WorkloadShape {
  bool periodic = false;  // every 7th batch asks for sync
  // Batches of several mutations may touch one table more than once (else each of
  // their mutations goes to a different table).
  bool repeat_tables = false;
};

// Two CREATE TABLEs, then `writes` batches (most of one mutation, some of two or three)
// with an explicit flush of one table every 40 operations and automatic ones between.
std::vector<Op> MakeWorkload(int writes, WorkloadShape shape) {
  std::mt19937 rng(20240601);
  std::vector<Op> ops = {{Op::kCreate, kKv, {}, false}, {Op::kCreate, kWide, {}, false}};
  for (int i = 0; i < writes; ++i) {
    const int op = static_cast<int>(ops.size());
    if (i % 40 == 39) {
      ops.push_back({Op::kFlush, (i / 40) % 2 == 0 ? kKv : kWide, {}, false});
      continue;
    }
    Op w{Op::kWrite, "", {}, shape.periodic && i % 7 == 3};
    const int n = rng() % 4 == 0 ? 2 + static_cast<int>(rng() % (shape.repeat_tables ? 2 : 1)) : 1;
    const int first = static_cast<int>(rng() % 2);
    for (int j = 0; j < n; ++j) {
      Mut m = RandomMut(op, j, shape.repeat_tables ? -1 : (first + j) % 2, &rng);
      // One batch has one timestamp: two mutations of one partition would be reconciled
      // by Cassandra's tie rules, which the model does not know. Keep them apart.
      auto clash = [&] {
        return std::any_of(w.muts.begin(), w.muts.end(),
                           [&](const Mut& o) { return o.table == m.table && o.pk == m.pk; });
      };
      while (clash()) m.pk = (m.pk + 1) % (m.table == kKv ? 40 : 8);
      w.muts.push_back(std::move(m));
    }
    ops.push_back(std::move(w));
  }
  return ops;
}

// ---- The model: last writer wins in op order (Db gives batches increasing timestamps).

struct Cell {
  std::string rendered;
  std::optional<int64_t> ttl;
};
struct ModelRow {
  bool marker = false;
  std::map<std::string, Cell> cells;
};
struct ModelPartition {
  std::map<std::string, Cell> statics;
  std::map<int, ModelRow> rows;  // kv: the one row at 0
};
using ModelTable = std::map<int, ModelPartition>;  // by partition key

// Table name -> sorted rendered rows. A table that does not exist is absent.
using State = std::map<std::string, std::vector<std::string>>;

std::string RenderValue(const Value& v) {
  if (v.is_null() || v.type() != CqlType::kText) return v.ToString();
  // Texts are long: their unique prefix, length and a hash of every byte.
  const std::string& s = v.serialized();
  return absl::StrCat(s.substr(0, s.find(':')), "#", s.size(), "#", std::hash<std::string>()(s));
}
std::string RenderCell(const Cell* c) {
  if (c == nullptr) return "null";
  return c->ttl.has_value() ? absl::StrCat(c->rendered, "@", *c->ttl) : c->rendered;
}

class Model {
 public:
  void Apply(const Op& op) {
    if (op.kind == Op::kCreate) tables_[op.table];
    if (op.kind != Op::kWrite) return;
    for (const Mut& m : op.muts) Apply(m);
  }

  State Render() const {
    State out;
    for (const auto& [name, t] : tables_) {
      std::vector<std::string>& rows = out[name];
      for (const auto& [pk, p] : t) {
        const Cell* s = Find(p.statics, "s");
        bool any = false;
        for (const auto& [ck, r] : p.rows) {
          if (!r.marker && r.cells.empty()) continue;
          any = true;
          if (name == kKv) {
            rows.push_back(absl::StrCat(pk, ",", RenderCell(Find(r.cells, "a")), ",",
                                        RenderCell(Find(r.cells, "b"))));
          } else {
            rows.push_back(
                absl::StrCat(pk, ",", ck, ",", RenderCell(s), ",", RenderCell(Find(r.cells, "v"))));
          }
        }
        if (!any && s != nullptr)
          rows.push_back(absl::StrCat(pk, ",null,", RenderCell(s), ",null"));
      }
      std::sort(rows.begin(), rows.end());
    }
    return out;
  }

 private:
  static const Cell* Find(const std::map<std::string, Cell>& cells, const std::string& name) {
    auto it = cells.find(name);
    return it == cells.end() ? nullptr : &it->second;
  }

  void Apply(const Mut& m) {
    ModelTable& parts = tables_[m.table];
    ModelPartition& p = parts[m.pk];
    const int ck = m.ck.value_or(0);
    auto set = [&](std::map<std::string, Cell>* cells) {
      for (const auto& [name, v] : m.cols) {
        if (v.is_null()) {
          cells->erase(name);
        } else {
          (*cells)[name] = Cell{RenderValue(v), m.ttl};
        }
      }
    };
    switch (m.kind) {
      case Mut::kInsert:
        p.rows[ck].marker = true;
        set(&p.rows[ck].cells);
        break;
      case Mut::kUpdate:
        set(m.table == kWide && !m.ck.has_value() ? &p.statics : &p.rows[ck].cells);
        break;
      case Mut::kDeleteColumns:
        for (const auto& [name, v] : m.cols) p.rows[ck].cells.erase(name);
        break;
      case Mut::kDeleteRow:
        if (m.table == kKv) {
          parts.erase(m.pk);
        } else {
          p.rows.erase(ck);
        }
        break;
      case Mut::kDeletePartition:
        parts.erase(m.pk);
        break;
      case Mut::kDeleteRange:
        p.rows.erase(p.rows.lower_bound(m.lo), p.rows.lower_bound(m.hi));
        break;
    }
  }

  std::map<std::string, ModelTable> tables_;
};

// prefixes[n] is the model after ops [0, n).
std::vector<State> PrefixStates(const std::vector<Op>& ops) {
  Model m;
  std::vector<State> prefixes = {m.Render()};
  for (const Op& op : ops) {
    m.Apply(op);
    prefixes.push_back(m.Render());
  }
  return prefixes;
}

// ---- Running and reading

Options SweepOptions(Env* env, CommitLogSync sync) {
  Options o;
  o.env = env;
  o.clock = std::make_shared<ManualClock>(kStartMicros);  // TTLs never expire here
  o.memtable_budget_bytes = 64 << 10;
  o.commitlog_sync = sync;
  o.commitlog_sync_period_ms = 3'600'000;  // no background sync during a run
  o.commitlog_segment_size = 64 << 10;     // several segment rolls and discards
  o.warning_log = [](const std::string&) {};
  return o;
}

absl::Status RunOp(Db* db, const Op& op) {
  switch (op.kind) {
    case Op::kCreate:
      return db->CreateTable(SchemaOf(op.table));
    case Op::kFlush:
      return db->Flush(op.table);
    case Op::kWrite: {
      WriteBatch b;
      for (const Mut& m : op.muts) AddTo(m, &b);
      return db->Write(b, WriteSyncOptions{.sync = op.sync});
    }
  }
  return absl::InternalError("unknown op");
}

struct RunResult {
  size_t completed = 0;  // ops [0, completed) were acknowledged
  absl::Status error;    // of op `completed`, if any
};

RunResult RunWorkload(Db* db, const std::vector<Op>& ops) {
  RunResult r;
  for (; r.completed < ops.size(); ++r.completed) {
    r.error = RunOp(db, ops[r.completed]);
    if (!r.error.ok()) break;
  }
  return r;
}

absl::StatusOr<State> ReadState(Db* db) {
  State out;
  for (const std::string& table : db->ListTables()) {
    SelectQuery q;
    q.table = table;
    q.columns = table == kKv ? std::vector<std::string>{"k", "a", "b"}
                             : std::vector<std::string>{"p", "c", "s", "v"};
    q.with_writetime_ttl = true;
    auto rs = db->Select(q);
    if (!rs.ok()) return rs.status();
    std::vector<std::string>& rows = out[table];
    for (const ResultRow& row : rs->rows) {
      std::vector<std::string> cells;
      for (size_t i = 0; i < row.values.size(); ++i) {
        std::string c = RenderValue(row.values[i]);
        if (i < row.ttl.size() && row.ttl[i].has_value()) absl::StrAppend(&c, "@", *row.ttl[i]);
        cells.push_back(std::move(c));
      }
      rows.push_back(absl::StrJoin(cells, ","));
    }
    std::sort(rows.begin(), rows.end());
  }
  return out;
}

// Every difference between two states: tables and rows missing from or extra in `got`.
std::vector<std::string> Differences(const State& want, const State& got) {
  std::vector<std::string> out;
  static const std::vector<std::string> kNone;
  auto rows = [](const State& s, const std::string& t) -> const std::vector<std::string>& {
    auto it = s.find(t);
    return it == s.end() ? kNone : it->second;
  };
  for (const auto& [t, r] : want) {
    if (!got.contains(t)) out.push_back(absl::StrCat("table ", t, " missing"));
  }
  for (const auto& [t, r] : got) {
    if (!want.contains(t)) out.push_back(absl::StrCat("table ", t, " unexpected"));
  }
  for (const char* t : {kKv, kWide}) {
    const std::vector<std::string>&w = rows(want, t), &g = rows(got, t);
    std::vector<std::string> lost, extra;
    std::set_difference(w.begin(), w.end(), g.begin(), g.end(), std::back_inserter(lost));
    std::set_difference(g.begin(), g.end(), w.begin(), w.end(), std::back_inserter(extra));
    for (const auto& r : lost) out.push_back(absl::StrCat(t, " lost: ", r));
    for (const auto& r : extra) out.push_back(absl::StrCat(t, " unexpected: ", r));
  }
  return out;
}

// The first few differences, for failure messages.
std::string Diff(const State& want, const State& got) {
  const std::vector<std::string> all = Differences(want, got);
  std::string out;
  for (size_t i = 0; i < all.size() && i < 6; ++i) absl::StrAppend(&out, "\n    ", all[i]);
  if (all.size() > 6) absl::StrAppend(&out, "\n    ... ", all.size() - 6, " more");
  return out;
}

// Which states are acceptable after a crash at the end of `run`.
struct Acceptable {
  size_t min_ops;  // the state must be the model after ops [0, n), min_ops <= n <= max_ops,
  size_t max_ops;  // n not splitting an op (a batch is one commit-log record)
};

Acceptable Allowed(const std::vector<Op>& ops, const RunResult& run, CommitLogSync sync) {
  const size_t attempted = std::min(ops.size(), run.completed + (run.error.ok() ? 0 : 1));
  if (sync != CommitLogSync::kPeriodic) return {run.completed, attempted};
  // Periodic: everything up to the last acknowledged durable op (a synced write or a
  // CREATE TABLE); any longer prefix of what was attempted.
  size_t min_ops = 0;
  for (size_t i = 0; i < run.completed; ++i) {
    if (ops[i].kind == Op::kCreate || (ops[i].kind == Op::kWrite && ops[i].sync)) min_ops = i + 1;
  }
  return {min_ops, attempted};
}

// Empty if `got` is the model after some acceptable prefix, else what went wrong.
std::string Check(const std::vector<State>& prefixes, const Acceptable& ok, const State& got) {
  size_t closest = ok.min_ops;
  size_t closest_size = SIZE_MAX;
  for (size_t n = ok.min_ops; n <= ok.max_ops; ++n) {
    if (prefixes[n] == got) return "";
    const size_t d = Differences(prefixes[n], got).size();
    if (d < closest_size) closest = n, closest_size = d;
  }
  return absl::StrCat("state matches no model prefix in [", ok.min_ops, ", ", ok.max_ops,
                      "] ops; closest is the prefix of ", closest,
                      " ops:", Diff(prefixes[closest], got));
}

// The weaker rule the engine documents for periodic mode: each table on its own is the
// model after some acceptable prefix (a flush makes one table's writes durable, not the
// others'). Empty if so.
std::string CheckPerTable(const std::vector<State>& prefixes, const Acceptable& ok,
                          const State& got) {
  for (const char* table : {kKv, kWide}) {
    auto project = [table](const State& s) {
      State one;
      if (auto it = s.find(table); it != s.end()) one.insert(*it);
      return one;
    };
    std::vector<State> projected;
    for (size_t n = 0; n <= ok.max_ops; ++n) projected.push_back(project(prefixes[n]));
    std::string bad = Check(projected, ok, project(got));
    if (!bad.empty()) return absl::StrCat("table ", table, ": ", bad);
  }
  return "";
}

// ---- The sweep

// Remembers the path of the env's durability point number `index` (for messages).
class SyncPathRecorder {
 public:
  void Watch(FaultInjectionEnv* env, int index) {
    env->SetSyncHook([this, index](int i, const std::string& path) {
      MutexLock l(&mu_);
      if (i == index) path_ = path;
    });
  }
  std::string path() const {
    MutexLock l(&mu_);
    return path_.empty() ? "(not reached)" : path_;
  }

 private:
  mutable Mutex mu_;
  std::string path_;
};

struct SweepResult {
  int crash_points = 0;
  std::vector<std::string> failures;
};

struct SweepConfig {
  CommitLogSync sync = CommitLogSync::kBatch;
  // Sweep a database created and closed before (its folders already durable) rather
  // than a new one.
  bool precreated = true;
  bool per_table = false;  // judge with CheckPerTable instead of Check
};

absl::StatusOr<std::unique_ptr<Db>> OpenForSweep(FaultInjectionEnv* env, const SweepConfig& c) {
  if (c.precreated) {
    auto db = Db::Open(SweepOptions(env, c.sync), kDir);
    if (!db.ok()) return db.status();
  }
  return Db::Open(SweepOptions(env, c.sync), kDir);
}

// Runs the workload once without a crash, checks the live database against the model
// and returns the number of durability points the workload passes (0 on failure).
int CountCrashPoints(const SweepConfig& config, const std::vector<Op>& ops,
                     const std::vector<State>& prefixes, std::vector<std::string>* failures) {
  FaultInjectionEnv env;
  auto db = OpenForSweep(&env, config);
  if (!db.ok()) {
    failures->push_back(absl::StrCat("probe open: ", db.status().ToString()));
    return 0;
  }
  const int before = env.SyncCount();
  RunResult run = RunWorkload(db->get(), ops);
  auto state = ReadState(db->get());
  if (!run.error.ok() || !state.ok() || *state != prefixes.back()) {
    failures->push_back(
        absl::StrCat("probe: op ", run.completed, ": ", run.error.ToString(), " ",
                     state.ok() ? Diff(prefixes.back(), *state) : state.status().ToString()));
    return 0;
  }
  int64_t flushes = 0;
  for (const char* t : {kKv, kWide}) flushes += (*db)->GetTableStats(t)->flush_count;
  std::cout << "[ workload ] " << ops.size() << " ops, " << flushes << " flushes, "
            << env.SyncCount() - before << " durability points\n";
  return env.SyncCount() - before;
}

// Runs the workload on `env` until it freezes after durability point k, then crashes.
// Returns what was acknowledged; *at describes the crash for messages.
RunResult RunUntilCrash(FaultInjectionEnv* env, const SweepConfig& config,
                        const std::vector<Op>& ops, int k, CrashMode mode, std::string* at) {
  SyncPathRecorder where;
  RunResult run;
  {
    auto db = OpenForSweep(env, config);
    if (!db.ok()) {
      run.error = db.status();
      *at = absl::StrCat("k=", k, ": open failed: ");
      return run;
    }
    where.Watch(env, env->SyncCount() + k);
    env->CrashAtSync(k);
    run = RunWorkload(db->get(), ops);
  }
  env->SimulateCrash(mode, static_cast<uint64_t>(k));
  env->SetSyncHook(nullptr);
  *at = absl::StrCat("crash after sync ", k, " (", where.path(), ", ", run.completed,
                     " ops acknowledged), mode ", ModeName(mode), ": ");
  return run;
}

// Opens `env` after a crash and checks what it holds; then crashes again right away and
// checks that the same state comes back (recovery must be durable). Empty if all is well.
std::string Verify(FaultInjectionEnv* env, const SweepConfig& config, const std::vector<Op>& ops,
                   const std::vector<State>& prefixes, const RunResult& run) {
  State first;
  for (int round = 0; round < 2; ++round) {
    auto db = Db::Open(SweepOptions(env, config.sync), kDir);
    if (!db.ok())
      return absl::StrCat(round == 0 ? "reopen: " : "second reopen: ", db.status().ToString());
    auto state = ReadState(db->get());
    if (!state.ok()) return absl::StrCat("read: ", state.status().ToString());
    if (round == 0) {
      const Acceptable ok = Allowed(ops, run, config.sync);
      std::string bad =
          config.per_table ? CheckPerTable(prefixes, ok, *state) : Check(prefixes, ok, *state);
      if (!bad.empty()) return bad;
      first = *std::move(state);
    } else if (*state != first) {
      return absl::StrCat("a crash right after recovery changed the state:", Diff(first, *state));
    }
    db->reset();
    env->SimulateCrash(CrashMode::kDropUnsynced, 1'000'000 + round);
  }
  return "";
}

// Runs the workload once to count its durability points, then crashes after each.
SweepResult Sweep(const SweepConfig& config, CrashMode mode, const std::vector<Op>& ops) {
  SweepResult result;
  const std::vector<State> prefixes = PrefixStates(ops);
  result.crash_points = CountCrashPoints(config, ops, prefixes, &result.failures);
  for (int k = 0; k < result.crash_points; ++k) {
    FaultInjectionEnv env;
    std::string at;
    const RunResult run = RunUntilCrash(&env, config, ops, k, mode, &at);
    if (std::string bad = Verify(&env, config, ops, prefixes, run); !bad.empty()) {
      result.failures.push_back(at + bad);
    }
  }
  return result;
}

// Like Sweep, but every `step`-th crash is followed by a recovery that itself crashes
// after each of its durability points; the recovery after that must still be correct.
SweepResult SweepInterruptedRecovery(CrashMode mode, const std::vector<Op>& ops, int step) {
  const SweepConfig config;
  SweepResult result;
  const std::vector<State> prefixes = PrefixStates(ops);
  const int n = CountCrashPoints(config, ops, prefixes, &result.failures);
  for (int k = 0; k < n; k += step) {
    for (int j = 0;; ++j) {
      FaultInjectionEnv env;
      std::string at;
      const RunResult run = RunUntilCrash(&env, config, ops, k, mode, &at);
      env.CrashAtSync(j);
      { auto interrupted = Db::Open(SweepOptions(&env, config.sync), kDir); }
      const bool reached = env.frozen();
      env.SimulateCrash(mode, 7'000 + j);
      ++result.crash_points;
      if (std::string bad = Verify(&env, config, ops, prefixes, run); !bad.empty()) {
        result.failures.push_back(absl::StrCat(at, "then after sync ", j, " of recovery: ", bad));
      }
      if (!reached) break;
    }
  }
  return result;
}

void ExpectClean(const SweepResult& r) {
  EXPECT_GT(r.crash_points, 0);
  // CASSETTE_SWEEP_VERBOSE=1 lists every failed crash point.
  const size_t limit = std::getenv("CASSETTE_SWEEP_VERBOSE") != nullptr ? SIZE_MAX : 8;
  std::string shown;
  for (size_t i = 0; i < r.failures.size() && i < limit; ++i) {
    absl::StrAppend(&shown, "\n", r.failures[i]);
  }
  EXPECT_TRUE(r.failures.empty()) << r.failures.size() << " of " << r.crash_points
                                  << " crash points failed:" << shown;
  std::cout << "[ sweep    ] " << r.crash_points << " crash points\n";
}

class CrashSweepTest : public ::testing::TestWithParam<CrashMode> {};

// Batches in the workload: by default about 200 durability points per batch-mode sweep;
// CASSETTE_SWEEP_SCALE=n makes it n times longer.
int Writes() {
  const char* scale = std::getenv("CASSETTE_SWEEP_SCALE");
  return 170 * std::max(1, scale == nullptr ? 1 : std::atoi(scale));
}

TEST_P(CrashSweepTest, BatchModeKeepsExactlyTheAcknowledgedWrites) {
  ExpectClean(Sweep({.sync = CommitLogSync::kBatch}, GetParam(), MakeWorkload(Writes(), {})));
}

// Regression (fixed): replay can split a batch with two mutations of one table over two memtables
// and then lose the second after a flush (durability_test.cc
// ReplayNeverSplitsABatchAcrossAFlushedMemtable).
TEST_P(CrashSweepTest, BatchModeWithBatchesRepeatingATable) {
  ExpectClean(Sweep({.sync = CommitLogSync::kBatch}, GetParam(),
                    MakeWorkload(Writes(), {.repeat_tables = true})));
}

// Regression (fixed): CommitLog::Open creates commitlog/ but never syncs the database folder, so on
// a new database a crash before the first flush loses the whole log (durability_test.cc
// NewDatabaseKeepsAcknowledgedWritesAfterCrash).
TEST_P(CrashSweepTest, BatchModeOnANewDatabase) {
  ExpectClean(Sweep({.sync = CommitLogSync::kBatch, .precreated = false}, GetParam(),
                    MakeWorkload(Writes() / 2, {})));
}

TEST_P(CrashSweepTest, RecoveryInterruptedByACrashLosesNothing) {
  ExpectClean(SweepInterruptedRecovery(GetParam(), MakeWorkload(Writes(), {}), 9));
}

TEST_P(CrashSweepTest, PeriodicModeKeepsSyncedWritesAndPerTablePrefixes) {
  ExpectClean(Sweep({.sync = CommitLogSync::kPeriodic, .per_table = true}, GetParam(),
                    MakeWorkload(Writes(), {.periodic = true})));
}

// Regression (fixed): a flush does not sync the commit log first, so a crash after it keeps the
// flushed table's later writes but loses earlier unsynced writes to the other table (a hole;
// durability_test.cc PeriodicFlushLeavesNoHoleBehindIt).
TEST_P(CrashSweepTest, PeriodicModeLosesOnlyAnUnsyncedSuffix) {
  ExpectClean(Sweep({.sync = CommitLogSync::kPeriodic}, GetParam(),
                    MakeWorkload(Writes(), {.periodic = true})));
}

INSTANTIATE_TEST_SUITE_P(CrashSweep, CrashSweepTest,
                         ::testing::Values(CrashMode::kDropUnsynced, CrashMode::kKeepRandomPrefix,
                                           CrashMode::kTornLastWrite),
                         [](const ::testing::TestParamInfo<CrashMode>& info) {
                           return std::string(ModeName(info.param));
                         });

}  // namespace
}  // namespace cassette

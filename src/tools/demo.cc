#include "tools/demo.h"

#include <fmt/core.h>

#include <filesystem>

#include "cassette/cassette.h"

namespace cassette::tools {
namespace {

constexpr const char* kTable = "demo.readings";
// 2026-11-25 00:00:00 UTC, so the output is the same on every run.
constexpr int64_t kStartMicros = 1795564800LL * 1'000'000;

class Demo {
 public:
  Demo(Db* db, ManualClock* clock) : db_(db), clock_(clock) {}

  // Runs one step: prints the CQL it stands for, applies it, then prints the partition.
  bool Step(const std::string& cql, const WriteBatch& batch) {
    fmt::print("cql> {}\n", cql);
    if (auto s = db_->Write(batch); !s.ok()) {
      fmt::print(stderr, "error: {}\n", s.ToString());
      return false;
    }
    return Show();
  }

  bool Show(bool with_meta = false) {
    SelectQuery q;
    q.table = kTable;
    q.partition_key = {{"sensor", Value::Text("kitchen")}};
    q.with_writetime_ttl = with_meta;
    if (with_meta) q.columns = {"ts", "value"};
    auto rs = db_->Select(q);
    if (!rs.ok()) {
      fmt::print(stderr, "error: {}\n", rs.status().ToString());
      return false;
    }
    fmt::print("  SELECT {} FROM {} WHERE sensor = 'kitchen';\n",
               with_meta ? "ts, value, WRITETIME(value), TTL(value)" : "*", kTable);
    fmt::print("{}", rs->ToTable());
    if (with_meta) {
      for (const ResultRow& r : rs->rows) {
        fmt::print("  ts={}  WRITETIME(value)={}  TTL(value)={}\n", r.values[0].ToString(),
                   r.writetime[1] ? std::to_string(*r.writetime[1]) : "null",
                   r.ttl[1] ? std::to_string(*r.ttl[1]) : "null");
      }
    }
    fmt::print("  ({} tombstones scanned)\n\n", rs->stats.tombstones_scanned);
    return true;
  }

 private:
  Db* db_;
  ManualClock* clock_;
};

Value Ts(int minute) { return Value::Timestamp((kStartMicros / 1000) + minute * 60'000LL); }
ColumnValues Key(int minute) { return {{"sensor", Value::Text("kitchen")}, {"ts", Ts(minute)}}; }

}  // namespace

int RunDemo(const std::string& folder, bool reset) {
  // The demo's clock starts at the same instant every run, so a second run on the same
  // database would write "before" the first run's deletions. --reset starts afresh, and
  // only ever removes a folder that holds a cassette database.
  if (reset && std::filesystem::exists(std::filesystem::path(folder) / "CURRENT")) {
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    if (ec) {
      fmt::print(stderr, "error: cannot reset '{}': {}\n", folder, ec.message());
      return 1;
    }
  }
  auto clock = std::make_shared<ManualClock>(kStartMicros);
  Options options;
  options.clock = clock;
  auto db = Db::Open(options, folder);
  if (!db.ok()) {
    fmt::print(stderr, "error: {}\n", db.status().ToString());
    return 1;
  }
  TableSchema schema;
  schema.keyspace = "demo";
  schema.name = "readings";
  schema.columns = {
      {"sensor", CqlType::kText, ColumnKind::kPartitionKey},
      {"ts", CqlType::kTimestamp, ColumnKind::kClustering, ClusteringOrder::kDesc},
      {"unit", CqlType::kText, ColumnKind::kStatic},
      {"value", CqlType::kDouble, ColumnKind::kRegular},
      {"note", CqlType::kText, ColumnKind::kRegular},
  };
  fmt::print("cassette demo — database folder '{}', clock fixed at 2026-11-25 00:00:00 UTC\n\n",
             folder);
  fmt::print(
      "cql> CREATE TABLE demo.readings (sensor text, ts timestamp, unit text static,\n"
      "       value double, note text, PRIMARY KEY (sensor, ts))\n"
      "       WITH CLUSTERING ORDER BY (ts DESC);\n\n");
  if (auto s = (*db)->CreateTable(schema); !s.ok() && !absl::IsAlreadyExists(s)) {
    fmt::print(stderr, "error: {}\n", s.ToString());
    return 1;
  }
  Demo d(db->get(), clock.get());
  const std::string t = kTable;
  bool ok = true;
  auto insert = [&](WriteBatch* b, int minute, double v, const char* note) {
    b->Insert(t, {{"sensor", Value::Text("kitchen")},
                  {"ts", Ts(minute)},
                  {"value", Value::Double(v)},
                  {"note", Value::Text(note)}});
  };
  {
    WriteBatch b;
    insert(&b, 0, 21.5, "boot");
    insert(&b, 1, 21.7, "ok");
    insert(&b, 2, 22.0, "ok");
    ok = ok && d.Step("BEGIN BATCH INSERT ... (3 rows) APPLY BATCH;  -- one atomic batch", b);
  }
  {
    WriteBatch b;
    b.Update(t, Key(1), {{"value", Value::Double(21.9)}});
    ok = ok &&
         d.Step("UPDATE demo.readings SET value = 21.9 WHERE sensor = 'kitchen' AND ts = <00:01>;",
                b);
  }
  {
    WriteBatch b;
    b.Update(t, {{"sensor", Value::Text("kitchen")}}, {{"unit", Value::Text("celsius")}});
    ok =
        ok &&
        d.Step(
            "UPDATE demo.readings SET unit = 'celsius' WHERE sensor = 'kitchen';  -- static column",
            b);
  }
  {
    WriteBatch b;
    b.DeleteColumns(t, Key(0), {"note"});
    ok = ok && d.Step(
                   "DELETE note FROM demo.readings WHERE sensor = 'kitchen' AND ts = <00:00>;  -- "
                   "cell tombstone",
                   b);
  }
  {
    WriteBatch b;
    b.Insert(t,
             {{"sensor", Value::Text("kitchen")},
              {"ts", Ts(3)},
              {"value", Value::Double(22.4)},
              {"note", Value::Text("short-lived")}},
             WriteOptions{.ttl = 60});
    ok = ok && d.Step(
                   "INSERT INTO demo.readings (...) VALUES (..., <00:03>, 22.4, 'short-lived') "
                   "USING TTL 60;",
                   b);
    ok = ok && d.Show(/*with_meta=*/true);
    clock->AdvanceSeconds(61);
    fmt::print("-- the clock moves 61 seconds: the TTL expires\n");
    ok = ok && d.Show();
  }
  {
    WriteBatch b;
    b.Delete(t, Key(2));
    ok = ok && d.Step(
                   "DELETE FROM demo.readings WHERE sensor = 'kitchen' AND ts = <00:02>;  -- row "
                   "tombstone",
                   b);
  }
  {
    WriteBatch b;
    b.DeleteRange(t, {{"sensor", Value::Text("kitchen")}},
                  ClusteringSlice{ClusteringBound{{Ts(0)}, true}, ClusteringBound{{Ts(1)}, false}});
    ok = ok && d.Step(
                   "DELETE FROM demo.readings WHERE sensor = 'kitchen' AND ts >= <00:00> AND ts < "
                   "<00:01>;  -- range tombstone",
                   b);
  }
  {
    WriteBatch b;
    b.Delete(t, {{"sensor", Value::Text("kitchen")}});
    ok = ok &&
         d.Step("DELETE FROM demo.readings WHERE sensor = 'kitchen';  -- partition tombstone", b);
  }
  if (!ok) return 1;
  fmt::print("done: every step above read back what Cassandra would return.\n");
  return 0;
}

}  // namespace cassette::tools

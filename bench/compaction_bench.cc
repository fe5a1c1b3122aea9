// Compaction (issue 4): write, space and read amplification of the four strategies on
// one fixed ingest, compaction throughput beside the zstd limit measured in the same run,
// and TWCS on a TTL'd time series. A plain main() (one long experiment, then a table);
// Google Benchmark is linked by bench/CMakeLists.txt but not used.
//
// Part 1, per strategy (STCS, LCS, TWCS, UCS T4, UCS L10): a fresh database ingests the
//   same rows (uniform random keys over 100,000 partitions × 2·rows/100,000 clusterings,
//   so ≈21% of the writes overwrite an earlier row; 100-byte payloads; memtable budget
//   4 MiB; zstd level 3; periodic commit-log sync; one compaction thread), then Flush and
//   WaitForCompactions; then random point reads of live rows with Select by full key.
//   A ManualClock moves 60 s every rows/20 writes, so TWCS (1-minute windows) sees the
//   ingest span 20 windows.
// Part 2: after each strategy, the zstd limit on that database's own Data.db blocks.
// Part 3: TWCS with every write TTL'd (20 windows), gc_grace_seconds 0, 80 windows.
//
// Environment: CASSETTE_BENCH_ROWS (default 2000000, ≈3.5 min; 200000 is a ≈45 s smoke run),
// CASSETTE_BENCH_READS (10000), CASSETTE_BENCH_BATCH (rows per Db::Write, 1),
// CASSETTE_BENCH_STRATEGIES (comma list of STCS,LCS,TWCS,UCS-T4,UCS-L10,TTL; all),
// CASSETTE_BENCH_TTL_WINDOWS (80). Data lives under $TMPDIR/cassette_compaction_bench
// (removed as each run ends); peak < 1 GB.
// Run: ./build/release/bench/compaction_bench  (see docs/benchmarks.md)
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "compaction_common.h"

namespace cassette {
namespace bench {
namespace {

constexpr int64_t kStartSeconds = 1'699'999'980;  // a multiple of 60: windows start at 0 s
constexpr int64_t kWindowSeconds = 60;            // TWCS: MINUTES × 1

struct Config {
  int64_t rows = 2'000'000;
  int64_t partitions = 100'000;
  int64_t clusterings = 40;  // per partition: key space = 2 × rows
  int64_t reads = 10'000;
  int64_t batch_rows = 1;
  int64_t ttl_windows = 20;
  int64_t ts_windows = 80;
  int64_t sensors = 1000;
  int64_t ticks_per_window = 20;
  std::string only;
};

fs::path Root() {
  static const fs::path root = fs::temp_directory_path() / "cassette_compaction_bench";
  return root;
}

fs::path FreshDir(const std::string& name) {
  fs::path p = Root() / name;
  fs::remove_all(p);
  fs::create_directories(p.parent_path());
  return p;
}

bool Selected(const Config& c, const std::string& name) {
  if (c.only.empty()) return true;
  std::stringstream ss(c.only);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item == name) return true;
  }
  return false;
}

TableSchema Schema(const std::string& name, CqlType clustering_type) {
  TableSchema s;
  s.keyspace = "bench";
  s.name = name;
  s.columns = {{"p", CqlType::kText, ColumnKind::kPartitionKey},
               {"c", clustering_type, ColumnKind::kClustering},
               {"v", CqlType::kBlob, ColumnKind::kRegular}};
  return s;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

[[noreturn]] void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "FATAL: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Check(absl::StatusOr<T> v, const std::string& what) {
  if (!v.ok()) Die(what, v.status());
  return *std::move(v);
}

void Check(const absl::Status& s, const std::string& what) {
  if (!s.ok()) Die(what, s);
}

// Engine warnings (e.g. "Writing large partition"), counted instead of printed; the first
// of each run is kept for the report.
struct Warnings {
  std::mutex mu;
  int64_t count = 0;
  std::string first;
};
Warnings& W() {
  static Warnings w;
  return w;
}
std::pair<int64_t, std::string> TakeWarnings() {
  std::lock_guard<std::mutex> l(W().mu);
  auto r = std::make_pair(W().count, W().first);
  W().count = 0;
  W().first.clear();
  return r;
}

Options BaseOptions(std::shared_ptr<Clock> clock, Env* env, std::shared_ptr<EventListener> l) {
  Options o;
  o.warning_log = [](const std::string& w) {
    std::lock_guard<std::mutex> lock(W().mu);
    if (W().count++ == 0) W().first = w;
  };
  o.clock = std::move(clock);
  o.env = env;
  o.listener = std::move(l);
  o.memtable_budget_bytes = 4 << 20;
  o.sstable_compression_level = 3;
  o.commitlog_sync = CommitLogSync::kPeriodic;
  o.compaction_concurrency = 1;
  return o;
}

// Sums over compaction events.
struct CompactionTotals {
  int64_t tasks = 0, failed = 0, expired_sstables = 0;
  int64_t dropping_tasks = 0;  // tasks with a non-empty `expired`
  int64_t expired_tasks = 0;   // of those, reason "expired" (nothing merged)
  uint64_t bytes_in = 0, bytes_out = 0;
  double seconds = 0;
  double cpu_seconds = 0;     // CPU time of the threads that ran the tasks
  uint64_t cpu_bytes_in = 0;  // bytes_in of the tasks whose CPU time is known
  // The tasks that ran wholly after `quiet_from` (nothing else running but compaction).
  uint64_t quiet_bytes_in = 0;
  double quiet_seconds = 0;
  int64_t quiet_tasks = 0;
  std::map<std::string, int64_t> by_reason;
};

CompactionTotals Totals(const std::vector<Recorder::Compaction>& events,
                        std::optional<Steady::time_point> quiet_from = std::nullopt) {
  CompactionTotals t;
  for (const auto& [e, finished, cpu] : events) {
    ++t.by_reason[e.reason];
    if (!e.error.empty()) {
      ++t.failed;
      continue;
    }
    ++t.tasks;
    t.expired_sstables += static_cast<int64_t>(e.expired.size());
    if (!e.expired.empty()) ++t.dropping_tasks;
    if (e.reason == "expired") ++t.expired_tasks;
    t.bytes_out += e.bytes_out;
    // A task's bytes_in also counts the expired SSTables it dropped unread; a rate uses
    // only tasks that dropped nothing.
    if (!e.expired.empty() || e.inputs.empty()) continue;
    const double s = static_cast<double>(e.duration_micros) / 1e6;
    t.bytes_in += e.bytes_in;
    t.seconds += s;
    if (cpu >= 0) {
      t.cpu_seconds += cpu;
      t.cpu_bytes_in += e.bytes_in;
    }
    if (quiet_from && finished - std::chrono::microseconds(e.duration_micros) >= *quiet_from) {
      t.quiet_bytes_in += e.bytes_in;
      t.quiet_seconds += s;
      ++t.quiet_tasks;
    }
  }
  return t;
}

// ------------------------------------------------------------------ part 1
struct Strategy {
  std::string label;
  std::string klass;
  std::map<std::string, std::string> options;
};

struct IngestResult {
  std::string label;
  uint64_t rows = 0, distinct = 0;
  double ingested_MB = 0, live_MB = 0;
  double log_MB = 0, flush_MB = 0, compaction_out_MB = 0, compaction_in_MB = 0;
  double env_sstable_MB = 0, env_other_MB = 0;
  int64_t flushes = 0;
  CompactionTotals totals;
  double ingest_s = 0, drain_s = 0, wall_s = 0, cpu_s = 0;
  int64_t stall_ms = 0;
  int64_t sstables = 0;
  double sstable_MB = 0;
  double read_max = 0, read_mean = 0, read_us = 0;
  std::map<int64_t, int64_t> read_hist;
  int64_t read_errors = 0;
  ZstdLimit limit;
  // Major compaction of this database afterwards (nothing else running).
  double major_MB = 0, major_MBps = 0, major_MB_per_cpu_s = 0;
  std::string per_level;
  std::pair<int64_t, std::string> warnings;
};

IngestResult RunStrategy(const Strategy& st, const Config& cfg) {
  IngestResult r;
  r.label = st.label;
  const fs::path dir = FreshDir("ingest");
  auto clock = std::make_shared<ManualClock>(kStartSeconds * 1'000'000);
  CountingEnv env(Env::Default());
  auto rec = std::make_shared<Recorder>();
  auto db = Check(Db::Open(BaseOptions(clock, &env, rec), dir.string()), "open");
  TableSchema schema = Schema("kv", CqlType::kBigint);
  schema.options.compaction_class = st.klass;
  schema.options.compaction_options = st.options;
  Check(db->CreateTable(schema), "create table");

  const uint64_t rows = static_cast<uint64_t>(cfg.rows);
  const uint64_t key_space = static_cast<uint64_t>(cfg.partitions * cfg.clusterings);
  const uint64_t advance_every = std::max<uint64_t>(1, rows / 20);
  std::vector<uint32_t> last(key_space, 0);  // 1 + the write that holds each key, 0: none
  char payload[kPayload];
  char pk[32];
  WriteBatch batch;
  const double cpu0 = ProcessCpu();
  const auto t0 = Steady::now();
  for (uint64_t w = 0; w < rows; ++w) {
    const uint64_t k = SplitMix(w * 2 + 1) % key_space;
    if (last[k] == 0) ++r.distinct;
    last[k] = static_cast<uint32_t>(w + 1);
    std::snprintf(pk, sizeof(pk), "user%06llu",
                  static_cast<unsigned long long>(k / static_cast<uint64_t>(cfg.clusterings)));
    Payload(w, payload);
    batch.Insert(
        "bench.kv",
        {{"p", Value::Text(pk)},
         {"c", Value::Bigint(static_cast<int64_t>(k % static_cast<uint64_t>(cfg.clusterings)))},
         {"v", Value::Blob(std::string_view(payload, kPayload))}});
    if (batch.size() == static_cast<size_t>(cfg.batch_rows) || w + 1 == rows) {
      Check(db->Write(batch), "write");
      batch.Clear();
    }
    if ((w + 1) % advance_every == 0) clock->AdvanceSeconds(kWindowSeconds);
  }
  const auto t1 = Steady::now();
  Check(db->Flush("bench.kv"), "flush");
  Check(db->WaitForCompactions("bench.kv"), "wait for compactions");
  const auto t2 = Steady::now();
  r.cpu_s = ProcessCpu() - cpu0;
  r.ingest_s = Seconds(t1 - t0);
  r.drain_s = Seconds(t2 - t1);
  r.wall_s = Seconds(t2 - t0);
  r.rows = rows;
  r.ingested_MB = static_cast<double>(rows * kRowLogicalBytes) / kMB;
  r.live_MB = static_cast<double>(r.distinct * kRowLogicalBytes) / kMB;

  const TableStats ts = Check(db->GetTableStats("bench.kv"), "stats");
  r.sstables = ts.sstable_count;
  r.sstable_MB = static_cast<double>(ts.sstable_bytes) / kMB;
  r.stall_ms = ts.write_stall_micros / 1000;
  const CompactionStats cs = Check(db->GetCompactionStats("bench.kv"), "compaction stats");
  for (const auto& [level, n] : cs.sstables_per_level) {
    r.per_level += (r.per_level.empty() ? "" : " ") + std::string("L") + std::to_string(level) +
                   ":" + std::to_string(n);
  }
  r.log_MB = static_cast<double>(env.bytes(CountingEnv::kLog)) / kMB;
  r.env_sstable_MB = static_cast<double>(env.bytes(CountingEnv::kSSTable)) / kMB;
  r.env_other_MB = static_cast<double>(env.bytes(CountingEnv::kOther)) / kMB;
  uint64_t flush_bytes = 0;
  for (const FlushEvent& f : rec->flushes()) flush_bytes += f.bytes;
  r.flushes = static_cast<int64_t>(rec->flushes().size());
  r.flush_MB = static_cast<double>(flush_bytes) / kMB;
  r.totals = Totals(rec->compactions(), t1);
  r.compaction_out_MB = static_cast<double>(r.totals.bytes_out) / kMB;
  r.compaction_in_MB = static_cast<double>(r.totals.bytes_in) / kMB;

  // Point reads of random live rows, by full primary key.
  std::mt19937_64 rng(42);
  int64_t touched_sum = 0, touched_max = 0;
  const auto r0 = Steady::now();
  for (int64_t i = 0; i < cfg.reads; ++i) {
    uint64_t k;
    do {
      k = rng() % key_space;
    } while (last[k] == 0);
    std::snprintf(pk, sizeof(pk), "user%06llu",
                  static_cast<unsigned long long>(k / static_cast<uint64_t>(cfg.clusterings)));
    const Value c = Value::Bigint(static_cast<int64_t>(k % static_cast<uint64_t>(cfg.clusterings)));
    SelectQuery q;
    q.table = "bench.kv";
    q.partition_key = {{"p", Value::Text(pk)}};
    q.slice.start = ClusteringBound{{c}, true};
    q.slice.end = ClusteringBound{{c}, true};
    q.columns = {"v"};
    auto rs = db->Select(q);
    if (!rs.ok()) {
      ++r.read_errors;
      continue;
    }
    Payload(last[k] - 1, payload);
    if (rs->rows.size() != 1 ||
        rs->rows[0].values[0].AsBytes() != std::string_view(payload, kPayload)) {
      ++r.read_errors;
    }
    touched_sum += rs->stats.sstables_touched;
    touched_max = std::max(touched_max, rs->stats.sstables_touched);
    ++r.read_hist[rs->stats.sstables_touched];
  }
  r.read_us =
      Seconds(Steady::now() - r0) * 1e6 / static_cast<double>(std::max<int64_t>(1, cfg.reads));
  r.read_max = static_cast<double>(touched_max);
  r.read_mean =
      static_cast<double>(touched_sum) / static_cast<double>(std::max<int64_t>(1, cfg.reads));

  r.limit = MeasureZstdLimit(dir, 3);

  {
    const size_t before = rec->compactions().size();
    Check(db->Compact("bench.kv"), "major compaction");
    const auto all = rec->compactions();
    uint64_t in = 0;
    double s = 0, cpu = 0;
    for (size_t i = before; i < all.size(); ++i) {
      in += all[i].event.bytes_in;
      s += static_cast<double>(all[i].event.duration_micros) / 1e6;
      cpu += all[i].cpu_s;
    }
    r.major_MB_per_cpu_s = cpu > 0 ? static_cast<double>(in) / kMB / cpu : 0;
    r.major_MB =
        static_cast<double>(Check(db->GetTableStats("bench.kv"), "stats").sstable_bytes) / kMB;
    r.major_MBps = s > 0 ? static_cast<double>(in) / kMB / s : 0;
  }
  db.reset();
  fs::remove_all(dir);
  r.warnings = TakeWarnings();
  return r;
}

// ------------------------------------------------------------------ part 3
struct TtlResult {
  int64_t windows = 0, rows = 0;
  double calibration = 0;                // SSTable bytes per logical byte of one compacted window
  double max_ratio = 0, mean_ratio = 0;  // disk ÷ live (compressed)
  double max_ratio_logical = 0, mean_ratio_logical = 0;  // disk ÷ live (logical)
  double max_dir_ratio = 0;                              // whole folder ÷ live (compressed)
  int64_t samples = 0, max_sstables = 0;
  double mean_sstables = 0;
  CompactionTotals totals;
  double wall_s = 0, wa = 0, wa_no_log = 0;
  double live_MB_last = 0, disk_MB_last = 0;
  std::pair<int64_t, std::string> warnings;
};

std::string SensorKey(int64_t sensor, int64_t window) {
  char pk[32];
  std::snprintf(pk, sizeof(pk), "s%04d:%04d", static_cast<int>(sensor % 10000),
                static_cast<int>(window / 10 % 10000));  // a "day" bucket of 10 windows
  return pk;
}

// Writes window `win` of the time series: ticks_per_window ticks, each one row per
// sensor with timestamp = the clock, TTL ttl_s. Returns (tick second, rows) pairs.
void WriteWindow(Db* db, ManualClock* clock, const Config& cfg, int64_t win, int64_t ttl_s,
                 const std::string& table, uint64_t* write_no,
                 std::vector<std::pair<int64_t, int64_t>>* ticks) {
  char payload[kPayload];
  WriteBatch batch;
  WriteOptions wo;
  wo.ttl = ttl_s;
  for (int64_t t = 0; t < cfg.ticks_per_window; ++t) {
    const int64_t us = (kStartSeconds + win * kWindowSeconds) * 1'000'000 +
                       t * kWindowSeconds * 1'000'000 / cfg.ticks_per_window;
    clock->SetMicros(us);
    for (int64_t s = 0; s < cfg.sensors; ++s) {
      Payload((*write_no)++, payload);
      batch.Insert(table,
                   {{"p", Value::Text(SensorKey(s, win))},
                    {"c", Value::Timestamp(us / 1000)},
                    {"v", Value::Blob(std::string_view(payload, kPayload))}},
                   wo);
      if (batch.size() == static_cast<size_t>(cfg.batch_rows)) {
        Check(db->Write(batch), "write");
        batch.Clear();
      }
    }
    if (!batch.empty()) {
      Check(db->Write(batch), "write");
      batch.Clear();
    }
    ticks->push_back({us / 1'000'000, cfg.sensors});
  }
}

TableSchema TtlSchema() {
  TableSchema s = Schema("ts", CqlType::kTimestamp);
  s.options.gc_grace_seconds = 0;
  s.options.compaction_class = "TimeWindowCompactionStrategy";
  s.options.compaction_options = {{"compaction_window_unit", "MINUTES"},
                                  {"compaction_window_size", "1"}};
  return s;
}

TtlResult RunTtl(const Config& cfg) {
  TtlResult r;
  const int64_t ttl_s = cfg.ttl_windows * kWindowSeconds;
  r.windows = cfg.ts_windows;
  // Calibration: SSTable bytes per logical byte of one window written and compacted
  // alone, the same rows (same keys, TTL, timestamps) as a window of the run.
  {
    const fs::path dir = FreshDir("ttl_calibration");
    auto clock = std::make_shared<ManualClock>(kStartSeconds * 1'000'000);
    auto db = Check(Db::Open(BaseOptions(clock, nullptr, nullptr), dir.string()), "open");
    Check(db->CreateTable(TtlSchema()), "create table");
    uint64_t w = 0;
    std::vector<std::pair<int64_t, int64_t>> ticks;
    WriteWindow(db.get(), clock.get(), cfg, cfg.ttl_windows, ttl_s, "bench.ts", &w, &ticks);
    Check(db->Compact("bench.ts"), "compact");
    const TableStats st = Check(db->GetTableStats("bench.ts"), "stats");
    r.calibration =
        static_cast<double>(st.sstable_bytes) / static_cast<double>(w * kRowLogicalBytes);
    db.reset();
    fs::remove_all(dir);
    TakeWarnings();
  }

  const fs::path dir = FreshDir("ttl");
  auto clock = std::make_shared<ManualClock>(kStartSeconds * 1'000'000);
  CountingEnv env(Env::Default());
  auto rec = std::make_shared<Recorder>();
  auto db = Check(Db::Open(BaseOptions(clock, &env, rec), dir.string()), "open");
  Check(db->CreateTable(TtlSchema()), "create table");
  uint64_t write_no = 0;
  std::vector<std::pair<int64_t, int64_t>> ticks;
  double sum_ratio = 0, sum_ratio_logical = 0, sum_sstables = 0;
  const auto t0 = Steady::now();
  for (int64_t win = 0; win < cfg.ts_windows; ++win) {
    WriteWindow(db.get(), clock.get(), cfg, win, ttl_s, "bench.ts", &write_no, &ticks);
    // The window has ended. A real series takes a minute per window; this one takes a
    // fraction of a second, so the writer pauses here as time would: the memtable is
    // flushed and compactions (window merges, expired drops) catch up before the sample.
    const int64_t now_s = kStartSeconds + (win + 1) * kWindowSeconds;
    clock->SetMicros(now_s * 1'000'000);
    Check(db->Flush("bench.ts"), "flush");
    Check(db->WaitForCompactions("bench.ts"), "wait for compactions");
    if (win + 1 <= cfg.ttl_windows) continue;  // sample only after the first TTL
    int64_t live_rows = 0;
    for (const auto& [sec, n] : ticks) {
      if (sec + ttl_s > now_s) live_rows += n;  // live while now < write time + TTL
    }
    const TableStats st = Check(db->GetTableStats("bench.ts"), "stats");
    const double live_logical = static_cast<double>(live_rows) * kRowLogicalBytes;
    const double live_compressed = live_logical * r.calibration;
    const double disk = static_cast<double>(st.sstable_bytes);
    const double ratio = disk / live_compressed;
    r.max_ratio = std::max(r.max_ratio, ratio);
    r.max_ratio_logical = std::max(r.max_ratio_logical, disk / live_logical);
    r.max_dir_ratio =
        std::max(r.max_dir_ratio, static_cast<double>(DirBytes(dir)) / live_compressed);
    r.max_sstables = std::max(r.max_sstables, st.sstable_count);
    sum_ratio += ratio;
    sum_ratio_logical += disk / live_logical;
    sum_sstables += static_cast<double>(st.sstable_count);
    ++r.samples;
    r.live_MB_last = live_logical / kMB;
    r.disk_MB_last = disk / kMB;
  }
  r.wall_s = Seconds(Steady::now() - t0);
  r.rows = static_cast<int64_t>(write_no);
  if (r.samples > 0) {
    r.mean_ratio = sum_ratio / static_cast<double>(r.samples);
    r.mean_ratio_logical = sum_ratio_logical / static_cast<double>(r.samples);
    r.mean_sstables = sum_sstables / static_cast<double>(r.samples);
  }
  r.totals = Totals(rec->compactions());
  uint64_t flush_bytes = 0;
  for (const FlushEvent& f : rec->flushes()) flush_bytes += f.bytes;
  const double ingested = static_cast<double>(write_no * kRowLogicalBytes);
  r.wa_no_log = static_cast<double>(flush_bytes + r.totals.bytes_out) / ingested;
  r.wa = r.wa_no_log + static_cast<double>(env.bytes(CountingEnv::kLog)) / ingested;
  db.reset();
  fs::remove_all(dir);
  r.warnings = TakeWarnings();
  return r;
}

// ------------------------------------------------------------------ report
std::string Hist(const std::map<int64_t, int64_t>& h, int64_t n) {
  std::string out;
  for (const auto& [k, v] : h) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%s%lld:%.1f%%", out.empty() ? "" : " ",
                  static_cast<long long>(k),
                  100.0 * static_cast<double>(v) / static_cast<double>(n));
    out += buf;
  }
  return out;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }
double CpuRate(const CompactionTotals& t) {
  return t.cpu_seconds > 0 ? static_cast<double>(t.cpu_bytes_in) / kMB / t.cpu_seconds : 0;
}

void PrintIngest(const IngestResult& r, const Config& cfg, double baseline_MB) {
  const double wa_no_log = (r.flush_MB + r.compaction_out_MB) / r.ingested_MB;
  const double wa = wa_no_log + r.log_MB / r.ingested_MB;
  const double mbps = r.totals.seconds > 0 ? r.compaction_in_MB / r.totals.seconds : 0;
  std::printf("\n== %s: %llu rows in %.1f s ingest + %.1f s drain = %.1f s wall, %.1f CPU-s\n",
              r.label.c_str(), static_cast<unsigned long long>(r.rows), r.ingest_s, r.drain_s,
              r.wall_s, r.cpu_s);
  std::printf(
      "  ingested %.1f MB logical (%llu rows x %llu B); live %.1f MB (%llu distinct rows)\n",
      r.ingested_MB, static_cast<unsigned long long>(r.rows),
      static_cast<unsigned long long>(kRowLogicalBytes), r.live_MB,
      static_cast<unsigned long long>(r.distinct));
  std::printf(
      "  written: commit log %.1f MB, flush %.1f MB (%lld flushes), compaction out %.1f MB"
      " (in %.1f MB, %lld tasks, %lld failed); Env SSTable appends %.1f MB, other %.2f MB\n",
      r.log_MB, r.flush_MB, static_cast<long long>(r.flushes), r.compaction_out_MB,
      r.compaction_in_MB, static_cast<long long>(r.totals.tasks),
      static_cast<long long>(r.totals.failed), r.env_sstable_MB, r.env_other_MB);
  std::string reasons;
  for (const auto& [k, v] : r.totals.by_reason) reasons += " " + k + "=" + std::to_string(v);
  std::printf("  tasks by reason:%s; write stalls %lld ms\n", reasons.c_str(),
              static_cast<long long>(r.stall_ms));
  std::printf("  WA %.2f (without commit log %.2f)\n", wa, wa_no_log);
  std::printf("  final: %lld SSTables (%s), %.1f MB -> space amp %.3f of live logical",
              static_cast<long long>(r.sstables), r.per_level.c_str(), r.sstable_MB,
              r.sstable_MB / r.live_MB);
  if (baseline_MB > 0)
    std::printf(", %.3f of the live data compacted (%.1f MB)", r.sstable_MB / baseline_MB,
                baseline_MB);
  std::printf(
      "\n  reads: %lld point reads, SSTables/read max %.0f mean %.2f (%s), %.0f us/read, %lld "
      "errors\n",
      static_cast<long long>(cfg.reads), r.read_max, r.read_mean,
      Hist(r.read_hist, cfg.reads).c_str(), r.read_us, static_cast<long long>(r.read_errors));
  const double cpu_rate = CpuRate(r.totals);
  std::printf(
      "  compaction (background, beside the ingest): %.1f MB/s per core (on-disk bytes in / task"
      " wall time, %.1f s in tasks), %.1f MB per CPU-s (%.1f CPU-s)",
      mbps, r.totals.seconds, cpu_rate, r.totals.cpu_seconds);
  if (r.totals.quiet_tasks > 0) {
    std::printf("; %.1f MB/s over the %lld tasks that ran after the ingest",
                static_cast<double>(r.totals.quiet_bytes_in) / kMB / r.totals.quiet_seconds,
                static_cast<long long>(r.totals.quiet_tasks));
  }
  std::printf(
      "\n  major compaction afterwards (alone): %.1f MB/s, %.1f MB per CPU-s -> %.1f MB left\n",
      r.major_MBps, r.major_MB_per_cpu_s, r.major_MB);
  std::printf(
      "  zstd limit (this database's %llu Data.db blocks of %.1f KiB, ratio %.2f, level 3):"
      " decompress %.0f + compress %.0f MB/s raw -> %.1f MB/s raw = %.1f MB/s on-disk,"
      " %.1f on-disk MB per CPU-s\n",
      static_cast<unsigned long long>(r.limit.blocks), r.limit.block_kib, r.limit.ratio,
      r.limit.decompress_MBps, r.limit.compress_MBps, r.limit.raw_MBps, r.limit.disk_MBps,
      r.limit.disk_MB_per_cpu_s);
  std::printf(
      "  compaction / limit: background %.2f (wall) %.2f (CPU); major %.2f (wall) %.2f (CPU);"
      " goal >= 0.70\n",
      Ratio(mbps, r.limit.disk_MBps), Ratio(cpu_rate, r.limit.disk_MB_per_cpu_s),
      Ratio(r.major_MBps, r.limit.disk_MBps),
      Ratio(r.major_MB_per_cpu_s, r.limit.disk_MB_per_cpu_s));
  if (r.warnings.first > 0) {
    std::printf("  engine warnings: %lld; the first: %s\n",
                static_cast<long long>(r.warnings.first), r.warnings.second.c_str());
  }
  std::fflush(stdout);
}

}  // namespace
}  // namespace bench
}  // namespace cassette

int main() {
  using namespace cassette::bench;
  Config cfg;
  cfg.rows = EnvInt("CASSETTE_BENCH_ROWS", cfg.rows);
  cfg.reads = EnvInt("CASSETTE_BENCH_READS", cfg.reads);
  cfg.batch_rows = std::max<int64_t>(1, EnvInt("CASSETTE_BENCH_BATCH", cfg.batch_rows));
  cfg.ts_windows = EnvInt("CASSETTE_BENCH_TTL_WINDOWS", cfg.ts_windows);
  cfg.only = EnvStr("CASSETTE_BENCH_STRATEGIES", "");
  cfg.partitions = std::min<int64_t>(100'000, std::max<int64_t>(1, cfg.rows));
  cfg.clusterings = std::max<int64_t>(1, 2 * cfg.rows / cfg.partitions);
  cfg.ticks_per_window = std::max<int64_t>(1, cfg.rows / 100'000);

  const auto start = Steady::now();
  std::printf(
      "compaction_bench: %lld rows (%lld partitions x %lld clusterings, %d B payload), "
      "%lld rows per write, %lld reads; load average %s; %u CPUs\n",
      static_cast<long long>(cfg.rows), static_cast<long long>(cfg.partitions),
      static_cast<long long>(cfg.clusterings), kPayload, static_cast<long long>(cfg.batch_rows),
      static_cast<long long>(cfg.reads), LoadAverage().c_str(),
      std::thread::hardware_concurrency());

  const std::vector<Strategy> strategies = {
      {"STCS", "SizeTieredCompactionStrategy", {}},
      {"LCS", "LeveledCompactionStrategy", {{"sstable_size_in_mb", "8"}}},
      {"TWCS",
       "TimeWindowCompactionStrategy",
       {{"compaction_window_unit", "MINUTES"}, {"compaction_window_size", "1"}}},
      {"UCS-T4", "UnifiedCompactionStrategy", {{"scaling_parameters", "T4"}}},
      {"UCS-L10", "UnifiedCompactionStrategy", {{"scaling_parameters", "L10"}}},
  };
  std::vector<IngestResult> results;
  double baseline_MB = 0;
  for (const Strategy& st : strategies) {
    if (!Selected(cfg, st.label)) continue;
    results.push_back(RunStrategy(st, cfg));
    // The baseline: the live data major-compacted by a strategy that merges everything.
    if (baseline_MB == 0 && st.label != "TWCS") baseline_MB = results.back().major_MB;
    PrintIngest(results.back(), cfg, baseline_MB);
  }
  std::optional<TtlResult> ttl;
  if (Selected(cfg, "TTL")) {
    ttl = RunTtl(cfg);
    const TtlResult& t = *ttl;
    std::printf(
        "\n== TWCS time series with TTL: %lld sensors x %lld windows x %lld ticks = %lld rows,"
        " TTL %lld windows, gc_grace 0, %.1f s\n",
        static_cast<long long>(cfg.sensors), static_cast<long long>(t.windows),
        static_cast<long long>(cfg.ticks_per_window), static_cast<long long>(t.rows),
        static_cast<long long>(cfg.ttl_windows), t.wall_s);
    std::printf("  calibration: one compacted window = %.3f SSTable bytes per logical byte\n",
                t.calibration);
    std::printf(
        "  %lld samples (every window after the first TTL): disk / live compressed max %.3f"
        " mean %.3f; disk / live logical max %.3f mean %.3f; whole folder / live compressed"
        " max %.3f\n",
        static_cast<long long>(t.samples), t.max_ratio, t.mean_ratio, t.max_ratio_logical,
        t.mean_ratio_logical, t.max_dir_ratio);
    std::string reasons;
    for (const auto& [k, v] : t.totals.by_reason) reasons += " " + k + "=" + std::to_string(v);
    std::printf(
        "  SSTables dropped whole: %lld (in %lld tasks; %lld 'expired' tasks); tasks:%s;"
        " SSTables live max %lld mean %.1f; last sample live %.1f MB logical, disk %.1f MB;"
        " WA %.2f (without commit log %.2f)\n",
        static_cast<long long>(t.totals.expired_sstables),
        static_cast<long long>(t.totals.dropping_tasks),
        static_cast<long long>(t.totals.expired_tasks), reasons.c_str(),
        static_cast<long long>(t.max_sstables), t.mean_sstables, t.live_MB_last, t.disk_MB_last,
        t.wa, t.wa_no_log);
  }

  // ---------------------------------------------------------------- summary
  std::printf("\n== Summary (%lld rows; load average now %s; total %.0f s)\n",
              static_cast<long long>(cfg.rows), LoadAverage().c_str(),
              Seconds(Steady::now() - start));
  std::printf("%-8s %5s %6s %6s %6s %4s %5s %6s %6s | %6s %6s %6s %5s | %6s %5s\n", "strategy",
              "WA", "WA-log", "space", "sp/cmp", "SST", "RAmax", "RAmean", "wall_s", "MB/s",
              "MB/cpu", "limit", "ratio", "major", "ratio");
  for (const IngestResult& r : results) {
    const double wa_no_log = (r.flush_MB + r.compaction_out_MB) / r.ingested_MB;
    const double mbps = r.totals.seconds > 0 ? r.compaction_in_MB / r.totals.seconds : 0;
    const double cpu_rate = CpuRate(r.totals);
    std::printf(
        "%-8s %5.2f %6.2f %6.3f %6.3f %4lld %5.0f %6.2f %6.1f | %6.1f %6.1f %6.1f %5.2f | %6.1f "
        "%5.2f\n",
        r.label.c_str(), wa_no_log + r.log_MB / r.ingested_MB, wa_no_log, r.sstable_MB / r.live_MB,
        Ratio(r.sstable_MB, baseline_MB), static_cast<long long>(r.sstables), r.read_max,
        r.read_mean, r.wall_s, mbps, cpu_rate, r.limit.disk_MB_per_cpu_s,
        Ratio(cpu_rate, r.limit.disk_MB_per_cpu_s), r.major_MB_per_cpu_s,
        Ratio(r.major_MB_per_cpu_s, r.limit.disk_MB_per_cpu_s));
  }
  std::printf(
      "WA: (commit log + flush + compaction out) / ingested logical bytes; WA-log: without the\n"
      "commit log; space: SSTable bytes / live logical bytes; sp/cmp: / the same live data\n"
      "major-compacted (%.1f MB); SST: SSTables left; RA: SSTables per point read; wall_s: ingest\n"
      "+ flush + drain. Compaction, on-disk bytes in: MB/s per task wall time and MB/cpu per\n"
      "CPU-second of background tasks; limit: zstd-3 decompress+compress of the same database's\n"
      "blocks, on-disk MB per CPU-s; ratio: MB/cpu / limit (goal >= 0.70); major: the same for a\n"
      "major compaction run alone afterwards.\n",
      baseline_MB);
  if (ttl) {
    std::printf(
        "TWCS+TTL: disk / live max %.3f mean %.3f (goal <= 1.25); SSTables dropped whole %lld\n",
        ttl->max_ratio, ttl->mean_ratio, static_cast<long long>(ttl->totals.expired_sstables));
  }
  fs::remove_all(Root());
  return 0;
}

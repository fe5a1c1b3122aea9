// cassette-lab: the compaction lab. Runs workloads on cassette under each compaction
// strategy and on RocksDB and LevelDB, side by side, and reports (docs/benchmarks.md).
//
//   cassette-lab run feed                       # the default engines for the workload
//   cassette-lab run my.yaml --engines cassette/LCS,rocksdb/leveled --scale 0.1
//   cassette-lab table                          # the P1–P9 results table
//   cassette-lab workloads [--show NAME]        # the built-in workloads (YAML)
//   cassette-lab limits                         # this machine's limits only
//   cassette-lab crosscheck                     # the RocksDB adapter vs RocksDB's db_bench
#include <malloc.h>
#include <sys/utsname.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#ifdef CASSETTE_LAB_HAVE_ROCKSDB
#include "bench/lab/db_bench_crosscheck.h"
#endif
#include "bench/lab/limits.h"
#include "bench/lab/results.h"
#include "bench/lab/runner.h"
#include "bench/lab/suite.h"
#include "bench/lab/workload.h"
#include "fmt/format.h"

namespace cassette::lab {
namespace {

namespace fs = std::filesystem;

struct Common {
  std::string out_dir;
  std::string data_dir = "lab-data";
  double scale = 1.0;
  int memory_mib = 256;
  int zstd = 3;
  bool sync = false;
  bool keep = false;
  bool no_limits = false;
  double limit_seconds = 1.0;
  uint64_t seed = 1;
  bool quiet = false;
  int repeat = 1;
};

std::string UtcNow(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string Host() {
  utsname u;
  std::string out = uname(&u) == 0 ? fmt::format("{} {} {}", u.sysname, u.release, u.machine) : "";
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  int cores = 0;
  std::string model;
  while (std::getline(cpu, line)) {
    if (line.starts_with("model name") && model.empty()) model = line.substr(line.find(':') + 2);
    if (line.starts_with("processor")) ++cores;
  }
  return fmt::format("{}; {} x {}", out, cores, model);
}

RunSpec BaseSpec(const Common& c) {
  RunSpec s;
  // The memory budget: a quarter for the memtable (write buffer), the rest block cache.
  s.memtable_bytes = static_cast<uint64_t>(c.memory_mib) << 18;
  s.block_cache_bytes = (static_cast<uint64_t>(c.memory_mib) << 20) - s.memtable_bytes;
  s.zstd_level = c.zstd;
  s.sync_every_write = c.sync;
  s.keep_data = c.keep;
  s.progress = !c.quiet;
  s.seed = c.seed;
  return s;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "cassette-lab: %s\n", s.ToString().c_str());
  return 1;
}

absl::Status Begin(const Common& c, int argc, char** argv, LabReport* rep) {
  std::vector<std::string> args(argv, argv + argc);
  rep->command_line = absl::StrJoin(args, " ");
  rep->started_at = UtcNow("%Y-%m-%dT%H:%M:%SZ");
  rep->host = Host();
  if (c.no_limits) return absl::OkStatus();
  if (!c.quiet) std::fprintf(stderr, "measuring this machine's limits...\n");
  auto limits = MeasureMachineLimits(fs::path(c.data_dir) / "limits", c.limit_seconds);
  if (!limits.ok()) return limits.status();
  rep->limits = *limits;
  return absl::OkStatus();
}

// Runs `w` on each engine spec, `repeat` rounds of every engine in turn, so that a slow
// minute of the machine falls on all engines alike; the headline takes each engine's
// median run. A run that fails is reported, and the others go on.
absl::Status RunAll(const Common& c, const Workload& w, const std::vector<std::string>& engines,
                    int repeat, LabReport* rep) {
  for (int round = 1; round <= repeat; ++round) {
    for (const std::string& e : engines) {
      auto spec = ParseEngineSpec(e, BaseSpec(c));
      if (!spec.ok()) return spec.status();
      spec->dir = fs::path(c.data_dir) / fmt::format("{}-{}", w.name, rep->runs.size());
      if (!c.quiet) {
        std::fprintf(stderr, "== %s on %s%s\n", w.name.c_str(), e.c_str(),
                     repeat > 1 ? fmt::format(" (round {} of {})", round, repeat).c_str() : "");
      }
      auto r = RunWorkload(w, *spec);
      // What the engine freed stays in glibc's arenas (one per thread that allocated it,
      // and every engine runs its own threads): handed back, each run starts from the
      // same small heap instead of the fragments of all runs before it.
      malloc_trim(0);
      if (!r.ok()) return r.status();
      if (!r->error.empty()) std::fprintf(stderr, "   %s: %s\n", e.c_str(), r->error.c_str());
      r->round = round;
      rep->runs.push_back(*std::move(r));
      // A long table run keeps what it has measured so far if it is stopped.
      rep->headline = Headline(*rep);
      if (auto s = WriteJson(*rep, fs::path(c.out_dir) / "report.json"); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Finish(const Common& c, LabReport* rep) {
  rep->headline = Headline(*rep);
  PrintSummary(*rep, stdout);
  const fs::path out = c.out_dir;
  if (auto s = WriteJson(*rep, out / "report.json"); !s.ok()) return s;
  if (auto s = WriteCsv(*rep, out); !s.ok()) return s;
  if (auto s = WriteSvgs(*rep, out); !s.ok()) return s;
  std::printf("\nresults: %s/ (report.json, runs.csv, timeline.csv, files.csv, *.svg)\n",
              out.string().c_str());
  return absl::OkStatus();
}

void AddCommon(CLI::App* app, Common* c) {
  app->add_option("--out", c->out_dir, "folder for report.json, CSV and SVG files");
  app->add_option("--data", c->data_dir, "folder for the engines' data (one subfolder per run)")
      ->capture_default_str();
  app->add_option("--scale", c->scale, "multiply operations and partitions")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--memory", c->memory_mib, "memory budget in MiB: 1/4 memtable, 3/4 block cache")
      ->check(CLI::Range(4, 1 << 20))
      ->capture_default_str();
  app->add_option("--zstd", c->zstd, "zstd level, 0 = no compression")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  app->add_flag("--sync", c->sync, "fdatasync the log before acknowledging each write");
  app->add_flag("--keep-data", c->keep, "keep the engines' folders after each run");
  app->add_flag("--no-limits", c->no_limits, "skip measuring the machine's limits");
  app->add_option("--limit-seconds", c->limit_seconds, "seconds per machine-limit probe")
      ->capture_default_str();
  app->add_option("--seed", c->seed, "random seed (the same for every engine)")
      ->capture_default_str();
  app->add_flag("--quiet", c->quiet, "no progress lines");
}

void AddRepeat(CLI::App* app, Common* c, const char* what) {
  app->add_option("--repeat", c->repeat, what)->check(CLI::Range(1, 99))->capture_default_str();
}

int Main(int argc, char** argv) {
  CLI::App app{"cassette-lab: compaction strategies and storage engines side by side"};
  app.require_subcommand(1);
  Common common;

  auto* run = app.add_subcommand("run", "run one workload on several engines");
  std::string workload_name;
  std::string engines;
  run->add_option("workload", workload_name, "a built-in workload name or a .yaml file")
      ->required();
  run->add_option("--engines", engines,
                  "comma-separated: cassette/STCS, cassette/LCS, cassette/TWCS, "
                  "cassette/UCS:scaling_parameters=T4, rocksdb/leveled, rocksdb/universal, leveldb "
                  "(default: those that suit the workload)");
  AddCommon(run, &common);
  AddRepeat(run, &common,
            "rounds of every engine in turn; the headline takes each engine's median run");

  auto* table = app.add_subcommand("table", "the results table P1-P9 (docs/benchmarks.md)");
  bool with_p9 = false;
  std::string only;
  table->add_flag("--p9", with_p9,
                  "also P9: ingest 50M rows (x scale) on cassette/STCS and rocksdb/leveled");
  table->add_option("--only", only, "comma-separated P-ids to run (default: P1-P5)");
  AddCommon(table, &common);
  AddRepeat(table, &common,
            "rounds of P1-P3 (the throughput ratios), every engine in turn; the table takes "
            "each engine's median run");

  auto* wl = app.add_subcommand("workloads", "list the built-in workloads, or print one");
  std::string show;
  wl->add_option("--show", show, "print this workload's YAML");

  auto* lim = app.add_subcommand("limits", "measure this machine's limits");
  AddCommon(lim, &common);

  auto* cross =
      app.add_subcommand("crosscheck", "this harness's RocksDB vs RocksDB's own db_bench");
  int64_t cross_keys = 1'000'000;
  cross->add_option("--keys", cross_keys, "keys to fill and read")->capture_default_str();
  AddCommon(cross, &common);

  CLI11_PARSE(app, argc, argv);
  auto resolve_out = [&](const std::string& label) {
    if (common.out_dir.empty()) {
      common.out_dir =
          (fs::path("lab-results") / fmt::format("{}-{}", label, UtcNow("%Y%m%dT%H%M%SZ")))
              .string();
    }
  };

  if (*wl) {
    const auto& all = BuiltinWorkloads();
    if (!show.empty()) {
      auto it = all.find(show);
      if (it == all.end()) return Fail(absl::NotFoundError("no built-in workload named " + show));
      std::fputs(it->second.c_str(), stdout);
      return 0;
    }
    for (const auto& [name, yaml] : all) {
      auto w = ParseWorkload(yaml, name);
      if (!w.ok()) return Fail(w.status());
      std::printf("%-16s %s\n", name.c_str(), w->description.c_str());
    }
    return 0;
  }

  LabReport rep;
  if (auto s = Begin(common, argc, argv, &rep); !s.ok()) return Fail(s);
  if (*lim) {
    PrintSummary(rep, stdout);
    return 0;
  }
  if (*cross) {
#ifndef CASSETTE_LAB_HAVE_ROCKSDB
    return Fail(
        absl::UnimplementedError("cassette-lab was built without RocksDB (librocksdb-dev)"));
#else
    auto r = RunDbBenchCrossCheck(fs::path(common.data_dir) / "crosscheck", cross_keys, 100,
                                  BaseSpec(common).block_cache_bytes,
                                  BaseSpec(common).memtable_bytes, common.zstd);
    if (!r.ok()) return Fail(r.status());
    std::printf("db_bench: %s\n", r->dbbench_command.c_str());
    std::printf("%-12s %14s %14s %8s\n", "", "db_bench", "cassette-lab", "lab/db");
    std::printf("%-12s %12.0f/s %12.0f/s %8.2f\n", "fillrandom", r->dbbench_fill_ops,
                r->lab_fill_ops, r->lab_fill_ops / r->dbbench_fill_ops);
    std::printf("%-12s %12.0f/s %12.0f/s %8.2f\n", "readrandom", r->dbbench_read_ops,
                r->lab_read_ops, r->lab_read_ops / r->dbbench_read_ops);
    std::printf("%-12s %12.1fus %12.1fus\n", "read p99", r->dbbench_read_p99_us,
                r->lab_read_p99_us);
    return 0;
#endif
  }
  if (*run) {
    auto w = LoadWorkload(workload_name);
    if (!w.ok()) return Fail(w.status());
    ScaleWorkload(common.scale, &*w);
    resolve_out(w->name);
    std::vector<std::string> list = engines.empty()
                                        ? DefaultEngines(*w)
                                        : std::vector<std::string>(absl::StrSplit(engines, ','));
    if (auto s = RunAll(common, *w, list, common.repeat, &rep); !s.ok()) return Fail(s);
    if (auto s = Finish(common, &rep); !s.ok()) return Fail(s);
    return 0;
  }
  // table: the workloads behind P1-P5 (and P9), each on the engines its goal compares.
  resolve_out("table");
  struct Item {
    const char* id;
    const char* workload;
    std::vector<std::string> engines;
  };
  const std::vector<std::string> kv = {"rocksdb/leveled", "rocksdb/universal", "leveldb"};
  auto with_kv = [&](std::vector<std::string> v) {
    v.insert(v.end(), kv.begin(), kv.end());
    return v;
  };
  std::vector<Item> items = {
      {"P1", "ingest-random", with_kv({"cassette/STCS", "cassette/LCS"})},
      {"P2", "point-read", with_kv({"cassette/LCS", "cassette/STCS"})},
      {"P3", "feed", with_kv({"cassette/STCS", "cassette/LCS"})},
      {"P4", "timeseries-ttl", {"cassette/TWCS", "rocksdb/leveled", "rocksdb/universal"}},
      {"P5", "queue", {"cassette/STCS", "cassette/LCS", "rocksdb/leveled", "leveldb"}},
      {"P5", "queue-range", {"cassette/STCS", "cassette/LCS", "rocksdb/leveled", "leveldb"}},
  };
  if (with_p9) items.push_back({"P9", "ingest-random", {"cassette/STCS", "rocksdb/leveled"}});
  std::vector<std::string> wanted = only.empty()
                                        ? std::vector<std::string>{}
                                        : std::vector<std::string>(absl::StrSplit(only, ','));
  for (const Item& it : items) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), it.id) == wanted.end()) continue;
    auto w = LoadWorkload(it.workload);
    if (!w.ok()) return Fail(w.status());
    const std::string id = it.id;
    const bool p9 = id == "P9";
    ScaleWorkload(p9 ? common.scale * 10 : common.scale, &*w);
    if (p9) w->name += "-p9";  // P1 compares the unscaled runs
    Common c = common;
    // P4 measures disk ÷ live at steady state: the live set (one TTL, ≈70 MB at scale 1)
    // must dwarf the memtable and its commit log, as a real time series' does.
    if (id == "P4") c.memory_mib = std::max(8, common.memory_mib / 8);
    // P4, P5 and P9 compare figures within each run (disk ÷ live, after ÷ before, late ÷
    // early), which the machine's pace cancels out of; one round of them is enough.
    const bool ratio_of_rates = id == "P1" || id == "P2" || id == "P3";
    if (auto s = RunAll(c, *w, it.engines, ratio_of_rates ? common.repeat : 1, &rep); !s.ok()) {
      return Fail(s);
    }
  }
  if (auto s = Finish(common, &rep); !s.ok()) return Fail(s);
  return 0;
}

}  // namespace
}  // namespace cassette::lab

int main(int argc, char** argv) { return cassette::lab::Main(argc, argv); }

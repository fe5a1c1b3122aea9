#include "bench/lab/suite.h"

#include <algorithm>
#include <functional>
#include <map>

#include "absl/strings/str_split.h"
#include "fmt/format.h"

namespace cassette::lab {

absl::StatusOr<RunSpec> ParseEngineSpec(const std::string& text, const RunSpec& base) {
  RunSpec s = base;
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  std::vector<std::string> head = absl::StrSplit(parts[0], absl::MaxSplits('/', 1));
  s.engine = head[0];
  s.strategy = head.size() > 1 ? head[1] : "";
  s.options.clear();
  if (s.engine != "cassette" && s.engine != "rocksdb" && s.engine != "leveldb") {
    return absl::InvalidArgumentError(fmt::format(
        "engine '{}' in '{}': known engines are cassette, rocksdb, leveldb", s.engine, text));
  }
  if (s.engine == "rocksdb" && !s.strategy.empty() && s.strategy != "leveled" &&
      s.strategy != "universal") {
    return absl::InvalidArgumentError(
        fmt::format("rocksdb compaction style '{}': leveled or universal", s.strategy));
  }
  if (s.engine == "leveldb" && !s.strategy.empty()) {
    return absl::InvalidArgumentError("leveldb has one compaction style: write just 'leveldb'");
  }
  if (s.engine == "rocksdb" && s.strategy.empty()) s.strategy = "leveled";
  for (size_t k = 1; k < parts.size(); ++k) {
    std::vector<std::string> kv = absl::StrSplit(parts[k], absl::MaxSplits('=', 1));
    if (kv.size() != 2 || kv[0].empty()) {
      return absl::InvalidArgumentError(
          fmt::format("option '{}' in '{}' is not name=value", parts[k], text));
    }
    s.options[kv[0]] = kv[1];
  }
  return s;
}

std::vector<std::string> DefaultEngines(const Workload& w) {
  std::vector<std::string> out;
  if (w.cassette_strategy == "TWCS") {
    out = {"cassette/TWCS", "cassette/STCS"};
  } else {
    out = {"cassette/STCS", "cassette/LCS", "cassette/UCS:scaling_parameters=T4"};
  }
  out.push_back("rocksdb/leveled");
  out.push_back("rocksdb/universal");
  if (w.ttl_seconds == 0) out.push_back("leveldb");
  return out;
}

namespace {
const PhaseResult* FindPhase(const RunResult& r, const std::string& phase) {
  for (const PhaseResult& p : r.phases) {
    if (p.name == phase) return &p;
  }
  return nullptr;
}
}  // namespace

double PhaseRate(const RunResult& r, const std::string& phase) {
  const PhaseResult* p = FindPhase(r, phase);
  if (p == nullptr || p->seconds <= 0 || p->errors > 0) return -1;
  return static_cast<double>(p->ops) / p->seconds;
}

double PhasePercentileUs(const RunResult& r, const std::string& phase, const std::string& op,
                         double q) {
  const PhaseResult* p = FindPhase(r, phase);
  if (p == nullptr) return -1;
  auto it = p->latency_ns.find(op);
  if (it == p->latency_ns.end() || it->second.Count() == 0) return -1;
  return static_cast<double>(it->second.Percentile(q)) / 1e3;
}

double RateBetweenOps(const RunResult& r, int64_t from, int64_t to) {
  auto time_at = [&](int64_t ops) -> double {
    const Sample* prev = nullptr;
    for (const Sample& s : r.timeline) {
      if (s.ops_done >= ops) {
        if (prev == nullptr || s.ops_done == prev->ops_done) return s.t_seconds;
        const double f = static_cast<double>(ops - prev->ops_done) /
                         static_cast<double>(s.ops_done - prev->ops_done);
        return prev->t_seconds + f * (s.t_seconds - prev->t_seconds);
      }
      prev = &s;
    }
    return -1;
  };
  const double a = time_at(from), b = time_at(to);
  if (a < 0 || b <= a) return -1;
  return static_cast<double>(to - from) / (b - a);
}

std::pair<double, double> SteadySpaceAmp(const RunResult& r, double fraction, bool sstables_only) {
  std::vector<double> amps;
  for (const Sample& s : r.timeline) {
    const uint64_t bytes = sstables_only ? s.sstable_bytes : s.disk_bytes;
    if (s.live_bytes > 0) amps.push_back(static_cast<double>(bytes) / s.live_bytes);
  }
  if (amps.empty()) return {-1, -1};
  const size_t from =
      amps.size() - std::max<size_t>(1, static_cast<size_t>(amps.size() * fraction));
  double sum = 0, mx = 0;
  for (size_t k = from; k < amps.size(); ++k) {
    sum += amps[k];
    mx = std::max(mx, amps[k]);
  }
  return {sum / static_cast<double>(amps.size() - from), mx};
}

namespace {

std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

std::string Rate(double v) { return v >= 0 ? fmt::format("{:.0f}/s", v) : "n/a"; }

// One engine's runs of one workload (several when the table was run with --repeat):
// the run whose score is the median stands for the engine, and the spread is shown.
struct EngineRuns {
  const RunResult* median = nullptr;
  double low = 0, high = 0;  // lowest and highest score of the engine's runs
  size_t count = 0;          // runs that finished
};

// The engines that ran `workload` (those whose name starts with `prefix`), in the order
// they first ran, each with its median run by `score`. Of an even count the lower
// middle run is taken. An engine none of whose runs finished is represented by its
// first run, so that its error is reported.
std::vector<EngineRuns> ByEngine(const LabReport& rep, const std::string& workload,
                                 const std::string& prefix,
                                 const std::function<double(const RunResult&)>& score) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunResult*>> finished, failed;
  for (const RunResult& r : rep.runs) {
    if (r.workload != workload || !r.engine.starts_with(prefix)) continue;
    if (!finished.contains(r.engine) && !failed.contains(r.engine)) order.push_back(r.engine);
    (r.error.empty() ? finished : failed)[r.engine].push_back(&r);
  }
  std::vector<EngineRuns> out;
  for (const std::string& engine : order) {
    std::vector<const RunResult*>& runs = finished[engine];
    EngineRuns e;
    if (runs.empty()) {
      e.median = failed[engine].front();
      out.push_back(e);
      continue;
    }
    std::stable_sort(runs.begin(), runs.end(),
                     [&](const RunResult* a, const RunResult* b) { return score(*a) < score(*b); });
    e.median = runs[(runs.size() - 1) / 2];
    e.low = score(*runs.front());
    e.high = score(*runs.back());
    e.count = runs.size();
    out.push_back(e);
  }
  return out;
}

// "median of 3: 101234-120456/s" between `lead` and `tail` when an engine ran more than
// once, else "".
std::string Spread(const EngineRuns& e, std::string_view lead, std::string_view tail) {
  if (e.count < 2) return "";
  return fmt::format("{}median of {}: {:.0f}-{:.0f}/s{}", lead, e.count, e.low, e.high, tail);
}

// The head read's p99 (µs) before and after the queue's churn.
std::pair<double, double> HeadP99(const RunResult& r) {
  return {PhasePercentileUs(r, "head-before", "read_head", 0.99),
          PhasePercentileUs(r, "head-after", "read_head", 0.99)};
}

// The best RocksDB style (or LevelDB) of a workload by `score`, each style by its median
// run: the peer at its best.
const EngineRuns* BestPeer(const std::vector<EngineRuns>& peers,
                           const std::function<double(const RunResult&)>& score) {
  const EngineRuns* best = nullptr;
  for (const EngineRuns& e : peers) {
    if (e.count == 0) continue;
    if (best == nullptr || score(*e.median) > score(*best->median)) best = &e;
  }
  return best;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Headline(const LabReport& rep) {
  std::vector<std::pair<std::string, std::string>> out;
  auto ratio_lines = [&](const std::string& id, const std::string& workload,
                         const std::string& phase, double goal, const char* what) {
    auto score = [&](const RunResult& r) { return PhaseRate(r, phase); };
    const auto rocks_styles = ByEngine(rep, workload, "rocksdb", score);
    const auto level_runs = ByEngine(rep, workload, "leveldb", score);
    const EngineRuns* rocks = BestPeer(rocks_styles, score);
    const EngineRuns* level = BestPeer(level_runs, score);
    for (const EngineRuns& e : ByEngine(rep, workload, "cassette", score)) {
      const RunResult& r = *e.median;
      const double mine = e.count > 0 ? PhaseRate(r, phase) : -1;
      std::string line =
          fmt::format("{} {}: {}{}", r.engine, what, Rate(mine), Spread(e, " (", ")"));
      if (rocks != nullptr && mine > 0) {
        const double theirs = PhaseRate(*rocks->median, phase);
        const double x = mine / theirs;
        line += fmt::format(" = {:.2f}x {} ({}{}) (goal >= {}x: {})", x, rocks->median->engine,
                            Rate(theirs), Spread(*rocks, ", ", ""), goal, Verdict(x >= goal));
      }
      if (level != nullptr && mine > 0 && PhaseRate(*level->median, phase) > 0) {
        line += fmt::format("; {:.2f}x leveldb", mine / PhaseRate(*level->median, phase));
      }
      if (!r.error.empty()) line += " [run failed: " + r.error + "]";
      out.push_back({id, line});
    }
  };
  ratio_lines("P1", "ingest-random", "ingest", 1.5, "ingest rows/s");
  ratio_lines("P2", "point-read", "read", 1.2, "point reads/s");
  {
    auto score = [](const RunResult& r) { return PhaseRate(r, "read"); };
    const auto rocks_styles = ByEngine(rep, "point-read", "rocksdb", score);
    const EngineRuns* rocks = BestPeer(rocks_styles, score);
    for (const EngineRuns& e : ByEngine(rep, "point-read", "cassette", score)) {
      if (rocks == nullptr || e.count == 0) continue;
      // The p99 of the median run of each: the runs that the throughput ratio compares.
      const double a = PhasePercentileUs(*e.median, "read", "read", 0.99);
      const double b = PhasePercentileUs(*rocks->median, "read", "read", 0.99);
      out.push_back({"P2", fmt::format("{} point read p99 {:.1f} us vs {} {:.1f} us (goal <=: {})",
                                       e.median->engine, a, rocks->median->engine, b,
                                       Verdict(a >= 0 && a <= b))});
    }
  }
  ratio_lines("P3", "feed", "feed", 2.0, "feed queries/s (newest 100 rows)");
  // P4, P5 and P9 are ratios within a run; with --repeat, each engine's median run.
  auto steady = [](const RunResult& r) { return SteadySpaceAmp(r, 0.6).first; };
  for (const EngineRuns& e : ByEngine(rep, "timeseries-ttl", "", steady)) {
    const RunResult& r = *e.median;
    // Steady state: the last 60% of the run (the first TTL has passed by then).
    const auto [mean, mx] = SteadySpaceAmp(r, 0.6);
    // The folder holds the log too; Cassandra's "space used" counts SSTables alone.
    const auto [sst_mean, sst_max] = SteadySpaceAmp(r, 0.6, /*sstables_only=*/true);
    out.push_back(
        {"P4", fmt::format("{} time series with TTL: disk/live steady mean {:.2f}, max "
                           "{:.2f} (goal <= 1.25: {}); SSTables alone/live mean {:.2f}, max "
                           "{:.2f}; write amplification {:.2f} (goal <= 2: {})",
                           r.engine, mean, mx, Verdict(mean >= 0 && mean <= 1.25), sst_mean,
                           sst_max, r.write_amplification, Verdict(r.write_amplification <= 2.0))});
  }
  auto head_ratio = [](const RunResult& r) {
    const auto [before, after] = HeadP99(r);
    return before > 0 ? after / before : -1;
  };
  for (const char* workload : {"queue", "queue-range"}) {
    for (const EngineRuns& e : ByEngine(rep, workload, "", head_ratio)) {
      const RunResult& r = *e.median;
      const auto [before, after] = HeadP99(r);
      if (before <= 0 || after < 0) continue;
      const PhaseResult* pa = FindPhase(r, "head-after");
      std::string tomb = "n/a";
      if (pa != nullptr && pa->tombstones_per_read.Count() > 0) {
        tomb = fmt::format("{:.0f}", pa->tombstones_per_read.Mean());
      }
      out.push_back(
          {"P5", fmt::format("{} {}: head read p99 after churn / before: {:.1f} / {:.1f} us = "
                             "{:.2f}x (goal <= 1.5x: {}); tombstones per read after: {}",
                             r.engine, r.workload, after, before, after / before,
                             Verdict(after / before <= 1.5), tomb)});
    }
  }
  // P9 is the table's ten-fold ingest ("ingest-random-p9"); P1's own runs are too short
  // to show a slowdown with size and are left out.
  for (const RunResult& r : rep.runs) {
    if (!r.workload.ends_with("-p9")) continue;
    const PhaseResult* p = FindPhase(r, "ingest");
    if (p == nullptr || p->ops < 5'000'000) continue;
    const double early = RateBetweenOps(r, 500'000, 1'500'000);
    const double late = RateBetweenOps(r, p->ops - 1'000'000, p->ops);
    if (early <= 0 || late <= 0) continue;
    out.push_back(
        {"P9", fmt::format("{} ingest rows/s at {}M rows / at 1M: {:.0f} / {:.0f} = {:.2f} "
                           "(goal >= 0.7: {})",
                           r.engine, p->ops / 1'000'000, late, early, late / early,
                           Verdict(late / early >= 0.7))});
  }
  return out;
}

}  // namespace cassette::lab

#include "bench/lab/runner.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "bench/lab/engine.h"
#include "bench/lab/keyspace.h"
#include "fmt/format.h"

namespace cassette::lab {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

double Since(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

// Bytes this process passed to write(2) and friends, all threads (/proc/self/io wchar).
uint64_t WriteSyscallBytes() {
  std::ifstream in("/proc/self/io");
  std::string key;
  uint64_t v = 0;
  while (in >> key >> v) {
    if (key == "wchar:") return v;
  }
  return 0;
}

uint64_t DirBytes(const fs::path& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code ec2;
    if (it->is_regular_file(ec2)) n += it->file_size(ec2);
  }
  return n;
}

absl::StatusOr<std::unique_ptr<Engine>> MakeEngine(const std::string& kind) {
  if (kind == "cassette") return MakeCassetteEngine();
  if (kind == "rocksdb") return MakeRocksDbEngine();
  if (kind == "leveldb") return MakeLevelDbEngine();
  return absl::InvalidArgumentError(
      absl::StrCat("unknown engine '", kind, "' (cassette, rocksdb, leveldb)"));
}

// What the sampler thread may read while the driver runs.
struct Shared {
  std::atomic<int64_t> ops_done{0};
  std::atomic<uint64_t> live_bytes{0};
  std::atomic<int> phase{0};
  std::mutex mu;  // guards files, stop
  std::condition_variable cv;
  bool stop = false;
  std::vector<FileEvent> files;
};

class Run {
 public:
  Run(const Workload& w, const RunSpec& spec, Engine* e)
      : w_(w), spec_(spec), e_(e), keys_(w, spec.seed), clock_(NowUnixSeconds()) {}

  RunResult Go();

 private:
  static int64_t NowUnixSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void Sampler();
  Sample TakeSample(double interval, int64_t* last_ops);
  absl::Status RunPhase(const Phase& p, PhaseResult* out);
  absl::Status OneOp(const Phase& p, Op op, int64_t index, PhaseResult* out);
  // `what` is called only for a wrong answer: formatting a message on every operation
  // would be timed as part of it.
  void Check(bool ok, absl::FunctionRef<std::string()> what, PhaseResult* out);
  void Counters(const ReadCounters& rc, PhaseResult* out);

  const Workload& w_;
  const RunSpec& spec_;
  Engine* const e_;
  Keyspace keys_;
  LabClock clock_;
  Shared sh_;
  Steady::time_point t0_;
  uint64_t wchar0_ = 0;
  bool checks_ = true;
  std::string payload_;
  static constexpr int64_t kCounterEvery = 16;
  int64_t reads_ = 0;
  uint64_t version_ = 1;
  RunResult r_;
  std::vector<Sample> samples_;  // guarded by sh_.mu
};

void Run::Check(bool ok, absl::FunctionRef<std::string()> what, PhaseResult* out) {
  if (ok || !checks_) return;
  if (out->errors++ == 0 && r_.error.empty()) {
    r_.settings["first_wrong_answer"] = absl::StrCat(out->name, ": ", what());
  }
}

void Run::Counters(const ReadCounters& rc, PhaseResult* out) {
  if (rc.sstables_touched >= 0) out->sstables_per_read.Record(rc.sstables_touched);
  if (rc.tombstones_scanned >= 0) out->tombstones_per_read.Record(rc.tombstones_scanned);
}

absl::Status Run::OneOp(const Phase& p, Op op, int64_t index, PhaseResult* out) {
  const int64_t now = clock_.NowSeconds();
  // Ops that need a live row pick another partition a few times, then become inserts.
  uint64_t i = 0;
  if (op != Op::kInsert && op != Op::kScan && op != Op::kReadHead) {
    i = keys_.Choose(p, index);
    for (int tries = 0; keys_.Empty(i) && tries < 8; ++tries) i = keys_.Choose(p, index);
    if (keys_.Empty(i)) op = Op::kInsert;
  }
  if (op == Op::kInsert) i = keys_.ChooseForInsert(p, index);
  if (op == Op::kScan || op == Op::kReadHead) i = keys_.Choose(p, index);
  const uint64_t id = keys_.PartitionId(i, now, p.bucket_seconds);

  int64_t c = 0;
  if (op == Op::kInsert) {
    c = keys_.tail(i);
    keys_.Payload(i, c, 0, &payload_);
  } else if (op == Op::kUpdate || op == Op::kRmw) {
    c = keys_.RandomRow(i);
    keys_.Payload(i, c, version_++, &payload_);
  } else if (op == Op::kRead || op == Op::kSlice) {
    c = keys_.RandomRow(i);
  } else if (op == Op::kDeleteHead || op == Op::kDeleteUpTo) {
    c = keys_.head(i);
  }

  // Cost counters are read on one read in kCounterEvery: asking RocksDB for them costs
  // ~0.5 µs a Get (PerfContext), so those reads are left out of the latency histograms,
  // for every engine alike.
  ReadCounters rc;
  const bool is_read =
      op != Op::kInsert && op != Op::kUpdate && op != Op::kDeleteHead && op != Op::kDeleteUpTo;
  const bool count = is_read && reads_++ % kCounterEvery == 0;
  ReadCounters* rcp = count ? &rc : nullptr;
  int64_t rows = 0;
  absl::Status st;
  const auto t = Steady::now();
  switch (op) {
    case Op::kInsert:
    case Op::kUpdate:
      st = e_->Put(id, c, payload_);
      break;
    case Op::kRead: {
      auto found = e_->Get(id, c, rcp);
      st = found.status();
      if (st.ok()) {
        rows = *found;
        Check(
            *found, [&] { return fmt::format("row ({}, {}) not found", id, c); }, out);
      }
      break;
    }
    case Op::kFeed:
    case Op::kReadHead: {
      const int want = op == Op::kFeed ? p.feed_rows : 1;
      auto n = e_->Slice(id, std::nullopt, want, rcp);
      st = n.status();
      const int64_t expect = std::min<int64_t>(want, keys_.tail(i) - keys_.head(i));
      if (st.ok()) rows = *n;
      if (st.ok())
        Check(
            *n == expect,
            [&] { return fmt::format("partition {}: {} rows, expected {}", id, *n, expect); }, out);
      break;
    }
    case Op::kSlice: {
      auto n = e_->Slice(id, c, p.slice_rows, rcp);
      st = n.status();
      const int64_t avail = w_.newest_first ? c - keys_.head(i) + 1 : keys_.tail(i) - c;
      const int64_t expect = std::min<int64_t>(p.slice_rows, avail);
      if (st.ok()) rows = *n;
      if (st.ok())
        Check(
            *n == expect,
            [&] {
              return fmt::format("slice of {} from {}: {} rows, expected {}", id, c, *n, expect);
            },
            out);
      break;
    }
    case Op::kScan: {
      const int len = 1 + static_cast<int>(keys_.next_random() % static_cast<uint64_t>(p.scan_max));
      auto n = e_->ScanPartitions(id, len, rcp);
      st = n.status();
      if (st.ok()) rows = *n;
      break;
    }
    case Op::kDeleteHead:
      st = e_->Delete(id, c);
      break;
    case Op::kDeleteUpTo:
      st = e_->DeleteUpTo(id, c);
      break;
    case Op::kRmw: {
      auto found = e_->Get(id, c, rcp);
      st = found.status();
      if (st.ok()) {
        rows = *found;
        Check(
            *found, [&] { return fmt::format("row ({}, {}) not found", id, c); }, out);
        st = e_->Put(id, c, payload_);
      }
      break;
    }
  }
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - t).count();
  if (!st.ok()) {
    out->errors++;
    return absl::Status(st.code(), absl::StrCat(e_->Name(), " ", OpName(op), " in phase ", p.name,
                                                ": ", st.message()));
  }
  if (!count) out->latency_ns[OpName(op)].Record(ns);
  switch (op) {
    case Op::kInsert:
      keys_.Append(i, now, w_.ttl_seconds);
      out->logical_bytes_written += 16 + payload_.size();
      break;
    case Op::kUpdate:
    case Op::kRmw:
      out->logical_bytes_written += 16 + payload_.size();
      break;
    case Op::kDeleteHead:
    case Op::kDeleteUpTo:
      keys_.PopHead(i);
      break;
    default:
      break;
  }
  out->rows_read += rows;
  if (count) Counters(rc, out);
  return absl::OkStatus();
}

absl::Status Run::RunPhase(const Phase& p, PhaseResult* out) {
  out->name = p.name;
  const auto t = Steady::now();
  if (p.name == "settle" || p.name == "compact") {
    absl::Status s = p.name == "settle" ? e_->Settle() : e_->CompactAll();
    out->seconds = Since(t);
    return s;
  }
  double total = 0;
  for (const auto& [op, wt] : p.mix) total += wt;
  // A deterministic op sequence: the same seed gives every engine the same operations.
  for (int64_t k = 0; k < p.ops; ++k) {
    double x = static_cast<double>(keys_.next_random() >> 11) * 0x1.0p-53 * total;
    Op op = p.mix.back().first;
    for (const auto& [o, wt] : p.mix) {
      if (x < wt) {
        op = o;
        break;
      }
      x -= wt;
    }
    if (auto s = OneOp(p, op, k, out); !s.ok()) {
      out->seconds = Since(t);
      return s;
    }
    out->ops++;
    if (p.clock_every_ops > 0 && (k + 1) % p.clock_every_ops == 0) clock_.Advance(p.clock_seconds);
    if ((k & 255) == 255 || k + 1 == p.ops) {
      sh_.ops_done.fetch_add((k & 255) + 1, std::memory_order_relaxed);
      sh_.live_bytes.store(keys_.live_bytes(clock_.NowSeconds()), std::memory_order_relaxed);
    }
  }
  out->seconds = Since(t);
  return absl::OkStatus();
}

Sample Run::TakeSample(double interval, int64_t* last_ops) {
  Sample s;
  s.t_seconds = Since(t0_);
  const int ph = sh_.phase.load();
  s.phase = ph < static_cast<int>(w_.phases.size()) ? w_.phases[ph].name : "end";
  s.ops_done = sh_.ops_done.load();
  s.ops_per_sec = interval > 0 ? static_cast<double>(s.ops_done - *last_ops) / interval : 0;
  *last_ops = s.ops_done;
  s.disk_bytes = DirBytes(spec_.dir);
  s.live_bytes = sh_.live_bytes.load();
  s.bytes_written = WriteSyscallBytes() - wchar0_;
  const EngineStats st = e_->Stats();
  s.sstables = st.sstables;
  s.sstable_bytes = st.sstable_bytes;
  s.pending_compactions = st.pending_compactions;
  s.pending_compaction_bytes = st.pending_compaction_bytes;
  s.bytes_compacted = st.bytes_compacted;
  return s;
}

void Run::Sampler() {
  int64_t last_ops = 0;
  double last_t = 0;
  const int64_t total = w_.TotalOps();
  std::unique_lock<std::mutex> l(sh_.mu);
  while (!sh_.cv.wait_for(l, std::chrono::duration<double>(spec_.sample_seconds),
                          [&] { return sh_.stop; })) {
    l.unlock();
    const double now = Since(t0_);
    Sample s = TakeSample(now - last_t, &last_ops);
    last_t = now;
    if (spec_.progress) {
      std::fprintf(
          stderr, "  %-22s %6.0fs  %-12s %5.1f%%  %9.0f ops/s  disk %8.1f MB  live %8.1f MB%s",
          e_->Name().c_str(), s.t_seconds, s.phase.c_str(),
          total > 0 ? 100.0 * static_cast<double>(s.ops_done) / static_cast<double>(total) : 100.0,
          s.ops_per_sec, s.disk_bytes / 1e6, s.live_bytes / 1e6,
          isatty(STDERR_FILENO) ? "\r" : "\n");
    }
    l.lock();
    samples_.push_back(std::move(s));
  }
}

RunResult Run::Go() {
  r_.engine = e_->Name();
  r_.workload = w_.name;
  checks_ = w_.ttl_seconds == 0;
  for (const Phase& p : w_.phases) {
    if (p.bucket_seconds > 0) checks_ = false;
  }
  EngineConfig cfg;
  cfg.dir = spec_.dir.string();
  cfg.memtable_bytes = spec_.memtable_bytes;
  cfg.block_cache_bytes = spec_.block_cache_bytes;
  cfg.zstd_level = spec_.zstd_level;
  cfg.sync_every_write = spec_.sync_every_write;
  cfg.clustering_newest_first = w_.newest_first;
  cfg.strategy =
      spec_.strategy.empty() && spec_.engine == "cassette" ? w_.cassette_strategy : spec_.strategy;
  // The workload's cassette options belong to its cassette strategy, however the engine
  // was named ("cassette" or "cassette/TWCS"); options in the engine spec override them.
  cfg.strategy_options = spec_.options;
  if (spec_.engine == "cassette" && cfg.strategy == w_.cassette_strategy) {
    for (const auto& [k, v] : w_.cassette_options) cfg.strategy_options.emplace(k, v);
  }
  cfg.ttl_seconds = w_.ttl_seconds;
  cfg.gc_grace_seconds = w_.gc_grace_seconds;
  cfg.clock = &clock_;
  cfg.on_file = [this](const FileEvent& ev) {
    FileEvent e = ev;
    e.t_seconds = Since(t0_);
    std::lock_guard<std::mutex> l(sh_.mu);
    sh_.files.push_back(e);
  };
  r_.settings = {{"memtable_bytes", std::to_string(cfg.memtable_bytes)},
                 {"block_cache_bytes", std::to_string(cfg.block_cache_bytes)},
                 {"zstd_level", std::to_string(cfg.zstd_level)},
                 {"commit_log", "on"},
                 {"sync_every_write", cfg.sync_every_write ? "yes" : "no"},
                 {"strategy", cfg.strategy},
                 {"ttl_seconds", std::to_string(cfg.ttl_seconds)},
                 {"seed", std::to_string(spec_.seed)}};
  for (const auto& [k, v] : cfg.strategy_options) r_.settings["option." + k] = v;

  t0_ = Steady::now();
  wchar0_ = WriteSyscallBytes();
  const absl::Status opened = e_->Open(cfg);
  r_.engine = e_->Name();  // the strategy's full name is known once open
  if (!opened.ok()) {
    r_.error = absl::StrCat("open: ", opened.ToString());
    return r_;
  }
  std::thread sampler([this] { Sampler(); });
  for (size_t k = 0; k < w_.phases.size(); ++k) {
    sh_.phase.store(static_cast<int>(k));
    PhaseResult pr;
    absl::Status s = RunPhase(w_.phases[k], &pr);
    r_.logical_bytes_ingested += pr.logical_bytes_written;
    r_.phases.push_back(std::move(pr));
    if (!s.ok()) {
      r_.error = s.ToString();
      break;
    }
  }
  sh_.phase.store(static_cast<int>(w_.phases.size()));
  {
    std::lock_guard<std::mutex> l(sh_.mu);
    sh_.stop = true;
  }
  sh_.cv.notify_all();
  sampler.join();
  if (spec_.progress && isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
  int64_t last_ops = sh_.ops_done.load();
  Sample last = TakeSample(0, &last_ops);
  if (auto s = e_->Close(); !s.ok() && r_.error.empty()) r_.error = "close: " + s.ToString();
  r_.bytes_written = WriteSyscallBytes() - wchar0_;
  last.bytes_written = r_.bytes_written;
  samples_.push_back(last);
  r_.timeline = std::move(samples_);
  r_.files = std::move(sh_.files);
  if (r_.logical_bytes_ingested > 0) {
    r_.write_amplification =
        static_cast<double>(r_.bytes_written) / static_cast<double>(r_.logical_bytes_ingested);
  }
  if (last.live_bytes > 0) {
    r_.final_space_amplification =
        static_cast<double>(last.disk_bytes) / static_cast<double>(last.live_bytes);
  }
  return r_;
}

}  // namespace

std::string SpecLabel(const RunSpec& spec) {
  if (spec.engine == "leveldb" || spec.strategy.empty()) return spec.engine;
  return spec.engine + "/" + spec.strategy;
}

absl::StatusOr<RunResult> RunWorkload(const Workload& w, const RunSpec& spec) {
  auto engine = MakeEngine(spec.engine);
  if (!engine.ok()) return engine.status();
  std::error_code ec;
  fs::remove_all(spec.dir, ec);
  fs::create_directories(spec.dir.parent_path(), ec);
  RunResult result;
  {
    Run run(w, spec, engine->get());
    result = run.Go();
  }
  engine->reset();
  if (!spec.keep_data) fs::remove_all(spec.dir, ec);
  return result;
}

}  // namespace cassette::lab

// Shared pieces of bench/durability_bench.cc: data generators, latency summaries and
// the physical-limit benchmarks every engine figure is divided by. Included once.
#ifndef CASSETTE_BENCH_DURABILITY_COMMON_H_
#define CASSETTE_BENCH_DURABILITY_COMMON_H_

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cassette/cassette.h"

namespace cassette {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr int kPayload = 100;
constexpr int kFlushRows = 2'000'000;   // 200 MB of payload
constexpr int kReplayRows = 1'600'000;  // ≈250-300 MB of commit log
constexpr int kReadRows = 1'000'000;
constexpr int kPartitions = 1000;               // shape 1
constexpr size_t kBigBudget = size_t{4} << 30;  // one memtable: never switched by size
constexpr double kMB = 1e6;

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU seconds of the whole process / of the calling thread. Other engineers' builds share
// the 2 vCPUs, so wall-clock rates swing; CPU-time rates show the cost of the work itself.
double CpuSeconds(clockid_t which) {
  timespec ts;
  clock_gettime(which, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
double ProcessCpu() { return CpuSeconds(CLOCK_PROCESS_CPUTIME_ID); }
double ThreadCpu() { return CpuSeconds(CLOCK_THREAD_CPUTIME_ID); }

// A thread that keeps one vCPU busy while it lives. Used to show how much of an
// fdatasync's latency is the waiting thread's wake-up: with a sibling of ours running, the
// woken thread gets a CPU at once instead of queueing behind other processes.
class Spinner {
 public:
  explicit Spinner(bool on) {
    if (on) {
      thread_ = std::thread([this] {
        uint64_t x = 0;
        while (!stop_.load(std::memory_order_relaxed)) benchmark::DoNotOptimize(++x);
      });
    }
  }
  ~Spinner() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

fs::path Root() {
  static const fs::path root = fs::temp_directory_path() / "cassette_durability_bench";
  return root;
}

fs::path FreshDir(const std::string& name) {
  fs::path p = Root() / name;
  fs::remove_all(p);
  fs::create_directories(p.parent_path());
  return p;
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// ------------------------------------------------------------------ the data
// shape 0: every row its own partition, key "user:<16 hex digits>" (a hashed id).
// shape 1: kPartitions sensors "sensor-000042", rows arriving round-robin as a time
//          series (row i is sensor i % 1000 at tick i / 1000), clustering = timestamp.
// Payload: 100 bytes as db_bench's (compression ratio 0.5): 50 random printable bytes,
// written twice.
struct RowGen {
  int shape;

  std::string Pk(uint64_t i) const {
    char buf[32];
    if (shape == 0) {
      std::snprintf(buf, sizeof(buf), "user:%016llx", static_cast<unsigned long long>(SplitMix(i)));
    } else {
      std::snprintf(buf, sizeof(buf), "sensor-%06llu",
                    static_cast<unsigned long long>(i % kPartitions));
    }
    return buf;
  }
  int64_t Ck(uint64_t i) const {
    constexpr int64_t kBase = 1'700'000'000'000;  // ms, Nov 2023
    return shape == 0 ? kBase : kBase + static_cast<int64_t>(i / kPartitions) * 1000;
  }
  // Row index of (partition p, tick t) in shape 1.
  static uint64_t Index(uint64_t p, uint64_t t) { return t * kPartitions + p; }

  static void Payload(uint64_t i, char* out) {
    uint64_t s = SplitMix(i ^ 0xabcdef);
    for (int k = 0; k < kPayload / 2; ++k) {
      if (k % 8 == 0) s = SplitMix(s);
      out[k] = static_cast<char>(' ' + (s >> (8 * (k % 8))) % 95);
    }
    std::memcpy(out + kPayload / 2, out, kPayload / 2);
  }
  // Bytes of the row's key and values as a client sends them.
  size_t LogicalBytes(uint64_t i) const { return Pk(i).size() + 8 + kPayload; }
};

const char* ShapeLabel(int shape) {
  return shape == 0 ? "1 row per partition" : "1000 partitions x many rows";
}

TableSchema Schema() {
  TableSchema s;
  s.keyspace = "bench";
  s.name = "t";
  s.columns = {{"p", CqlType::kText, ColumnKind::kPartitionKey},
               {"c", CqlType::kTimestamp, ColumnKind::kClustering},
               {"v", CqlType::kBlob, ColumnKind::kRegular}};
  return s;
}

void AddRow(const RowGen& g, uint64_t i, WriteBatch* b) {
  char payload[kPayload];
  RowGen::Payload(i, payload);
  b->Insert("bench.t", {{"p", Value::Text(g.Pk(i))},
                        {"c", Value::Timestamp(g.Ck(i))},
                        {"v", Value::Blob(std::string_view(payload, kPayload))}});
}

// Writes rows [0, n) in batches of `batch_rows`; returns the logical bytes written.
absl::StatusOr<uint64_t> Fill(Db* db, const RowGen& g, uint64_t n, int batch_rows) {
  uint64_t logical = 0;
  WriteBatch b;
  for (uint64_t i = 0; i < n; ++i) {
    AddRow(g, i, &b);
    logical += g.LogicalBytes(i);
    if (b.size() == static_cast<size_t>(batch_rows) || i + 1 == n) {
      if (auto s = db->Write(b); !s.ok()) return s;
      b.Clear();
    }
  }
  return logical;
}

absl::StatusOr<std::unique_ptr<Db>> OpenWithTable(const Options& o, const fs::path& dir) {
  auto db = Db::Open(o, dir.string());
  if (!db.ok()) return db.status();
  if (auto s = (*db)->CreateTable(Schema()); !s.ok() && !absl::IsAlreadyExists(s)) return s;
  return db;
}

// ------------------------------------------------------------------ latency summary
struct Percentiles {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

Percentiles Summarize(std::vector<int64_t> ns) {
  Percentiles p;
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    size_t k = static_cast<size_t>(q * static_cast<double>(ns.size() - 1) + 0.5);
    return static_cast<double>(ns[std::min(k, ns.size() - 1)]) / 1e3;
  };
  p.p50_us = at(0.50);
  p.p99_us = at(0.99);
  p.p999_us = at(0.999);
  p.max_us = static_cast<double>(ns.back()) / 1e3;
  double sum = 0;
  for (int64_t v : ns) sum += static_cast<double>(v);
  p.mean_us = sum / static_cast<double>(ns.size()) / 1e3;
  return p;
}

void ReportLatency(benchmark::State& state, const Percentiles& p) {
  state.counters["p50_us"] = p.p50_us;
  state.counters["p99_us"] = p.p99_us;
  state.counters["p99.9_us"] = p.p999_us;
  state.counters["max_us"] = p.max_us;
}

// ------------------------------------------------------------------ physical limits
// Each limit is measured on demand (once per process, or again by its own benchmark) and
// cached, so every engine figure can be divided by a limit from the same run.
struct Limits {
  std::optional<double> disk_write_MBps;
  std::map<int, double> zstd_MBps;  // level -> input MB/s
  std::map<int, double> zstd_ratio;
  std::map<int, double> zstd_MB_per_cpu_s;
  std::optional<double> zstd_decompress_MBps;
};
Limits& L() {
  static Limits l;
  return l;
}

// Sequential buffered writes of `bytes` in 1 MiB chunks, then one fdatasync.
double MeasureDiskWrite(uint64_t bytes = uint64_t{256} << 20) {
  const fs::path path = FreshDir("limit_disk_write");
  std::string chunk(1 << 20, 0);
  for (size_t i = 0; i < chunk.size(); i += 8) {
    uint64_t r = SplitMix(i);
    std::memcpy(&chunk[i], &r, 8);
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  const auto t0 = Steady::now();
  for (uint64_t done = 0; done < bytes; done += chunk.size()) {
    if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) break;
  }
  ::fdatasync(fd);
  const double s = Seconds(Steady::now() - t0);
  ::close(fd);
  fs::remove(path);
  const double mbps = static_cast<double>(bytes) / kMB / s;
  L().disk_write_MBps = mbps;
  return mbps;
}

// 16 MiB of rows serialized as an SSTable lays them out (shape 1: a partition's rows are
// adjacent): key, 8-byte timestamp, payload.
std::string RowLikeData(int shape, size_t bytes) {
  RowGen g{shape};
  std::string out;
  out.reserve(bytes + 256);
  char payload[kPayload];
  for (uint64_t n = 0; out.size() < bytes; ++n) {
    const uint64_t i = shape == 0 ? n : RowGen::Index(n / 1000 % kPartitions, n % 1000);
    const std::string pk = g.Pk(i);
    out.append(pk);
    int64_t ck = g.Ck(i);
    out.append(reinterpret_cast<const char*>(&ck), 8);
    RowGen::Payload(i, payload);
    out.append(payload, kPayload);
  }
  out.resize(bytes);
  return out;
}

struct ZstdResult {
  double compress_MBps = 0, decompress_MBps = 0, ratio = 0;
  double compress_MB_per_cpu_s = 0;
};

ZstdResult MeasureZstd(int level, double min_seconds = 0.5) {
  constexpr size_t kBlock = 16 << 10;
  const std::string data = RowLikeData(1, 16 << 20);
  const size_t blocks = data.size() / kBlock;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::vector<std::string> compressed(blocks);
  std::string out(ZSTD_compressBound(kBlock), 0);
  uint64_t in_bytes = 0, out_bytes = 0;
  const auto t0 = Steady::now();
  const double cpu0 = ThreadCpu();
  double s = 0;
  do {
    for (size_t b = 0; b < blocks; ++b) {
      size_t n =
          ZSTD_compressCCtx(cctx, out.data(), out.size(), data.data() + b * kBlock, kBlock, level);
      if (in_bytes < data.size()) compressed[b].assign(out.data(), n);
      in_bytes += kBlock;
      out_bytes += n;
    }
    s = Seconds(Steady::now() - t0);
  } while (s < min_seconds);
  ZstdResult r;
  r.compress_MB_per_cpu_s = static_cast<double>(in_bytes) / kMB / (ThreadCpu() - cpu0);
  r.compress_MBps = static_cast<double>(in_bytes) / kMB / s;
  r.ratio = static_cast<double>(in_bytes) / static_cast<double>(out_bytes);
  std::string raw(kBlock, 0);
  uint64_t dec = 0;
  const auto t1 = Steady::now();
  do {
    for (size_t b = 0; b < blocks; ++b) {
      ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), compressed[b].data(), compressed[b].size());
      dec += kBlock;
    }
    s = Seconds(Steady::now() - t1);
  } while (s < min_seconds / 2);
  r.decompress_MBps = static_cast<double>(dec) / kMB / s;
  ZSTD_freeCCtx(cctx);
  ZSTD_freeDCtx(dctx);
  L().zstd_MBps[level] = r.compress_MBps;
  L().zstd_MB_per_cpu_s[level] = r.compress_MB_per_cpu_s;
  L().zstd_ratio[level] = r.ratio;
  L().zstd_decompress_MBps = r.decompress_MBps;
  return r;
}

// A loop of `record`-byte appends, each followed by fdatasync, on one thread. With
// preallocate the file is written and synced first, so each sync carries data only (no
// size change, no journal commit for metadata).
struct SyncAppendResult {
  double per_s = 0;
  Percentiles lat;
};

SyncAppendResult MeasureSyncAppend(bool preallocate, bool spin, double seconds = 2.0,
                                   size_t record = 160) {
  const fs::path path = FreshDir(preallocate ? "limit_sync_prealloc" : "limit_sync_append");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return {};
  if (preallocate) {
    std::string zeros(1 << 20, 0);
    for (int i = 0; i < 64; ++i) (void)!::write(fd, zeros.data(), zeros.size());
    ::fsync(fd);
  }
  std::string rec(record, 'r');
  std::vector<int64_t> lat;
  lat.reserve(1 << 16);
  off_t off = 0;
  Spinner spinner(spin);
  const auto t0 = Steady::now();
  auto now = t0;
  while (Seconds(now - t0) < seconds) {
    const auto a = Steady::now();
    if (::pwrite(fd, rec.data(), rec.size(), off) != static_cast<ssize_t>(rec.size())) break;
    off += static_cast<off_t>(rec.size());
    if (::fdatasync(fd) != 0) break;
    now = Steady::now();
    lat.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(now - a).count());
  }
  const double s = Seconds(now - t0);
  ::close(fd);
  fs::remove(path);
  SyncAppendResult r;
  r.per_s = static_cast<double>(lat.size()) / s;
  r.lat = Summarize(std::move(lat));
  return r;
}

double DiskWriteLimit() { return L().disk_write_MBps ? *L().disk_write_MBps : MeasureDiskWrite(); }
double ZstdLimit(int level) {
  auto it = L().zstd_MBps.find(level);
  return it != L().zstd_MBps.end() ? it->second : MeasureZstd(level).compress_MBps;
}

void BM_Limit_DiskWrite(benchmark::State& state) {
  double mbps = 0;
  for (auto _ : state) {
    const auto t0 = Steady::now();
    mbps = MeasureDiskWrite();
    state.SetIterationTime(Seconds(Steady::now() - t0));
  }
  state.counters["MB/s"] = mbps;
  state.SetLabel("256 MiB buffered write + fdatasync");
}
BENCHMARK(BM_Limit_DiskWrite)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_Limit_Zstd(benchmark::State& state) {
  const int level = static_cast<int>(state.range(0));
  ZstdResult r;
  for (auto _ : state) {
    const auto t0 = Steady::now();
    r = MeasureZstd(level);
    state.SetIterationTime(Seconds(Steady::now() - t0));
  }
  state.counters["compress_MB/s"] = r.compress_MBps;
  state.counters["compress_MB/cpu_s"] = r.compress_MB_per_cpu_s;
  state.counters["decompress_MB/s"] = r.decompress_MBps;
  state.counters["ratio"] = r.ratio;
  state.SetLabel("16 KiB blocks of row-like data, input MB/s");
}
BENCHMARK(BM_Limit_Zstd)
    ->Arg(3)
    ->Arg(1)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_Limit_SyncAppend(benchmark::State& state) {
  const bool prealloc = state.range(0) != 0;
  const bool spin = state.range(1) != 0;
  SyncAppendResult r;
  for (auto _ : state) {
    const auto t0 = Steady::now();
    r = MeasureSyncAppend(prealloc, spin);
    state.SetIterationTime(Seconds(Steady::now() - t0));
  }
  state.counters["syncs/s"] = r.per_s;
  ReportLatency(state, r.lat);
  state.SetLabel(std::string(prealloc ? "160 B pwrite + fdatasync, preallocated file"
                                      : "160 B append + fdatasync, growing file") +
                 (spin ? ", spinning sibling thread" : " (the ceiling)"));
}
BENCHMARK(BM_Limit_SyncAppend)
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cassette

#endif  // CASSETTE_BENCH_DURABILITY_COMMON_H_

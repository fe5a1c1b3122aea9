// Durable storage (issue 3): every engine figure beside a physical limit measured in the
// same process, so the ratio survives a noisy machine better than the absolute figure.
//
//   BM_Limit_DiskWrite        sequential buffered write of 256 MiB + one fdatasync (MB/s)
//   BM_Limit_Zstd/L           zstd level L on 16 KiB blocks of the flushed kind of rows
//   BM_Limit_SyncAppend/P/S   160 B append + fdatasync loop on a raw file — the single-
//                             writer sync ceiling (P=1: preallocated file overwritten in
//                             place; S=1: a sibling thread spins, see Spinner)
//   BM_Flush/S                Db::Flush of a 200 MB-payload memtable (S=0: 1 row per
//                             partition, S=1: 1000 partitions), ratios to zstd and disk
//   BM_Replay/B/W             Db::Open replaying ~270-300 MB of commit log (B rows per
//                             record, W=1 page cache warm, W=0 cold), beside raw read()
//   BM_SyncWrites/M/T/S       Db::Write of one row with commit-log sync (M=1 kBatch, M=2
//                             kGroup) from T threads, as a ratio to the raw ceiling
//                             re-measured just before; also writes per sync (group size)
//   BM_Limit_BlockRead        pread of a random 16 KiB of a cached SSTable data file +
//                             zstd decompression of one 16 KiB block (one block fetch)
//   BM_PointRead/S            Db::Get by full key, uniform over 1M rows in one SSTable
//   BM_SliceRead              SELECT the 100 newest rows of a partition (reversed)
//
// Wall-clock rates swing with the other processes on the 2 vCPUs; counters named
// ".../cpu_s" or "cpu_..." use CPU time and move much less.
// Data lives under $TMPDIR/cassette_durability_bench (removed at exit); peak < 1 GB.
// Run: ./build/release/bench/durability_bench  (see docs/benchmarks.md)
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
constexpr int kPartitions = 1000;       // shape 1
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
      std::snprintf(buf, sizeof(buf), "user:%016llx",
                    static_cast<unsigned long long>(SplitMix(i)));
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
      size_t n = ZSTD_compressCCtx(cctx, out.data(), out.size(), data.data() + b * kBlock, kBlock,
                                   level);
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
BENCHMARK(BM_Limit_Zstd)->Arg(3)->Arg(1)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

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

// ------------------------------------------------------------------ 1. flush
void BM_Flush(benchmark::State& state) {
  const RowGen g{static_cast<int>(state.range(0))};
  const double zstd3 = ZstdLimit(3);
  const double disk = DiskWriteLimit();
  double logical_MB = 0, sst_MB = 0, arena_MB = 0, secs = 0, cpu = 0;
  const double zstd3_cpu = L().zstd_MB_per_cpu_s[3];
  for (auto _ : state) {
    const fs::path dir = FreshDir("flush");
    Options o;
    o.memtable_budget_bytes = kBigBudget;
    auto db = OpenWithTable(o, dir);
    if (!db.ok()) {
      state.SkipWithError(std::string(db.status().message()).c_str());
      return;
    }
    auto logical = Fill(db->get(), g, kFlushRows, 100);
    if (!logical.ok()) {
      state.SkipWithError(std::string(logical.status().message()).c_str());
      return;
    }
    auto before = (*db)->GetTableStats("bench.t");
    const auto t0 = Steady::now();
    const double cpu0 = ProcessCpu();  // this thread waits; the flush thread works
    absl::Status s = (*db)->Flush("bench.t");
    secs = Seconds(Steady::now() - t0);
    cpu = ProcessCpu() - cpu0;
    state.SetIterationTime(secs);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    auto after = (*db)->GetTableStats("bench.t");
    logical_MB = static_cast<double>(*logical) / kMB;
    arena_MB = static_cast<double>(before->memtable_bytes) / kMB;
    sst_MB = static_cast<double>(after->sstable_bytes) / kMB;
    db->reset();
    fs::remove_all(dir);
  }
  const double in_rate = logical_MB / secs;
  const double out_rate = sst_MB / secs;
  state.counters["input_MB/s"] = in_rate;
  state.counters["sstable_MB/s"] = out_rate;
  state.counters["rows/s"] = kFlushRows / secs;
  state.counters["logical_MB"] = logical_MB;
  state.counters["arena_MB"] = arena_MB;
  state.counters["sstable_MB"] = sst_MB;
  state.counters["zstd3_MB/s"] = zstd3;
  state.counters["disk_MB/s"] = disk;
  state.counters["input_vs_zstd3"] = in_rate / zstd3;
  state.counters["flush_cpu_s"] = cpu;
  state.counters["input_MB/cpu_s"] = logical_MB / cpu;
  state.counters["cpu_vs_zstd3"] = logical_MB / cpu / zstd3_cpu;
  state.counters["sstable_vs_disk"] = out_rate / disk;
  state.SetLabel(ShapeLabel(g.shape));
}
BENCHMARK(BM_Flush)->Arg(1)->Arg(0)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

// ------------------------------------------------------------------ 2. replay
std::vector<fs::path> LogFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir / "commitlog")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t TotalSize(const std::vector<fs::path>& files) {
  uint64_t n = 0;
  for (const auto& f : files) n += fs::file_size(f);
  return n;
}

void DropFromCache(const std::vector<fs::path>& files) {
  for (const auto& f : files) {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::fdatasync(fd);  // only clean pages can be dropped
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

// read() of every file in 1 MiB chunks: the raw sequential read rate of the same bytes.
double RawReadMBps(const std::vector<fs::path>& files) {
  std::string buf(1 << 20, 0);
  uint64_t total = 0;
  const auto t0 = Steady::now();
  for (const auto& f : files) {
    int fd = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) total += static_cast<uint64_t>(n);
    ::close(fd);
  }
  return static_cast<double>(total) / kMB / Seconds(Steady::now() - t0);
}

// A database whose commit log holds kReplayRows rows (in records of `batch_rows` rows)
// and no SSTable; shared by the warm and the cold run.
struct ReplayDir {
  fs::path dir;
  uint64_t records = 0;
  std::string error;
};
std::map<int, ReplayDir>& ReplayDirs() {
  static std::map<int, ReplayDir> dirs;
  return dirs;
}

Options ReplayOptions() {
  Options o;
  o.memtable_budget_bytes = kBigBudget;  // no flush: the whole log stays needed
  o.commitlog_sync = CommitLogSync::kPeriodic;
  return o;
}

ReplayDir& GetReplayDir(int batch_rows) {
  ReplayDir& r = ReplayDirs()[batch_rows];
  if (!r.dir.empty()) return r;
  r.dir = FreshDir("replay" + std::to_string(batch_rows));
  auto db = OpenWithTable(ReplayOptions(), r.dir);
  if (!db.ok()) {
    r.error = std::string(db.status().message());
    return r;
  }
  auto logical = Fill(db->get(), RowGen{1}, kReplayRows, batch_rows);
  if (!logical.ok()) r.error = std::string(logical.status().message());
  r.records = (kReplayRows + batch_rows - 1) / batch_rows;
  return r;  // closing the database syncs the log; nothing is flushed
}

void BM_Replay(benchmark::State& state) {
  const int batch_rows = static_cast<int>(state.range(0));
  const bool warm = state.range(1) != 0;
  ReplayDir& rd = GetReplayDir(batch_rows);
  if (!rd.error.empty()) {
    state.SkipWithError(rd.error.c_str());
    return;
  }
  const fs::path& dir = rd.dir;
  const Options o = ReplayOptions();
  const uint64_t records = rd.records;
  const auto files = LogFiles(dir);
  const uint64_t log_bytes = TotalSize(files);
  double secs = 0, cpu = 0;
  int64_t arena = 0;
  for (auto _ : state) {
    if (!warm) DropFromCache(files);
    const auto t0 = Steady::now();
    const double cpu0 = ProcessCpu();
    auto db = Db::Open(o, dir.string());
    secs = Seconds(Steady::now() - t0);
    cpu = ProcessCpu() - cpu0;
    state.SetIterationTime(secs);
    if (!db.ok()) {
      state.SkipWithError(std::string(db.status().message()).c_str());
      return;
    }
    arena = (*db)->GetTableStats("bench.t")->memtable_bytes;
  }
  if (!warm) DropFromCache(files);
  const double raw = RawReadMBps(files);
  const double rate = static_cast<double>(log_bytes) / kMB / secs;
  state.counters["replay_MB/s"] = rate;
  state.counters["records/s"] = static_cast<double>(records) / secs;
  state.counters["log_MB"] = static_cast<double>(log_bytes) / kMB;
  state.counters["arena_MB"] = static_cast<double>(arena) / kMB;
  state.counters["raw_read_MB/s"] = raw;
  state.counters["replay_vs_raw"] = rate / raw;
  state.counters["replay_vs_goal200"] = rate / 200.0;
  state.counters["replay_MB/cpu_s"] = static_cast<double>(log_bytes) / kMB / cpu;
  state.SetLabel(std::string(warm ? "page cache warm, " : "page cache cold, ") +
                 std::to_string(batch_rows) + " row(s)/record");
  if (!warm) {  // registered after the warm run of the same log: the log is done with
    fs::remove_all(dir);
    ReplayDirs().erase(batch_rows);
  }
}
BENCHMARK(BM_Replay)
    ->Args({1, 1})
    ->Args({1, 0})
    ->Args({100, 1})
    ->Args({100, 0})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------------------ 3. synchronous writes
// Env::Default() with every WritableFile::Sync counted and timed, so a run can report how
// many writes each commit-log sync carried (the group size) — a figure the machine's
// noise does not move much, unlike writes/s.
class CountingEnv final : public Env {
 public:
  explicit CountingEnv(Env* base) : base_(base) {}
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> sync_ns{0};
  std::atomic<uint64_t> reads{0};  // RandomAccessFile::Read calls (one per block fetched)

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto f = base_->NewWritableFile(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, *std::move(f)));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    auto f = base_->NewRandomAccessFile(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<RandomAccessFile>(new ReadFile(this, *std::move(f)));
  }
  absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) override {
    return base_->NewSequentialFile(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return base_->GetChildren(dir);
  }
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return base_->GetFileSize(path);
  }
  absl::Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  absl::Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  absl::Status SyncDir(const std::string& path) override { return base_->SyncDir(path); }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  class File final : public WritableFile {
   public:
    File(CountingEnv* env, std::unique_ptr<WritableFile> f) : env_(env), f_(std::move(f)) {}
    absl::Status Append(std::string_view data) override { return f_->Append(data); }
    absl::Status Sync() override {
      const auto a = Steady::now();
      absl::Status s = f_->Sync();
      env_->sync_ns.fetch_add(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a).count());
      env_->syncs.fetch_add(1);
      return s;
    }
    absl::Status Close() override { return f_->Close(); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    CountingEnv* const env_;
    std::unique_ptr<WritableFile> f_;
  };
  class ReadFile final : public RandomAccessFile {
   public:
    ReadFile(CountingEnv* env, std::unique_ptr<RandomAccessFile> f)
        : env_(env), f_(std::move(f)) {}
    absl::Status Read(uint64_t offset, size_t n, std::string* out) const override {
      env_->reads.fetch_add(1, std::memory_order_relaxed);
      return f_->Read(offset, n, out);
    }
    uint64_t Size() const override { return f_->Size(); }

   private:
    CountingEnv* const env_;
    std::unique_ptr<RandomAccessFile> f_;
  };
  Env* const base_;
};

void BM_SyncWrites(benchmark::State& state) {
  const CommitLogSync mode =
      state.range(0) == 1 ? CommitLogSync::kBatch : CommitLogSync::kGroup;
  const int threads = static_cast<int>(state.range(1));
  const bool spin = state.range(2) != 0;
  constexpr double kSeconds = 2.0;
  // The ceiling is re-measured right before each configuration: fdatasync latency here
  // moves with the other processes' load within seconds.
  const SyncAppendResult ceiling_run = MeasureSyncAppend(false, spin, 1.0);
  const double ceiling = ceiling_run.per_s;
  uint64_t ops = 0, syncs = 0, sync_ns = 0;
  double secs = 0;
  Percentiles lat;
  std::string error;
  for (auto _ : state) {
    const fs::path dir = FreshDir("sync");
    CountingEnv env(Env::Default());
    Options o;
    o.env = &env;
    o.commitlog_sync = mode;
    auto db = OpenWithTable(o, dir);
    if (!db.ok()) {
      state.SkipWithError(std::string(db.status().message()).c_str());
      return;
    }
    std::atomic<bool> stop{false};
    Spinner spinner(spin);
    const uint64_t syncs0 = env.syncs.load(), sync_ns0 = env.sync_ns.load();
    std::vector<std::vector<int64_t>> lats(threads);
    std::vector<std::string> errors(threads);
    std::vector<std::thread> ts;
    const auto t0 = Steady::now();
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        const RowGen g{0};
        lats[t].reserve(1 << 16);
        for (uint64_t i = static_cast<uint64_t>(t) << 40; !stop.load(std::memory_order_relaxed);
             ++i) {
          WriteBatch b;
          AddRow(g, i, &b);
          const auto a = Steady::now();
          absl::Status s = (*db)->Write(b);
          if (!s.ok()) {
            errors[t] = std::string(s.message());
            return;
          }
          lats[t].push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a).count());
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(kSeconds));
    stop = true;
    for (auto& th : ts) th.join();
    secs = Seconds(Steady::now() - t0);
    syncs = env.syncs.load() - syncs0;
    sync_ns = env.sync_ns.load() - sync_ns0;
    state.SetIterationTime(secs);
    std::vector<int64_t> all;
    for (auto& v : lats) all.insert(all.end(), v.begin(), v.end());
    for (auto& e : errors) {
      if (!e.empty()) error = e;
    }
    ops = all.size();
    lat = Summarize(std::move(all));
    db->reset();
    fs::remove_all(dir);
  }
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  const double rate = static_cast<double>(ops) / secs;
  state.counters["writes/s"] = rate;
  state.counters["ceiling_syncs/s"] = ceiling;
  state.counters["ceiling_p50_us"] = ceiling_run.lat.p50_us;
  state.counters["vs_ceiling"] = rate / ceiling;
  state.counters["syncs/s"] = static_cast<double>(syncs) / secs;
  state.counters["writes/sync"] = syncs ? static_cast<double>(ops) / static_cast<double>(syncs) : 0;
  state.counters["sync_mean_us"] = syncs ? static_cast<double>(sync_ns) / 1e3 / syncs : 0;
  ReportLatency(state, lat);
  state.SetLabel(std::string(mode == CommitLogSync::kBatch ? "kBatch, " : "kGroup, ") +
                 std::to_string(threads) + " writer(s), 1 row per write" +
                 (spin ? ", spinning sibling thread" : ""));
}
BENCHMARK(BM_SyncWrites)
    ->Args({1, 1, 0})
    ->Args({2, 1, 0})
    ->Args({2, 2, 0})
    ->Args({2, 4, 0})
    ->Args({2, 8, 0})
    ->Args({2, 16, 0})
    ->Args({1, 2, 0})
    ->Args({1, 1, 1})
    ->Args({2, 2, 1})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// ------------------------------------------------------------------ 4. reads
// One database per shape, filled with kReadRows rows and flushed into one SSTable, then
// read once through the page cache so every read below is served from memory.
struct ReadFixture {
  fs::path dir;
  std::unique_ptr<CountingEnv> env;  // outlives db
  std::unique_ptr<Db> db;
  std::string data_file;
  std::string error;
};

std::map<int, ReadFixture>& Fixtures() {
  static std::map<int, ReadFixture> fixtures;
  return fixtures;
}

ReadFixture& Fixture(int shape) {
  ReadFixture& f = Fixtures()[shape];
  if (f.db != nullptr || !f.error.empty()) return f;
  f.dir = FreshDir("read" + std::to_string(shape));
  f.env = std::make_unique<CountingEnv>(Env::Default());
  Options o;
  o.env = f.env.get();
  o.memtable_budget_bytes = kBigBudget;
  auto db = OpenWithTable(o, f.dir);
  if (!db.ok()) {
    f.error = std::string(db.status().message());
    return f;
  }
  auto filled = Fill(db->get(), RowGen{shape}, kReadRows, 100);
  absl::Status s = filled.ok() ? (*db)->Flush("bench.t") : filled.status();
  if (!s.ok()) {
    f.error = std::string(s.message());
    return f;
  }
  f.db = *std::move(db);
  std::string buf(1 << 20, 0);
  for (const auto& e : fs::directory_iterator(f.dir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.ends_with("-Data.db")) f.data_file = e.path().string();
    int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && ::read(fd, buf.data(), buf.size()) > 0) {
    }
    if (fd >= 0) ::close(fd);
  }
  return f;
}

void RemoveFixtures() {
  Fixtures().clear();  // closes the databases
  ReplayDirs().clear();
  fs::remove_all(Root());
}

// One block fetch as an SSTable read does it without a block cache: pread 16 KiB at a
// random offset of the (cached) data file, then decompress one 16 KiB zstd block.
struct BlockReadResult {
  Percentiles lat;
  double per_s = 0;
};
std::optional<BlockReadResult> g_block_read;

BlockReadResult MeasureBlockRead(const std::string& data_file, int n = 100'000) {
  constexpr size_t kBlock = 16 << 10;
  const std::string sample = RowLikeData(1, 64 * kBlock);
  std::vector<std::string> compressed;
  for (size_t b = 0; b < 64; ++b) {
    std::string out(ZSTD_compressBound(kBlock), 0);
    out.resize(ZSTD_compress(out.data(), out.size(), sample.data() + b * kBlock, kBlock, 3));
    compressed.push_back(std::move(out));
  }
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  int fd = ::open(data_file.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) <= kBlock) {
    std::fprintf(stderr, "cannot read %s\n", data_file.c_str());
    std::abort();
  }
  const uint64_t span = static_cast<uint64_t>(st.st_size) - kBlock;
  std::string buf(kBlock, 0), raw(kBlock, 0);
  std::vector<int64_t> lat;
  lat.reserve(n);
  const auto t0 = Steady::now();
  for (int i = 0; i < n; ++i) {
    const uint64_t off = SplitMix(i) % span;
    const auto a = Steady::now();
    (void)!::pread(fd, buf.data(), kBlock, static_cast<off_t>(off));
    const std::string& c = compressed[i % compressed.size()];
    ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), c.data(), c.size());
    benchmark::DoNotOptimize(raw.data());
    lat.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a).count());
  }
  const double s = Seconds(Steady::now() - t0);
  ::close(fd);
  ZSTD_freeDCtx(dctx);
  BlockReadResult r;
  r.per_s = n / s;
  r.lat = Summarize(std::move(lat));
  g_block_read = r;
  return r;
}

void BM_Limit_BlockRead(benchmark::State& state) {
  ReadFixture& f = Fixture(1);
  if (f.db == nullptr) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  BlockReadResult r;
  for (auto _ : state) {
    const auto t0 = Steady::now();
    r = MeasureBlockRead(f.data_file);
    state.SetIterationTime(Seconds(Steady::now() - t0));
  }
  state.counters["ops/s"] = r.per_s;
  ReportLatency(state, r.lat);
  state.SetLabel("pread 16 KiB (page cache) + zstd decompress 16 KiB");
}
BENCHMARK(BM_Limit_BlockRead)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_PointRead(benchmark::State& state) {
  const int shape = static_cast<int>(state.range(0));
  ReadFixture& f = Fixture(shape);
  if (f.db == nullptr) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  if (!g_block_read) MeasureBlockRead(f.data_file);
  constexpr int kOps = 30'000;
  const RowGen g{shape};
  std::vector<int64_t> lat;
  lat.reserve(kOps);
  double secs = 0;
  int64_t misses = 0;
  double cpu = 0;
  const uint64_t reads0 = f.env->reads.load();
  for (auto _ : state) {
    const auto t0 = Steady::now();
    const double cpu0 = ThreadCpu();
    for (int k = 0; k < kOps; ++k) {
      const uint64_t i = SplitMix(k + 7) % kReadRows;
      const ColumnValues key = {{"p", Value::Text(g.Pk(i))}, {"c", Value::Timestamp(g.Ck(i))}};
      const auto a = Steady::now();
      auto row = f.db->Get("bench.t", key);
      lat.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a).count());
      if (!row.ok()) {
        state.SkipWithError(std::string(row.status().message()).c_str());
        return;
      }
      if (!row->has_value()) ++misses;
    }
    secs = Seconds(Steady::now() - t0);
    cpu = ThreadCpu() - cpu0;
    state.SetIterationTime(secs);
  }
  const Percentiles p = Summarize(lat);
  state.counters["cpu_us/op"] = cpu / kOps * 1e6;
  const double blocks = static_cast<double>(f.env->reads.load() - reads0) / kOps;
  state.counters["blocks/op"] = blocks;
  state.counters["p50_vs_fetches"] = p.p50_us / (blocks * g_block_read->lat.p50_us);
  ReportLatency(state, p);
  state.counters["ops/s"] = kOps / secs;
  state.counters["misses"] = static_cast<double>(misses);
  state.counters["block_fetch_p50_us"] = g_block_read->lat.p50_us;
  state.counters["p50_vs_block_fetch"] = p.p50_us / g_block_read->lat.p50_us;
  state.SetLabel(std::string(ShapeLabel(shape)) + ", 1M rows in 1 SSTable, cached");
}
BENCHMARK(BM_PointRead)->Arg(0)->Arg(1)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_SliceRead(benchmark::State& state) {
  ReadFixture& f = Fixture(1);
  if (f.db == nullptr) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  if (!g_block_read) MeasureBlockRead(f.data_file);
  constexpr int kOps = 10'000;
  const RowGen g{1};
  std::vector<int64_t> lat;
  lat.reserve(kOps);
  double secs = 0;
  int64_t rows = 0;
  double cpu = 0;
  const uint64_t reads0 = f.env->reads.load();
  for (auto _ : state) {
    const auto t0 = Steady::now();
    const double cpu0 = ThreadCpu();
    for (int k = 0; k < kOps; ++k) {
      SelectQuery q;
      q.table = "bench.t";
      q.partition_key = {{"p", Value::Text(g.Pk(SplitMix(k) % kPartitions))}};
      q.reversed = true;
      q.limit = 100;
      const auto a = Steady::now();
      auto rs = f.db->Select(q);
      lat.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a).count());
      if (!rs.ok()) {
        state.SkipWithError(std::string(rs.status().message()).c_str());
        return;
      }
      rows += static_cast<int64_t>(rs->rows.size());
    }
    secs = Seconds(Steady::now() - t0);
    cpu = ThreadCpu() - cpu0;
    state.SetIterationTime(secs);
  }
  const Percentiles p = Summarize(lat);
  state.counters["cpu_us/op"] = cpu / kOps * 1e6;
  const double blocks = static_cast<double>(f.env->reads.load() - reads0) / kOps;
  state.counters["blocks/op"] = blocks;
  state.counters["p50_vs_fetches"] = p.p50_us / (blocks * g_block_read->lat.p50_us);
  ReportLatency(state, p);
  state.counters["ops/s"] = kOps / secs;
  state.counters["rows/s"] = static_cast<double>(rows) / secs;
  state.counters["rows_per_op"] = static_cast<double>(rows) / kOps;
  state.counters["block_fetch_p50_us"] = g_block_read->lat.p50_us;
  state.counters["p50_vs_block_fetch"] = p.p50_us / g_block_read->lat.p50_us;
  state.SetLabel("100 newest rows of 1 of 1000 partitions, reversed, 1 SSTable, cached");
}
BENCHMARK(BM_SliceRead)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cassette

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  cassette::RemoveFixtures();
  return 0;
}

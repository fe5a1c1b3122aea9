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
//   BM_SyncWrites/M/T/S/N     Db::Write of one row with commit-log sync (M=1 kBatch, M=2
//                             kGroup) from T threads (N=0: blocking Write; N>0: each
//                             thread keeps N WriteAsync in flight), as a ratio to the raw
//                             ceiling re-measured just before; also writes per sync
//   BM_Limit_BlockRead        pread of a random 16 KiB of a cached SSTable data file +
//                             zstd decompression of one 16 KiB block (one block fetch)
//   BM_PointRead/S            Db::Get by full key, uniform over 1M rows in one SSTable
//   BM_SliceRead              SELECT the 100 newest rows of a partition (reversed)
//
// Wall-clock rates swing with the other processes on the 2 vCPUs; counters named
// ".../cpu_s" or "cpu_..." use CPU time and move much less.
// Data lives under $TMPDIR/cassette_durability_bench (removed at exit); peak < 1 GB.
// Run: ./build/release/bench/durability_bench  (see docs/benchmarks.md)
#include <deque>
#include <future>

#include "durability_common.h"

namespace cassette {
namespace {

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
class CountingEnv final : public EnvWrapper {
 public:
  explicit CountingEnv(Env* base) : EnvWrapper(base) {}
  std::atomic<uint64_t> syncs{0};
  std::atomic<uint64_t> sync_ns{0};
  std::atomic<uint64_t> reads{0};  // RandomAccessFile::Read calls (one per block fetched)

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto f = base()->NewWritableFile(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<WritableFile>(new File(this, *std::move(f)));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    auto f = base()->NewRandomAccessFile(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<RandomAccessFile>(new ReadFile(this, *std::move(f)));
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
    ReadFile(CountingEnv* env, std::unique_ptr<RandomAccessFile> f) : env_(env), f_(std::move(f)) {}
    absl::Status Read(uint64_t offset, size_t n, std::string* out) const override {
      env_->reads.fetch_add(1, std::memory_order_relaxed);
      return f_->Read(offset, n, out);
    }
    uint64_t Size() const override { return f_->Size(); }

   private:
    CountingEnv* const env_;
    std::unique_ptr<RandomAccessFile> f_;
  };
};

void BM_SyncWrites(benchmark::State& state) {
  const CommitLogSync mode = state.range(0) == 1 ? CommitLogSync::kBatch : CommitLogSync::kGroup;
  const int threads = static_cast<int>(state.range(1));
  const bool spin = state.range(2) != 0;
  // 0: each thread blocks in Write; N: each thread keeps N WriteAsync writes in flight.
  const int inflight = static_cast<int>(state.range(3));
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
        std::deque<std::pair<Steady::time_point, std::future<absl::Status>>> queue;
        auto finish_one = [&]() -> bool {
          absl::Status s = queue.front().second.get();
          if (!s.ok()) {
            errors[t] = std::string(s.message());
            return false;
          }
          lats[t].push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                Steady::now() - queue.front().first)
                                .count());
          queue.pop_front();
          return true;
        };
        for (uint64_t i = static_cast<uint64_t>(t) << 40; !stop.load(std::memory_order_relaxed);
             ++i) {
          WriteBatch b;
          AddRow(g, i, &b);
          const auto a = Steady::now();
          if (inflight > 0) {
            queue.emplace_back(a, (*db)->WriteAsync(std::move(b)));
            if (static_cast<int>(queue.size()) >= inflight && !finish_one()) return;
            continue;
          }
          absl::Status s = (*db)->Write(b);
          if (!s.ok()) {
            errors[t] = std::string(s.message());
            return;
          }
          lats[t].push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now() - a).count());
        }
        while (!queue.empty()) {
          if (!finish_one()) return;
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
  state.SetLabel(
      std::string(mode == CommitLogSync::kBatch ? "kBatch, " : "kGroup, ") +
      std::to_string(threads) + " writer(s), 1 row per write" +
      (inflight > 0 ? ", " + std::to_string(inflight) + " WriteAsync in flight each" : "") +
      (spin ? ", spinning sibling thread" : ""));
}
BENCHMARK(BM_SyncWrites)
    ->Args({1, 1, 0, 0})
    ->Args({2, 1, 0, 0})
    ->Args({2, 2, 0, 0})
    ->Args({2, 4, 0, 0})
    ->Args({2, 8, 0, 0})
    ->Args({2, 16, 0, 0})
    ->Args({2, 2, 0, 8})
    ->Args({2, 2, 0, 32})
    ->Args({1, 2, 0, 0})
    ->Args({1, 1, 1, 0})
    ->Args({2, 2, 1, 0})
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
BENCHMARK(BM_PointRead)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

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

// Shared pieces of bench/compaction_bench.cc: an Env that counts the bytes written by
// kind of file, a listener that keeps every flush and compaction event, the data
// generators, and the zstd limit measured on the blocks of a real SSTable. Included once.
#ifndef CASSETTE_BENCH_COMPACTION_COMMON_H_
#define CASSETTE_BENCH_COMPACTION_COMMON_H_

#include <time.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cassette/cassette.h"

namespace cassette {
namespace bench {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr double kMB = 1e6;
constexpr int kPayload = 100;
constexpr int kKeyBytes = 10;  // every partition key is 10 ASCII bytes
// Logical bytes of one row as the client sends it: partition key + 8-byte clustering
// value + payload. The same for every row of both workloads.
constexpr uint64_t kRowLogicalBytes = kKeyBytes + 8 + kPayload;

inline double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

inline double ProcessCpu() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

inline double ThreadCpu() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

inline uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline int64_t EnvInt(const char* name, int64_t def) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return def;
  return std::strtoll(v, nullptr, 10);
}

inline std::string EnvStr(const char* name, const char* def) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? std::string(def) : std::string(v);
}

// The payload of write number `w`: 50 random printable bytes written twice, as
// db_bench's values (zstd ratio ≈ 2 on the payload alone). Every write differs.
inline void Payload(uint64_t w, char* out) {
  uint64_t s = SplitMix(w ^ 0x5eed5eedULL);
  for (int k = 0; k < kPayload / 2; ++k) {
    if (k % 8 == 0) s = SplitMix(s);
    out[k] = static_cast<char>(' ' + (s >> (8 * (k % 8))) % 95);
  }
  std::memcpy(out + kPayload / 2, out, kPayload / 2);
}

// ------------------------------------------------------------------ counting Env
// Counts the bytes appended to each kind of file: commit-log segments, SSTable files
// (Data.db and Index.db), and the rest (manifest, CURRENT). Every byte cassette writes
// goes through Env::NewWritableFile + Append, so these are the bytes written to disk.
class CountingEnv final : public EnvWrapper {
 public:
  enum Kind { kLog = 0, kSSTable = 1, kOther = 2 };
  explicit CountingEnv(Env* base) : EnvWrapper(base) {}

  uint64_t bytes(Kind k) const { return bytes_[k].load(); }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto f = base()->NewWritableFile(path);
    if (!f.ok()) return f.status();
    Kind k = kOther;
    const std::string name = fs::path(path).filename().string();
    if (path.find("/commitlog/") != std::string::npos) {
      k = kLog;
    } else if (name.starts_with("cs-") &&
               (name.ends_with("-Data.db") || name.ends_with("-Index.db"))) {
      k = kSSTable;
    }
    return std::unique_ptr<WritableFile>(new File(&bytes_[k], *std::move(f)));
  }

 private:
  class File final : public WritableFile {
   public:
    File(std::atomic<uint64_t>* counter, std::unique_ptr<WritableFile> f)
        : counter_(counter), f_(std::move(f)) {}
    absl::Status Append(std::string_view data) override {
      counter_->fetch_add(data.size(), std::memory_order_relaxed);
      return f_->Append(data);
    }
    absl::Status Sync() override { return f_->Sync(); }
    absl::Status Close() override { return f_->Close(); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    std::atomic<uint64_t>* const counter_;
    std::unique_ptr<WritableFile> f_;
  };
  std::atomic<uint64_t> bytes_[3] = {0, 0, 0};
};

// ------------------------------------------------------------------ events
// Keeps every completed flush and compaction (CompactionHistory keeps only the last
// compaction_history_size), with the steady-clock time each one finished and the CPU
// time of the thread that ran it: the engine calls OnCompactionBegin and
// OnCompactionCompleted on the thread that runs the task (src/db/db_compact.cc,
// RunTaskLocked), so the thread's CPU clock between the two is the task's CPU time.
class Recorder final : public EventListener {
 public:
  struct Compaction {
    CompactionEvent event;
    Steady::time_point finished;
    double cpu_s = -1;  // -1: begin not seen on this thread
  };
  void OnCompactionBegin(const CompactionEvent&) override { BeginCpu() = ThreadCpu(); }
  void OnFlushCompleted(const FlushEvent& e) override {
    std::lock_guard<std::mutex> l(mu_);
    flushes_.push_back(e);
  }
  void OnCompactionCompleted(const CompactionEvent& e) override {
    const auto now = Steady::now();
    const double cpu = BeginCpu() < 0 ? -1 : ThreadCpu() - BeginCpu();
    BeginCpu() = -1;
    std::lock_guard<std::mutex> l(mu_);
    compactions_.push_back({e, now, cpu});
  }
  std::vector<FlushEvent> flushes() const {
    std::lock_guard<std::mutex> l(mu_);
    return flushes_;
  }
  std::vector<Compaction> compactions() const {
    std::lock_guard<std::mutex> l(mu_);
    return compactions_;
  }

 private:
  static double& BeginCpu() {
    thread_local double begin = -1;
    return begin;
  }
  mutable std::mutex mu_;
  std::vector<FlushEvent> flushes_;
  std::vector<Compaction> compactions_;
};

// ------------------------------------------------------------------ zstd limit
// The compaction limit per core: every block of an SSTable's Data.db decompressed and
// compressed again (zstd level `level`), one thread — what a compaction that rewrites
// each byte must do at the least. The blocks are read from the engine's own SSTables
// (framing in src/sstable/block.h: stored_len:fixed32 raw_len:fixed32 compression:u8
// stored checksum:fixed64), so their size and contents are exactly what compaction reads.
struct ZstdLimit {
  double disk_MBps = 0;          // stored (on-disk) bytes in per second: compaction's unit
  double raw_MBps = 0;           // uncompressed bytes per second
  double compress_MBps = 0;      // uncompressed bytes per second of the compress half
  double decompress_MBps = 0;    // uncompressed bytes per second of the decompress half
  double disk_MB_per_cpu_s = 0;  // the same per CPU-second of the measuring thread
  double ratio = 0;              // raw ÷ stored of the blocks used
  double block_kib = 0;          // mean raw block size
  uint64_t blocks = 0;
};

inline uint32_t Fixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // little-endian on disk, as this machine
  return v;
}

// Up to `max_raw` bytes of compressed blocks from the database's Data.db files, largest
// files first.
inline std::vector<std::string> CollectBlocks(const fs::path& db_dir, uint64_t max_raw,
                                              uint64_t* raw_total) {
  std::vector<std::pair<uint64_t, fs::path>> files;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(db_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file(ec) && name.ends_with("-Data.db")) {
      files.push_back({e.file_size(ec), e.path()});
    }
  }
  std::sort(files.rbegin(), files.rend());
  std::vector<std::string> frames;  // each: raw_len:fixed32 + zstd frame
  *raw_total = 0;
  for (const auto& [size, path] : files) {
    std::ifstream in(path, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t off = 0;
    while (off + 17 <= data.size() && *raw_total < max_raw) {
      const uint32_t stored = Fixed32(&data[off]);
      const uint32_t raw = Fixed32(&data[off + 4]);
      const uint8_t comp = static_cast<uint8_t>(data[off + 8]);
      if (off + 17 + stored > data.size() || raw == 0 || comp > 1) break;
      if (comp == 1) {
        std::string f(4, '\0');
        std::memcpy(f.data(), &raw, 4);
        f.append(data, off + 9, stored);
        frames.push_back(std::move(f));
        *raw_total += raw;
      }
      off += 17 + stored;
    }
    if (*raw_total >= max_raw) break;
  }
  return frames;
}

inline ZstdLimit MeasureZstdLimit(const fs::path& db_dir, int level, double min_seconds = 1.0) {
  ZstdLimit r;
  uint64_t raw_total = 0;
  const std::vector<std::string> frames = CollectBlocks(db_dir, uint64_t{32} << 20, &raw_total);
  if (frames.empty()) return r;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string raw(16 << 20, '\0');
  std::string out(ZSTD_compressBound(16 << 20), '\0');
  uint64_t stored_bytes = 0, raw_bytes = 0, blocks = 0;
  double dec_s = 0, comp_s = 0;
  const auto t0 = Steady::now();
  const double cpu0 = ThreadCpu();
  double s = 0;
  do {
    for (const std::string& f : frames) {
      const uint32_t raw_len = Fixed32(f.data());
      const auto a = Steady::now();
      const size_t n = ZSTD_decompressDCtx(dctx, raw.data(), raw_len, f.data() + 4, f.size() - 4);
      const auto b = Steady::now();
      const size_t m = ZSTD_compressCCtx(cctx, out.data(), out.size(), raw.data(), n, level);
      const auto c = Steady::now();
      if (ZSTD_isError(n) || ZSTD_isError(m)) continue;
      dec_s += Seconds(b - a);
      comp_s += Seconds(c - b);
      stored_bytes += f.size() - 4;
      raw_bytes += n;
      ++blocks;
    }
    s = Seconds(Steady::now() - t0);
  } while (s < min_seconds);
  r.disk_MB_per_cpu_s = static_cast<double>(stored_bytes) / kMB / (ThreadCpu() - cpu0);
  ZSTD_freeCCtx(cctx);
  ZSTD_freeDCtx(dctx);
  const double busy = dec_s + comp_s;
  r.disk_MBps = static_cast<double>(stored_bytes) / kMB / busy;
  r.raw_MBps = static_cast<double>(raw_bytes) / kMB / busy;
  r.compress_MBps = static_cast<double>(raw_bytes) / kMB / comp_s;
  r.decompress_MBps = static_cast<double>(raw_bytes) / kMB / dec_s;
  r.ratio = static_cast<double>(raw_bytes) / static_cast<double>(stored_bytes);
  r.block_kib = static_cast<double>(raw_bytes) / static_cast<double>(blocks) / 1024.0;
  r.blocks = frames.size();
  return r;
}

inline uint64_t DirBytes(const fs::path& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) n += e.file_size(ec);
  }
  return n;
}

}  // namespace bench
}  // namespace cassette

#endif  // CASSETTE_BENCH_COMPACTION_COMMON_H_

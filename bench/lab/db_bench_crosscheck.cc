// bench/lab/db_bench_crosscheck.cc — see db_bench_crosscheck.h.
#include "bench/lab/db_bench_crosscheck.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/lab/engine.h"

namespace cassette::lab {
#ifdef CASSETTE_LAB_HAVE_ROCKSDB
namespace {

constexpr char kDbBench[] = "/usr/bin/db_bench";

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  return out + "'";
}

// Values as db_bench makes them: a pool of 100-byte pieces, each 50 random printable
// bytes written twice (so a piece compresses to half), handed out as consecutive slices.
class ValueSource {
 public:
  ValueSource(int value_size, uint64_t seed) : size_(value_size) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> printable(' ', '~');
    while (pool_.size() < std::max<size_t>(1 << 20, static_cast<size_t>(value_size))) {
      std::string half(50, ' ');
      for (char& ch : half) ch = static_cast<char>(printable(rng));
      pool_ += half;
      pool_ += half;
    }
  }
  std::string_view Next() {
    if (pos_ + size_ > pool_.size()) pos_ = 0;
    std::string_view v(pool_.data() + pos_, size_);
    pos_ += size_;
    return v;
  }

 private:
  const size_t size_;
  std::string pool_;
  size_t pos_ = 0;
};

struct Phase {
  double ops = 0, p50_us = 0, p99_us = 0;
};

Phase Summarize(std::vector<double>& micros, double seconds) {
  Phase ph;
  if (micros.empty()) return ph;
  ph.ops = seconds > 0 ? static_cast<double>(micros.size()) / seconds : 0;
  auto at = [&](double q) {
    const size_t k = std::min(micros.size() - 1, static_cast<size_t>(q * micros.size()));
    std::nth_element(micros.begin(), micros.begin() + k, micros.end());
    return micros[k];
  };
  ph.p50_us = at(0.50);
  ph.p99_us = at(0.99);
  return ph;
}

// db_bench prints per benchmark "name : X micros/op Y ops/sec ..." and, with --histogram,
// "Microseconds per write|read:" followed by "Percentiles: P50: a P75: b P99: c ...".
// Progress goes to stderr with carriage returns, so lines split on both \r and \n.
absl::Status ParseDbBench(const std::string& out, CrossCheck* cc) {
  Phase fill, read;
  Phase* current = nullptr;
  bool saw_fill = false, saw_read = false;
  size_t pos = 0;
  while (pos < out.size()) {
    const size_t end = std::min(out.find_first_of("\r\n", pos), out.size());
    const std::string line = out.substr(pos, end - pos);
    pos = end + 1;
    char name[32] = {};
    double micros = 0, ops = 0;
    if (std::sscanf(line.c_str(), " %31s : %lf micros/op %lf ops/sec", name, &micros, &ops) == 3) {
      if (std::strcmp(name, "fillrandom") == 0) {
        current = &fill;
        saw_fill = true;
      } else if (std::strcmp(name, "readrandom") == 0) {
        current = &read;
        saw_read = true;
        long long found = 0, total = 0;
        if (const size_t f = line.find('(');
            f != std::string::npos &&
            std::sscanf(line.c_str() + f, "(%lld of %lld found)", &found, &total) == 2) {
          cc->dbbench_read_found = found;
        }
      } else {
        current = nullptr;
      }
      if (current != nullptr) current->ops = ops;
    } else if (current != nullptr && line.rfind("Percentiles:", 0) == 0) {
      const size_t p50 = line.find("P50:"), p99 = line.find("P99:");
      if (p50 == std::string::npos || p99 == std::string::npos ||
          std::sscanf(line.c_str() + p50, "P50: %lf", &current->p50_us) != 1 ||
          std::sscanf(line.c_str() + p99, "P99: %lf", &current->p99_us) != 1) {
        return absl::InternalError(absl::StrCat("db_bench: unreadable percentiles: ", line));
      }
      current = nullptr;
    }
  }
  if (!saw_fill || !saw_read) {
    return absl::InternalError(
        absl::StrCat("db_bench printed no fillrandom/readrandom result; output ends with: ",
                     out.substr(out.size() > 2000 ? out.size() - 2000 : 0)));
  }
  cc->dbbench_fill_ops = fill.ops;
  cc->dbbench_fill_p50_us = fill.p50_us;
  cc->dbbench_fill_p99_us = fill.p99_us;
  cc->dbbench_read_ops = read.ops;
  cc->dbbench_read_p50_us = read.p50_us;
  cc->dbbench_read_p99_us = read.p99_us;
  return absl::OkStatus();
}

absl::Status RunDbBench(const std::filesystem::path& scratch, int64_t num_keys, int value_size,
                        uint64_t cache_bytes, uint64_t write_buffer_bytes, int zstd_level,
                        CrossCheck* cc) {
  const std::string compression =
      zstd_level > 0 ? absl::StrCat("--compression_type=zstd --compression_level=", zstd_level)
                     : std::string("--compression_type=none");
  cc->dbbench_command = absl::StrCat(
      kDbBench, " --benchmarks=fillrandom,readrandom --num=", num_keys, " --reads=", num_keys,
      " --value_size=", value_size, " --key_size=16 ", compression,
      " --compression_ratio=0.5 --bloom_bits=10 --whole_key_filtering=true --block_size=16384",
      " --cache_size=", cache_bytes, " --cache_index_and_filter_blocks=true",
      " --pin_l0_filter_and_index_blocks_in_cache=true --write_buffer_size=", write_buffer_bytes,
      " --max_write_buffer_number=2 --max_background_jobs=2 --bytes_per_sync=1048576",
      " --level_compaction_dynamic_level_bytes=true --optimize_filters_for_hits=false",
      " --compaction_style=0 --threads=1 --disable_wal=false --sync=false --histogram=1",
      " --seed=20240601 --db=", ShellQuote((scratch / "db_bench").string()));
  FILE* pipe = popen((cc->dbbench_command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return absl::InternalError(absl::StrCat("db_bench: popen failed: ", std::strerror(errno)));
  }
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int rc = pclose(pipe);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat(
        "db_bench exited with status ", rc,
        "; output ends with: ", out.substr(out.size() > 2000 ? out.size() - 2000 : 0)));
  }
  return ParseDbBench(out, cc);
}

absl::Status RunLab(const std::filesystem::path& dir, int64_t num_keys, int value_size,
                    uint64_t cache_bytes, uint64_t write_buffer_bytes, int zstd_level,
                    CrossCheck* cc) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = MakeRocksDbEngine();
  if (!engine.ok()) return engine.status();
  const LabClock clock(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
  EngineConfig config;
  config.dir = dir.string();
  config.memtable_bytes = write_buffer_bytes;
  config.block_cache_bytes = cache_bytes;
  config.zstd_level = zstd_level;
  config.commit_log = true;
  config.sync_every_write = false;
  config.strategy = "leveled";
  config.clock = &clock;
  if (absl::Status s = (*engine)->Open(config); !s.ok()) return s;

  std::mt19937_64 rng(20240601);
  std::uniform_int_distribution<uint64_t> key(0, static_cast<uint64_t>(num_keys) - 1);
  ValueSource values(value_size, 301);
  std::vector<double> micros;
  micros.reserve(static_cast<size_t>(num_keys));
  using Clock = std::chrono::steady_clock;

  Clock::time_point phase_start = Clock::now();
  for (int64_t i = 0; i < num_keys; ++i) {
    const uint64_t p = key(rng);
    const std::string_view v = values.Next();
    const Clock::time_point t0 = Clock::now();
    if (absl::Status s = (*engine)->Put(p, 0, v); !s.ok()) return s;
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  Phase fill = Summarize(micros, std::chrono::duration<double>(Clock::now() - phase_start).count());

  micros.clear();
  phase_start = Clock::now();
  for (int64_t i = 0; i < num_keys; ++i) {
    const uint64_t p = key(rng);
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<bool> found = (*engine)->Get(p, 0, nullptr);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!found.ok()) return found.status();
    cc->lab_read_found += *found ? 1 : 0;
  }
  Phase read = Summarize(micros, std::chrono::duration<double>(Clock::now() - phase_start).count());
  if (absl::Status s = (*engine)->Close(); !s.ok()) return s;

  cc->lab_fill_ops = fill.ops;
  cc->lab_fill_p50_us = fill.p50_us;
  cc->lab_fill_p99_us = fill.p99_us;
  cc->lab_read_ops = read.ops;
  cc->lab_read_p50_us = read.p50_us;
  cc->lab_read_p99_us = read.p99_us;
  return absl::OkStatus();
}

}  // namespace
#endif  // CASSETTE_LAB_HAVE_ROCKSDB

absl::StatusOr<CrossCheck> RunDbBenchCrossCheck(const std::filesystem::path& scratch,
                                                int64_t num_keys, int value_size,
                                                uint64_t cache_bytes, uint64_t write_buffer_bytes,
                                                int zstd_level) {
#ifndef CASSETTE_LAB_HAVE_ROCKSDB
  return absl::UnimplementedError("db_bench cross-check: the lab was built without RocksDB");
#else
  if (access(kDbBench, X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("db_bench cross-check: ", kDbBench,
                     " is missing; install the Debian package rocksdb-tools"));
  }
  if (num_keys <= 0 || value_size <= 0 || zstd_level < 0 || write_buffer_bytes == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "db_bench cross-check: need num_keys > 0, value_size > 0, zstd_level >= 0 and a write "
        "buffer; got ",
        num_keys, ", ", value_size, ", ", zstd_level, ", ", write_buffer_bytes));
  }
  std::error_code ec;
  const std::filesystem::path bench_dir = scratch / "db_bench", lab_dir = scratch / "lab_rocksdb";
  std::filesystem::remove_all(bench_dir, ec);
  std::filesystem::remove_all(lab_dir, ec);
  std::filesystem::create_directories(lab_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("db_bench cross-check: cannot create ", lab_dir.string(), ": ", ec.message()));
  }
  CrossCheck cc;
  if (absl::Status s = RunDbBench(scratch, num_keys, value_size, cache_bytes, write_buffer_bytes,
                                  zstd_level, &cc);
      !s.ok()) {
    return s;
  }
  std::filesystem::remove_all(bench_dir, ec);  // free the disk before the second run
  if (absl::Status s =
          RunLab(lab_dir, num_keys, value_size, cache_bytes, write_buffer_bytes, zstd_level, &cc);
      !s.ok()) {
    return s;
  }
  std::filesystem::remove_all(lab_dir, ec);
  return cc;
#endif
}

}  // namespace cassette::lab

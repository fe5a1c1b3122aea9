// bench/lab/runner.h — run one workload on one engine and measure it.
//
// The driver runs the workload's operations on one thread, timing each; a sampler thread
// records the time series (throughput, disk used, live bytes, bytes written, SSTables,
// pending compactions) every `sample_seconds`. Bytes written are the process's write(2)
// bytes (/proc/self/io wchar): the same measure for every engine, counting commit log /
// WAL, flushes, compactions and metadata alike.
//
// The driver also checks answers against the workload's model (keyspace.h): a read of a
// live row that finds nothing, or a feed that returns too few rows, counts as an error
// in the results (runs with TTLs or time buckets skip the check: expiry is the engine's).
#ifndef CASSETTE_BENCH_LAB_RUNNER_H_
#define CASSETTE_BENCH_LAB_RUNNER_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "bench/lab/results.h"
#include "bench/lab/workload.h"

namespace cassette::lab {

struct RunSpec {
  std::string engine = "cassette";  // cassette | rocksdb | leveldb
  std::string strategy;             // see EngineConfig::strategy; empty = the default
  std::map<std::string, std::string> options;
  std::filesystem::path dir;  // created fresh for the run; removed after unless keep_data
  bool keep_data = false;
  uint64_t memtable_bytes = 64 << 20;
  uint64_t block_cache_bytes = 192 << 20;
  int zstd_level = 3;
  bool sync_every_write = false;
  double sample_seconds = 1.0;
  bool progress = true;
  uint64_t seed = 1;
};

// "cassette/LCS" style label of what RunSpec will run, before it runs.
std::string SpecLabel(const RunSpec& spec);

// Runs `w`; an engine error stops the run and is returned inside RunResult::error with
// what was measured so far. Only a failure to set up (folder, unknown engine) is a Status.
absl::StatusOr<RunResult> RunWorkload(const Workload& w, const RunSpec& spec);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_RUNNER_H_

// bench/lab/results.h — what a lab run measured, and the writers that present it.
//
// The driver fills a LabReport; the writers turn it into the terminal summary (in the
// manner of db_bench and cassandra-stress), one JSON file, CSV files and SVG plots. The
// writers only present: every number they print was measured by the driver.
#ifndef CASSETTE_BENCH_LAB_RESULTS_H_
#define CASSETTE_BENCH_LAB_RESULTS_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/lab/engine.h"
#include "bench/lab/histogram.h"

namespace cassette::lab {

// The machine's limits, measured at the start of every run (limits.h).
struct MachineLimits {
  double seq_write_fdatasync_MBps = 0;  // 1 MiB writes, fdatasync at the end
  double fdatasync_p50_us = 0;          // 4 KiB append + fdatasync
  double fdatasync_p99_us = 0;
  double zstd_compress_MBps = 0;    // level 3, 16 KiB blocks of row-like data, one core
  double zstd_decompress_MBps = 0;  // same blocks
  double memcpy_GBps = 0;           // 64 MiB buffers
};

// One timed phase of a run (e.g. "load", "read", "feed", "run" for YCSB).
struct PhaseResult {
  std::string name;
  int64_t ops = 0;
  int64_t errors = 0;
  double seconds = 0;
  // Per operation type ("insert", "read", "update", "scan", "feed", "delete", ...).
  std::map<std::string, Histogram> latency_ns;
  // Per read (every op that reads): the engine's counters; -1 entries are skipped, and a
  // histogram with no entries means the engine cannot tell.
  Histogram sstables_per_read;
  Histogram tombstones_per_read;
  int64_t rows_read = 0;
  uint64_t logical_bytes_written = 0;  // key + clustering + payload of every write
};

// A point of the time series sampled during a run (every ~1 s, and at phase ends).
struct Sample {
  double t_seconds = 0;
  std::string phase;
  double ops_per_sec = 0;      // over the interval ending here
  int64_t ops_done = 0;        // operations of the run so far (all phases)
  uint64_t disk_bytes = 0;     // everything in the engine's folder
  uint64_t live_bytes = 0;     // logical bytes of the live data the workload holds
  uint64_t bytes_written = 0;  // cumulative bytes written to files since the run started
  int64_t sstables = 0;
  int64_t pending_compactions = -1;
  int64_t pending_compaction_bytes = -1;
  uint64_t bytes_compacted = 0;
  uint64_t sstable_bytes = 0;  // the engine's SSTables alone (no log, no metadata)
};

struct RunResult {
  std::string engine;    // Engine::Name()
  std::string workload;  // workload name
  int round = 1;         // of this engine on this workload, with --repeat (1 otherwise)
  std::map<std::string, std::string> settings;  // rows, payload, memory, durability, ...
  std::vector<PhaseResult> phases;
  std::vector<Sample> timeline;
  std::vector<FileEvent> files;  // SSTable timeline
  uint64_t logical_bytes_ingested = 0;
  uint64_t bytes_written = 0;            // to files, by the engine, over the whole run
  double write_amplification = 0;        // bytes_written ÷ logical_bytes_ingested
  double final_space_amplification = 0;  // disk ÷ live at the end
  std::string error;                     // non-empty: the run stopped here
};

struct LabReport {
  std::string command_line;
  std::string started_at;  // UTC, ISO 8601
  std::string host;        // uname + CPU model
  MachineLimits limits;
  std::vector<RunResult> runs;
  // Figures derived for the results table (P1–P9 ...), in order: id → text.
  std::vector<std::pair<std::string, std::string>> headline;
};

// Terminal summary: per run and phase, one db_bench-style line per op type
// ("read : 12.345 micros/op 81000 ops/sec; p50 … p99 … p99.9 … max …"), then the
// cassandra-stress block (op rate, row rate, latency mean/median/95th/99th/99.9th/max,
// total errors, operation time), then amplification figures and the fraction of the
// machine's limits.
void PrintSummary(const LabReport& report, std::FILE* out);

// report.json (everything, histograms as percentiles and log buckets), then CSV files:
// runs.csv (one line per run × phase × op), timeline.csv, files.csv.
absl::Status WriteJson(const LabReport& report, const std::filesystem::path& file);
absl::Status WriteCsv(const LabReport& report, const std::filesystem::path& folder);
// SVG plots into `folder`: throughput.svg and disk.svg (over time, one line per run),
// latency.svg (percentile curves per run and op), sstables-<run>.svg (each SSTable a bar
// from creation to removal, y = level or window). Self-contained files, no scripts.
absl::Status WriteSvgs(const LabReport& report, const std::filesystem::path& folder);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_RESULTS_H_

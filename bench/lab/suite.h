// bench/lab/suite.h — the engines a run compares, and the results table (P1–P9) of
// docs/benchmarks.md computed from runs measured side by side.
#ifndef CASSETTE_BENCH_LAB_SUITE_H_
#define CASSETTE_BENCH_LAB_SUITE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/lab/results.h"
#include "bench/lab/runner.h"

namespace cassette::lab {

// Parses "cassette/LCS", "cassette/UCS:scaling_parameters=T4", "rocksdb/universal",
// "leveldb" into the engine, strategy and options of `base`.
absl::StatusOr<RunSpec> ParseEngineSpec(const std::string& text, const RunSpec& base);

// The engines compared by default on a workload: cassette under each strategy that
// suits it, RocksDB leveled and universal, LevelDB (skipped for TTL workloads).
std::vector<std::string> DefaultEngines(const Workload& w);

// Rows/s of the phase named `phase` of a run (ops ÷ seconds), or -1.
double PhaseRate(const RunResult& r, const std::string& phase);
// A percentile (µs) of one op type in one phase, or -1.
double PhasePercentileUs(const RunResult& r, const std::string& phase, const std::string& op,
                         double q);
// Ops/s between the moments the run had done `from` and `to` operations, interpolated
// from the timeline; -1 when the timeline does not cover them.
double RateBetweenOps(const RunResult& r, int64_t from, int64_t to);
// Disk ÷ live over the samples of the last `fraction` of the run's samples that have live
// data: {mean, max}.
std::pair<double, double> SteadySpaceAmp(const RunResult& r, double fraction,
                                         bool sstables_only = false);

// The lines of the results table for whatever runs `report` holds (a P-id is emitted only
// when its runs are present), each "value (goal …: met|MISSED)".
std::vector<std::pair<std::string, std::string>> Headline(const LabReport& report);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_SUITE_H_

// bench/lab/limits.h — measure the machine's limits at the start of a run.
//
// Each probe runs for about `seconds` and touches only `scratch` (a folder on the same
// file system as the engines' data). The figures are what the lab divides by: a
// compaction's MB/s by the zstd limit, an ingest's bytes written by the disk's, a synced
// write rate by 1/fdatasync latency.
#ifndef CASSETTE_BENCH_LAB_LIMITS_H_
#define CASSETTE_BENCH_LAB_LIMITS_H_

#include <filesystem>

#include "absl/status/statusor.h"
#include "bench/lab/results.h"

namespace cassette::lab {

absl::StatusOr<MachineLimits> MeasureMachineLimits(const std::filesystem::path& scratch,
                                                   double seconds_per_probe);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_LIMITS_H_

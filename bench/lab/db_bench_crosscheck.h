// bench/lab/db_bench_crosscheck.h — RocksDB's own db_bench against the lab's RocksDB
// adapter on the same workload, so a reader can see the harness adds no hidden cost.
//
// Workload (both sides): fillrandom — num_keys puts of 16-byte keys drawn uniformly with
// replacement from num_keys values, values of value_size bytes that compress to half
// (db_bench's default --compression_ratio=0.5); then readrandom — num_keys gets of keys
// drawn the same way (about 63% exist). One thread, WAL on, no sync, leveled compaction
// with the adapter's tuning passed to db_bench as flags. Not thread-safe; runs for a while
// (two databases of num_keys rows) and leaves nothing in `scratch` when it succeeds.
#ifndef CASSETTE_BENCH_LAB_DB_BENCH_CROSSCHECK_H_
#define CASSETTE_BENCH_LAB_DB_BENCH_CROSSCHECK_H_

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace cassette::lab {

struct CrossCheck {
  double dbbench_fill_ops = 0, dbbench_read_ops = 0;  // ops/s as db_bench prints them
  double lab_fill_ops = 0, lab_read_ops = 0;          // ops/s through MakeRocksDbEngine
  // Latency percentiles in µs. db_bench's come from its --histogram (whole-µs samples,
  // bucket-interpolated); the lab's are exact over per-operation steady_clock samples.
  double dbbench_fill_p50_us = 0, dbbench_fill_p99_us = 0;
  double lab_fill_p50_us = 0, lab_fill_p99_us = 0;
  double dbbench_read_p50_us = 0, dbbench_read_p99_us = 0;
  double lab_read_p50_us = 0, lab_read_p99_us = 0;
  int64_t dbbench_read_found = -1;  // "(N of M found)"; -1 if db_bench did not print it
  int64_t lab_read_found = 0;
  std::string dbbench_command;  // exactly what was run
};

// Runs /usr/bin/db_bench (Debian package rocksdb-tools; NotFound without it) in
// scratch/db_bench, then the same two phases through the lab's "rocksdb/leveled" engine
// in scratch/lab_rocksdb. zstd_level 0 means no compression. Unimplemented when the lab
// was built without RocksDB.
absl::StatusOr<CrossCheck> RunDbBenchCrossCheck(const std::filesystem::path& scratch,
                                                int64_t num_keys, int value_size,
                                                uint64_t cache_bytes, uint64_t write_buffer_bytes,
                                                int zstd_level);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_DB_BENCH_CROSSCHECK_H_

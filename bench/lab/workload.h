// bench/lab/workload.h — a workload: the table's shape, the key population and a list of
// phases, each an operation mix run for a number of operations.
//
// Workloads are YAML files in the spirit of cassandra-stress profiles (docs/lab.md has
// the full grammar); the named workloads (ingest, feed, ycsb-a, …) are such files built
// in, printed by `cassette-lab workloads --show NAME` so a user can start from one.
//
//   name: feed
//   table:
//     clustering: newest_first      # or oldest_first (queues)
//     payload: {min: 100, max: 100} # bytes, uniform in [min, max] per row
//     ttl_seconds: 0                # every write carries this TTL (0 = none)
//     gc_grace_seconds: 864000
//   keys:
//     partitions: 10000             # partition ids 0 .. partitions-1 (hashed if `hashed`)
//     hashed: false                 # YCSB's insertorder=hashed
//   phases:
//     - {name: load, ops: 1000000, mix: {insert: 1}, partitions: uniform}
//     - {name: settle}              # flush, wait for compactions (untimed for ops)
//     - {name: feed, ops: 20000, mix: {feed: 1}, partitions: zipfian}
//
// Operations: insert (append a row at the partition's tail), update (overwrite an
// existing row), read (one existing row), feed (the first `feed_rows` rows in clustering
// order), slice (up to `slice_rows` rows from a random existing row on), scan (YCSB E:
// 1..scan_max rows of consecutive partitions), delete_head (delete the partition's
// oldest live row), delete_upto (the same as one range deletion of every row up to and
// including the head), read_head (the first live row), rmw (read then update).
// Distributions for choosing partitions (and rows within them): uniform, zipfian
// (YCSB's scrambled zipfian, constant `zipf_theta`), latest (YCSB's: skewed to the most
// recently inserted), sequential (each partition filled in turn: `rows_per_partition`),
// round_robin (every partition in turn: sensors each writing a reading).
// Time series: with `bucket_seconds` > 0 an insert goes to partition (id, the lab clock's
// time bucket) — Cassandra's (sensor, day) partition key — so old partitions stop
// growing and expire as a whole.
#ifndef CASSETTE_BENCH_LAB_WORKLOAD_H_
#define CASSETTE_BENCH_LAB_WORKLOAD_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cassette::lab {

enum class Op {
  kInsert,
  kUpdate,
  kRead,
  kFeed,
  kSlice,
  kScan,
  kDeleteHead,
  kDeleteUpTo,
  kReadHead,
  kRmw
};
const char* OpName(Op op);

enum class Dist { kUniform, kZipfian, kLatest, kSequential, kRoundRobin };

struct Phase {
  std::string name;
  // Special phases, no operations: "settle" (flush + wait for compactions), "compact"
  // (major compaction). Any other name runs `ops` operations.
  int64_t ops = 0;
  std::vector<std::pair<Op, double>> mix;  // weights, normalized when run
  Dist partitions = Dist::kUniform;
  double zipf_theta = 0.99;
  int64_t rows_per_partition = 0;  // kSequential: rows before moving on (0 = ops/partitions)
  int feed_rows = 100;
  int slice_rows = 100;
  int scan_max = 100;
  // The lab clock moves this many seconds every `clock_every_ops` operations (TTL runs).
  int64_t clock_every_ops = 0;
  int64_t clock_seconds = 0;
  int64_t bucket_seconds = 0;
  bool special() const { return name == "settle" || name == "compact"; }
};

struct Workload {
  std::string name;
  std::string description;
  bool newest_first = true;
  int payload_min = 100;
  int payload_max = 100;
  int32_t ttl_seconds = 0;
  int32_t gc_grace_seconds = 864000;
  int64_t partitions = 10000;
  bool hashed = false;
  // The engine-side settings a workload may ask for: a strategy it is built for (e.g.
  // TWCS for time series) and its options; the command line may override both.
  std::string cassette_strategy;
  std::map<std::string, std::string> cassette_options;
  std::vector<Phase> phases;

  int64_t TotalOps() const;
};

// Parses a workload file's text; errors name the file (`origin`) and the field.
absl::StatusOr<Workload> ParseWorkload(const std::string& yaml, const std::string& origin);
// Multiplies every phase's ops and the partition count by `scale` (at least 1 each).
void ScaleWorkload(double scale, Workload* w);

// The built-in workloads, by name, as YAML text.
const std::map<std::string, std::string>& BuiltinWorkloads();
// A built-in by name, or a file path (anything with a '/' or ending in .yaml).
absl::StatusOr<Workload> LoadWorkload(const std::string& name_or_path);

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_WORKLOAD_H_

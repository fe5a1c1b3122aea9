// The named workloads. Each is the YAML a user would write; `cassette-lab workloads
// --show NAME` prints it. Sizes are for one run of a few minutes on a 2-core machine;
// --scale multiplies operations and partitions. The P-ids refer to the results table in
// docs/benchmarks.md.
#include "bench/lab/workload.h"

namespace cassette::lab {

namespace {

// YCSB's core workloads share the table, the records and the load; they differ in the
// run phase's operation mix and distribution.
std::string Ycsb(const std::string& letter, const std::string& description,
                 const std::string& run) {
  return "name: ycsb-" + letter + "\ndescription: \"YCSB " + description +
         "; 300k records of 1000 B (10 fields x 100 B)\"\n"
         "table: {payload: {min: 1000, max: 1000}}\n"
         "keys: {partitions: 300000, hashed: true}\n"
         "phases:\n"
         "  - {name: load, ops: 300000, mix: {insert: 1}, partitions: sequential, "
         "rows_per_partition: 1}\n"
         "  - {name: run, " +
         run + "}\n";
}

void AddYcsb(std::map<std::string, std::string>* all) {
  (*all)["ycsb-a"] = Ycsb("a", "A: 50% read, 50% update, zipfian 0.99",
                          "ops: 300000, mix: {read: 0.5, update: 0.5}, partitions: zipfian");
  (*all)["ycsb-b"] = Ycsb("b", "B: 95% read, 5% update, zipfian 0.99",
                          "ops: 300000, mix: {read: 0.95, update: 0.05}, partitions: zipfian");
  (*all)["ycsb-c"] =
      Ycsb("c", "C: 100% read, zipfian 0.99", "ops: 300000, mix: {read: 1}, partitions: zipfian");
  (*all)["ycsb-d"] = Ycsb("d", "D: 95% read, 5% insert, reads skewed to the latest records",
                          "ops: 300000, mix: {read: 0.95, insert: 0.05}, partitions: latest");
  (*all)["ycsb-e"] = Ycsb("e", "E: 95% scan of 1-100 records, 5% insert, zipfian 0.99",
                          "ops: 100000, mix: {scan: 0.95, insert: 0.05}, partitions: zipfian, "
                          "scan_max: 100");
  (*all)["ycsb-f"] = Ycsb("f", "F: 50% read, 50% read-modify-write, zipfian 0.99",
                          "ops: 300000, mix: {read: 0.5, rmw: 0.5}, partitions: zipfian");
}

}  // namespace

const std::map<std::string, std::string>& BuiltinWorkloads() {
  static const auto* kAll = [] {
    auto* all = new std::map<std::string, std::string>{
        {"ingest-random", R"Y(name: ingest-random
description: "P1: insert 5M rows of 100 B into 100k partitions, uniformly at random"
table: {payload: {min: 100, max: 100}}
keys: {partitions: 100000}
phases:
  - {name: ingest, ops: 5000000, mix: {insert: 1}, partitions: uniform}
  - {name: settle}
)Y"},
        {"ingest-seq", R"Y(name: ingest-seq
description: "insert 5M rows of 100 B, each partition's 50 rows in turn"
table: {payload: {min: 100, max: 100}}
keys: {partitions: 100000}
phases:
  - {name: ingest, ops: 5000000, mix: {insert: 1}, partitions: sequential, rows_per_partition: 50}
  - {name: settle}
)Y"},
        {"point-read", R"Y(name: point-read
description: "P2: 2M rows in 100k partitions, major compaction, then reads of one row chosen uniformly"
table: {payload: {min: 100, max: 100}}
keys: {partitions: 100000}
phases:
  - {name: load, ops: 2000000, mix: {insert: 1}, partitions: uniform}
  - {name: compact}
  - {name: read, ops: 300000, mix: {read: 1}, partitions: uniform}
)Y"},
        {"feed", R"Y(name: feed
description: "P3: 2M rows in 10k partitions; the newest 100 rows of a partition, then 100-row slices from a random row"
table: {clustering: newest_first, payload: {min: 100, max: 100}}
keys: {partitions: 10000}
phases:
  - {name: load, ops: 2000000, mix: {insert: 1}, partitions: uniform}
  - {name: settle}
  - {name: feed, ops: 30000, mix: {feed: 1}, partitions: uniform, feed_rows: 100}
  - {name: slice, ops: 30000, mix: {slice: 1}, partitions: uniform, slice_rows: 100}
)Y"},
        {"timeseries-ttl", R"Y(name: timeseries-ttl
description: >-
  P4: 100 sensors write a reading each every 14 s of lab time into (sensor, day)
  partitions, every write with a 1-day TTL, for 5 days of lab time: 1-hour TWCS windows
  (24 per TTL, as Cassandra advises)
table: {payload: {min: 100, max: 100}, ttl_seconds: 86400, gc_grace_seconds: 3600}
keys: {partitions: 100}
cassette:
  strategy: TWCS
  options: {compaction_window_unit: HOURS, compaction_window_size: "1"}
phases:
  - {name: ingest, ops: 3000000, mix: {insert: 1}, partitions: round_robin,
     bucket_seconds: 86400, clock_every_ops: 100, clock_seconds: 14}
  - {name: settle}
)Y"},
        {"update-zipf", R"Y(name: update-zipf
description: "1M rows in 100k partitions, then 2M operations: 80% overwrite, 20% read, zipfian 0.99"
table: {payload: {min: 100, max: 100}}
keys: {partitions: 100000}
phases:
  - {name: load, ops: 1000000, mix: {insert: 1}, partitions: uniform}
  - {name: update, ops: 2000000, mix: {update: 0.8, read: 0.2}, partitions: zipfian}
  - {name: settle}
)Y"},
        {"queue", R"Y(name: queue
description: >-
  P5: 1000 queues; append at the tail, delete the head, read the first live row.
  The head read before and after 1M deletes (gc_grace 10 days: no tombstone is purged)
table: {clustering: oldest_first, payload: {min: 100, max: 100}}
keys: {partitions: 1000}
phases:
  - {name: fill, ops: 200000, mix: {insert: 1}, partitions: uniform}
  - {name: settle}
  - {name: head-before, ops: 50000, mix: {read_head: 1}, partitions: uniform}
  - {name: churn, ops: 2000000, mix: {insert: 0.5, delete_head: 0.5}, partitions: uniform}
  - {name: head-after, ops: 50000, mix: {read_head: 1}, partitions: uniform}
)Y"},
        {"queue-range", R"Y(name: queue-range
description: >-
  P5, the Cassandra idiom: as queue, but each consumed head is deleted with one range
  deletion of everything up to it (DELETE ... WHERE p = ? AND c <= ?)
table: {clustering: oldest_first, payload: {min: 100, max: 100}}
keys: {partitions: 1000}
phases:
  - {name: fill, ops: 200000, mix: {insert: 1}, partitions: uniform}
  - {name: settle}
  - {name: head-before, ops: 50000, mix: {read_head: 1}, partitions: uniform}
  - {name: churn, ops: 2000000, mix: {insert: 0.5, delete_upto: 0.5}, partitions: uniform}
  - {name: head-after, ops: 50000, mix: {read_head: 1}, partitions: uniform}
)Y"},
        {"smoke", R"Y(name: smoke
description: "every operation once or more on a tiny table: the lab's own test"
table: {clustering: oldest_first, payload: {min: 20, max: 60}, ttl_seconds: 0}
keys: {partitions: 50}
phases:
  - {name: load, ops: 3000, mix: {insert: 1}, partitions: uniform}
  - {name: settle}
  - {name: mixed, ops: 3000, partitions: zipfian,
     mix: {insert: 1, update: 1, read: 1, feed: 1, slice: 1, scan: 1, delete_head: 1, delete_upto: 0.2,
           read_head: 1, rmw: 1}}
  - {name: compact}
  - {name: read, ops: 500, mix: {read: 1}, partitions: uniform}
)Y"},
    };
    AddYcsb(all);
    return all;
  }();
  return *kAll;
}

}  // namespace cassette::lab

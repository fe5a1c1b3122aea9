// Workload files: the grammar's errors name the file, line and field; the built-ins parse.
#include "bench/lab/workload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bench/lab/keyspace.h"

namespace cassette::lab {
namespace {

using ::testing::HasSubstr;

TEST(WorkloadTest, EveryBuiltinParses) {
  for (const auto& [name, yaml] : BuiltinWorkloads()) {
    auto w = ParseWorkload(yaml, name);
    ASSERT_TRUE(w.ok()) << name << ": " << w.status();
    EXPECT_EQ(w->name, name);
    EXPECT_GT(w->TotalOps(), 0) << name;
  }
}

TEST(WorkloadTest, ParsesEveryField) {
  auto w = ParseWorkload(R"(name: t
description: d
table: {clustering: oldest_first, payload: {min: 10, max: 20}, ttl_seconds: 60, gc_grace_seconds: 5}
keys: {partitions: 7, hashed: true}
cassette: {strategy: LCS, options: {sstable_size_in_mb: 8}}
phases:
  - {name: a, ops: 100, mix: {insert: 3, read: 1}, partitions: latest, zipf_theta: 0.5}
  - {name: settle}
  - {name: b, ops: 5, mix: {scan: 1}, partitions: round_robin, scan_max: 9, bucket_seconds: 3,
     clock_every_ops: 2, clock_seconds: 4}
)",
                         "t.yaml");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_FALSE(w->newest_first);
  EXPECT_EQ(w->payload_min, 10);
  EXPECT_EQ(w->payload_max, 20);
  EXPECT_EQ(w->ttl_seconds, 60);
  EXPECT_EQ(w->gc_grace_seconds, 5);
  EXPECT_EQ(w->partitions, 7);
  EXPECT_TRUE(w->hashed);
  EXPECT_EQ(w->cassette_strategy, "LCS");
  EXPECT_EQ(w->cassette_options.at("sstable_size_in_mb"), "8");
  ASSERT_EQ(w->phases.size(), 3u);
  EXPECT_EQ(w->phases[0].mix.size(), 2u);
  EXPECT_EQ(w->phases[0].partitions, Dist::kLatest);
  EXPECT_DOUBLE_EQ(w->phases[0].zipf_theta, 0.5);
  EXPECT_TRUE(w->phases[1].special());
  EXPECT_EQ(w->phases[2].partitions, Dist::kRoundRobin);
  EXPECT_EQ(w->phases[2].scan_max, 9);
  EXPECT_EQ(w->phases[2].bucket_seconds, 3);
  EXPECT_EQ(w->phases[2].clock_seconds, 4);
  EXPECT_EQ(w->TotalOps(), 105);
}

struct BadCase {
  const char* yaml;
  const char* message;
};

TEST(WorkloadTest, ErrorsSayWhatAndWhere) {
  const BadCase cases[] = {
      {"name: t\nphases:\n  - {name: a, ops: 1, mix: {insert: 1}, partitons: uniform}\n",
       "t.yaml:3:41: unknown field 'partitons' in phases[0]"},
      {"name: t\nphases:\n  - {name: a, ops: 1, mix: {inster: 1}}\n", "unknown operation 'inster'"},
      {"name: t\nphases:\n  - {name: a, ops: 1, mix: {insert: 1}, partitions: gaussian}\n",
       "unknown distribution 'gaussian'"},
      {"name: t\nphases:\n  - {name: a, ops: 0, mix: {insert: 1}}\n", "needs ops > 0"},
      {"name: t\nphases:\n  - {name: a, ops: 1}\n", "needs a mix"},
      {"name: t\nphases:\n  - {name: a, ops: 1, mix: {insert: -1}}\n", "must be a number >= 0"},
      {"name: t\nphases:\n  - {name: settle, ops: 3}\n", "takes no ops or mix"},
      {"name: t\ntable: {ttl_seconds: 630720001}\nphases: [{name: settle}]\n",
       "'ttl_seconds' = 630720001 is outside [0, 630720000]"},
      {"name: t\ntable: {payload: {min: 50, max: 10}}\nphases: [{name: settle}]\n",
       "'max' = 10 is outside [50"},
      {"name: t\nkeys: {partitions: zero}\nphases: [{name: settle}]\n",
       "'partitions' is not a number"},
      {"name: t\n", "needs a non-empty list of phases"},
      {"phases: [{name: settle}]\n", "has no name"},
      {"name: t\nphases: [{name: settle}\n", "t.yaml:"},  // YAML syntax error
  };
  for (const BadCase& c : cases) {
    auto w = ParseWorkload(c.yaml, "t.yaml");
    ASSERT_FALSE(w.ok()) << c.yaml;
    EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(w.status().message()), HasSubstr(c.message)) << c.yaml;
  }
}

TEST(WorkloadTest, LoadNamesBuiltinsOrFiles) {
  EXPECT_TRUE(LoadWorkload("feed").ok());
  auto missing = LoadWorkload("no-such");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("ycsb-a"));
  EXPECT_EQ(LoadWorkload("/no/such/file.yaml").status().code(), absl::StatusCode::kNotFound);
}

TEST(WorkloadTest, ScaleMultipliesOpsPartitionsAndClockSteps) {
  auto w = LoadWorkload("timeseries-ttl");
  ASSERT_TRUE(w.ok());
  const int64_t ops = w->phases[0].ops, every = w->phases[0].clock_every_ops;
  ScaleWorkload(0.01, &*w);
  EXPECT_EQ(w->phases[0].ops, ops / 100);
  EXPECT_EQ(w->phases[0].clock_every_ops, every / 100);
  EXPECT_EQ(w->partitions, 1);     // never below one
  EXPECT_EQ(w->phases[1].ops, 0);  // settle stays a settle
}

TEST(KeyspaceTest, ZipfianFavoursLowRanks) {
  Zipfian z(1000, 0.99);
  std::vector<int> hits(1000);
  uint64_t r = 7;
  for (int k = 0; k < 200000; ++k) hits[z.Next(r = SplitMix64(r))]++;
  // P(rank 0) = 1/zeta(1000, 0.99) ≈ 0.13; rank 9 ≈ 1/10 of rank 0.
  EXPECT_GT(hits[0], 200000 * 0.11);
  EXPECT_LT(hits[0], 200000 * 0.15);
  EXPECT_GT(hits[0], 6 * hits[9]);
  EXPECT_GT(hits[1], hits[10]);
  z.Grow(2000);
  for (int k = 0; k < 1000; ++k) EXPECT_LT(z.Next(r = SplitMix64(r)), 2000u);
}

TEST(KeyspaceTest, ModelTracksRowsAndLiveBytes) {
  auto w = ParseWorkload(
      "name: t\ntable: {payload: {min: 10, max: 30}}\nkeys: {partitions: 3}\n"
      "phases: [{name: a, ops: 10, mix: {insert: 1}}]\n",
      "t");
  ASSERT_TRUE(w.ok());
  Keyspace ks(*w, 1);
  EXPECT_TRUE(ks.Empty(1));
  uint64_t bytes = 0;
  for (int k = 0; k < 5; ++k) {
    const int64_t c = ks.Append(1, 100, 0);
    EXPECT_EQ(c, k);
    bytes += 16 + static_cast<uint64_t>(ks.PayloadSize(1, c));
    std::string p;
    ks.Payload(1, c, 0, &p);
    EXPECT_EQ(p.size(), static_cast<size_t>(ks.PayloadSize(1, c)));
    EXPECT_GE(p.size(), 10u);
    EXPECT_LE(p.size(), 30u);
  }
  EXPECT_EQ(ks.live_bytes(100), bytes);
  ks.PopHead(1);
  EXPECT_EQ(ks.head(1), 1);
  EXPECT_EQ(ks.live_bytes(100), bytes - 16 - static_cast<uint64_t>(ks.PayloadSize(1, 0)));
  for (int k = 0; k < 100; ++k) {
    const int64_t c = ks.RandomRow(1);
    EXPECT_GE(c, 1);
    EXPECT_LT(c, 5);
  }
}

TEST(KeyspaceTest, TtlBytesExpireOnTheLabClock) {
  auto w = ParseWorkload(
      "name: t\ntable: {ttl_seconds: 10}\nkeys: {partitions: 2}\n"
      "phases: [{name: a, ops: 10, mix: {insert: 1}}]\n",
      "t");
  ASSERT_TRUE(w.ok());
  Keyspace ks(*w, 1);
  ks.Append(0, 100, 10);
  ks.Append(1, 105, 10);
  EXPECT_EQ(ks.live_bytes(109), 2u * 116);
  EXPECT_EQ(ks.live_bytes(110), 116u);
  EXPECT_EQ(ks.live_bytes(115), 0u);
}

TEST(KeyspaceTest, TimeBucketsMakeNewPartitions) {
  auto w = LoadWorkload("timeseries-ttl");
  ASSERT_TRUE(w.ok());
  Keyspace ks(*w, 1);
  EXPECT_EQ(ks.PartitionId(3, 86400 * 2 + 5, 86400), ks.PartitionId(3, 86400 * 3 - 1, 86400));
  EXPECT_NE(ks.PartitionId(3, 86400 * 2, 86400), ks.PartitionId(3, 86400 * 3, 86400));
  EXPECT_NE(ks.PartitionId(3, 86400 * 2, 86400), ks.PartitionId(4, 86400 * 2, 86400));
}

}  // namespace
}  // namespace cassette::lab

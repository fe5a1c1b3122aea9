// A compaction job reading its inputs by sequential scans (the job's way, with the
// live-row copy path) writes byte for byte the SSTables, and reports the same result,
// as one reading them through the read path's Sources (read_through_sources), for
// inputs with every kind of data: overwrites across inputs, partition deletions that
// shadow whole inputs, range tombstones, static rows, row deletions, tombstones and
// expiring cells around now and gc_before, other SSTables blocking purges, and outputs
// split by size and by token.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "db/compaction_job.h"
#include "db/table_info.h"
#include "sstable/file_names.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"

namespace cassette {
namespace {

constexpr int64_t kTs = 1'700'000'000'000'000;  // µs
constexpr int64_t kSec = 1'700'000'000;         // s

// Moves every timestamp of `m` by `delta` µs: input i holds data of its own second, so
// a newer input's partition deletion can be newer than everything an older one holds.
void Shift(Model* m, int64_t delta) {
  auto row = [&](Row* r) {
    if (!r->liveness.IsEmpty()) r->liveness.timestamp += delta;
    if (!r->deletion.IsLive()) r->deletion.marked_for_delete_at += delta;
    for (Cell& c : r->cells) c.timestamp += delta;
  };
  for (ModelPartition& p : m->partitions) {
    if (!p.deletion.IsLive()) p.deletion.marked_for_delete_at += delta;
    RangeTombstoneList rts;
    for (const RangeTombstone& rt : p.range_tombstones.fragments()) {
      rts.Add(rt.start, rt.end, Del(rt.deletion.marked_for_delete_at + delta, rt.deletion.ldt));
    }
    p.range_tombstones = std::move(rts);
    if (!p.static_row.IsEmpty()) row(&p.static_row);
    for (Row& r : p.rows) row(&r);
  }
}

// Input `i` of a case: RandomModel's mix over a shared key space, shifted to second i,
// with partition deletions that are recent (shadowing the older inputs whole) and rows
// made live and simple (the copy path) half of the time.
Model Input(uint64_t seed, int i, int partitions, std::mt19937_64& rng) {
  Model m = RandomModel(seed * 100 + static_cast<uint64_t>(i), partitions, 5, 50);
  // Keep a random subset of the partitions, so inputs overlap partly.
  std::vector<ModelPartition> kept;
  for (ModelPartition& p : m.partitions) {
    if (rng() % 3) kept.push_back(std::move(p));
  }
  m.partitions = std::move(kept);
  for (ModelPartition& p : m.partitions) {
    if (rng() % 2) {
      p.deletion = DeletionTime::Live();
      p.range_tombstones = RangeTombstoneList();
      for (Row& r : p.rows) {
        MakeRowLive(&r);
        for (Cell& c : r.cells) {
          if (c.value.empty()) c.value = m.Keep(std::string("v"));
        }
        if (r.IsEmpty()) r.liveness.timestamp = kTs + static_cast<int64_t>(rng() % 1000);
      }
    }
  }
  Shift(&m, int64_t{i} * 1'000'000);
  for (ModelPartition& p : m.partitions) {
    if (i > 0 && rng() % 8 == 0) {
      p.deletion = Del(kTs + int64_t{i} * 1'000'000 - 1'500'000, kSec + 100);
    }
  }
  return m;
}

struct Output {
  CompactionJobResult result;
  std::vector<std::string> files;  // each output's data then index bytes
};

Output RunJob(const CompactionJobSpec& base, TestEnv* env, const std::string& dir,
              bool read_through_sources) {
  CompactionJobSpec spec = base;
  spec.dir = dir;
  uint64_t next = 100;
  spec.new_file_number = [&next] { return next++; };
  spec.read_through_sources = read_through_sources;
  auto r = RunCompactionJob(spec);
  EXPECT_TRUE(r.ok()) << r.status();
  Output out;
  if (!r.ok()) return out;
  out.result = *r;
  for (const auto& sst : r->outputs) {
    for (SSTableFileKind kind : {SSTableFileKind::kData, SSTableFileKind::kIndex}) {
      out.files.push_back(env->files[SSTableFilePath(dir, sst->file_number(), kind)]);
    }
  }
  return out;
}

TEST(CompactionIdentityTest, ScannedInputsWriteTheSameSSTablesAsTheReadPath) {
  TableSchema schema;
  schema.keyspace = "ks";
  schema.name = "t";
  schema.columns = {{"p", CqlType::kText, ColumnKind::kPartitionKey},
                    {"c", CqlType::kInt, ColumnKind::kClustering},
                    {"v", CqlType::kBlob, ColumnKind::kRegular}};
  int copied_cases = 0, purged_cases = 0, split_cases = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    std::mt19937_64 rng(seed);
    schema.options.gc_grace_seconds = std::vector<int>{0, 300, 864000}[rng() % 3];
    auto table = TableInfo::Build(schema);
    ASSERT_TRUE(table.ok()) << table.status();
    TestEnv env;
    SSTableWriterOptions wo;
    wo.block_size = std::vector<size_t>{128, 1024, 16384}[rng() % 3];
    wo.row_index_interval = 300;
    CompactionJobSpec spec;
    spec.table = table->get();
    spec.env = &env;
    spec.now_sec = kSec + static_cast<int64_t>(rng() % 2000);
    const int inputs = 1 + static_cast<int>(rng() % 5);
    int64_t min_ts = INT64_MAX;
    for (int i = 0; i < inputs + 1; ++i) {
      const Model m = Input(seed, i, 60, rng);
      // Inputs' bases: the first value written (as a flush), or a hint (as a compaction).
      SSTableWriterOptions io = wo;
      if (rng() % 2) io.timestamp_base_hint = kTs + int64_t{i} * 1'000'000;
      const auto written = WriteModel(&env, "in", 1 + static_cast<uint64_t>(i), io, m);
      ASSERT_TRUE(written.ok()) << written.status();
      auto sst = SSTable::Open(&env, "in", 1 + static_cast<uint64_t>(i));
      ASSERT_TRUE(sst.ok()) << sst.status();
      // The last one is outside the compaction half of the time: it blocks purges.
      if (i == inputs && rng() % 2) {
        spec.others.push_back(*sst);
      } else {
        spec.inputs.push_back(*sst);
        spec.task.inputs.push_back((*sst)->file_number());
        min_ts = std::min(min_ts, (*sst)->stats().min_timestamp);
      }
    }
    if (rng() % 2) wo.timestamp_base_hint = min_ts;  // as db_compact.cc sets it
    spec.writer_options = wo;
    if (rng() % 3 == 0) {
      spec.task.max_output_bytes = 2000 + rng() % 4000;
      ++split_cases;
    }
    if (rng() % 3 == 0) spec.task.split_tokens = {INT64_MIN / 2, 0, INT64_MAX / 2};

    const Output scanned = RunJob(spec, &env, "a", false);
    const Output sourced = RunJob(spec, &env, "b", true);
    ASSERT_FALSE(sourced.result.outputs.empty());
    EXPECT_EQ(scanned.result.bytes_in, sourced.result.bytes_in);
    EXPECT_EQ(scanned.result.bytes_out, sourced.result.bytes_out);
    EXPECT_EQ(scanned.result.partitions_in, sourced.result.partitions_in);
    EXPECT_EQ(scanned.result.partitions_out, sourced.result.partitions_out);
    EXPECT_EQ(scanned.result.rows_out, sourced.result.rows_out);
    EXPECT_EQ(scanned.result.tombstones_purged, sourced.result.tombstones_purged);
    EXPECT_EQ(scanned.result.merged_histogram, sourced.result.merged_histogram);
    ASSERT_EQ(scanned.files.size(), sourced.files.size());
    for (size_t f = 0; f < scanned.files.size(); ++f) {
      EXPECT_TRUE(scanned.files[f] == sourced.files[f]) << "output file " << f << " differs";
    }
    purged_cases += sourced.result.tombstones_purged > 0 ? 1 : 0;
    copied_cases += scanned.result.rows_out > 0 ? 1 : 0;
  }
  // The cases reached what they are for.
  EXPECT_GT(purged_cases, 10);
  EXPECT_GT(copied_cases, 50);
  EXPECT_GT(split_cases, 10);
}

}  // namespace
}  // namespace cassette

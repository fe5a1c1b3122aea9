// Round trips through SSTableWriter and the SSTable Source.

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sstable/block_cache.h"
#include "sstable/file_names.h"
#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"
#include "sstable/stats_collector.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"

namespace cassette {
namespace {

constexpr char kDir[] = "/db";

std::shared_ptr<const SSTable> OpenOk(Env* env, uint64_t number) {
  auto t = SSTable::Open(env, kDir, number);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : nullptr;
}

// Checks every way of reading `m` from `table`.
void CheckTable(const SSTable& table, std::shared_ptr<const SSTable> self, const Model& m,
                uint64_t seed) {
  auto src = table.NewSource(std::move(self));
  Model scratch;
  std::mt19937_64 rng(seed);
  for (const ModelPartition& p : m.partitions) {
    SCOPED_TRACE(p.key);
    PartitionHeader h;
    auto found = src->ReadPartition(p.key, &h);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(*found);
    EXPECT_EQ(h.deletion, p.deletion);
    EXPECT_EQ(h.range_tombstones, p.range_tombstones);
    EXPECT_EQ(h.static_row, p.static_row);
    for (bool reversed : {false, true}) {
      std::vector<Row> got;
      auto c = src->NewRowCursor(p.key, "", kClusteringTop, reversed);
      ASSERT_TRUE(ReadAll(c.get(), &scratch, &got).ok()) << c->status();
      EXPECT_EQ(got, Slice(p.rows, "", kClusteringTop, reversed)) << "reversed=" << reversed;
    }
    // Arbitrary slices: bounds on, between, before and after rows.
    const uint32_t span = 2 * static_cast<uint32_t>(p.rows.size()) + 3;
    for (int i = 0; i < 6; ++i) {
      std::string lo = Clustering(static_cast<uint32_t>(rng() % span));
      std::string hi = Clustering(static_cast<uint32_t>(rng() % span));
      if (rng() % 5 == 0) lo = "";
      if (rng() % 5 == 0) hi = std::string(kClusteringTop);
      if (rng() % 3 == 0) lo += '\x11';  // just after a prefix
      bool reversed = rng() % 2;
      std::vector<Row> got;
      auto c = src->NewRowCursor(p.key, lo, hi, reversed);
      ASSERT_TRUE(ReadAll(c.get(), &scratch, &got).ok()) << c->status();
      EXPECT_EQ(got, Slice(p.rows, lo, hi, reversed)) << "reversed=" << reversed;
    }
  }
  // Absent keys.
  for (uint32_t i = 0; i < 20; ++i) {
    std::string k = Key(1'000'000 + i);
    PartitionHeader h;
    auto found = src->ReadPartition(k, &h);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(*found);
    auto c = src->NewRowCursor(k, "", kClusteringTop, false);
    EXPECT_FALSE(c->Valid());
    EXPECT_TRUE(c->status().ok());
  }
  // The partition cursor, from the start and from keys on and between partitions.
  std::vector<std::string> keys;
  for (auto c = src->NewPartitionCursor(""); c->Valid(); c->Next()) keys.emplace_back(c->key());
  std::vector<std::string> want;
  for (const ModelPartition& p : m.partitions) want.push_back(p.key);
  EXPECT_EQ(keys, want);
  for (size_t i = 0; i < want.size(); i += 1 + want.size() / 7) {
    for (std::string start : {want[i], want[i] + '\0'}) {
      auto c = src->NewPartitionCursor(start);
      auto it = std::lower_bound(want.begin(), want.end(), start);
      for (; it != want.end(); ++it, c->Next()) {
        ASSERT_TRUE(c->Valid());
        EXPECT_EQ(c->key(), *it);
      }
      EXPECT_FALSE(c->Valid());
      EXPECT_TRUE(c->status().ok());
    }
  }
}

struct Config {
  int zstd_level;
  size_t block_size;
  size_t row_index_interval;
  size_t summary_interval;
};

class RoundTripTest : public testing::TestWithParam<Config> {};

TEST_P(RoundTripTest, EveryReadMatchesTheModel) {
  const Config cfg = GetParam();
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    TestEnv env;
    Model m = RandomModel(seed, 40, 30, seed == 3 ? 3000 : 40);
    SSTableWriterOptions o;
    o.zstd_level = cfg.zstd_level;
    o.block_size = cfg.block_size;
    o.row_index_interval = cfg.row_index_interval;
    o.summary_interval = cfg.summary_interval;
    auto stats = WriteModel(&env, kDir, 7, o, m);
    ASSERT_TRUE(stats.ok()) << stats.status();
    auto t = OpenOk(&env, 7);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->stats().partition_count, 40);
    EXPECT_TRUE(t->filter_usable());
    CheckTable(*t, t, m, seed);
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, RoundTripTest,
                         testing::Values(Config{0, 16 << 10, 64 << 10, 128},
                                         Config{3, 16 << 10, 64 << 10, 128}, Config{0, 64, 100, 1},
                                         Config{1, 128, 300, 3}, Config{-5, 256, 1, 2},
                                         Config{3, 4096, 512, 7}));

// The summary search compares keys' first 8 bytes (the token) as integers and reads the
// keys themselves only among equal ones: keys sharing their first 8 bytes (a token
// collision), of several lengths, must all be found, and keys between them not.
TEST(SSTableTest, KeysSharingTheirFirstEightBytesAreFound) {
  const std::string head("\x80\x00\x00\x00\x00\x00\x00\x07", 8);
  std::vector<std::string> keys = {std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8) + "z",
                                   head,
                                   head + std::string(1, '\0'),
                                   head + "a",
                                   head + "b",
                                   head + "ba",
                                   head + "c",
                                   std::string("\x80\x00\x00\x00\x00\x00\x00\x08", 8)};
  Model m;
  for (const std::string& k : keys) {
    ModelPartition p;
    p.key = k;
    Row r;
    r.clustering = m.Keep(Clustering(1));
    r.cells.push_back(Cell{.column = 0, .timestamp = 10, .value = "v"});
    p.rows.push_back(r);
    m.partitions.push_back(std::move(p));
  }
  for (size_t interval : {1, 2, 3}) {
    SCOPED_TRACE(interval);
    TestEnv env;
    SSTableWriterOptions o;
    o.summary_interval = interval;
    ASSERT_TRUE(WriteModel(&env, kDir, 3, o, m).ok());
    auto t = OpenOk(&env, 3);
    ASSERT_NE(t, nullptr);
    CheckTable(*t, t, m, 1);
    auto src = t->NewSource(t);
    for (const std::string& absent : {head + "aa", head + "bb", head + "d", head.substr(0, 7)}) {
      PartitionHeader h;
      auto found = src->ReadPartition(absent, &h);
      ASSERT_TRUE(found.ok()) << found.status();
      EXPECT_FALSE(*found) << absent;
    }
  }
}

// A block read first asks for about the table's average frame (BlockFile::first_read)
// and reads the rest of a longer frame separately. Frames here are far apart in size:
// half the partitions hold runs of one byte (compressing to almost nothing), half
// random bytes (not compressing at all).
TEST(SSTableTest, FramesLongerThanTheAverageReadWhole) {
  std::mt19937_64 rng(5);
  Model m;
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < 60; ++i) keys.push_back(Key(i));
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    ModelPartition p;
    p.key = keys[i];
    for (uint32_t r = 0; r < 8; ++r) {
      Row row;
      row.clustering = m.Keep(Clustering(r));
      std::string value(700, 'a');
      if (i % 2 == 1) {
        for (char& c : value) c = static_cast<char>(rng());
      }
      row.cells.push_back(Cell{.column = 0, .timestamp = 10, .value = m.Keep(value)});
      p.rows.push_back(std::move(row));
    }
    m.partitions.push_back(std::move(p));
  }
  TestEnv env;
  SSTableWriterOptions o;
  o.zstd_level = 3;
  o.block_size = 4096;
  auto written = WriteModel(&env, kDir, 4, o, m);
  ASSERT_TRUE(written.ok()) << written.status();
  auto t = OpenOk(&env, 4);
  ASSERT_NE(t, nullptr);
  CheckTable(*t, t, m, 2);
}

// A writer given a cache leaves there every block of both files, exactly as a reader
// would get it back: the table reads whole and right without one block from disk.
TEST(SSTableTest, BlocksCachedAsWrittenServeEveryRead) {
  const Model m = RandomModel(9, 40, 30, 200);
  TestEnv env;
  SharedBlockCache cache(64 << 20);
  SSTableWriterOptions o;
  o.block_size = 1024;
  o.cache_written_blocks = &cache;
  auto written = WriteModel(&env, kDir, 6, o, m);
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_GT(cache.usage(), 0u);
  auto t = SSTable::Open(&env, kDir, 6, &cache);
  ASSERT_TRUE(t.ok()) << t.status();
  CheckTable(**t, *t, m, 4);
  EXPECT_EQ(cache.misses(), 0u);
  EXPECT_GT(cache.hits(), 0u);
  // The same reads through a cold cache do go to the files.
  SharedBlockCache cold(64 << 20);
  auto t2 = SSTable::Open(&env, kDir, 6, &cold);
  ASSERT_TRUE(t2.ok()) << t2.status();
  CheckTable(**t2, *t2, m, 4);
  EXPECT_GT(cold.misses(), 0u);
}

// Blocks larger than the decompressor's per-thread buffer are decompressed straight
// into the block: both ways give the same table.
TEST(SSTableTest, LargeBlocksReadBack) {
  const Model m = RandomModel(3, 60, 100, 1000);
  TestEnv env;
  SSTableWriterOptions o;
  o.block_size = 1 << 20;
  auto written = WriteModel(&env, kDir, 7, o, m);
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_GT(written->uncompressed_bytes, o.block_size);
  auto t = OpenOk(&env, 7);
  ASSERT_NE(t, nullptr);
  CheckTable(*t, t, m, 5);
}

TEST(SSTableTest, EmptyTable) {
  TestEnv env;
  auto w = SSTableWriter::Create(&env, kDir, 1, {});
  ASSERT_TRUE(w.ok());
  auto stats = (*w)->Finish();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->partition_count, 0);
  auto t = OpenOk(&env, 1);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->total_bytes(), env.files["/db/cs-1-Index.db"].size());
  EXPECT_EQ(env.files["/db/cs-1-Data.db"].size(), 0u);
  EXPECT_FALSE(t->MayContain(Key(1)));
  auto src = t->NewSource(t);
  PartitionHeader h;
  auto found = src->ReadPartition(Key(1), &h);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(*found);
  EXPECT_FALSE(src->NewPartitionCursor("")->Valid());
  EXPECT_FALSE(src->NewRowCursor(Key(1), "", kClusteringTop, true)->Valid());
}

TEST(SSTableTest, HugeCellsSpanManyBlocks) {
  TestEnv env;
  Model m;
  ModelPartition p;
  p.key = Key(1);
  std::string big(100'000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  for (uint32_t i = 0; i < 5; ++i) {
    Row r;
    r.clustering = m.Keep(Clustering(i));
    r.cells.push_back(Cell{.column = 1, .timestamp = 5, .value = m.Keep(big + char('a' + i))});
    p.rows.push_back(r);
  }
  p.static_row.cells.push_back(Cell{.column = 0, .timestamp = 5, .value = m.Keep(big)});
  m.partitions.push_back(std::move(p));
  for (int level : {0, 3}) {
    SSTableWriterOptions o;
    o.zstd_level = level;
    o.block_size = 4096;
    o.row_index_interval = 150'000;
    ASSERT_TRUE(WriteModel(&env, kDir, 2, o, m).ok());
    auto t = OpenOk(&env, 2);
    ASSERT_NE(t, nullptr);
    CheckTable(*t, t, m, 9);
  }
}

// A wide partition: a slice must seek through the row index, not read the partition.
TEST(SSTableTest, WidePartitionSliceReadsFewBlocks) {
  TestEnv env;
  Model m;
  ModelPartition p;
  p.key = Key(5);
  const uint32_t kRows = 20'000;
  for (uint32_t i = 0; i < kRows; ++i) {
    Row r;
    r.clustering = m.Keep(Clustering(2 * i));
    r.liveness.timestamp = 1000 + i;
    r.cells.push_back(
        Cell{.column = 0, .timestamp = 1000 + i, .value = m.Keep(std::string(40, 'v'))});
    p.rows.push_back(r);
  }
  m.partitions.push_back(std::move(p));
  SSTableWriterOptions o;
  o.zstd_level = 0;
  o.block_size = 4096;
  o.row_index_interval = 8192;
  ASSERT_TRUE(WriteModel(&env, kDir, 3, o, m).ok());
  const size_t data_blocks = env.files["/db/cs-3-Data.db"].size() / 4096;
  ASSERT_GT(data_blocks, 200u);
  auto t = OpenOk(&env, 3);
  ASSERT_NE(t, nullptr);
  for (bool reversed : {false, true}) {
    for (uint32_t first : {0u, 7'777u, 19'990u}) {
      auto src = t->NewSource(t);
      const SSTableReadCounters before = t->read_counters();
      std::string lo = Clustering(2 * first), hi = Clustering(2 * (first + 10));
      std::vector<Row> got;
      Model scratch;
      auto c = src->NewRowCursor(m.partitions[0].key, lo, hi, reversed);
      ASSERT_TRUE(ReadAll(c.get(), &scratch, &got).ok());
      EXPECT_EQ(got, Slice(m.partitions[0].rows, lo, hi, reversed));
      const SSTableReadCounters after = t->read_counters();
      // One index block or two, and the blocks of at most two row-index spans.
      EXPECT_LE(after.blocks_read - before.blocks_read, 8u) << "first=" << first;
      EXPECT_LE(after.bytes_read - before.bytes_read, 8u * (4096 + 17));
      std::cout << "slice at " << first << (reversed ? " reversed" : "") << " of " << data_blocks
                << " data blocks: " << after.blocks_read - before.blocks_read
                << " blocks read (index included)\n";
    }
  }
  // A full read does read everything.
  auto src = t->NewSource(t);
  const SSTableReadCounters before = t->read_counters();
  std::vector<Row> got;
  Model scratch;
  auto c = src->NewRowCursor(m.partitions[0].key, "", kClusteringTop, false);
  ASSERT_TRUE(ReadAll(c.get(), &scratch, &got).ok());
  EXPECT_EQ(got.size(), kRows);
  EXPECT_GE(t->read_counters().blocks_read - before.blocks_read, data_blocks);
}

TEST(SSTableTest, StatsFollowTheirDefinitions) {
  TestEnv env;
  Model m;
  ModelPartition a;
  a.key = Key(1);
  a.deletion = Del(100, 5000);
  a.range_tombstones.Add(Clustering(1), Clustering(3), Del(200, 6000));
  a.static_row.cells.push_back(Cell{.column = 0, .timestamp = 300, .value = "s"});
  Row r1;
  r1.clustering = m.Keep(Clustering(2));
  r1.liveness = LivenessInfo{.timestamp = 400, .ttl = 60, .ldt = 7060};
  r1.cells.push_back(Cell{.column = 1, .timestamp = 400, .ttl = 60, .ldt = 7060, .value = "e"});
  r1.cells.push_back(Cell{.column = 2, .timestamp = 50, .ldt = 4000, .value = {}});
  a.rows.push_back(r1);
  ModelPartition b;
  b.key = Key(2);
  Row r2;
  r2.clustering = m.Keep(Clustering(9));
  r2.deletion = Del(500, 8000);
  b.rows.push_back(r2);
  if (b.key < a.key) std::swap(a, b);
  m.partitions = {a, b};
  SSTableWriterOptions o;
  o.level = 2;
  o.created_at_micros = 12345;
  auto stats = WriteModel(&env, kDir, 4, o, m);
  ASSERT_TRUE(stats.ok());
  const SSTableStats& s = *stats;
  EXPECT_EQ(s.min_timestamp, 50);
  EXPECT_EQ(s.max_timestamp, 500);
  EXPECT_EQ(s.min_local_deletion_time, 4000);
  EXPECT_EQ(s.max_local_deletion_time, kNoDeletionTime);  // the live static cell
  EXPECT_EQ(s.min_ttl, 60);
  EXPECT_EQ(s.max_ttl, 60);
  EXPECT_EQ(s.min_clustering, Clustering(2));
  EXPECT_EQ(s.max_clustering, Clustering(9));
  EXPECT_EQ(s.first_key, m.partitions[0].key);
  EXPECT_EQ(s.last_key, m.partitions[1].key);
  EXPECT_EQ(s.first_token, TokenOfDecorated(m.partitions[0].key));
  EXPECT_EQ(s.last_token, TokenOfDecorated(m.partitions[1].key));
  EXPECT_EQ(s.partition_count, 2);
  EXPECT_EQ(s.row_count, 3);  // the static row counts
  EXPECT_EQ(s.cell_count, 3);
  EXPECT_EQ(s.tombstone_count, 4);  // partition, range, row deletions and a cell tombstone
  std::map<int64_t, int64_t> drops = {{4000, 1}, {5000, 1}, {6000, 1}, {7060, 2}, {8000, 1}};
  EXPECT_EQ(s.tombstone_drop_times, drops);
  int64_t cells_total = 0;
  for (auto [bucket, n] : s.cell_count_histogram) cells_total += n;
  EXPECT_EQ(cells_total, 2);
  EXPECT_EQ(s.cell_count_histogram.count(4), 1u);  // partition a: 3 cells -> bucket 4
  EXPECT_EQ(s.cell_count_histogram.count(1), 1u);  // partition b: 0 cells -> bucket 1
  int64_t sizes_total = 0;
  for (auto [bucket, n] : s.partition_size_histogram) sizes_total += n;
  EXPECT_EQ(sizes_total, 2);
  EXPECT_EQ(s.level, 2);
  EXPECT_EQ(s.created_at_micros, 12345);
  EXPECT_EQ(s.data_bytes, env.files["/db/cs-4-Data.db"].size());
  EXPECT_GT(s.uncompressed_bytes, 0u);
  // The statistics read back equal those Finish returned.
  auto t = OpenOk(&env, 4);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->stats().tombstone_drop_times, s.tombstone_drop_times);
  EXPECT_EQ(t->stats().partition_size_histogram, s.partition_size_histogram);
  EXPECT_EQ(t->stats().max_local_deletion_time, s.max_local_deletion_time);
  EXPECT_EQ(t->stats().min_clustering, s.min_clustering);
  EXPECT_EQ(t->stats().uncompressed_bytes, s.uncompressed_bytes);
  EXPECT_EQ(t->total_bytes(),
            env.files["/db/cs-4-Data.db"].size() + env.files["/db/cs-4-Index.db"].size());
}

TEST(SSTableTest, StatsWithoutTtlOrLiveData) {
  TestEnv env;
  Model m;
  ModelPartition p;
  p.key = Key(1);
  Row r;
  r.clustering = m.Keep(Clustering(1));
  r.cells.push_back(Cell{.column = 0, .timestamp = 9, .ldt = 100, .value = {}});
  p.rows.push_back(r);
  m.partitions.push_back(p);
  auto stats = WriteModel(&env, kDir, 5, {}, m);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->min_ttl, 0);
  EXPECT_EQ(stats->max_ttl, 0);
  EXPECT_EQ(stats->max_local_deletion_time, 100);
  EXPECT_EQ(StatsCollector::Bucket(0), 1);
  EXPECT_EQ(StatsCollector::Bucket(5), 8);
  EXPECT_EQ(StatsCollector::Bucket(8), 8);
}

TEST(SSTableTest, WriterRejectsMisuse) {
  TestEnv env;
  auto w = SSTableWriter::Create(&env, kDir, 6, {});
  ASSERT_TRUE(w.ok());
  const std::string c5 = Clustering(5);
  Row live;
  live.clustering = c5;
  live.liveness.timestamp = 1;
  std::string k1 = Key(1), k2 = Key(2);
  if (k2 < k1) std::swap(k1, k2);
  EXPECT_EQ((*w)->AddRow(live).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*w)->BeginPartition(k2, {}, {}, {}).ok());
  Row empty;
  empty.clustering = "x";
  EXPECT_EQ((*w)->AddRow(empty).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*w)->AddRow(live).ok());
  EXPECT_EQ((*w)->AddRow(live).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->Finish().status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*w)->EndPartition().ok());
  EXPECT_EQ((*w)->BeginPartition(k1, {}, {}, {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->BeginPartition("short", {}, {}, {}).code(), absl::StatusCode::kInvalidArgument);
  SSTableWriterOptions bad;
  bad.block_size = 1;
  EXPECT_EQ(SSTableWriter::Create(&env, kDir, 8, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SSTableTest, RowViewsStayValidUntilNext) {
  TestEnv env;
  Model m = RandomModel(11, 3, 200, 300);
  SSTableWriterOptions o;
  o.block_size = 128;
  o.row_index_interval = 1000;
  ASSERT_TRUE(WriteModel(&env, kDir, 9, o, m).ok());
  auto t = OpenOk(&env, 9);
  ASSERT_NE(t, nullptr);
  auto src = t->NewSource(t);
  for (const ModelPartition& p : m.partitions) {
    for (bool reversed : {false, true}) {
      auto c = src->NewRowCursor(p.key, "", kClusteringTop, reversed);
      // Interleave another cursor's reads and header reads over the same cache: the
      // current row's views must survive (ASan checks).
      auto other = src->NewRowCursor(m.partitions[0].key, "", kClusteringTop, !reversed);
      std::vector<Row> want = Slice(p.rows, "", kClusteringTop, reversed);
      size_t i = 0;
      for (; c->Valid(); c->Next(), ++i) {
        const Row& r = c->row();
        if (other->Valid()) other->Next();
        PartitionHeader h;
        ASSERT_TRUE(src->ReadPartition(m.partitions[i % 3].key, &h).ok());
        ASSERT_LT(i, want.size());
        EXPECT_EQ(r, want[i]);
      }
      EXPECT_EQ(i, want.size());
    }
  }
}

TEST(SSTableTest, HeaderOutlivesLaterReads) {
  TestEnv env;
  Model m = RandomModel(12, 30, 5, 500);
  SSTableWriterOptions o;
  o.block_size = 64;
  ASSERT_TRUE(WriteModel(&env, kDir, 10, o, m).ok());
  auto t = OpenOk(&env, 10);
  ASSERT_NE(t, nullptr);
  auto src = t->NewSource(t);
  std::vector<PartitionHeader> headers(m.partitions.size());
  for (size_t i = 0; i < m.partitions.size(); ++i) {
    ASSERT_TRUE(src->ReadPartition(m.partitions[i].key, &headers[i]).ok());
  }
  for (size_t i = 0; i < m.partitions.size(); ++i) {
    EXPECT_EQ(headers[i].static_row, m.partitions[i].static_row);
  }
}

TEST(FileNamesTest, RoundTripAndRejects) {
  uint64_t n;
  SSTableFileKind k;
  EXPECT_EQ(SSTableFileName(42, SSTableFileKind::kData), "cs-42-Data.db");
  EXPECT_EQ(SSTableFileName(0, SSTableFileKind::kIndex), "cs-0-Index.db");
  ASSERT_TRUE(ParseSSTableFileName("cs-42-Data.db", &n, &k));
  EXPECT_EQ(n, 42u);
  EXPECT_EQ(k, SSTableFileKind::kData);
  ASSERT_TRUE(ParseSSTableFileName("cs-18446744073709551615-Index.db", &n, &k));
  EXPECT_EQ(n, UINT64_MAX);
  EXPECT_EQ(k, SSTableFileKind::kIndex);
  for (const char* bad :
       {"cs--Data.db", "cs-01-Data.db", "cs-1-Data.db.tmp", "nb-1-Data.db",
        "cs-18446744073709551616-Data.db", "cs-1x-Data.db", "cs-1-Filter.db", "MANIFEST", ""}) {
    EXPECT_FALSE(ParseSSTableFileName(bad, &n, &k)) << bad;
  }
}

}  // namespace
}  // namespace cassette

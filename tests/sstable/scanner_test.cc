// SSTableScanner (sstable/sstable_scanner.h): a sequential scan yields what the table
// holds, partition by partition, whether or not the rows are read; damage is DataLoss.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sstable/file_names.h"
#include "sstable/sstable_scanner.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"

namespace cassette {
namespace {

std::shared_ptr<const SSTable> WriteAndOpen(TestEnv* env, const Model& m, size_t block_size) {
  SSTableWriterOptions o;
  o.block_size = block_size;
  o.row_index_interval = 200;
  EXPECT_TRUE(WriteModel(env, "d", 1, o, m).ok());
  auto sst = SSTable::Open(env, "d", 1);
  EXPECT_TRUE(sst.ok()) << sst.status();
  return sst.ok() ? *sst : nullptr;
}

TEST(ScannerTest, YieldsEveryPartitionHeaderAndRowInOrder) {
  for (uint64_t seed : {1, 2, 3}) {
    for (size_t block_size : {size_t{64}, size_t{700}, size_t{16} << 10}) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << " block " << block_size);
      TestEnv env;
      const Model m = RandomModel(seed, 200, 8, 100);
      auto sst = WriteAndOpen(&env, m, block_size);
      ASSERT_NE(sst, nullptr);
      auto scanner = sst->NewScanner(sst);
      Model copies;
      for (const ModelPartition& p : m.partitions) {
        ASSERT_TRUE(scanner->NextPartition()) << scanner->status();
        EXPECT_EQ(scanner->key(), p.key);
        EXPECT_EQ(scanner->header().deletion, p.deletion);
        EXPECT_EQ(scanner->header().range_tombstones, p.range_tombstones);
        EXPECT_EQ(scanner->header().static_row, p.static_row);
        std::vector<Row> rows;
        RowCursor* c = scanner->rows();
        for (; c->Valid(); c->Next()) {
          EXPECT_EQ(c->clustering(), c->row().clustering);
          // A live row's record decodes to the row the cursor gives.
          if (const LiveRowRecord* live = scanner->live_row()) {
            Row decoded;
            ASSERT_TRUE(DecodeRowRecord(live->record, scanner->bases(), &decoded).ok());
            EXPECT_EQ(decoded, c->row());
          }
          Row r = c->row();
          r.clustering = copies.Keep(std::string(r.clustering));
          for (Cell& cell : r.cells) cell.value = copies.Keep(std::string(cell.value));
          rows.push_back(std::move(r));
        }
        ASSERT_TRUE(c->status().ok()) << c->status();
        EXPECT_EQ(rows, p.rows);
      }
      EXPECT_FALSE(scanner->NextPartition());
      EXPECT_TRUE(scanner->status().ok()) << scanner->status();
    }
  }
}

TEST(ScannerTest, RowsNotReadAreSkipped) {
  TestEnv env;
  const Model m = RandomModel(5, 300, 10, 50);
  auto sst = WriteAndOpen(&env, m, 256);
  ASSERT_NE(sst, nullptr);
  auto scanner = sst->NewScanner(sst);
  std::mt19937_64 rng(5);
  for (const ModelPartition& p : m.partitions) {
    ASSERT_TRUE(scanner->NextPartition()) << scanner->status();
    ASSERT_EQ(scanner->key(), p.key);
    // None, some or all of the rows.
    const size_t read = rng() % 3 == 0 ? 0 : rng() % (p.rows.size() + 1);
    if (read == 0) continue;
    RowCursor* c = scanner->rows();
    for (size_t i = 0; i < read; ++i, c->Next()) {
      ASSERT_TRUE(c->Valid());
      EXPECT_EQ(c->row(), p.rows[i]);
    }
  }
  EXPECT_FALSE(scanner->NextPartition());
  EXPECT_TRUE(scanner->status().ok()) << scanner->status();
}

// A table with no partition (valid: the writer allows it) has an empty data stream.
TEST(ScannerTest, AnEmptyTableYieldsNothing) {
  TestEnv env;
  auto sst = WriteAndOpen(&env, Model{}, 512);
  ASSERT_NE(sst, nullptr);
  auto scanner = sst->NewScanner(sst);
  EXPECT_FALSE(scanner->NextPartition());
  EXPECT_TRUE(scanner->status().ok()) << scanner->status();
}

TEST(ScannerTest, DamagedDataIsDataLossNamingTheFile) {
  TestEnv env;
  const Model m = RandomModel(9, 100, 6, 60);
  SSTableWriterOptions o;
  o.block_size = 512;
  ASSERT_TRUE(WriteModel(&env, "d", 1, o, m).ok());
  const std::string path = SSTableFilePath("d", 1, SSTableFileKind::kData);
  const std::string original = env.files[path];
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200; ++i) {
    env.files[path] = original;
    env.files[path][rng() % original.size()] ^= static_cast<char>(1 << (rng() % 8));
    auto sst = SSTable::Open(&env, "d", 1);
    ASSERT_TRUE(sst.ok()) << sst.status();  // the data file is checked when it is read
    auto scanner = (*sst)->NewScanner(*sst);
    while (scanner->NextPartition()) {
      for (RowCursor* c = scanner->rows(); c->Valid(); c->Next()) {
      }
    }
    // Every data byte is under a block checksum.
    ASSERT_EQ(scanner->status().code(), absl::StatusCode::kDataLoss) << scanner->status();
    EXPECT_NE(scanner->status().message().find(path), absl::string_view::npos);
  }
}

}  // namespace
}  // namespace cassette

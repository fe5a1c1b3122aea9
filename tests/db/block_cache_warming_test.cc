// Options::cache_written_blocks: a flush's blocks, and a compaction's when readers had
// most of its inputs cached, go into the block cache as they are written, so the first
// reads after either touch no file. Reads are counted by the FaultInjectionEnv.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cassette/cassette.h"
#include "env/fault_injection_env.h"

namespace cassette {
namespace {

constexpr char kDir[] = "/db";
constexpr char kTable[] = "ks.t";
constexpr int kRows = 3000;

class BlockCacheWarmingTest : public ::testing::Test {
 protected:
  void Open(bool cache_written_blocks, size_t cache_bytes = 64 << 20) {
    db_.reset();
    Options o;
    o.env = &env_;
    o.cache_written_blocks = cache_written_blocks;
    o.block_cache_bytes = cache_bytes;
    auto db = Db::Open(o, kDir);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    TableSchema s{"ks",
                  "t",
                  {{"k", CqlType::kInt, ColumnKind::kPartitionKey},
                   {"v", CqlType::kText, ColumnKind::kRegular}},
                  {}};
    s.options.compaction_class = "SizeTieredCompactionStrategy";
    s.options.compaction_options = {{"enabled", "false"}};
    ASSERT_TRUE(db_->CreateTable(s).ok());
  }
  // Rows [from, to), then a flush: one SSTable.
  void WriteAndFlush(int from, int to) {
    for (int k = from; k < to; ++k) {
      ASSERT_TRUE(db_->Write(WriteBatch().Insert(
                                 kTable, {{"k", Value::Int(k)},
                                          {"v", Value::Text(std::string(200, 'a' + k % 26))}}))
                      .ok());
    }
    ASSERT_TRUE(db_->Flush(kTable).ok());
  }
  // Reads every row back; returns how many file reads that took.
  int64_t ReadAll() {
    const int64_t before = env_.Count(FaultOp::kRead);
    for (int k = 0; k < kRows; ++k) {
      auto r = db_->Get(kTable, {{"k", Value::Int(k)}});
      EXPECT_TRUE(r.ok() && r->has_value()) << k;
    }
    return env_.Count(FaultOp::kRead) - before;
  }

  FaultInjectionEnv env_;
  std::unique_ptr<Db> db_;
};

TEST_F(BlockCacheWarmingTest, FlushedAndCompactedBlocksAreReadFromTheCache) {
  ASSERT_NO_FATAL_FAILURE(Open(true));
  WriteAndFlush(0, kRows / 2);
  WriteAndFlush(kRows / 2, kRows);
  EXPECT_EQ(ReadAll(), 0);
  ASSERT_TRUE(db_->Compact(kTable).ok());  // the inputs were all cached
  EXPECT_EQ(db_->GetTableStats(kTable)->sstable_count, 1);
  EXPECT_EQ(ReadAll(), 0);
}

TEST_F(BlockCacheWarmingTest, WithoutItTheFirstReadsGoToTheFiles) {
  ASSERT_NO_FATAL_FAILURE(Open(false));
  WriteAndFlush(0, kRows / 2);
  WriteAndFlush(kRows / 2, kRows);
  EXPECT_GT(ReadAll(), 0);
  EXPECT_EQ(ReadAll(), 0);  // now they are cached
  ASSERT_TRUE(db_->Compact(kTable).ok());
  EXPECT_GT(ReadAll(), 0);
}

TEST_F(BlockCacheWarmingTest, ACompactionOfDataReadersDidNotUseIsNotCached) {
  // A cache too small to keep the flushed blocks: the inputs are cold, so the outputs
  // are not put into the cache and reads after the compaction go to the files.
  ASSERT_NO_FATAL_FAILURE(Open(true, 64 << 10));
  WriteAndFlush(0, kRows / 2);
  WriteAndFlush(kRows / 2, kRows);
  ASSERT_TRUE(db_->Compact(kTable).ok());
  EXPECT_GT(ReadAll(), 0);
}

}  // namespace
}  // namespace cassette

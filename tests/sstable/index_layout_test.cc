// How the writer lays out a partition's row index and the summary: spans that start at
// row_index_first_span and grow with the partition, and summary samples bounded by index
// bytes as well as by count (sstable_writer.h). Any layout is a valid file; these pin
// the layout the read path's costs depend on (docs/benchmarks.md, P3 and P5).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sstable/block_stream.h"
#include "sstable/table.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"

namespace cassette {
namespace {

constexpr char kDir[] = "/db";

// A partition of `rows` rows of about 100 bytes each.
ModelPartition Partition(Model* m, uint32_t key, uint32_t rows) {
  ModelPartition p;
  p.key = Key(key);
  for (uint32_t i = 0; i < rows; ++i) {
    Row r;
    r.clustering = m->Keep(Clustering(2 * i));
    r.liveness.timestamp = 1000 + i;
    r.cells.push_back(
        Cell{.column = 0, .timestamp = 1000 + i, .value = m->Keep(std::string(90, 'v'))});
    p.rows.push_back(r);
  }
  return p;
}

std::shared_ptr<const Table> WriteAndOpen(TestEnv* env, uint64_t number,
                                          const SSTableWriterOptions& o, Model* m) {
  std::sort(m->partitions.begin(), m->partitions.end(),
            [](const ModelPartition& a, const ModelPartition& b) { return a.key < b.key; });
  EXPECT_TRUE(WriteModel(env, kDir, number, o, *m).ok());
  auto t = SSTable::Open(env, kDir, number);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::static_pointer_cast<const Table>(*t) : nullptr;
}

size_t RowIndexSize(const Table& t, const std::string& key) {
  BlockCache cache;
  IndexEntry entry;
  Table::IndexResume resume;
  auto found = t.FindEntry(key, &cache, &entry, &resume);
  EXPECT_TRUE(found.ok() && *found) << key;
  return entry.row_index.size();
}

TEST(IndexLayoutTest, RowIndexSpansStartSmallAndGrowWithThePartition) {
  TestEnv env;
  Model m;
  // About 3 KiB, 200 KiB and 8 MiB of rows.
  m.partitions.push_back(Partition(&m, 1, 30));
  m.partitions.push_back(Partition(&m, 2, 2'000));
  m.partitions.push_back(Partition(&m, 3, 80'000));
  SSTableWriterOptions o;  // the defaults: spans from 4 KiB up to 64 KiB
  o.zstd_level = 0;
  auto t = WriteAndOpen(&env, 1, o, &m);
  ASSERT_NE(t, nullptr);
  for (const ModelPartition& p : m.partitions) {
    const size_t spans = RowIndexSize(*t, p.key);
    const size_t rows = p.rows.size();
    if (rows == 30) {
      EXPECT_EQ(spans, 0u) << "one span: no row index";
    } else if (rows == 2'000) {
      // 4 KiB spans: about 50 (64 KiB spans would give 3).
      EXPECT_GE(spans, 40u);
      EXPECT_LE(spans, 60u);
    } else {
      // 64 spans of 4 KiB, about 180 growing from 4 to 64 KiB, 64 of 64 KiB: about 300
      // (64 KiB throughout would give 128, 4 KiB throughout 2,000).
      EXPECT_GE(spans, 250u);
      EXPECT_LE(spans, 350u);
    }
    // Slices anywhere in the partition still read exactly the model's rows.
    auto src = t->NewSource(t);
    for (uint32_t first :
         {0u, 7u, static_cast<uint32_t>(rows / 2), static_cast<uint32_t>(rows - 3)}) {
      for (bool reversed : {false, true}) {
        const std::string lo = Clustering(2 * first), hi = Clustering(2 * (first + 5));
        Model scratch;
        std::vector<Row> got;
        auto c = src->NewRowCursor(p.key, lo, hi, reversed);
        ASSERT_TRUE(ReadAll(c.get(), &scratch, &got).ok());
        EXPECT_EQ(got, Slice(p.rows, lo, hi, reversed)) << "rows " << rows << " at " << first;
      }
    }
  }
}

// Index entries that carry row indexes are large: sampling every 32nd would make a
// lookup walk up to 32 of them. The summary then samples once per KiB of index.
TEST(IndexLayoutTest, SummarySamplesLargeIndexEntriesByBytes) {
  TestEnv env;
  Model m;
  for (uint32_t k = 0; k < 320; ++k) m.partitions.push_back(Partition(&m, k, 400));  // ~40 KiB
  SSTableWriterOptions o;
  o.zstd_level = 0;
  auto t = WriteAndOpen(&env, 2, o, &m);
  ASSERT_NE(t, nullptr);
  // Each entry holds ~10 spans (~150 bytes): ~7 entries per KiB, so about 45 samples
  // rather than the 10 a count of 32 alone would take.
  EXPECT_GE(t->summary_size(), 35u);
  EXPECT_LE(t->summary_size(), 80u);
  for (const ModelPartition& p : m.partitions) EXPECT_EQ(RowIndexSize(*t, p.key) > 0, true);

  // Small entries (no row index) are still sampled by count: every 32nd.
  TestEnv env2;
  Model small;
  for (uint32_t k = 0; k < 320; ++k) small.partitions.push_back(Partition(&small, k, 3));
  auto t2 = WriteAndOpen(&env2, 3, o, &small);
  ASSERT_NE(t2, nullptr);
  EXPECT_EQ(t2->summary_size(), 10u);
}

}  // namespace
}  // namespace cassette

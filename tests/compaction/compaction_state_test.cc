#include "compaction/compaction_state.h"

#include "compaction/picker_text.h"
#include "gtest/gtest.h"

namespace cassette {
namespace {

using picker_text::KeyForToken;
using picker_text::ParseScenario;
using picker_text::Scenario;

TEST(CompactionStateTest, ApplyReplacesInputsAndRecordsRoundRobin) {
  Scenario sc;
  ParseScenario(R"(
    sstable 1 level=1 tokens=0..100
    sstable 2 level=1 tokens=101..200
    sstable 3 level=2 tokens=0..150
    sstable 4 level=2 tokens=151..300
  )",
                &sc);
  CompactionTask task;
  task.inputs = {2, 4};
  task.output_level = 2;
  SSTableInfo out;
  out.file_number = 9;
  out.first_key = KeyForToken(101);
  out.last_key = KeyForToken(300);
  ASSERT_TRUE(ApplyCompaction(task, {out}, &sc.state).ok());
  EXPECT_EQ(sc.state.sstables.size(), 3u);
  ASSERT_NE(sc.state.Find(9), nullptr);
  EXPECT_EQ(sc.state.Find(9)->level, 2);
  EXPECT_EQ(sc.state.Find(2), nullptr);
  EXPECT_EQ(sc.state.last_compacted_key.at(1), KeyForToken(200));
}

TEST(CompactionStateTest, ApplyRejectsUnknownInputWithoutChanging) {
  Scenario sc;
  ParseScenario("sstable 1\nsstable 2", &sc);
  CompactionTask task;
  task.inputs = {1, 7};
  absl::Status s = ApplyCompaction(task, {}, &sc.state);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(sc.state.sstables.size(), 2u);
  task.inputs = {1, 1};
  EXPECT_FALSE(ApplyCompaction(task, {}, &sc.state).ok());
  EXPECT_EQ(sc.state.sstables.size(), 2u);
}

TEST(CompactionStateTest, DroppableRatioCountsOnlyBeforeGcBefore) {
  Scenario sc;
  ParseScenario("sstable 1 cells=100 drop=10:20,50:30,60:5", &sc);
  const SSTableInfo& s = sc.state.sstables[0];
  EXPECT_DOUBLE_EQ(s.DroppableTombstoneRatio(10), 0.0);
  EXPECT_DOUBLE_EQ(s.DroppableTombstoneRatio(11), 0.2);
  EXPECT_DOUBLE_EQ(s.DroppableTombstoneRatio(60), 0.5);
  EXPECT_DOUBLE_EQ(s.DroppableTombstoneRatio(1000), 0.55);
}

TEST(CompactionStateTest, AvailableSkipsCompacting) {
  Scenario sc;
  ParseScenario("sstable 1\nsstable 2\nsstable 3\ncompacting 2", &sc);
  auto avail = sc.view.Available();
  ASSERT_EQ(avail.size(), 2u);
  EXPECT_EQ(avail[0]->file_number, 1u);
  EXPECT_EQ(avail[1]->file_number, 3u);
}

}  // namespace
}  // namespace cassette

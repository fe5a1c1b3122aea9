#include "row/partition_merger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cassette {
namespace {

class FakeCursor final : public PartitionCursor {
 public:
  FakeCursor(std::vector<std::string> keys, absl::Status fail_at_end = absl::OkStatus())
      : keys_(std::move(keys)), fail_(std::move(fail_at_end)) {}
  bool Valid() const override { return i_ < keys_.size(); }
  std::string_view key() const override { return keys_[i_]; }
  void Next() override { ++i_; }
  absl::Status status() const override { return Valid() ? absl::OkStatus() : fail_; }

 private:
  std::vector<std::string> keys_;
  size_t i_ = 0;
  absl::Status fail_;
};

TEST(PartitionMergerTest, VisitsEachKeyOnceInOrderWithTheCursorsHoldingIt) {
  std::vector<std::unique_ptr<PartitionCursor>> cursors;
  cursors.push_back(std::make_unique<FakeCursor>(std::vector<std::string>{"a", "c", "d"}));
  cursors.push_back(std::make_unique<FakeCursor>(std::vector<std::string>{}));
  cursors.push_back(std::make_unique<FakeCursor>(std::vector<std::string>{"b", "c"}));
  PartitionMerger m(std::move(cursors));
  std::string key;
  std::vector<size_t> holding;
  std::vector<std::string> seen;
  std::vector<std::vector<size_t>> who;
  while (m.Next(&key, &holding)) {
    seen.push_back(key);
    who.push_back(holding);
  }
  EXPECT_TRUE(m.status().ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(who, (std::vector<std::vector<size_t>>{{0}, {2}, {0, 2}, {0}}));
}

TEST(PartitionMergerTest, StopsOnACursorError) {
  std::vector<std::unique_ptr<PartitionCursor>> cursors;
  cursors.push_back(std::make_unique<FakeCursor>(std::vector<std::string>{"a"}));
  cursors.push_back(std::make_unique<FakeCursor>(std::vector<std::string>{"b"},
                                                 absl::DataLossError("bad index at 12")));
  PartitionMerger m(std::move(cursors));
  std::string key;
  std::vector<size_t> holding;
  ASSERT_TRUE(m.Next(&key, &holding));
  ASSERT_TRUE(m.Next(&key, &holding));
  EXPECT_EQ(key, "b");
  EXPECT_FALSE(m.Next(&key, &holding));
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cassette

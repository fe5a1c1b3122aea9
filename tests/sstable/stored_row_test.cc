// Stored rows (row_format.h): a row's clustering kept as the prefix it shares with the
// previous row plus the rest. Round trips, and what a reader must refuse.

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "sstable/index_format.h"
#include "sstable/row_format.h"
#include "util/coding.h"

namespace cassette {
namespace {

std::string Logical(std::string_view clustering, std::string_view body) {
  std::string out;
  PutLengthPrefixed(&out, clustering);
  out.append(body);
  return out;
}

std::string Stored(std::string_view clustering, std::string_view previous,
                   std::string_view body = "B") {
  std::string out;
  AppendStoredRow(Logical(clustering, body), previous, &out);
  return out;
}

absl::Status Parse(std::string_view stored, bool has_previous, std::string previous,
                   std::string* clustering = nullptr) {
  std::string c = std::move(previous);
  std::string_view body;
  absl::Status s = ParseStoredRow(stored, kSSTableFormatVersion, has_previous, &c, &body);
  if (clustering != nullptr) *clustering = c;
  return s;
}

// Clusterings in order, each stored against the one before it (or against nothing at a
// restart, as a partition's first row and each row-index span's first row are), read
// back exactly: clustering and body.
RC_GTEST_PROP(StoredRowProp, RoundTripsWithAnyRestarts, ()) {
  const auto set = *rc::gen::container<std::set<std::string>>(
      rc::gen::container<std::string>(rc::gen::elementOf(std::string("\x00\x01\x10\xff", 4))));
  const std::vector<std::string> clusterings(set.begin(), set.end());
  const auto restarts =
      *rc::gen::container<std::vector<bool>>(clusterings.size(), rc::gen::arbitrary<bool>());
  std::vector<std::string> stored;
  std::string bodies;
  for (size_t i = 0; i < clusterings.size(); ++i) {
    const bool restart = i == 0 || restarts[i];
    const std::string body = "body" + std::to_string(i);
    stored.push_back(Stored(clusterings[i], restart ? "" : clusterings[i - 1], body));
    // Never larger than the logical record by more than the prefix length's byte.
    RC_ASSERT(stored.back().size() <= Logical(clusterings[i], body).size() + 1);
  }
  std::string current;
  for (size_t i = 0; i < stored.size(); ++i) {
    const bool restart = i == 0 || restarts[i];
    std::string_view body;
    RC_ASSERT(ParseStoredRow(stored[i], kSSTableFormatVersion, !restart, &current, &body).ok());
    RC_ASSERT(current == clusterings[i]);
    RC_ASSERT(body == "body" + std::to_string(i));
  }
}

TEST(StoredRowTest, NeighboursShareTheirPrefix) {
  // Bigint clusterings 41 and 42: 9 bytes each, 8 in common.
  const std::string a("\x10\x80\0\0\0\0\0\0\x29", 9), b("\x10\x80\0\0\0\0\0\0\x2a", 9);
  // One head byte: suffix length 1 << 4 | 8 shared.
  EXPECT_EQ(Stored(b, a), std::string("\x18\x2a"
                                      "B",
                                      3));
  EXPECT_EQ(Stored(b, ""), std::string("\x90\x01", 2) + b + "B");  // 9 << 4, as a varint
  std::string c;
  ASSERT_TRUE(Parse(Stored(b, a), true, a, &c).ok());
  EXPECT_EQ(c, b);
}

TEST(StoredRowTest, RefusesWhatNoWriterWrites) {
  // A shared prefix where there is no previous row (a span or partition start).
  EXPECT_EQ(Parse(Stored("ab", "aa"), false, "").code(), absl::StatusCode::kDataLoss);
  // More shared bytes than the previous clustering has.
  EXPECT_EQ(Parse(std::string("\x13z"
                              "B",
                              3),
                  true, "ab")
                .code(),
            absl::StatusCode::kDataLoss);
  // Not after the previous row: equal, or smaller.
  const absl::Status equal = Parse(Stored("ab", "aa"), true, "ab");
  EXPECT_EQ(equal.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(equal.message().find("out of clustering order"), std::string_view::npos) << equal;
  EXPECT_EQ(Parse(Stored("ab", "aa"), true, "ac").code(), absl::StatusCode::kDataLoss);
  // Extending the previous clustering sorts after it.
  EXPECT_TRUE(Parse(Stored("abc", "ab"), true, "ab").ok());
  // Truncated: no suffix length, a suffix past the end.
  EXPECT_EQ(Parse(std::string("\x01", 1), true, "a").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Parse(std::string("\x50"
                              "ab",
                              3),
                  false, "")
                .code(),
            absl::StatusCode::kDataLoss);
  // A head saying that more of the shared length follows, and nothing follows.
  EXPECT_EQ(Parse(std::string("\x1f", 1), true, std::string(20, 'a')).code(),
            absl::StatusCode::kDataLoss);
}

TEST(StoredRowTest, LongSharedPrefixesTakeASecondVarint) {
  const std::string a = std::string(18, 'p') + "ab", b = std::string(18, 'p') + "ac";
  // 19 shared: 15 in the head (suffix length 1 << 4 | 15), 4 after it; suffix "c".
  EXPECT_EQ(Stored(b, a), std::string("\x1f\x04"
                                      "c"
                                      "B",
                                      4));
  std::string c;
  ASSERT_TRUE(Parse(Stored(b, a), true, a, &c).ok());
  EXPECT_EQ(c, b);
}

TEST(StoredRowTest, VersionTwoRowsSpellBothLengths) {
  std::string c = "aa";  // the previous row
  std::string_view body;
  const std::string stored(
      "\x01\x01"
      "b"
      "B",
      4);  // shared 1, suffix "b" (length-prefixed), body
  ASSERT_TRUE(ParseStoredRow(stored, 2, true, &c, &body).ok());
  EXPECT_EQ(c, "ab");
  EXPECT_EQ(body, "B");
}

TEST(StoredRowTest, VersionOneRowsHoldTheirWholeClustering) {
  std::string c = "aa";  // the previous row
  std::string_view body;
  const std::string stored = Logical("ab", "B");  // version 1 stored the logical record
  ASSERT_TRUE(ParseStoredRow(stored, 1, true, &c, &body).ok());
  EXPECT_EQ(c, "ab");
  EXPECT_EQ(body, "B");
}

}  // namespace
}  // namespace cassette

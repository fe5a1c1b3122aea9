// Pins the on-disk bytes of a tiny commit-log segment and of a batch payload. These are
// the bytes annotated in docs/commitlog-format.md; if this test fails, the format changed:
// bump kSegmentFormatVersion and update the document rather than the expected strings.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "commitlog/commit_log.h"
#include "commitlog/log_record.h"
#include "commitlog/log_test_util.h"
#include "commitlog/mutation_codec.h"
#include "commitlog/segment_names.h"
#include "env/fault_injection_env.h"
#include "util/coding.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace cassette {
namespace {

using testing_util::OpenLog;
using testing_util::ReadAll;
using testing_util::Replayed;
using testing_util::WriteAll;

constexpr char kDir[] = "/golden";

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// The batch of the document: seq 7, table "t", partition key bytes "pk" (the log treats
// the decorated key as opaque bytes), one row at clustering "c" with a row marker at
// timestamp 1000 and column 1 = "v" at timestamp 1000.
std::vector<BatchEntry> GoldenBatch() {
  std::vector<BatchEntry> entries(1);
  entries[0].table = "t";
  entries[0].update.decorated_key = "pk";
  RowUpdate row;
  row.clustering = "c";
  row.row.liveness.timestamp = 1000;
  row.row.cells = {Cell{.column = 1, .timestamp = 1000, .value = "v"}};
  entries[0].update.rows = {row};
  return entries;
}

constexpr std::string_view kGoldenBatch =
    "0700000000000000"  // seq = 7 (fixed64)
    "01"                // entry_count = 1
    "0174"              // table "t"
    "02706b"            // decorated_key "pk"
    "00"                // eflags: no partition deletion
    "00"                // rt_count = 0
    "01"                // row_count = 1
    "00"                // rflags: regular row
    "0163"              // clustering "c"
    "0a"                // body length 10
    "01"                // row flags: has liveness
    "d00f"              // liveness timestamp zigzag(1000) = 2000
    "01"                // cell_count = 1
    "01"                // column 1
    "00"                // cflags: live regular cell
    "d00f"              // timestamp zigzag(1000)
    "0176";             // value "v"

// Checked against libxxhash's one-shot XXH3_64bits_withSeed, outside this code base.
constexpr std::string_view kGoldenSegment =
    // segment header
    "43415353434c4f47"  // magic "CASSCLOG"
    "01000000"          // format version 1 (fixed32)
    "0100000000000000"  // segment id 1 (fixed64)
    // record at offset 20
    "05000000"          // length 5 (fixed32)
    "1df738cfadeb064b"  // checksum (fixed64), seed XXH3(01..00 || 14 00..00)
    "68656c6c6f"        // payload "hello"
    // record at offset 37
    "1f000000"          // length 31
    "2a19a655d7ecf330"  // checksum, seed XXH3(01..00 || 25 00..00)
    "070000000000000001017402706b0000010001630a01d00f010100d00f0176";  // kGoldenBatch

TEST(CommitLogGoldenTest, BatchPayloadBytes) {
  EXPECT_EQ(Hex(EncodeBatch(7, GoldenBatch())), kGoldenBatch);
}

TEST(CommitLogGoldenTest, SegmentBytes) {
  FaultInjectionEnv env;
  {
    Replayed r = OpenLog(&env, kDir);
    ASSERT_TRUE(r.status.ok()) << r.status;
    ASSERT_TRUE(r.log->Append("hello").ok());
    ASSERT_TRUE(r.log->Append(EncodeBatch(7, GoldenBatch())).ok());
    ASSERT_TRUE(r.log->Sync().ok());
  }
  EXPECT_EQ(Hex(ReadAll(&env, SegmentPath(kDir, 1))), kGoldenSegment);
}

// The checksum rule of the document, computed the straightforward way: one XXH3 call over
// length || payload, seeded with XXH3 of segment id || record offset.
uint64_t DocumentedChecksum(uint64_t segment_id, uint64_t offset, std::string_view payload) {
  std::string seed_input;
  PutFixed64(&seed_input, segment_id);
  PutFixed64(&seed_input, offset);
  const uint64_t seed = XXH3_64bits(seed_input.data(), seed_input.size());
  std::string input;
  PutFixed32(&input, static_cast<uint32_t>(payload.size()));
  input.append(payload);
  return XXH3_64bits_withSeed(input.data(), input.size(), seed);
}

TEST(CommitLogGoldenTest, ChecksumsFollowTheDocumentedRule) {
  const std::string segment = Unhex(kGoldenSegment);
  EXPECT_EQ(DecodeFixed64(segment.data() + 24), DocumentedChecksum(1, 20, "hello"));
  const std::string batch = Unhex(kGoldenBatch);
  EXPECT_EQ(DecodeFixed64(segment.data() + 41), DocumentedChecksum(1, 37, batch));
  // Both the small-record path and the streaming path of RecordChecksum agree with it.
  for (size_t n : {0, 1, 255, 256, 257, 1000, 100000}) {
    const std::string payload(n, static_cast<char>('a' + n % 26));
    EXPECT_EQ(RecordChecksum(3, 1234, payload), DocumentedChecksum(3, 1234, payload)) << n;
  }
}

TEST(CommitLogGoldenTest, GoldenSegmentReplays) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir(kDir).ok());
  WriteAll(&env, SegmentPath(kDir, 1), Unhex(kGoldenSegment));
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0], "hello");
  EXPECT_EQ(r.positions[1], (LogPosition{1, 80}));
  absl::StatusOr<DecodedBatch> batch = DecodeBatch(r.records[1]);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->seq(), 7u);
  ASSERT_EQ(batch->entries().size(), 1u);
  const PartitionUpdate& u = batch->entries()[0].update;
  EXPECT_EQ(batch->entries()[0].table, "t");
  EXPECT_EQ(u.decorated_key, "pk");
  ASSERT_EQ(u.rows.size(), 1u);
  EXPECT_EQ(u.rows[0].clustering, "c");
  EXPECT_EQ(u.rows[0].row.liveness.timestamp, 1000);
  ASSERT_EQ(u.rows[0].row.cells.size(), 1u);
  EXPECT_EQ(u.rows[0].row.cells[0].value, "v");
}

// The damage examples under the hex dump in the document.
TEST(CommitLogGoldenTest, DocumentedDamageExamples) {
  const std::string segment = Unhex(kGoldenSegment);
  for (size_t cut = 38; cut <= 79; ++cut) {
    FaultInjectionEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    WriteAll(&env, SegmentPath(kDir, 1), segment.substr(0, cut));
    Replayed r = OpenLog(&env, kDir);
    ASSERT_TRUE(r.status.ok()) << cut << ": " << r.status;
    EXPECT_EQ(r.records, std::vector<std::string>{"hello"}) << cut;
    EXPECT_EQ(*env.GetFileSize(SegmentPath(kDir, 1)), 37u) << cut;
  }
  for (size_t at = 24; at <= 36; ++at) {
    FaultInjectionEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    std::string damaged = segment;
    damaged[at] ^= 0x10;
    WriteAll(&env, SegmentPath(kDir, 1), damaged);
    Replayed r = OpenLog(&env, kDir);
    EXPECT_TRUE(absl::IsDataLoss(r.status)) << at << ": " << r.status;
    EXPECT_NE(r.status.message().find("CommitLog-1.log at offset 20:"), absl::string_view::npos)
        << r.status;
  }
}

}  // namespace
}  // namespace cassette

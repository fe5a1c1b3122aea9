// Pins the on-disk bytes of a tiny commit-log segment and of a batch payload. These are
// the bytes annotated in docs/commitlog-format.md; if this test fails, the format changed:
// bump kSegmentFormatVersion and update the document rather than the expected strings.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commitlog/commit_log.h"
#include "commitlog/log_record.h"
#include "commitlog/log_test_util.h"
#include "commitlog/mutation_codec.h"
#include "commitlog/segment_names.h"
#include "env/fault_injection_env.h"
#include "types/partition_key.h"
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

// The batch of the document: seq 7, table "t", partition key bytes "pk" (decorated with
// its token, which the log does not store), one row at clustering "c" with a row marker
// at timestamp 1000 and column 1 = "v" at timestamp 1000.
std::vector<BatchEntry> GoldenBatch() {
  std::vector<BatchEntry> entries(1);
  entries[0].table = "t";
  entries[0].update.decorated_key = DecoratePartitionKey("pk");
  RowUpdate row;
  row.clustering = "c";
  row.row.liveness.timestamp = 1000;
  row.row.cells = {Cell{.column = 1, .timestamp = 1000, .value = "v"}};
  entries[0].update.rows = {row};
  return entries;
}

constexpr std::string_view kGoldenBatch =
    "07"      // seq = 7 (varint64)
    "01"      // entry_count = 1
    "0174"    // table "t"
    "02706b"  // partition key "pk" (serialized, no token)
    "00"      // eflags: no partition deletion
    "00"      // rt_count = 0
    "01"      // row_count = 1
    "00"      // rflags: regular row
    "0163"    // clustering "c"
    "08"      // body length 8
    "01"      // row flags: has liveness
    "d00f"    // liveness timestamp zigzag(1000) = 2000
    "01"      // cell_count = 1
    "01"      // column 1
    "04"      // cflags: live regular cell, timestamp = the row's (not written)
    "0176";   // value "v"

// Checked against libxxhash's one-shot XXH3_64bits / XXH3_64bits_withSeed, called from a
// separate C program outside this code base.
constexpr std::string_view kGoldenSegment =
    // segment header
    "43415353434c4f47"  // magic "CASSCLOG"
    "04000000"          // format version 4 (fixed32)
    "0100000000000000"  // segment id 1 (fixed64)
    // record at offset 20; seed = XXH3(01..00 || 14 00..00)
    "05000000"          // length 5 (fixed32)
    "aee5b6c5"          // length check (fixed32): XXH3(05 00 00 00, seed + 1), low 32 bits
    "1df738cfadeb064b"  // checksum (fixed64): XXH3(05 00 00 00 || "hello", seed)
    "68656c6c6f"        // payload "hello"
    // record at offset 41; seed = XXH3(01..00 || 29 00..00)
    "16000000"          // length 22
    "d0384718"          // length check
    "77ced7f699b4d402"  // checksum
    // payload: kGoldenBatch
    "0701017402706b0000010001630801d00f0101040176";

// The same two records as written by format version 2 (fixed64 seq, the token in the
// key, cells repeating the row's timestamp), which this build must refuse to read.
constexpr std::string_view kVersion2Segment =
    "43415353434c4f47"
    "02000000"  // format version 2
    "0100000000000000"
    "05000000"
    "aee5b6c5"
    "1df738cfadeb064b"
    "68656c6c6f"
    "1f000000"
    "67d24c3e"
    "3a8387f0c82e2510"
    "070000000000000001017402706b0000010001630a01d00f010100d00f0176";

// The same two records as written by format version 1 (12-byte record header, no length
// check), which this build must refuse to read.
constexpr std::string_view kVersion1Segment =
    "43415353434c4f47"
    "01000000"  // format version 1
    "0100000000000000"
    "05000000"
    "1df738cfadeb064b"
    "68656c6c6f"
    "1f000000"
    "2a19a655d7ecf330"
    "070000000000000001017402706b0000010001630a01d00f010100d00f0176";

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

// The length-check rule of the document: the low 32 bits of one XXH3 call over the 4
// length bytes, seeded with the record's seed plus one.
uint32_t DocumentedLengthCheck(uint64_t segment_id, uint64_t offset, uint32_t length) {
  std::string seed_input;
  PutFixed64(&seed_input, segment_id);
  PutFixed64(&seed_input, offset);
  const uint64_t seed = XXH3_64bits(seed_input.data(), seed_input.size()) + 1;
  std::string input;
  PutFixed32(&input, length);
  return static_cast<uint32_t>(XXH3_64bits_withSeed(input.data(), input.size(), seed));
}

TEST(CommitLogGoldenTest, ChecksumsFollowTheDocumentedRule) {
  const std::string segment = Unhex(kGoldenSegment);
  EXPECT_EQ(DecodeFixed32(segment.data() + 24), DocumentedLengthCheck(1, 20, 5));
  EXPECT_EQ(DecodeFixed64(segment.data() + 28), DocumentedChecksum(1, 20, "hello"));
  const std::string batch = Unhex(kGoldenBatch);
  EXPECT_EQ(DecodeFixed32(segment.data() + 45), DocumentedLengthCheck(1, 41, 22));
  EXPECT_EQ(DecodeFixed64(segment.data() + 49), DocumentedChecksum(1, 41, batch));
  // Both the small-record path and the streaming path of RecordChecksum agree with it.
  for (size_t n : {0, 1, 255, 256, 257, 1000, 100000}) {
    const std::string payload(n, static_cast<char>('a' + n % 26));
    EXPECT_EQ(RecordChecksum(3, 1234, payload), DocumentedChecksum(3, 1234, payload)) << n;
    EXPECT_EQ(RecordLengthCheck(3, 1234, static_cast<uint32_t>(n)),
              DocumentedLengthCheck(3, 1234, static_cast<uint32_t>(n)))
        << n;
  }
  // Seeded with seed + 1: for an empty payload the length check and the checksum hash the
  // same 4 bytes, and must not be the same value.
  EXPECT_NE(RecordLengthCheck(3, 1234, 0), static_cast<uint32_t>(RecordChecksum(3, 1234, "")));
}

TEST(CommitLogGoldenTest, GoldenSegmentReplays) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir(kDir).ok());
  WriteAll(&env, SegmentPath(kDir, 1), Unhex(kGoldenSegment));
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0], "hello");
  EXPECT_EQ(r.positions[0], (LogPosition{1, 41}));
  EXPECT_EQ(r.positions[1], (LogPosition{1, 79}));
  absl::StatusOr<DecodedBatch> batch = DecodeBatch(r.records[1]);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->seq(), 7u);
  ASSERT_EQ(batch->entries().size(), 1u);
  const PartitionUpdate& u = batch->entries()[0].update;
  EXPECT_EQ(batch->entries()[0].table, "t");
  EXPECT_EQ(u.decorated_key, DecoratePartitionKey("pk"));
  ASSERT_EQ(u.rows.size(), 1u);
  EXPECT_EQ(u.rows[0].clustering, "c");
  EXPECT_EQ(u.rows[0].row.liveness.timestamp, 1000);
  ASSERT_EQ(u.rows[0].row.cells.size(), 1u);
  EXPECT_EQ(u.rows[0].row.cells[0].value, "v");
}

// The damage examples under the hex dump in the document.
TEST(CommitLogGoldenTest, DocumentedDamageExamples) {
  const std::string segment = Unhex(kGoldenSegment);
  ASSERT_EQ(segment.size(), 79u);
  // A cut anywhere in the second record — inside its header (42..56) or, with the whole
  // header present, inside its payload (57..78) — is a torn tail.
  for (size_t cut = 42; cut <= 78; ++cut) {
    FaultInjectionEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    WriteAll(&env, SegmentPath(kDir, 1), segment.substr(0, cut));
    Replayed r = OpenLog(&env, kDir);
    ASSERT_TRUE(r.status.ok()) << cut << ": " << r.status;
    EXPECT_EQ(r.records, std::vector<std::string>{"hello"}) << cut;
    EXPECT_EQ(r.report.torn_tail_bytes_dropped, cut - 41) << cut;
    EXPECT_EQ(r.report.torn_tail_records_dropped, 1u) << cut;
    EXPECT_EQ(*env.GetFileSize(SegmentPath(kDir, 1)), 41u) << cut;
  }
  // Every single-bit flip, by where it lands.
  for (size_t at = 0; at < segment.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE(absl::StrCat("byte ", at, " bit ", bit));
      FaultInjectionEnv env;
      ASSERT_TRUE(env.CreateDir(kDir).ok());
      std::string damaged = segment;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      WriteAll(&env, SegmentPath(kDir, 1), damaged);
      Replayed r = OpenLog(&env, kDir);
      if (at < 20) {
        // The segment header, with records after it.
        EXPECT_TRUE(absl::IsDataLoss(r.status)) << r.status;
        EXPECT_NE(r.status.message().find("CommitLog-1.log at offset 0:"), absl::string_view::npos)
            << r.status;
      } else if (at < 49) {
        // Anything in the first record, and the second (final) record's length or length
        // check: a damaged length is never taken for a torn tail, even when it points past
        // the end of the file.
        const uint64_t record = at < 41 ? 20 : 41;
        EXPECT_TRUE(absl::IsDataLoss(r.status)) << r.status;
        EXPECT_NE(r.status.message().find(absl::StrCat("CommitLog-1.log at offset ", record, ":")),
                  absl::string_view::npos)
            << r.status;
        EXPECT_EQ(*env.GetFileSize(SegmentPath(kDir, 1)), 79u);
      } else {
        // The final record's checksum or payload: what a partly written last page leaves.
        ASSERT_TRUE(r.status.ok()) << r.status;
        EXPECT_EQ(r.records, std::vector<std::string>{"hello"});
        EXPECT_EQ(r.report.torn_tail_bytes_dropped, 38u);
        EXPECT_EQ(*env.GetFileSize(SegmentPath(kDir, 1)), 41u);
      }
    }
  }
}

// Older format versions — 1 (before the length check) and 2 (before the compact batch
// payload) — are refused, not misread, not salvaged and not deleted: their records are
// intact, this build just cannot read them.
TEST(CommitLogGoldenTest, OlderVersionSegmentsAreRejected) {
  for (const auto& [version, hex] :
       {std::pair{1, kVersion1Segment}, std::pair{2, kVersion2Segment}}) {
    const std::string old = Unhex(hex);
    for (bool salvage : {false, true}) {
      // The whole segment, and the header alone (which in the current format would be
      // removed as a torn segment header if it were garbled).
      for (size_t size : {old.size(), kSegmentHeaderSize}) {
        SCOPED_TRACE(
            absl::StrCat("version ", version, ", salvage ", salvage, ", ", size, " bytes"));
        FaultInjectionEnv env;
        ASSERT_TRUE(env.CreateDir(kDir).ok());
        WriteAll(&env, SegmentPath(kDir, 1), old.substr(0, size));
        Replayed r = OpenLog(&env, kDir, CommitLogOptions{.salvage = salvage});
        EXPECT_TRUE(absl::IsFailedPrecondition(r.status)) << r.status;
        const std::string msg(r.status.message());
        EXPECT_NE(msg.find(SegmentPath(kDir, 1) + " at offset 0:"), std::string::npos) << msg;
        EXPECT_NE(msg.find(absl::StrCat("version ", version, " ")), std::string::npos) << msg;
        EXPECT_NE(msg.find("version 4"), std::string::npos) << msg;
        EXPECT_EQ(*env.GetFileSize(SegmentPath(kDir, 1)), size);
        EXPECT_TRUE(r.records.empty());
      }
    }
    // Also when it is not the last segment.
    FaultInjectionEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    WriteAll(&env, SegmentPath(kDir, 1), old);
    std::string header2;
    EncodeSegmentHeader(2, &header2);
    WriteAll(&env, SegmentPath(kDir, 2), header2);
    Replayed r = OpenLog(&env, kDir);
    EXPECT_TRUE(absl::IsFailedPrecondition(r.status)) << r.status;
    EXPECT_NE(r.status.message().find("CommitLog-1.log"), absl::string_view::npos) << r.status;
  }
}

// No single flipped bit turns the current version into an older one (version 3 was
// skipped for this): a damaged header is DataLoss, never "an older build wrote it".
TEST(CommitLogGoldenTest, NoBitFlipOfTheVersionReadsAsOlder) {
  for (int bit = 0; bit < 32; ++bit) {
    const uint32_t flipped = kSegmentFormatVersion ^ (1u << bit);
    EXPECT_TRUE(flipped == 0 || flipped > 2) << bit;
  }
}

}  // namespace
}  // namespace cassette

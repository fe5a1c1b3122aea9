// The commit log under damage: torn tails, flipped bytes and lengths, misplaced
// records and segments, and salvage mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commitlog/commit_log.h"
#include "commitlog/commit_log_fixture.h"
#include "commitlog/log_record.h"
#include "commitlog/log_test_util.h"
#include "commitlog/segment_names.h"
#include "env/fault_injection_env.h"
#include "util/coding.h"
#include "util/mutex.h"

namespace cassette {
namespace {

using commit_log_fixture::kDir;
using commit_log_fixture::Path;
using commit_log_fixture::Prefix;
using commit_log_fixture::RecordOffset;
using commit_log_fixture::Recs;
using commit_log_fixture::SegmentIds;
using commit_log_fixture::WriteLog;
using testing_util::OpenLog;
using testing_util::ReadAll;
using testing_util::Replayed;
using testing_util::WriteAll;

TEST(CommitLogTest, TornFinalRecordIsCutAtEveryOffset) {
  constexpr size_t kLen = 60;
  CommitLogOptions options;
  options.segment_size = 200;  // two records per segment: 20 + 2 * 76 = 172
  const std::vector<std::string> records = Recs(4, kLen);
  std::string seg1, seg2;
  {
    FaultInjectionEnv env;
    WriteLog(&env, records, options);
    ASSERT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2}));
    seg1 = ReadAll(&env, Path(1));
    seg2 = ReadAll(&env, Path(2));
  }
  const uint64_t final_start = RecordOffset(1, kLen);
  ASSERT_EQ(seg2.size(), RecordOffset(2, kLen));
  for (uint64_t cut = final_start; cut < seg2.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at ", cut));
    FaultInjectionEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    WriteAll(&env, Path(1), seg1);
    WriteAll(&env, Path(2), std::string_view(seg2).substr(0, cut));

    Replayed r = OpenLog(&env, kDir, options);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.records, Prefix(records, 3));
    EXPECT_EQ(r.report.torn_tail_bytes_dropped, cut - final_start);
    EXPECT_EQ(r.report.torn_tail_records_dropped, cut > final_start ? 1u : 0u);
    if (cut > final_start) {
      ASSERT_EQ(r.report.notes.size(), 1u);
      EXPECT_NE(r.report.notes[0].find("CommitLog-2.log"), std::string::npos);
      EXPECT_NE(r.report.notes[0].find(absl::StrCat("offset ", final_start)), std::string::npos)
          << r.report.notes[0];
      // Short of a whole header, or a whole header (its length check passes) with too few
      // payload bytes after it.
      EXPECT_NE(r.report.notes[0].find(cut - final_start < kRecordHeaderSize
                                           ? "partial record header"
                                           : "partial record (length 60"),
                std::string::npos)
          << r.report.notes[0];
    }
    EXPECT_EQ(*env.GetFileSize(Path(2)), final_start);
    r.log.reset();

    // The cut is final: the next open finds a clean log.
    Replayed again = OpenLog(&env, kDir, options);
    ASSERT_TRUE(again.status.ok()) << again.status;
    EXPECT_EQ(again.records, Prefix(records, 3));
    EXPECT_EQ(again.report.torn_tail_bytes_dropped, 0u);
  }
}

TEST(CommitLogTest, FinalRecordFailingItsChecksumIsATornTail) {
  constexpr size_t kLen = 30;
  const std::vector<std::string> records = Recs(3, kLen);
  FaultInjectionEnv env;
  WriteLog(&env, records);
  std::string seg = ReadAll(&env, Path(1));
  seg.back() ^= 0x40;  // as if the last page was only partly written
  WriteAll(&env, Path(1), seg);

  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, Prefix(records, 2));
  EXPECT_EQ(r.report.torn_tail_records_dropped, 1u);
  EXPECT_EQ(r.report.torn_tail_bytes_dropped, kRecordHeaderSize + kLen);
  EXPECT_EQ(*env.GetFileSize(Path(1)), RecordOffset(2, kLen));
}

TEST(CommitLogTest, TornHeaderOfTheLastSegmentRemovesIt) {
  const std::vector<std::string> records = Recs(2);
  std::string seg1;
  {
    FaultInjectionEnv env;
    WriteLog(&env, records);
    seg1 = ReadAll(&env, Path(1));
  }
  std::string header2;
  EncodeSegmentHeader(2, &header2);
  std::string garbled = header2;
  garbled[0] ^= 1;
  std::vector<std::string> stubs;
  for (size_t n = 0; n < kSegmentHeaderSize; ++n) stubs.push_back(header2.substr(0, n));
  stubs.push_back(garbled);  // complete but bad, with nothing after it
  for (const std::string& stub : stubs) {
    SCOPED_TRACE(absl::StrCat("stub of ", stub.size(), " bytes"));
    FaultInjectionEnv env;
    ASSERT_TRUE(env.CreateDir(kDir).ok());
    WriteAll(&env, Path(1), seg1);
    WriteAll(&env, Path(2), stub);
    Replayed r = OpenLog(&env, kDir);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.records, records);
    EXPECT_EQ(r.report.torn_tail_bytes_dropped, stub.size());
    EXPECT_EQ(r.report.torn_tail_records_dropped, 0u);
    EXPECT_EQ(r.report.notes.size(), 1u);
    EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 3}));
  }
}

// ---- Corruption

// Opens a log whose segment `id` had byte `offset` flipped; returns the result.
Replayed OpenWithFlippedByte(FaultInjectionEnv* env, uint64_t id, uint64_t offset, bool salvage) {
  std::string seg = ReadAll(env, Path(id));
  EXPECT_LT(offset, seg.size());
  seg[offset] ^= 0x01;
  WriteAll(env, Path(id), seg);
  CommitLogOptions options;
  options.salvage = salvage;
  return OpenLog(env, kDir, options);
}

void ExpectDataLossAt(const absl::Status& s, uint64_t id, uint64_t offset) {
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_NE(s.message().find(Path(id)), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find(absl::StrCat("offset ", offset, ":")), absl::string_view::npos) << s;
}

TEST(CommitLogTest, FlippedByteBeforeValidRecordsIsDataLoss) {
  constexpr size_t kLen = 30;
  const uint64_t start = RecordOffset(2, kLen);
  // Every byte of the record: length, length check, checksum, payload.
  std::vector<uint64_t> offsets;
  for (uint64_t i = 0; i < kRecordHeaderSize + kLen; ++i) offsets.push_back(start + i);
  for (uint64_t offset : offsets) {
    SCOPED_TRACE(absl::StrCat("flipped byte at ", offset));
    FaultInjectionEnv env;
    WriteLog(&env, Recs(5, kLen));
    Replayed r = OpenWithFlippedByte(&env, 1, offset, /*salvage=*/false);
    ExpectDataLossAt(r.status, 1, start);
    EXPECT_TRUE(r.records.size() == 2 || r.records.size() == 0);
    // Nothing was cut.
    EXPECT_EQ(*env.GetFileSize(Path(1)), RecordOffset(5, kLen));
  }
}

TEST(CommitLogTest, DamageInAnEarlierSegmentIsDataLossEvenAtItsEnd) {
  constexpr size_t kLen = 30;
  CommitLogOptions options;
  options.segment_size = RecordOffset(2, kLen);  // two records per segment
  {
    FaultInjectionEnv env;
    WriteLog(&env, Recs(4, kLen), options);
    ASSERT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2}));
    // The final record of segment 1 would be a torn tail if segment 1 were the last.
    Replayed r = OpenWithFlippedByte(&env, 1, RecordOffset(2, kLen) - 1, /*salvage=*/false);
    ExpectDataLossAt(r.status, 1, RecordOffset(1, kLen));
  }
  {
    FaultInjectionEnv env;
    WriteLog(&env, Recs(4, kLen), options);
    std::string seg1 = ReadAll(&env, Path(1));
    WriteAll(&env, Path(1), seg1.substr(0, seg1.size() - 5));
    Replayed r = OpenLog(&env, kDir, options);
    ExpectDataLossAt(r.status, 1, RecordOffset(1, kLen));
    EXPECT_NE(r.status.message().find("partial record"), absl::string_view::npos) << r.status;
  }
}

TEST(CommitLogTest, HugeLengthInAnEarlierSegmentIsRejectedWithoutAllocating) {
  constexpr size_t kLen = 30;
  CommitLogOptions options;
  options.segment_size = RecordOffset(2, kLen);
  FaultInjectionEnv env;
  WriteLog(&env, Recs(4, kLen), options);
  std::string seg1 = ReadAll(&env, Path(1));
  EncodeFixed32(seg1.data() + RecordOffset(1, kLen), 0xfffffff0u);
  WriteAll(&env, Path(1), seg1);
  Replayed r = OpenLog(&env, kDir, options);
  ExpectDataLossAt(r.status, 1, RecordOffset(1, kLen));
}

// The case the length check exists for: a flipped bit in the length of a record in the
// middle of the LAST segment. Many such flips make the length point past the end of the
// file, which without the check looked exactly like a torn final append and cut off the
// synced records after it.
TEST(CommitLogTest, FlippedLengthBitInTheLastSegmentIsDataLossNotATornTail) {
  constexpr size_t kLen = 30;
  CommitLogOptions options;
  options.segment_size = RecordOffset(5, kLen);  // segment 1: records 0..4; segment 2: 5..9
  const uint64_t start = RecordOffset(2, kLen);  // record 7, in the middle of segment 2
  int past_the_end = 0;
  // Every bit of the length field and of the length check.
  for (uint64_t byte = 0; byte < 8; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE(absl::StrCat("byte ", byte, " bit ", bit));
      FaultInjectionEnv env;
      WriteLog(&env, Recs(10, kLen), options);
      ASSERT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2}));
      std::string seg = ReadAll(&env, Path(2));
      const uint64_t size = seg.size();
      seg[start + byte] = static_cast<char>(seg[start + byte] ^ (1 << bit));
      if (byte < 4 && DecodeFixed32(seg.data() + start) > size - start - kRecordHeaderSize) {
        ++past_the_end;
      }
      WriteAll(&env, Path(2), seg);
      Replayed r = OpenLog(&env, kDir, options);
      ExpectDataLossAt(r.status, 2, start);
      EXPECT_NE(r.status.message().find("length check"), absl::string_view::npos) << r.status;
      // Nothing was cut or removed.
      EXPECT_EQ(r.report.torn_tail_bytes_dropped, 0u);
      EXPECT_EQ(*env.GetFileSize(Path(2)), size);
      EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2}));
    }
  }
  // Most length flips (all in the upper three bytes) point past the end of the file.
  EXPECT_GE(past_the_end, 24);
}

TEST(CommitLogTest, FlippedLengthBitInTheLastSegmentIsSalvaged) {
  constexpr size_t kLen = 30;
  CommitLogOptions options;
  options.segment_size = RecordOffset(5, kLen);
  options.salvage = true;
  const std::vector<std::string> records = Recs(10, kLen);
  const uint64_t start = RecordOffset(2, kLen);
  FaultInjectionEnv env;
  WriteLog(&env, records, options);
  ASSERT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2}));
  std::string seg = ReadAll(&env, Path(2));
  const uint64_t size = seg.size();
  seg[start + 3] = static_cast<char>(seg[start + 3] ^ 0x40);  // length + 2^30: past the end
  WriteAll(&env, Path(2), seg);

  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  // Salvage, not a torn tail: the damaged rest of the segment is skipped and reported, and
  // the file is left alone.
  EXPECT_EQ(r.records, Prefix(records, 7));
  EXPECT_EQ(r.report.salvaged_bytes_skipped, size - start);
  EXPECT_EQ(r.report.torn_tail_bytes_dropped, 0u);
  EXPECT_EQ(r.report.torn_tail_records_dropped, 0u);
  ASSERT_EQ(r.report.notes.size(), 1u);
  EXPECT_NE(r.report.notes[0].find("salvage"), std::string::npos) << r.report.notes[0];
  EXPECT_NE(r.report.notes[0].find(absl::StrCat(Path(2), " at offset ", start)), std::string::npos)
      << r.report.notes[0];
  EXPECT_EQ(*env.GetFileSize(Path(2)), size);
  ASSERT_TRUE(r.log->Append("after").ok());
  ASSERT_TRUE(r.log->Sync().ok());
  r.log.reset();

  // Without salvage the damage is still reported, now in an earlier segment.
  Replayed strict = OpenLog(&env, kDir, CommitLogOptions{.segment_size = options.segment_size});
  ExpectDataLossAt(strict.status, 2, start);
  // With it, the records after the damaged segment are replayed too.
  Replayed again = OpenLog(&env, kDir, options);
  ASSERT_TRUE(again.status.ok()) << again.status;
  std::vector<std::string> expected = Prefix(records, 7);
  expected.push_back("after");
  EXPECT_EQ(again.records, expected);
}

TEST(CommitLogTest, BadHeaderOfAnEarlierSegmentIsDataLoss) {
  CommitLogOptions options;
  options.segment_size = RecordOffset(2, 30);
  struct Case {
    uint64_t offset;  // byte to change
    const char* expected;
  };
  const std::vector<Case> cases = {{0, "magic"}, {8, "version"}, {12, "names segment"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    FaultInjectionEnv env;
    WriteLog(&env, Recs(4, 30), options);
    Replayed r = OpenWithFlippedByte(&env, 1, c.offset, /*salvage=*/false);
    ExpectDataLossAt(r.status, 1, 0);
    EXPECT_NE(r.status.message().find(c.expected), absl::string_view::npos) << r.status;
  }
}

TEST(CommitLogTest, SegmentUnderAnotherNameIsDataLoss) {
  FaultInjectionEnv env;
  WriteLog(&env, Recs(2));
  const std::string seg1 = ReadAll(&env, Path(1));
  WriteLog(&env, Recs(2));  // segments 1 and 2 (from the second open)
  // Segment 1's bytes under name 2: header and every record checksum name segment 1.
  WriteAll(&env, Path(2), seg1);
  Replayed r = OpenLog(&env, kDir);
  ExpectDataLossAt(r.status, 2, 0);
}

TEST(CommitLogTest, RecordCopiedToAnotherOffsetFailsItsChecks) {
  constexpr size_t kLen = 30;
  constexpr size_t kFramed = kRecordHeaderSize + kLen;
  FaultInjectionEnv env;
  WriteLog(&env, Recs(3, kLen));
  std::string seg = ReadAll(&env, Path(1));
  // Record 0, intact, over record 1: same length, but its length check and checksum are
  // for offset 20, not 66. The length check, seeded the same way, catches it first.
  seg.replace(RecordOffset(1, kLen), kFramed, seg.substr(RecordOffset(0, kLen), kFramed));
  WriteAll(&env, Path(1), seg);
  Replayed r = OpenLog(&env, kDir);
  ExpectDataLossAt(r.status, 1, RecordOffset(1, kLen));
  EXPECT_NE(r.status.message().find("length check"), absl::string_view::npos) << r.status;
}

TEST(CommitLogTest, RecordCopiedToAnotherSegmentFailsItsChecksum) {
  constexpr size_t kLen = 30;
  constexpr size_t kFramed = kRecordHeaderSize + kLen;
  CommitLogOptions options;
  options.segment_size = RecordOffset(2, kLen);
  FaultInjectionEnv env;
  WriteLog(&env, Recs(6, kLen), options);  // segments 1, 2, 3
  std::string seg1 = ReadAll(&env, Path(1));
  std::string seg2 = ReadAll(&env, Path(2));
  // Same offset, different segment id in the seed.
  seg2.replace(kSegmentHeaderSize, kFramed, seg1.substr(kSegmentHeaderSize, kFramed));
  WriteAll(&env, Path(2), seg2);
  Replayed r = OpenLog(&env, kDir, options);
  ExpectDataLossAt(r.status, 2, kSegmentHeaderSize);
}

TEST(CommitLogTest, SalvageSkipsTheDamagedRestOfASegmentAndContinues) {
  constexpr size_t kLen = 30;
  CommitLogOptions options;
  options.segment_size = RecordOffset(3, kLen);  // three records per segment
  const std::vector<std::string> records = Recs(9, kLen);
  FaultInjectionEnv env;
  WriteLog(&env, records, options);  // segments 1, 2, 3
  ASSERT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2, 3}));
  // Damage record 4 (the middle record of segment 2).
  Replayed r = OpenWithFlippedByte(&env, 2, RecordOffset(1, kLen) + kRecordHeaderSize + 3,
                                   /*salvage=*/true);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, (std::vector<std::string>{records[0], records[1], records[2], records[3],
                                                 records[6], records[7], records[8]}));
  EXPECT_EQ(r.report.salvaged_bytes_skipped, 2 * (kRecordHeaderSize + kLen));
  EXPECT_EQ(r.report.torn_tail_bytes_dropped, 0u);
  ASSERT_EQ(r.report.notes.size(), 1u);
  EXPECT_NE(r.report.notes[0].find(Path(2)), std::string::npos) << r.report.notes[0];
  EXPECT_NE(r.report.notes[0].find(absl::StrCat("offset ", RecordOffset(1, kLen))),
            std::string::npos)
      << r.report.notes[0];
  r.log.reset();

  // Salvage leaves the files alone: without it the damage is still reported.
  Replayed strict = OpenLog(&env, kDir, CommitLogOptions{.segment_size = options.segment_size});
  ExpectDataLossAt(strict.status, 2, RecordOffset(1, kLen));
}

TEST(CommitLogTest, SalvageSkipsASegmentWithABadHeader) {
  constexpr size_t kLen = 30;
  CommitLogOptions options;
  options.segment_size = RecordOffset(2, kLen);
  const std::vector<std::string> records = Recs(6, kLen);
  FaultInjectionEnv env;
  WriteLog(&env, records, options);  // segments 1, 2, 3
  Replayed r = OpenWithFlippedByte(&env, 2, 3, /*salvage=*/true);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, (std::vector<std::string>{records[0], records[1], records[4], records[5]}));
  EXPECT_EQ(r.report.salvaged_bytes_skipped, RecordOffset(2, kLen));
  EXPECT_EQ(r.report.notes.size(), 1u);
}

TEST(CommitLogTest, SalvageStillCutsATornTail) {
  constexpr size_t kLen = 30;
  FaultInjectionEnv env;
  const std::vector<std::string> records = Recs(3, kLen);
  WriteLog(&env, records);
  std::string seg = ReadAll(&env, Path(1));
  WriteAll(&env, Path(1), seg.substr(0, seg.size() - 1));
  Replayed r = OpenLog(&env, kDir, CommitLogOptions{.salvage = true});
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, Prefix(records, 2));
  EXPECT_EQ(r.report.torn_tail_bytes_dropped, kRecordHeaderSize + kLen - 1);
  EXPECT_EQ(r.report.salvaged_bytes_skipped, 0u);
}

}  // namespace
}  // namespace cassette

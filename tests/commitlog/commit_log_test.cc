#include "commitlog/commit_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commitlog/log_record.h"
#include "commitlog/log_test_util.h"
#include "commitlog/segment_names.h"
#include "env/fault_injection_env.h"
#include "util/coding.h"
#include "util/mutex.h"

namespace cassette {
namespace {

using testing_util::OpenLog;
using testing_util::ReadAll;
using testing_util::Replayed;
using testing_util::WriteAll;

constexpr char kDir[] = "/clog";

// A recognizable record of `len` bytes.
std::string Rec(int i, size_t len = 30) {
  std::string s = absl::StrCat("record-", i, "-");
  s.resize(std::max(len, s.size()), static_cast<char>('a' + i % 26));
  s.resize(len);
  return s;
}

std::string Path(uint64_t id) { return SegmentPath(kDir, id); }

// Segment ids in the folder, ascending.
std::vector<uint64_t> SegmentIds(Env* env) {
  auto children = env->GetChildren(kDir);
  EXPECT_TRUE(children.ok()) << children.status();
  std::vector<uint64_t> ids;
  if (!children.ok()) return ids;
  for (const std::string& name : *children) {
    uint64_t id;
    if (ParseSegmentFileName(name, &id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Writes `records` through a log with `options`, syncs and closes it. Returns positions.
std::vector<LogPosition> WriteLog(Env* env, const std::vector<std::string>& records,
                                  const CommitLogOptions& options = {}) {
  Replayed r = OpenLog(env, kDir, options);
  EXPECT_TRUE(r.status.ok()) << r.status;
  std::vector<LogPosition> positions;
  if (!r.status.ok()) return positions;
  for (const std::string& rec : records) {
    auto pos = r.log->Append(rec);
    EXPECT_TRUE(pos.ok()) << pos.status();
    if (pos.ok()) positions.push_back(*pos);
  }
  EXPECT_TRUE(r.log->Sync().ok());
  return positions;
}

std::vector<std::string> Recs(int n, size_t len = 30) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(Rec(i, len));
  return out;
}

std::vector<std::string> Prefix(const std::vector<std::string>& v, size_t n) {
  return std::vector<std::string>(v.begin(), v.begin() + std::min(n, v.size()));
}

// Offset of record `index` in a segment whose records all have `len`-byte payloads.
uint64_t RecordOffset(int index, size_t len) {
  return kSegmentHeaderSize + index * (kRecordHeaderSize + len);
}

TEST(CommitLogTest, EmptyFolderOpensWithNothingToReplay) {
  FaultInjectionEnv env;
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.report.segments, 0u);
  EXPECT_EQ(r.log->CurrentPosition(), (LogPosition{1, kSegmentHeaderSize}));
  EXPECT_EQ(r.log->bytes_written(), kSegmentHeaderSize);
  EXPECT_EQ(SegmentIds(&env), std::vector<uint64_t>{1});
}

TEST(CommitLogTest, PositionIsJustAfterTheRecord) {
  FaultInjectionEnv env;
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  auto pos = r.log->Append("hello");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(*pos, (LogPosition{1, kSegmentHeaderSize + kRecordHeaderSize + 5}));
  EXPECT_EQ(r.log->CurrentPosition(), *pos);
  EXPECT_EQ(r.log->bytes_written(), kSegmentHeaderSize + kRecordHeaderSize + 5);
  // The empty record is a record too.
  pos = r.log->Append("");
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(pos->offset, kSegmentHeaderSize + 2 * kRecordHeaderSize + 5);
}

TEST(CommitLogTest, RoundTripAcrossSegments) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  options.segment_size = 256;
  std::vector<std::string> records;
  for (int i = 0; i < 40; ++i) records.push_back(Rec(i, (i * 37) % 90));
  records.push_back("");
  std::vector<LogPosition> positions = WriteLog(&env, records, options);
  ASSERT_EQ(positions.size(), records.size());
  for (size_t i = 1; i < positions.size(); ++i) EXPECT_LT(positions[i - 1], positions[i]) << i;

  std::vector<uint64_t> ids = SegmentIds(&env);
  EXPECT_GT(ids.size(), 5u);
  for (uint64_t id : ids) {
    auto size = env.GetFileSize(Path(id));
    ASSERT_TRUE(size.ok());
    EXPECT_LE(*size, options.segment_size) << id;
  }

  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, records);
  EXPECT_EQ(r.positions, positions);
  EXPECT_EQ(r.report.segments, ids.size());
  EXPECT_EQ(r.report.records, records.size());
  uint64_t bytes = 0;
  for (const std::string& rec : records) bytes += rec.size();
  EXPECT_EQ(r.report.bytes, bytes);
  EXPECT_EQ(r.report.torn_tail_bytes_dropped, 0u);
  EXPECT_EQ(r.report.torn_tail_records_dropped, 0u);
  EXPECT_EQ(r.report.salvaged_bytes_skipped, 0u);
  EXPECT_TRUE(r.report.notes.empty());
  // Appends go to a fresh segment after the replayed ones.
  EXPECT_EQ(r.log->CurrentPosition(), (LogPosition{ids.back() + 1, kSegmentHeaderSize}));
  EXPECT_LT(positions.back(), r.log->CurrentPosition());
}

TEST(CommitLogTest, OversizedRecordGetsASegmentOfItsOwn) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  options.segment_size = 100;
  const std::vector<std::string> records = {Rec(0, 10), Rec(1, 500), Rec(2, 10), Rec(3, 10)};
  std::vector<LogPosition> p = WriteLog(&env, records, options);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].segment, 1u);
  EXPECT_EQ(p[1], (LogPosition{2, kSegmentHeaderSize + kRecordHeaderSize + 500}));
  EXPECT_EQ(p[2].segment, 3u);
  EXPECT_EQ(p[3].segment, 3u);  // 20 + 2 * 26 <= 100
  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, records);
}

TEST(CommitLogTest, SegmentIdsKeepGrowingAcrossReopens) {
  FaultInjectionEnv env;
  for (uint64_t expected = 1; expected <= 3; ++expected) {
    Replayed r = OpenLog(&env, kDir);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_EQ(r.log->CurrentPosition().segment, expected);
    ASSERT_TRUE(r.log->Append(Rec(static_cast<int>(expected))).ok());
    ASSERT_TRUE(r.log->Sync().ok());
    // Even with every older segment discarded, the active one stays and carries the id.
    ASSERT_TRUE(r.log->DiscardBefore(r.log->CurrentPosition()).ok());
    EXPECT_EQ(SegmentIds(&env), std::vector<uint64_t>{expected});
  }
}

TEST(CommitLogTest, DiscardBeforeRemovesExactlyTheSegmentsBeforeThePosition) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  // Two 40-byte records per segment: 20 + 2 * 56 = 132.
  options.segment_size = 132;
  const std::vector<std::string> records = Recs(10, 40);
  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  std::vector<LogPosition> p;
  for (const std::string& rec : records) p.push_back(*r.log->Append(rec));
  ASSERT_TRUE(r.log->Sync().ok());
  ASSERT_EQ(SegmentIds(&env), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  ASSERT_EQ(p[5], (LogPosition{3, 132}));

  // Inside segment 2: only segment 1 is entirely before it.
  ASSERT_TRUE(r.log->DiscardBefore(p[2]).ok());
  EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{2, 3, 4, 5}));
  // At the end of segment 3: segments 2 and 3 are.
  ASSERT_TRUE(r.log->DiscardBefore(p[5]).ok());
  EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{4, 5}));
  // Beyond everything: all but the active segment.
  ASSERT_TRUE(r.log->DiscardBefore(LogPosition{1000, 0}).ok());
  EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{5}));
  ASSERT_TRUE(r.log->Append("more").ok());
  ASSERT_TRUE(r.log->Sync().ok());
  r.log.reset();

  Replayed again = OpenLog(&env, kDir, options);
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_EQ(again.records, (std::vector<std::string>{records[8], records[9], "more"}));
}

TEST(CommitLogTest, DiscardBeforeWorksOnReplayedSegments) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  options.segment_size = 132;  // two 40-byte records per segment
  const std::vector<std::string> records = Recs(6, 40);
  WriteLog(&env, records, options);  // segments 1..3
  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.positions.size(), 6u);
  // As if the memtable holding records 0..2 was flushed.
  ASSERT_TRUE(r.log->DiscardBefore(r.positions[2]).ok());
  EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{2, 3, 4}));
  ASSERT_TRUE(r.log->DiscardBefore(r.positions[3]).ok());
  EXPECT_EQ(SegmentIds(&env), (std::vector<uint64_t>{3, 4}));
}

// ---- Torn tails

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

TEST(CommitLogTest, UnrelatedFilesAreIgnored) {
  FaultInjectionEnv env;
  const std::vector<std::string> records = Recs(2);
  WriteLog(&env, records);
  WriteAll(&env, absl::StrCat(kDir, "/notes.txt"), "not a segment");
  WriteAll(&env, absl::StrCat(kDir, "/CommitLog-007.log"), "not canonical");
  WriteAll(&env, absl::StrCat(kDir, "/CommitLog-1.log.tmp"), "a temporary");
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, records);
  EXPECT_EQ(r.report.segments, 1u);
}

TEST(CommitLogTest, ReplayCallbackErrorFailsOpen) {
  FaultInjectionEnv env;
  WriteLog(&env, Recs(3));
  int calls = 0;
  auto log = CommitLog::Open(
      &env, kDir, {},
      [&calls](std::string_view, LogPosition) {
        return ++calls == 2 ? absl::InvalidArgumentError("bad batch") : absl::OkStatus();
      },
      nullptr);
  EXPECT_EQ(log.status(), absl::InvalidArgumentError("bad batch"));
  EXPECT_EQ(calls, 2);
}

// ---- Failures

TEST(CommitLogTest, FailedSyncIsSticky) {
  FaultInjectionEnv env;
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(r.log->Append("a").ok());
  env.FailAfter(FaultOp::kSync, 0, absl::StatusCode::kUnavailable, "CommitLog");
  absl::Status failed = r.log->Sync();
  ASSERT_TRUE(absl::IsUnavailable(failed)) << failed;
  EXPECT_NE(failed.message().find("CommitLog-1.log"), absl::string_view::npos) << failed;
  env.ClearFaults();
  // No retry, even though the Env would now succeed.
  const int64_t syncs = env.Count(FaultOp::kSync);
  EXPECT_EQ(r.log->Sync(), failed);
  EXPECT_EQ(r.log->Append("b").status(), failed);
  EXPECT_EQ(r.log->Sync(), failed);
  EXPECT_EQ(env.Count(FaultOp::kSync), syncs);
  // Discarding flushed segments is still allowed.
  EXPECT_TRUE(r.log->DiscardBefore(LogPosition{}).ok());
}

TEST(CommitLogTest, FailedSyncWhileRollingIsSticky) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  options.segment_size = RecordOffset(1, 30);
  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_TRUE(r.log->Append(Rec(0)).ok());
  env.FailAfter(FaultOp::kSync, 0, absl::StatusCode::kResourceExhausted);
  absl::StatusOr<LogPosition> pos = r.log->Append(Rec(1));  // must roll: syncs segment 1
  ASSERT_TRUE(absl::IsResourceExhausted(pos.status())) << pos.status();
  env.ClearFaults();
  EXPECT_EQ(r.log->Sync(), pos.status());
  EXPECT_EQ(r.log->Append(Rec(2)).status(), pos.status());
}

TEST(CommitLogTest, FailedAppendIsSticky) {
  FaultInjectionEnv env;
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  env.FailAfter(FaultOp::kAppend, 0, absl::StatusCode::kResourceExhausted);
  absl::Status failed = r.log->Append("a").status();
  ASSERT_TRUE(absl::IsResourceExhausted(failed)) << failed;
  env.ClearFaults();
  EXPECT_EQ(r.log->Append("b").status(), failed);
  EXPECT_EQ(r.log->Sync(), failed);
}

TEST(CommitLogTest, SyncWithNothingNewDoesNoIo) {
  FaultInjectionEnv env;
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  const int64_t syncs = env.Count(FaultOp::kSync);
  ASSERT_TRUE(r.log->Sync().ok());
  EXPECT_EQ(env.Count(FaultOp::kSync), syncs);
  ASSERT_TRUE(r.log->Append("a").ok());
  ASSERT_TRUE(r.log->Sync().ok());
  EXPECT_EQ(env.Count(FaultOp::kSync), syncs + 1);
}

TEST(CommitLogTest, PeriodicSyncerMakesAppendsDurable) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  options.periodic_sync_ms = 5;
  {
    Replayed r = OpenLog(&env, kDir, options);
    ASSERT_TRUE(r.status.ok()) << r.status;
    const int64_t syncs = env.Count(FaultOp::kSync);
    ASSERT_TRUE(r.log->Append("periodic").ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (env.Count(FaultOp::kSync) == syncs && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GT(env.Count(FaultOp::kSync), syncs) << "the syncer never synced";
  }  // The destructor stops the thread (and does not sync).
  env.SimulateCrash(CrashMode::kDropUnsynced, 1);
  Replayed r = OpenLog(&env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.records, std::vector<std::string>{"periodic"});
}

TEST(CommitLogTest, ConcurrentAppendsAreAllReplayedAtTheirPositions) {
  FaultInjectionEnv env;
  CommitLogOptions options;
  options.segment_size = 1024;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  std::map<std::string, LogPosition> appended;
  Mutex mu;
  {
    Replayed r = OpenLog(&env, kDir, options);
    ASSERT_TRUE(r.status.ok()) << r.status;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string rec = absl::StrCat("t", t, "-", i, std::string(i % 50, 'x'));
          absl::StatusOr<LogPosition> pos = r.log->Append(rec);
          ASSERT_TRUE(pos.ok()) << pos.status();
          if (i % 20 == 0) {
            ASSERT_TRUE(r.log->Sync().ok());
          }
          MutexLock l(&mu);
          appended[rec] = *pos;
        }
      });
    }
    for (std::thread& th : threads) th.join();
    ASSERT_TRUE(r.log->Sync().ok());
  }
  Replayed r = OpenLog(&env, kDir, options);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), appended.size());
  for (size_t i = 0; i < r.records.size(); ++i) {
    auto it = appended.find(r.records[i]);
    ASSERT_NE(it, appended.end()) << r.records[i];
    EXPECT_EQ(it->second, r.positions[i]) << r.records[i];
  }
}

// ---- Crashes: whatever a crash leaves, Open succeeds and replays every record that a
// successful Sync covered, and nothing that was never appended.

struct Workload {
  std::vector<std::string> records;
  size_t acknowledged = 0;  // records[0, acknowledged) were covered by a successful Sync
};

constexpr int kWorkloadRecords = 14;

// Appends records (rolling segments) with a Sync after every third. If freeze_after >= 0
// the machine "dies" right after that append, leaving unsynced bytes behind.
Workload RunWorkload(FaultInjectionEnv* env, int freeze_after) {
  Workload w;
  CommitLogOptions options;
  options.segment_size = 160;
  for (int i = 0; i < kWorkloadRecords; ++i) w.records.push_back(Rec(i, 10 + (i * 13) % 45));
  Replayed r = OpenLog(env, kDir, options);
  if (!r.status.ok()) return w;
  for (int i = 0; i < kWorkloadRecords; ++i) {
    if (!r.log->Append(w.records[i]).ok()) break;
    if (i == freeze_after) env->Freeze();
    if (i % 3 == 2) {
      if (!r.log->Sync().ok()) break;
      w.acknowledged = i + 1;
    }
  }
  return w;
}

// Crashes `env` (after the workload ran on it) and checks two reopens.
void CheckRecovery(FaultInjectionEnv* env, const Workload& w, CrashMode mode, uint64_t seed,
                   int* torn) {
  env->SimulateCrash(mode, seed);
  Replayed r = OpenLog(env, kDir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_GE(r.records.size(), w.acknowledged);
  ASSERT_LE(r.records.size(), w.records.size());
  EXPECT_EQ(r.records, Prefix(w.records, r.records.size()));
  if (r.report.torn_tail_bytes_dropped > 0) ++*torn;
  r.log.reset();

  // Whatever the first open cut is gone for good, and its new segment is harmless.
  Replayed again = OpenLog(env, kDir);
  ASSERT_TRUE(again.status.ok()) << again.status;
  EXPECT_EQ(again.records, r.records);
  EXPECT_EQ(again.report.torn_tail_bytes_dropped, 0u);
}

constexpr CrashMode kModes[] = {CrashMode::kDropUnsynced, CrashMode::kKeepRandomPrefix,
                                CrashMode::kTornLastWrite};

TEST(CommitLogTest, CrashAtEverySyncPointLeavesAReplayableLog) {
  int sync_points;
  {
    FaultInjectionEnv env;
    RunWorkload(&env, -1);
    sync_points = env.SyncCount();
  }
  ASSERT_GT(sync_points, 10);
  int torn = 0;
  for (CrashMode mode : kModes) {
    for (int k = 0; k <= sync_points; ++k) {
      SCOPED_TRACE(absl::StrCat("mode ", static_cast<int>(mode), ", crash after sync ", k));
      FaultInjectionEnv env;
      env.CrashAtSync(k);
      Workload w = RunWorkload(&env, -1);
      CheckRecovery(&env, w, mode, k, &torn);
    }
  }
}

TEST(CommitLogTest, CrashAfterEveryAppendLeavesAReplayableLog) {
  int torn = 0;
  for (CrashMode mode : kModes) {
    for (int j = 0; j < kWorkloadRecords; ++j) {
      for (uint64_t seed = 0; seed < 4; ++seed) {
        SCOPED_TRACE(absl::StrCat("mode ", static_cast<int>(mode), ", crash after append ", j,
                                  ", seed ", seed));
        FaultInjectionEnv env;
        Workload w = RunWorkload(&env, j);
        CheckRecovery(&env, w, mode, seed, &torn);
      }
    }
  }
  // The sweep must hit the interesting case: bytes of a half-written record.
  EXPECT_GT(torn, 10);
}

}  // namespace
}  // namespace cassette

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
using commit_log_fixture::Rec;
using commit_log_fixture::RecordOffset;
using commit_log_fixture::Recs;
using commit_log_fixture::SegmentIds;
using commit_log_fixture::WriteLog;
using testing_util::OpenLog;
using testing_util::Replayed;
using testing_util::WriteAll;

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

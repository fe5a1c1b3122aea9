#include "env/fault_injection_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cassette {
namespace {

using ::testing::HasSubstr;
using Op = FaultInjectionEnv::Op;

class FaultInjectionEnvTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir("/db").ok()); }

  // Creates `path` with `synced` made durable by Sync, then appends `unsynced` pieces.
  // Returns the open handle (nullptr on failure).
  std::unique_ptr<WritableFile> Write(const std::string& path, const std::string& synced,
                                      const std::vector<std::string>& unsynced = {}) {
    auto w = env_.NewWritableFile(path);
    EXPECT_TRUE(w.ok()) << w.status();
    if (!w.ok()) return nullptr;
    EXPECT_TRUE((*w)->Append(synced).ok());
    EXPECT_TRUE((*w)->Sync().ok());
    for (const std::string& piece : unsynced) EXPECT_TRUE((*w)->Append(piece).ok());
    return std::move(*w);
  }

  std::string Contents(const std::string& path) {
    auto r = env_.NewRandomAccessFile(path);
    if (!r.ok()) return "<" + std::string(absl::StatusCodeToString(r.status().code())) + ">";
    std::string out;
    EXPECT_TRUE((*r)->Read(0, 1 << 20, &out).ok());
    return out;
  }

  std::vector<std::string> Children(const std::string& dir) {
    auto c = env_.GetChildren(dir);
    EXPECT_TRUE(c.ok()) << c.status();
    if (!c.ok()) return {};
    std::sort(c->begin(), c->end());
    return *c;
  }

  FaultInjectionEnv env_;
};

TEST_F(FaultInjectionEnvTest, BehavesLikeAFileSystemBeforeACrash) {
  auto w = Write("/db/a", "hello", {" world"});
  EXPECT_EQ(w->Size(), 11u);
  EXPECT_EQ(Contents("/db/a"), "hello world");  // unsynced data is visible (page cache)
  EXPECT_EQ(*env_.GetFileSize("/db/a"), 11u);
  EXPECT_TRUE(env_.FileExists("/db/a"));
  EXPECT_TRUE(env_.FileExists("/db"));
  EXPECT_TRUE(env_.FileExists("//db/"));  // paths are normalized
  EXPECT_FALSE(env_.FileExists("/db/b"));
  ASSERT_TRUE(env_.CreateDir("/db/sub").ok());
  EXPECT_EQ(Children("/db"), (std::vector<std::string>{"a", "sub"}));

  auto seq = env_.NewSequentialFile("/db/a");
  ASSERT_TRUE(seq.ok());
  std::string out;
  ASSERT_TRUE((*seq)->Read(4, &out).ok());
  EXPECT_EQ(out, "hell");
  ASSERT_TRUE((*seq)->Read(100, &out).ok());
  EXPECT_EQ(out, "o world");
  ASSERT_TRUE((*seq)->Read(100, &out).ok());
  EXPECT_EQ(out, "");

  ASSERT_TRUE(env_.TruncateFile("/db/a", 5).ok());
  EXPECT_EQ(Contents("/db/a"), "hello");
  EXPECT_EQ(env_.TruncateFile("/db/a", 6).code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(env_.RenameFile("/db/a", "/db/b").ok());
  EXPECT_FALSE(env_.FileExists("/db/a"));
  EXPECT_EQ(Contents("/db/b"), "hello");
  ASSERT_TRUE(env_.RemoveFile("/db/b").ok());
  EXPECT_FALSE(env_.FileExists("/db/b"));
}

TEST_F(FaultInjectionEnvTest, MissingPathsAreNotFoundNamingThePath) {
  auto check = [](const absl::Status& s, const std::string& path) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
    EXPECT_THAT(s.message(), HasSubstr(path));
  };
  check(env_.NewRandomAccessFile("/db/x").status(), "/db/x");
  check(env_.NewSequentialFile("/db/x").status(), "/db/x");
  check(env_.GetFileSize("/db/x").status(), "/db/x");
  check(env_.RemoveFile("/db/x"), "/db/x");
  check(env_.RenameFile("/db/x", "/db/y"), "/db/x");
  check(env_.TruncateFile("/db/x", 0), "/db/x");
  check(env_.GetChildren("/nope").status(), "/nope");
  check(env_.SyncDir("/nope"), "/nope");
  check(env_.NewWritableFile("/nope/f").status(), "/nope/f");  // folder must exist
}

// In a fresh env: /db/a gets `synced` and a Sync, then the `unsynced` appends; the folder
// is synced, the env crashes with `mode`, and the file's surviving bytes are returned.
std::string AfterCrash(CrashMode mode, uint64_t seed, const std::string& synced,
                       const std::vector<std::string>& unsynced) {
  FaultInjectionEnv env;
  EXPECT_TRUE(env.CreateDir("/db").ok());
  auto w = env.NewWritableFile("/db/a");
  EXPECT_TRUE(w.ok() && (*w)->Append(synced).ok() && (*w)->Sync().ok());
  for (const std::string& piece : unsynced) EXPECT_TRUE((*w)->Append(piece).ok());
  EXPECT_TRUE(env.SyncDir("/db").ok());
  env.SimulateCrash(mode, seed);
  auto r = env.NewRandomAccessFile("/db/a");
  std::string out;
  EXPECT_TRUE(r.ok() && (*r)->Read(0, 1 << 20, &out).ok());
  return out;
}

TEST(CrashModeTest, DropUnsyncedKeepsExactlyTheSyncedPrefix) {
  EXPECT_EQ(AfterCrash(CrashMode::kDropUnsynced, 1, "durable", {"-lost", "-lost2"}), "durable");
}

TEST(CrashModeTest, KeepRandomPrefixKeepsDurablePlusAPrefix) {
  std::set<size_t> kept;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    std::string got = AfterCrash(CrashMode::kKeepRandomPrefix, seed, "D", {"0123", "456789"});
    ASSERT_GE(got.size(), 1u);
    EXPECT_EQ(got, std::string("D0123456789").substr(0, got.size()));
    kept.insert(got.size() - 1);
  }
  // Random: both extremes and cuts inside an append happen.
  EXPECT_TRUE(kept.count(0) && kept.count(10));
  EXPECT_TRUE(kept.count(2) || kept.count(3) || kept.count(6) || kept.count(7));
  // Reproducible from the seed.
  EXPECT_EQ(AfterCrash(CrashMode::kKeepRandomPrefix, 42, "", {std::string(1000, 'x')}),
            AfterCrash(CrashMode::kKeepRandomPrefix, 42, "", {std::string(1000, 'x')}));
}

TEST(CrashModeTest, TornLastWriteKeepsAStrictPrefixOfTheLastAppend) {
  std::set<size_t> kept;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    std::string got = AfterCrash(CrashMode::kTornLastWrite, seed, "aaaa", {"bbbb", "cccc", "dddd"});
    ASSERT_GE(got.size(), 12u);
    ASSERT_LT(got.size(), 16u);  // never the whole last append
    EXPECT_EQ(got, std::string("aaaabbbbccccdddd").substr(0, got.size()));
    kept.insert(got.size());
  }
  EXPECT_EQ(kept, (std::set<size_t>{12, 13, 14, 15}));
  // Nothing unsynced: nothing to tear.
  EXPECT_EQ(AfterCrash(CrashMode::kTornLastWrite, 7, "all synced", {}), "all synced");
}

TEST_F(FaultInjectionEnvTest, UnsyncedCreateVanishesSyncedCreateSurvives) {
  auto a = Write("/db/a", "synced data, unsynced entry");
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  auto b = Write("/db/b", "synced data, unsynced entry");
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_TRUE(env_.FileExists("/db/a"));
  EXPECT_FALSE(env_.FileExists("/db/b"));
  EXPECT_EQ(Children("/db"), std::vector<std::string>{"a"});
}

TEST_F(FaultInjectionEnvTest, UnsyncedRenameRevertsSyncedRenameSticks) {
  auto w = Write("/db/tmp", "new");
  auto old = Write("/db/CURRENT", "old");
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  ASSERT_TRUE(env_.RenameFile("/db/tmp", "/db/CURRENT").ok());
  EXPECT_EQ(Contents("/db/CURRENT"), "new");
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_EQ(Contents("/db/CURRENT"), "old");
  EXPECT_EQ(Contents("/db/tmp"), "new");

  ASSERT_TRUE(env_.RenameFile("/db/tmp", "/db/CURRENT").ok());
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_EQ(Contents("/db/CURRENT"), "new");
  EXPECT_FALSE(env_.FileExists("/db/tmp"));
}

TEST_F(FaultInjectionEnvTest, UnsyncedRemoveComesBack) {
  auto w = Write("/db/a", "data");
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  ASSERT_TRUE(env_.RemoveFile("/db/a").ok());
  EXPECT_FALSE(env_.FileExists("/db/a"));
  EXPECT_TRUE(w->Append("+more").ok());  // a removed file's handle still works
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_EQ(Contents("/db/a"), "data");

  ASSERT_TRUE(env_.RemoveFile("/db/a").ok());
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_FALSE(env_.FileExists("/db/a"));
}

TEST_F(FaultInjectionEnvTest, SubfolderNeedsItsParentSynced) {
  ASSERT_TRUE(env_.CreateDir("/db/log").ok());
  auto w = Write("/db/log/1", "x");
  ASSERT_TRUE(env_.SyncDir("/db/log").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_FALSE(env_.FileExists("/db/log"));
  EXPECT_FALSE(env_.FileExists("/db/log/1"));
  EXPECT_TRUE(env_.FileExists("/db"));  // a root

  ASSERT_TRUE(env_.CreateDir("/db/log").ok());
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  auto w2 = Write("/db/log/1", "x");
  ASSERT_TRUE(env_.SyncDir("/db/log").ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_EQ(Contents("/db/log/1"), "x");
}

TEST_F(FaultInjectionEnvTest, RecreatingAFileIsNotDurableUntilSynced) {
  auto w = Write("/db/a", "old");
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  w.reset();
  auto w2 = env_.NewWritableFile("/db/a");
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE((*w2)->Append("new contents").ok());
  EXPECT_EQ(Contents("/db/a"), "new contents");
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_EQ(Contents("/db/a"), "old");

  auto w3 = Write("/db/a", "new contents");  // synced this time
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  EXPECT_EQ(Contents("/db/a"), "new contents");
}

TEST_F(FaultInjectionEnvTest, TruncateIsDurable) {
  auto w = Write("/db/a", "0123456789");
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  ASSERT_TRUE(env_.TruncateFile("/db/a", 3).ok());
  env_.SimulateCrash(CrashMode::kKeepRandomPrefix, 3);
  EXPECT_EQ(Contents("/db/a"), "012");
}

TEST_F(FaultInjectionEnvTest, HandlesAreInvalidAfterACrash) {
  auto w = Write("/db/a", "x");
  ASSERT_TRUE(env_.SyncDir("/db").ok());
  auto r = env_.NewRandomAccessFile("/db/a");
  auto seq = env_.NewSequentialFile("/db/a");
  ASSERT_TRUE(r.ok() && seq.ok());
  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  std::string out;
  EXPECT_EQ(w->Append("y").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Sync().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*r)->Read(0, 1, &out).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*seq)->Read(1, &out).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Contents("/db/a"), "x");  // the stale Append changed nothing
}

TEST_F(FaultInjectionEnvTest, LocksConflictAndAreReleasedByCrash) {
  auto lock = env_.LockFile("/db/LOCK");
  ASSERT_TRUE(lock.ok());
  EXPECT_TRUE(env_.FileExists("/db/LOCK"));
  auto second = env_.LockFile("/db//LOCK");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("/db/LOCK"));
  lock->reset();
  auto again = env_.LockFile("/db/LOCK");
  ASSERT_TRUE(again.ok());

  env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
  ASSERT_TRUE(env_.CreateDir("/db").ok());
  auto after = env_.LockFile("/db/LOCK");
  ASSERT_TRUE(after.ok()) << after.status();
  again->reset();  // the pre-crash lock must not release the new one
  EXPECT_EQ(env_.LockFile("/db/LOCK").status().code(), absl::StatusCode::kFailedPrecondition);
}

// ---- Fault injection: every op, both codes.

struct OpCase {
  Op op;
  absl::StatusCode code;
};

void PrintTo(const OpCase& c, std::ostream* os) {
  *os << "op " << static_cast<int>(c.op) << ", " << absl::StatusCodeToString(c.code);
}

class FailAfterTest : public FaultInjectionEnvTest, public ::testing::WithParamInterface<OpCase> {
 protected:
  // Creates `path` (a kCreate) holding `data` (a kAppend unless empty), unsynced.
  void Create(const std::string& path, const std::string& data) {
    auto w = env_.NewWritableFile(path);
    ASSERT_TRUE(w.ok()) << w.status();
    if (!data.empty()) {
      ASSERT_TRUE((*w)->Append(data).ok());
    }
  }

  // Performs one fresh instance of `op` on /db/f<i>, calling `op` itself exactly once
  // (setup uses other ops only, so the fault rule counts just that call). `after` checks
  // that a failed call changed nothing.
  absl::Status Run(Op op, int i, std::function<void()>* after) {
    const std::string p = "/db/f" + std::to_string(i);
    switch (op) {
      case Op::kAppend: {
        auto w = env_.NewWritableFile(p);
        if (!w.ok()) return w.status();
        *after = [this, p] { EXPECT_EQ(Contents(p), ""); };
        return (*w)->Append("data");
      }
      case Op::kSync: {
        auto w = env_.NewWritableFile(p);
        if (!w.ok() || !(*w)->Append("data").ok()) return absl::InternalError("setup");
        *after = [this, p] {  // the durable length did not move
          EXPECT_TRUE(env_.SyncDir("/db").ok());
          env_.SimulateCrash(CrashMode::kKeepRandomPrefix, 1);
          EXPECT_EQ(Contents(p), "");
        };
        return (*w)->Sync();
      }
      case Op::kRead: {
        Create(p, "data");
        auto r = env_.NewRandomAccessFile(p);
        if (!r.ok()) return r.status();
        std::string out = "junk";
        absl::Status s = (*r)->Read(0, 4, &out);
        EXPECT_EQ(out, s.ok() ? "data" : "");
        return s;
      }
      case Op::kRename:
        Create(p, "data");
        *after = [this, p] { EXPECT_TRUE(env_.FileExists(p) && !env_.FileExists(p + "r")); };
        return env_.RenameFile(p, p + "r");
      case Op::kSyncDir: {  // here /db/f<i> is a folder, so the path filter can pick it
        if (!env_.CreateDir(p).ok()) return absl::InternalError("setup");
        Create(p + "/x", "data");
        *after = [this, p] {  // the entry did not become durable
          EXPECT_TRUE(env_.SyncDir("/db").ok());
          env_.SimulateCrash(CrashMode::kDropUnsynced, 0);
          EXPECT_TRUE(env_.FileExists(p));
          EXPECT_FALSE(env_.FileExists(p + "/x"));
        };
        return env_.SyncDir(p);
      }
      case Op::kCreate:
        *after = [this, p] { EXPECT_FALSE(env_.FileExists(p)); };
        return env_.NewWritableFile(p).status();
      case Op::kRemove:
        Create(p, "data");
        *after = [this, p] { EXPECT_TRUE(env_.FileExists(p)); };
        return env_.RemoveFile(p);
      case Op::kTruncate:
        Create(p, "data");
        *after = [this, p] { EXPECT_EQ(Contents(p), "data"); };
        return env_.TruncateFile(p, 1);
    }
    return absl::InternalError("unreachable");
  }
};

TEST_P(FailAfterTest, FailsExactlyTheNthCallWithTheCode) {
  const auto [op, code] = GetParam();
  env_.FailAfter(op, 2, code);
  const int64_t before = env_.Count(op);
  std::function<void()> after;
  for (int i = 0; i < 5; ++i) {
    after = nullptr;
    absl::Status s = Run(op, i, &after);
    if (i == 2) {
      EXPECT_EQ(s.code(), code) << s;
      EXPECT_THAT(s.message(), HasSubstr("injected fault"));
      EXPECT_THAT(s.message(), HasSubstr("/db/f2"));
      EXPECT_THAT(s.message(),
                  HasSubstr(code == absl::StatusCode::kUnavailable ? "Input/output error"
                                                                   : "No space left on device"));
      if (after) after();
      if (op == Op::kSync || op == Op::kSyncDir) break;  // `after` crashed the env
    } else {
      EXPECT_TRUE(s.ok()) << "call " << i << ": " << s;
    }
  }
  EXPECT_GE(env_.Count(op) - before, 3);
}

TEST_P(FailAfterTest, PathFilterSelectsTheCalls) {
  const auto [op, code] = GetParam();
  env_.FailAfter(op, 0, code, "/db/f3");
  std::function<void()> after;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Run(op, i, &after).ok()) << i;
  EXPECT_EQ(Run(op, 3, &after).code(), code);
}

std::vector<OpCase> AllOpCases() {
  std::vector<OpCase> cases;
  for (Op op : {Op::kAppend, Op::kSync, Op::kRead, Op::kRename, Op::kSyncDir, Op::kCreate,
                Op::kRemove, Op::kTruncate}) {
    for (auto code : {absl::StatusCode::kUnavailable, absl::StatusCode::kResourceExhausted}) {
      cases.push_back(OpCase{op, code});
    }
  }
  return cases;
}

std::string OpCaseName(const ::testing::TestParamInfo<OpCase>& info) {
  static const char* const kNames[] = {"Append",  "Sync",   "Read",   "Rename",
                                       "SyncDir", "Create", "Remove", "Truncate"};
  return std::string(kNames[static_cast<int>(info.param.op)]) +
         (info.param.code == absl::StatusCode::kUnavailable ? "EIO" : "ENOSPC");
}

INSTANTIATE_TEST_SUITE_P(AllOps, FailAfterTest, ::testing::ValuesIn(AllOpCases()), OpCaseName);

TEST_F(FaultInjectionEnvTest, FailedWritableFileStaysFailed) {
  auto w = Write("/db/a", "ok");
  env_.FailAfter(Op::kSync, 0, absl::StatusCode::kUnavailable);
  ASSERT_TRUE(w->Append("x").ok());
  EXPECT_EQ(w->Sync().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(w->Sync().code(), absl::StatusCode::kUnavailable);  // no retry to "success"
  EXPECT_EQ(w->Append("y").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(w->Close().code(), absl::StatusCode::kUnavailable);
}

TEST_F(FaultInjectionEnvTest, RepeatedAndPermanentFaults) {
  env_.FailAfter(Op::kCreate, 1, absl::StatusCode::kResourceExhausted, "", -1);
  EXPECT_TRUE(env_.NewWritableFile("/db/a").ok());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(env_.NewWritableFile("/db/b").ok());
  env_.ClearFaults();
  EXPECT_TRUE(env_.NewWritableFile("/db/b").ok());
  EXPECT_EQ(env_.Count(Op::kCreate), 1 + 7);  // SetUp's CreateDir counts too
}

// ---- Sync points and freezing.

// A tiny "database": each record is appended and synced; a new file is made durable by
// syncing the folder. Returns the number of records acknowledged.
int Workload(FaultInjectionEnv& env, int records) {
  if (!env.CreateDir("/db").ok()) return 0;
  auto w = env.NewWritableFile("/db/log");
  if (!w.ok() || !(*w)->Sync().ok() || !env.SyncDir("/db").ok()) return 0;
  int acked = 0;
  for (int i = 0; i < records; ++i) {
    if (!(*w)->Append(std::string(1, static_cast<char>('a' + i))).ok()) break;
    if (!(*w)->Sync().ok()) break;
    ++acked;
  }
  return acked;
}

TEST(FaultInjectionSweepTest, SyncHookSeesEveryDurabilityPoint) {
  FaultInjectionEnv env;
  std::vector<std::pair<int, std::string>> seen;
  env.SetSyncHook([&](int index, const std::string& path) { seen.emplace_back(index, path); });
  EXPECT_EQ(Workload(env, 3), 3);
  EXPECT_EQ(env.SyncCount(), 5);
  EXPECT_EQ(env.Count(Op::kSync), 4);
  EXPECT_EQ(env.Count(Op::kSyncDir), 1);
  EXPECT_EQ(env.Count(Op::kAppend), 3);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[1], std::make_pair(1, std::string("/db")));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(seen[i].first, i);
}

TEST(FaultInjectionSweepTest, CrashAtSyncFreezesAfterThatSync) {
  FaultInjectionEnv env;
  env.CrashAtSync(3);  // sync 3 = the second record's sync
  EXPECT_EQ(Workload(env, 5), 2);
  EXPECT_TRUE(env.frozen());
  // Frozen: everything fails and nothing changes.
  EXPECT_EQ(env.NewWritableFile("/db/x").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(env.SyncDir("/db").message(), HasSubstr("simulated crash"));
  EXPECT_FALSE(env.FileExists("/db/log"));
  EXPECT_EQ(env.GetChildren("/db").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(env.SyncCount(), 4);

  env.SimulateCrash(CrashMode::kKeepRandomPrefix, 5);
  EXPECT_FALSE(env.frozen());
  auto r = env.NewRandomAccessFile("/db/log");
  ASSERT_TRUE(r.ok()) << r.status();
  std::string out;
  ASSERT_TRUE((*r)->Read(0, 100, &out).ok());
  EXPECT_EQ(out, "ab");
  EXPECT_TRUE(env.NewWritableFile("/db/x").ok());  // usable again
}

TEST(FaultInjectionSweepTest, SweepEverySyncPoint) {
  FaultInjectionEnv probe;
  ASSERT_EQ(Workload(probe, 4), 4);
  const int n = probe.SyncCount();
  for (int k = 0; k < n; ++k) {
    for (CrashMode mode :
         {CrashMode::kDropUnsynced, CrashMode::kKeepRandomPrefix, CrashMode::kTornLastWrite}) {
      FaultInjectionEnv env;
      env.CrashAtSync(k);
      const int acked = Workload(env, 4);
      env.SimulateCrash(mode, static_cast<uint64_t>(k));
      // The log exists once its folder was synced (sync 1); it holds exactly the
      // acknowledged records, since nothing after the crash point was written.
      std::string out;
      if (k >= 1) {
        auto r = env.NewRandomAccessFile("/db/log");
        ASSERT_TRUE(r.ok()) << "k=" << k;
        ASSERT_TRUE((*r)->Read(0, 100, &out).ok());
      } else {
        EXPECT_FALSE(env.FileExists("/db/log")) << "k=" << k;
      }
      EXPECT_EQ(out, std::string("abcd").substr(0, acked)) << "k=" << k;
      EXPECT_EQ(acked, std::max(0, k - 1)) << "k=" << k;
    }
  }
}

TEST(FaultInjectionConcurrencyTest, ParallelWritersAndReaders) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/db").ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&env, t] {
      const std::string path = "/db/t" + std::to_string(t);
      auto w = env.NewWritableFile(path);
      ASSERT_TRUE(w.ok());
      for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE((*w)->Append("x").ok());
        if (i % 10 == 0) {
          ASSERT_TRUE((*w)->Sync().ok());
        }
        EXPECT_TRUE(env.FileExists(path));
        (void)env.GetChildren("/db");
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(*env.GetFileSize("/db/t" + std::to_string(t)), 200u);
}

}  // namespace
}  // namespace cassette

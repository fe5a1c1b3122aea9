// Manifest: edit encoding (golden), ApplyEdit rules, durable log replay, crash and
// corruption handling.
#include "db/manifest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "db/manifest_edit.h"
#include "env/fault_injection_env.h"

namespace cassette {
namespace {

using ::testing::HasSubstr;

TableSchema Schema(const std::string& name) {
  TableSchema s;
  s.keyspace = "ks";
  s.name = name;
  s.columns = {{"k", CqlType::kInt, ColumnKind::kPartitionKey},
               {"c", CqlType::kText, ColumnKind::kClustering, ClusteringOrder::kDesc},
               {"v", CqlType::kBlob, ColumnKind::kRegular}};
  s.options.compaction_options = {{"min_threshold", "4"}};
  return s;
}

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

TEST(ManifestEditTest, GoldenEncodingOfEveryField) {
  ManifestEdit e;
  e.added.push_back({"ks.t", 7, 1});
  e.removed.push_back({"ks.t", 3, 0});
  e.flushed.emplace_back("ks.t", LogPosition{2, 300});
  e.next_file_number = 9;
  // tag 2: "ks.t" 7 zigzag(1)=2 | tag 3: "ks.t" 3 | tag 4: "ks.t" 2 300=ac02 | tag 5: 9
  EXPECT_EQ(Hex(EncodeEdit(e)),
            "02046b732e740702"
            "03046b732e7403"
            "04046b732e7402ac02"
            "0509");
}

TEST(ManifestEditTest, RoundTripWithSchema) {
  ManifestEdit e;
  e.created_tables.push_back(Schema("t"));
  e.added.push_back({"ks.t", 5, 2});
  e.flushed.emplace_back("ks.t", LogPosition{1, 2});
  auto d = DecodeEdit(EncodeEdit(e));
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->created_tables.size(), 1u);
  EXPECT_EQ(d->created_tables[0].columns.size(), 3u);
  EXPECT_EQ(d->created_tables[0].columns[1].order, ClusteringOrder::kDesc);
  EXPECT_EQ(d->created_tables[0].options.compaction_options.at("min_threshold"), "4");
  EXPECT_EQ(d->added, e.added);
  EXPECT_EQ(d->flushed, e.flushed);
}

TEST(ManifestEditTest, EveryTruncationIsRejectedOrShorter) {
  ManifestEdit e;
  e.created_tables.push_back(Schema("t"));
  e.added.push_back({"ks.t", 5, 2});
  const std::string bytes = EncodeEdit(e);
  for (size_t n = 1; n < bytes.size(); ++n) {
    auto d = DecodeEdit(bytes.substr(0, n));
    // A prefix may decode as fewer whole fields, but never as the full edit.
    if (d.ok()) EXPECT_NE(EncodeEdit(*d), bytes);
  }
  EXPECT_EQ(DecodeEdit("\x63").status().code(), absl::StatusCode::kDataLoss);
}

TEST(ManifestEditTest, ApplyRefusesInconsistentEditsAndChangesNothing) {
  ManifestState st;
  ManifestEdit create;
  create.created_tables.push_back(Schema("t"));
  ASSERT_TRUE(ApplyEdit(create, &st).ok());
  EXPECT_EQ(ApplyEdit(create, &st).code(), absl::StatusCode::kFailedPrecondition);

  ManifestEdit add;
  add.added.push_back({"ks.t", 4, 0});
  ASSERT_TRUE(ApplyEdit(add, &st).ok());
  EXPECT_EQ(st.next_file_number, 5u);
  EXPECT_FALSE(ApplyEdit(add, &st).ok());  // twice

  ManifestEdit bad;
  bad.added.push_back({"ks.t", 10, 0});
  bad.removed.push_back({"ks.t", 99, 0});  // absent: the whole edit is refused
  EXPECT_FALSE(ApplyEdit(bad, &st).ok());
  EXPECT_EQ(st.tables.at("ks.t").sstables.size(), 1u);

  ManifestEdit unknown;
  unknown.added.push_back({"ks.nope", 11, 0});
  EXPECT_FALSE(ApplyEdit(unknown, &st).ok());

  ManifestEdit fwd, back;
  fwd.flushed.emplace_back("ks.t", LogPosition{3, 0});
  back.flushed.emplace_back("ks.t", LogPosition{2, 999});
  ASSERT_TRUE(ApplyEdit(fwd, &st).ok());
  EXPECT_FALSE(ApplyEdit(back, &st).ok());
}

class ManifestFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDir(dir_).ok()); }
  std::unique_ptr<Manifest> OpenOrDie() {
    auto m = Manifest::Open(&env_, dir_, true);
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *std::move(m) : nullptr;
  }
  FaultInjectionEnv env_;
  const std::string dir_ = "/db";
};

TEST_F(ManifestFileTest, StateSurvivesReopen) {
  {
    auto m = OpenOrDie();
    ManifestEdit e;
    e.created_tables.push_back(Schema("t"));
    ASSERT_TRUE(m->LogAndApply(e).ok());
    ManifestEdit a;
    a.added.push_back({"ks.t", m->NewFileNumber(), 0});
    a.flushed.emplace_back("ks.t", LogPosition{1, 10});
    ASSERT_TRUE(m->LogAndApply(a).ok());
  }
  env_.SimulateCrash(CrashMode::kDropUnsynced, 1);
  auto m = OpenOrDie();
  ASSERT_EQ(m->state().tables.count("ks.t"), 1u);
  EXPECT_EQ(m->state().tables.at("ks.t").sstables.size(), 1u);
  EXPECT_EQ(m->state().tables.at("ks.t").flushed, (LogPosition{1, 10}));
  // File numbers handed out before the crash are never handed out again.
  EXPECT_GT(m->NewFileNumber(), m->state().tables.at("ks.t").sstables.begin()->first);
}

TEST_F(ManifestFileTest, EveryCrashPointLeavesAConsistentState) {
  // Count the sync points of a fixed workload, then crash after each in each mode.
  auto workload = [&](Manifest* m) {
    for (int i = 0; i < 3; ++i) {
      ManifestEdit e;
      e.created_tables.push_back(Schema("t" + std::to_string(i)));
      if (!m->LogAndApply(e).ok()) return;
    }
  };
  int syncs;
  {
    FaultInjectionEnv probe;
    ASSERT_TRUE(probe.CreateDir(dir_).ok());
    auto m = Manifest::Open(&probe, dir_, true);
    ASSERT_TRUE(m.ok());
    const int before = probe.SyncCount();
    workload(m->get());
    syncs = probe.SyncCount() - before;
  }
  ASSERT_GT(syncs, 2);
  for (auto mode :
       {CrashMode::kDropUnsynced, CrashMode::kKeepRandomPrefix, CrashMode::kTornLastWrite}) {
    for (int k = 0; k < syncs; ++k) {
      FaultInjectionEnv env;
      ASSERT_TRUE(env.CreateDir(dir_).ok());
      size_t acknowledged = 0;
      {
        auto m = Manifest::Open(&env, dir_, true);
        ASSERT_TRUE(m.ok());
        env.CrashAtSync(k);
        for (int i = 0; i < 3; ++i) {
          ManifestEdit e;
          e.created_tables.push_back(Schema("t" + std::to_string(i)));
          if (!(*m)->LogAndApply(e).ok()) break;
          acknowledged++;
        }
      }
      env.SimulateCrash(mode, k);
      auto m = Manifest::Open(&env, dir_, true);
      ASSERT_TRUE(m.ok()) << "crash after sync " << k << ": " << m.status();
      // Every acknowledged table is there; at most the one in flight besides; in order.
      const size_t n = (*m)->state().tables.size();
      EXPECT_GE(n, acknowledged) << "sync " << k;
      EXPECT_LE(n, acknowledged + 1) << "sync " << k;
      for (size_t i = 0; i < n; ++i) {
        EXPECT_EQ((*m)->state().tables.count("ks.t" + std::to_string(i)), 1u);
      }
    }
  }
}

TEST_F(ManifestFileTest, CorruptRecordBeforeTheTailIsDataLossWithOffset) {
  {
    auto m = OpenOrDie();
    for (int i = 0; i < 3; ++i) {
      ManifestEdit e;
      e.created_tables.push_back(Schema("t" + std::to_string(i)));
      ASSERT_TRUE(m->LogAndApply(e).ok());
    }
  }
  // Find the live manifest and flip a byte of its second record's length (the first is a
  // 2-byte snapshot at offset 0, so the second starts at 16 + 2 = 18). A damaged length is
  // corruption, not a torn tail, thanks to the length check.
  auto children = env_.GetChildren(dir_);
  ASSERT_TRUE(children.ok());
  std::string name;
  for (const auto& c : *children) {
    if (c.rfind("MANIFEST-", 0) == 0) name = c;
  }
  ASSERT_FALSE(name.empty());
  const std::string path = dir_ + "/" + name;
  auto rf = env_.NewRandomAccessFile(path);
  ASSERT_TRUE(rf.ok());
  std::string content;
  ASSERT_TRUE((*rf)->Read(0, (*rf)->Size(), &content).ok());
  content[18] ^= 0x01;
  auto wf = env_.NewWritableFile(path);
  ASSERT_TRUE(wf.ok());
  ASSERT_TRUE((*wf)->Append(content).ok());
  ASSERT_TRUE((*wf)->Sync().ok());
  auto m = Manifest::Open(&env_, dir_, true);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr(name));
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("offset 18"));
}

TEST_F(ManifestFileTest, GarbageCurrentIsDataLossAndNeverUsedAsAPath) {
  { OpenOrDie(); }
  auto wf = env_.NewWritableFile(dir_ + "/CURRENT");
  ASSERT_TRUE(wf.ok());
  ASSERT_TRUE((*wf)->Append("../../etc/passwd\n").ok());
  ASSERT_TRUE((*wf)->Sync().ok());
  auto m = Manifest::Open(&env_, dir_, true);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("CURRENT"));
}

TEST_F(ManifestFileTest, FailedSyncStopsFurtherEdits) {
  auto m = OpenOrDie();
  env_.FailAfter(FaultOp::kSync, 0, absl::StatusCode::kUnavailable);
  ManifestEdit e;
  e.created_tables.push_back(Schema("t"));
  EXPECT_FALSE(m->LogAndApply(e).ok());
  env_.ClearFaults();
  ManifestEdit e2;
  e2.created_tables.push_back(Schema("u"));
  EXPECT_FALSE(m->LogAndApply(e2).ok());  // sticky: the on-disk state is unknown
  EXPECT_EQ(m->state().tables.size(), 0u);
}

}  // namespace
}  // namespace cassette

namespace cassette {
namespace {

// The bytes of a fresh manifest after one CreateTable-style edit, pinned. If this fails
// the on-disk format changed: update docs/manifest-format.md (the annotated dump) and
// this string together, and think about existing databases.
TEST(ManifestGoldenTest, FreshManifestWithOneTable) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/g").ok());
  auto m = Manifest::Open(&env, "/g", true);
  ASSERT_TRUE(m.ok());
  TableSchema s;
  s.keyspace = "k";
  s.name = "t";
  s.columns = {{"p", CqlType::kInt, ColumnKind::kPartitionKey}};
  ManifestEdit e;
  e.created_tables.push_back(s);
  ASSERT_TRUE((*m)->LogAndApply(e).ok());
  auto f = env.NewRandomAccessFile("/g/MANIFEST-000001");
  ASSERT_TRUE(f.ok());
  std::string bytes;
  ASSERT_TRUE((*f)->Read(0, (*f)->Size(), &bytes).ok());
  std::string current;
  auto c = env.NewRandomAccessFile("/g/CURRENT");
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->Read(0, 64, &current).ok());
  EXPECT_EQ(current, "MANIFEST-000001\n");
  EXPECT_EQ(Hex(bytes),
            // record 1: snapshot of the empty state {next_file_number = 2}
            "02000000"
            "8dfe92a0"
            "b2d610cf5472deca"
            "0502"
            // record 2: create table k.t (p int PRIMARY KEY), then next_file_number = 2
            "34000000"
            "43607d36"
            "1dd0f7ee9218256e"
            "01"
            "016b"
            "0174"
            "01"
            "0170"
            "01"
            "01"
            "00"
            "00"
            "80bc69"
            "1c53697a65546965726564436f6d70616374696f6e5374726174656779"
            "00"
            "d00f"
            "c09a0c"
            "0502");
}

}  // namespace
}  // namespace cassette

// Damaged files under a whole database: a database with data in SSTables and in the
// commit log is written once; then, for every kind of file it holds (commit-log segment,
// Data.db, Index.db, MANIFEST, CURRENT), bytes are flipped at sampled offsets in a copy of
// it, the copy is opened and everything is read. The outcome must be DataLoss naming the
// file and an offset, or answers identical to the undamaged database — except what
// docs/commitlog-format.md allows for the last segment: a final record whose checksum
// fails looks like a torn tail and is cut and reported, losing that record. Never a crash,
// never wrong data, and never a deleted SSTable. (In the commit log as in the manifest, a
// damaged length is told apart from a torn final append by the record's length check.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cassette/cassette.h"
#include "env/fault_injection_env.h"

namespace cassette {
namespace {

using ::testing::HasSubstr;

constexpr char kDir[] = "/db";
constexpr char kLogDir[] = "/db/commitlog";
constexpr char kKv[] = "ks.kv";      // k int PRIMARY KEY, v text
constexpr char kWide[] = "ks.wide";  // p int, c int, v text, PRIMARY KEY (p, c)
constexpr int64_t kStartMicros = 1'700'000'000LL * 1'000'000;

using Files = std::map<std::string, std::string>;  // path -> bytes

TableSchema Schema(const std::string& name) {
  TableSchema s{"ks", name, {{"k", CqlType::kInt, ColumnKind::kPartitionKey}}, {}};
  if (name == "wide") {
    s.columns = {{"p", CqlType::kInt, ColumnKind::kPartitionKey},
                 {"c", CqlType::kInt, ColumnKind::kClustering}};
  }
  s.columns.push_back({"v", CqlType::kText, ColumnKind::kRegular});
  return s;
}

WriteBatch PutKv(int k, const std::string& v) {
  return std::move(WriteBatch().Insert(kKv, {{"k", Value::Int(k)}, {"v", Value::Text(v)}}));
}
WriteBatch PutWide(int p, int c, const std::string& v) {
  return std::move(WriteBatch().Insert(
      kWide, {{"p", Value::Int(p)}, {"c", Value::Int(c)}, {"v", Value::Text(v)}}));
}

// Each session's clock starts `session` hours after the previous one's, so that later
// sessions' writes have later timestamps, as with a real clock.
Options MakeOptions(Env* env, int session, std::vector<std::string>* warnings = nullptr) {
  Options o;
  o.env = env;
  o.clock = std::make_shared<ManualClock>(kStartMicros + session * 3'600'000'000LL);
  o.commitlog_sync = CommitLogSync::kBatch;  // every record in the log was synced
  o.warning_log = [warnings](const std::string& w) {
    if (warnings != nullptr) warnings->push_back(w);
  };
  return o;
}

// Every read the test makes, rendered; the first failure instead if one fails.
absl::StatusOr<std::vector<std::string>> ReadEverything(Db* db) {
  std::vector<std::string> out;
  auto run = [&](const SelectQuery& q) -> absl::Status {
    auto rs = db->Select(q);
    if (!rs.ok()) return rs.status();
    std::string line = absl::StrCat(q.table, q.partition_key.empty() ? " *" : " p", ":");
    for (const ResultRow& r : rs->rows) {
      absl::StrAppend(
          &line, " [",
          absl::StrJoin(r.values, ",",
                        [](std::string* o, const Value& v) { absl::StrAppend(o, v.ToString()); }),
          "]");
    }
    out.push_back(std::move(line));
    return absl::OkStatus();
  };
  for (const char* table : {kKv, kWide}) {
    SelectQuery all;
    all.table = table;
    if (auto s = run(all); !s.ok()) return s;
  }
  for (int k = 0; k < 50; ++k) {
    SelectQuery q;
    q.table = kKv;
    q.partition_key = {{"k", Value::Int(k)}};
    if (auto s = run(q); !s.ok()) return s;
  }
  for (int p = 0; p < 6; ++p) {
    for (bool reversed : {false, true}) {
      SelectQuery q;
      q.table = kWide;
      q.partition_key = {{"p", Value::Int(p)}};
      q.reversed = reversed;
      q.slice.start = ClusteringBound{{Value::Int(3)}, true};
      if (auto s = run(q); !s.ok()) return s;
    }
  }
  return out;
}

// The writes, in order. Session 1 is flushed completely; session 2 is in the last
// commit-log segment, one record per write, and its ks.kv writes before `kv_flush_at`
// are also in an SSTable.
struct Workload {
  std::vector<WriteBatch> session1;
  std::vector<WriteBatch> session2;
  std::vector<bool> session2_flushed;
};

Workload MakeWorkload() {
  Workload w;
  for (int k = 0; k < 30; ++k) w.session1.push_back(PutKv(k, absl::StrCat("a", k)));
  for (int p = 0; p < 4; ++p) {
    for (int c = 0; c < 10; ++c) w.session1.push_back(PutWide(p, c, absl::StrCat("a", p, c)));
  }
  w.session1.push_back(std::move(WriteBatch().Delete(kKv, {{"k", Value::Int(5)}})));
  w.session1.push_back(std::move(WriteBatch().DeleteRange(
      kWide, {{"p", Value::Int(1)}},
      {ClusteringBound{{Value::Int(2)}, true}, ClusteringBound{{Value::Int(6)}, false}})));
  // Session 2: ks.kv and ks.wide interleaved, ks.kv flushed after the first 30.
  for (int i = 0; i < 50; ++i) {
    const bool before_flush = i < 30;
    if (i % 3 == 2) {
      w.session2.push_back(PutWide(4 + i % 2, i % 10, absl::StrCat("b", i)));
      w.session2_flushed.push_back(false);
    } else {
      w.session2.push_back(i == 40 ? std::move(WriteBatch().Delete(kKv, {{"k", Value::Int(0)}}))
                                   : PutKv(20 + i % 30, absl::StrCat("b", i)));
      w.session2_flushed.push_back(before_flush);
    }
  }
  return w;
}
constexpr int kKvFlushAt = 30;

absl::Status Apply(Db* db, const std::vector<WriteBatch>& batches, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (auto s = db->Write(batches[i]); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Every file under /db.
Files Snapshot(FaultInjectionEnv* env) {
  Files files;
  for (const std::string dir : {kDir, kLogDir}) {
    auto names = env->GetChildren(dir);
    EXPECT_TRUE(names.ok()) << names.status();
    if (!names.ok()) continue;
    for (const std::string& name : *names) {
      const std::string path = absl::StrCat(dir, "/", name);
      if (path == kLogDir) continue;
      auto f = env->NewRandomAccessFile(path);
      std::string bytes;
      EXPECT_TRUE((*f)->Read(0, (*f)->Size(), &bytes).ok());
      files[path] = bytes;
    }
  }
  return files;
}

std::unique_ptr<FaultInjectionEnv> Restore(const Files& files) {
  auto env = std::make_unique<FaultInjectionEnv>();
  EXPECT_TRUE(env->CreateDir(kDir).ok());
  EXPECT_TRUE(env->CreateDir(kLogDir).ok());
  for (const auto& [path, bytes] : files) {
    auto f = env->NewWritableFile(path);
    EXPECT_TRUE((*f)->Append(bytes).ok());
    EXPECT_TRUE((*f)->Sync().ok());
  }
  EXPECT_TRUE(env->SyncDir(kDir).ok());
  EXPECT_TRUE(env->SyncDir(kLogDir).ok());
  return env;
}

// What a database holding `session1` and the session-2 writes kept by `keep` answers.
std::vector<std::string> AnswersOf(const Workload& w, const std::function<bool(size_t)>& keep) {
  FaultInjectionEnv env;
  auto db = Db::Open(MakeOptions(&env, 0), kDir);
  EXPECT_TRUE(db.ok()) << db.status();
  EXPECT_TRUE((*db)->CreateTable(Schema("kv")).ok());
  EXPECT_TRUE((*db)->CreateTable(Schema("wide")).ok());
  EXPECT_TRUE(Apply(db->get(), w.session1, 0, w.session1.size()).ok());
  for (size_t i = 0; i < w.session2.size(); ++i) {
    if (keep(i)) EXPECT_TRUE((*db)->Write(w.session2[i]).ok());
  }
  auto answers = ReadEverything(db->get());
  EXPECT_TRUE(answers.ok()) << answers.status();
  return answers.ok() ? *answers : std::vector<std::string>{};
}

struct Record {
  uint64_t offset, end;
};

// The records of a commit-log segment (docs/commitlog-format.md): a 20-byte segment
// header, then records of length:fixed32, length_check:fixed32, checksum:fixed64, payload.
constexpr uint64_t kSegmentHeader = 20;
constexpr uint64_t kRecordHeader = 16;
std::vector<Record> ParseSegment(const std::string& bytes) {
  std::vector<Record> out;
  uint64_t off = kSegmentHeader;
  while (off + kRecordHeader <= bytes.size()) {
    uint32_t len = 0;
    for (int i = 3; i >= 0; --i) len = len << 8 | static_cast<uint8_t>(bytes[off + i]);
    out.push_back({off, off + kRecordHeader + len});
    off += kRecordHeader + len;
  }
  EXPECT_EQ(off, bytes.size());
  return out;
}

// ~20 offsets spread over [0, size), the first and last byte among them, plus `extra`.
std::vector<uint64_t> SampleOffsets(uint64_t size, std::vector<uint64_t> extra = {}) {
  std::set<uint64_t> s(extra.begin(), extra.end());
  s.insert(0);
  s.insert(size - 1);
  for (uint64_t i = 1; i < 19; ++i) s.insert(i * size / 19 + i % 3);
  std::vector<uint64_t> out;
  for (uint64_t o : s) {
    if (o < size) out.push_back(o);
  }
  return out;
}

class CorruptionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    workload_ = new Workload(MakeWorkload());
    FaultInjectionEnv env;
    {
      auto db = Db::Open(MakeOptions(&env, 0), kDir);
      ASSERT_TRUE(db.ok()) << db.status();
      ASSERT_TRUE((*db)->CreateTable(Schema("kv")).ok());
      ASSERT_TRUE((*db)->CreateTable(Schema("wide")).ok());
      ASSERT_TRUE(Apply(db->get(), workload_->session1, 0, workload_->session1.size()).ok());
      ASSERT_TRUE((*db)->Flush(kKv).ok());
      ASSERT_TRUE((*db)->Flush(kWide).ok());
    }
    {
      auto db = Db::Open(MakeOptions(&env, 1), kDir);
      ASSERT_TRUE(db.ok()) << db.status();
      ASSERT_TRUE(Apply(db->get(), workload_->session2, 0, kKvFlushAt).ok());
      ASSERT_TRUE((*db)->Flush(kKv).ok());
      ASSERT_TRUE(
          Apply(db->get(), workload_->session2, kKvFlushAt, workload_->session2.size()).ok());
    }
    files_ = new Files(Snapshot(&env));
    answers_ = new std::vector<std::string>(AnswersOf(*workload_, [](size_t) { return true; }));
  }
  static void TearDownTestSuite() {
    delete workload_;
    delete files_;
    delete answers_;
  }

  // The paths of the snapshot whose name contains `part`.
  static std::vector<std::string> PathsWith(const std::string& part) {
    std::vector<std::string> out;
    for (const auto& [path, bytes] : *files_) {
      if (path.find(part) != std::string::npos) out.push_back(path);
    }
    return out;
  }

  struct Outcome {
    absl::Status status;                // of Open or the first failed read
    std::vector<std::string> answers;   // if every read succeeded
    std::vector<std::string> warnings;  // reported while opening
    std::vector<std::string> lost_sstables;
  };

  // Opens a copy of the database with byte `offset` of `path` XORed with `mask`.
  static Outcome OpenFlipped(const std::string& path, uint64_t offset, uint8_t mask) {
    Files damaged = *files_;
    damaged[path][offset] = static_cast<char>(damaged[path][offset] ^ mask);
    std::unique_ptr<FaultInjectionEnv> env = Restore(damaged);
    Outcome o;
    {
      auto db = Db::Open(MakeOptions(env.get(), 2, &o.warnings), kDir);
      if (!db.ok()) {
        o.status = db.status();
      } else if (auto answers = ReadEverything(db->get()); !answers.ok()) {
        o.status = answers.status();
      } else {
        o.answers = *std::move(answers);
      }
    }
    // Whatever happened, no SSTable may have been deleted.
    for (const auto& [p, bytes] : *files_) {
      if (p.find("/cs-") != std::string::npos && !env->FileExists(p)) o.lost_sstables.push_back(p);
    }
    return o;
  }

  // DataLoss naming the file (by its name) and "offset N"; N must be <= `at_most`.
  static void ExpectDataLossAt(const Outcome& o, const std::string& path,
                               std::optional<uint64_t> exact, uint64_t at_most) {
    EXPECT_EQ(o.status.code(), absl::StatusCode::kDataLoss) << o.status;
    const std::string msg(o.status.message());
    EXPECT_THAT(msg, HasSubstr(path.substr(path.rfind('/') + 1)));
    const size_t at = msg.find("offset ");
    ASSERT_NE(at, std::string::npos) << msg;
    const uint64_t reported = std::strtoull(msg.c_str() + at + 7, nullptr, 10);
    if (exact.has_value()) EXPECT_EQ(reported, *exact) << msg;
    EXPECT_LE(reported, at_most) << msg;
  }

  // The rule for SSTables, MANIFEST and CURRENT: DataLoss at or before the damage, or
  // the undamaged answers.
  struct Counts {
    int tried = 0, detected = 0;
  };
  // (offset, mask) pairs to flip: each offset with 0x01 and 0x80.
  using Flips = std::vector<std::pair<uint64_t, uint8_t>>;
  static Flips BothMasks(const std::vector<uint64_t>& offsets) {
    Flips out;
    for (uint64_t o : offsets) {
      for (uint8_t mask : {0x01, 0x80}) out.emplace_back(o, mask);
    }
    return out;
  }

  static void FlipAt(const std::string& path, const Flips& flips, Counts* n,
                     bool offset_optional = false) {
    for (const auto& [offset, mask] : flips) {
      {
        SCOPED_TRACE(absl::StrCat(path, " offset ", offset, " ^ 0x", absl::Hex(mask)));
        Outcome o = OpenFlipped(path, offset, mask);
        ++n->tried;
        EXPECT_THAT(o.lost_sstables, ::testing::IsEmpty());
        if (o.status.ok()) {
          EXPECT_EQ(o.answers, *answers_) << "wrong answers without an error";
        } else if (offset_optional && o.status.message().find("offset ") == std::string::npos) {
          ++n->detected;
          EXPECT_EQ(o.status.code(), absl::StatusCode::kDataLoss) << o.status;
          EXPECT_THAT(std::string(o.status.message()), HasSubstr(path.substr(path.rfind('/') + 1)));
        } else {
          ++n->detected;
          ExpectDataLossAt(o, path, std::nullopt, offset);
        }
      }
    }
  }

  static Workload* workload_;
  static Files* files_;
  static std::vector<std::string>* answers_;
};

Workload* CorruptionTest::workload_ = nullptr;
Files* CorruptionTest::files_ = nullptr;
std::vector<std::string>* CorruptionTest::answers_ = nullptr;

TEST_F(CorruptionTest, TheDatabaseHasEveryKindOfFile) {
  EXPECT_EQ(PathsWith("/cs-").size(), 6u);  // session 1: kv, wide; session 2: kv
  EXPECT_EQ(PathsWith("CommitLog-").size(), 1u);
  EXPECT_EQ(PathsWith("MANIFEST-").size(), 1u);
  EXPECT_EQ(PathsWith("CURRENT").size(), 1u);
  const std::vector<Record> records = ParseSegment(files_->at(PathsWith("CommitLog-")[0]));
  EXPECT_EQ(records.size(), workload_->session2.size());
  // The undamaged copy reads back what was written.
  EXPECT_EQ(OpenFlipped(PathsWith("CURRENT")[0], 0, 0).answers, *answers_);
}

TEST_F(CorruptionTest, CommitLogSegment) {
  const std::string path = PathsWith("CommitLog-")[0];
  const std::string& bytes = files_->at(path);
  const std::vector<Record> records = ParseSegment(bytes);
  ASSERT_EQ(records.size(), workload_->session2.size());
  const Record& last = records.back();
  const Record& middle = records[records.size() / 2];
  // Besides the spread: length fields (low and high byte), length checks, checksum and
  // payload of the last record and of one in the middle.
  std::vector<uint64_t> extra = {records[0].offset, middle.offset,   middle.offset + 3,
                                 middle.offset + 5, last.offset,     last.offset + 3,
                                 last.offset + 4,   last.offset + 8, last.offset + 12,
                                 last.offset + 16,  last.end - 1};
  std::map<size_t, std::vector<std::string>> answers_without;  // records [r, end) dropped
  int tried = 0, torn = 0, detected = 0;
  for (uint64_t offset : SampleOffsets(bytes.size(), extra)) {
    for (uint8_t mask : {0x01, 0x80}) {
      SCOPED_TRACE(absl::StrCat(path, " offset ", offset, " ^ 0x", absl::Hex(mask)));
      // What docs/commitlog-format.md says happens.
      std::optional<size_t> cut;  // a torn tail from record `cut` on
      uint64_t bad_at = 0;        // else DataLoss at this offset
      size_t r = 0;
      while (r < records.size() && records[r].end <= offset) ++r;
      if (offset >= kSegmentHeader) {
        const Record& rec = records[r];
        bad_at = rec.offset;
        const bool is_last = r + 1 == records.size();
        // A damaged length or length check fails the length check: DataLoss, even in the
        // last record and even when the length points past the end of the file. Damage
        // after it in the final record is a final checksum failure: a torn tail.
        if (offset >= rec.offset + 8 && is_last) cut = r;
      }
      Outcome o = OpenFlipped(path, offset, mask);
      ++tried;
      EXPECT_THAT(o.lost_sstables, ::testing::IsEmpty());
      if (!cut.has_value()) {
        ++detected;
        ExpectDataLossAt(o, path, bad_at, offset);
        continue;
      }
      ++torn;
      ASSERT_TRUE(o.status.ok()) << o.status;
      EXPECT_THAT(o.warnings, ::testing::Contains(::testing::AllOf(
                                  HasSubstr("torn tail"), HasSubstr(path),
                                  HasSubstr(absl::StrCat("offset ", records[*cut].offset)))));
      if (!answers_without.contains(*cut)) {
        const size_t from = *cut;
        answers_without[from] = AnswersOf(
            *workload_, [&](size_t i) { return i < from || workload_->session2_flushed[i]; });
      }
      EXPECT_EQ(o.answers, answers_without[*cut]) << "records from " << *cut << " on dropped";
    }
  }
  std::cout << "[ flips    ] " << path << ": " << tried << " flips, " << detected << " DataLoss, "
            << torn << " torn tails\n";
  EXPECT_GT(detected, 20);
  EXPECT_GT(torn, 2);
}

TEST_F(CorruptionTest, SSTableFiles) {
  Counts n;
  for (const std::string& path : PathsWith("/cs-")) {
    FlipAt(path, BothMasks(SampleOffsets(files_->at(path).size())), &n);
  }
  std::cout << "[ flips    ] SSTables: " << n.tried << " flips, " << n.detected << " DataLoss\n";
  EXPECT_GT(n.detected, n.tried * 3 / 4);  // only the bloom filters may be damaged unnoticed
}

// The manifest's records: the snapshot written at open, then the flush's edit.
// Record header: length:fixed32, length_check:fixed32, checksum:fixed64.
std::vector<Record> ManifestRecords(const std::string& bytes) {
  std::vector<Record> out;
  uint64_t off = 0;
  while (off + 16 <= bytes.size()) {
    uint32_t len = 0;
    for (int i = 3; i >= 0; --i) len = len << 8 | static_cast<uint8_t>(bytes[off + i]);
    out.push_back({off, off + 16 + len});
    off += 16 + len;
  }
  EXPECT_EQ(off, bytes.size());
  return out;
}

// Every flip is DataLoss, including in the last record and in length fields: a torn
// append leaves a strict prefix of a record, which no single flipped bit produces (the
// length has its own check). Regression: flips that looked torn used to drop synced
// edits silently and delete the SSTables they named.
TEST_F(CorruptionTest, ManifestEveryFlipIsDataLoss) {
  const std::string path = PathsWith("MANIFEST-")[0];
  const std::string& bytes = files_->at(path);
  const std::vector<Record> records = ManifestRecords(bytes);
  ASSERT_EQ(records.size(), 2u);
  std::vector<uint64_t> extra = {1, 2, 3, records[1].offset, records[1].offset + 1};
  for (uint64_t o = records[1].offset; o < bytes.size(); o += 7) extra.push_back(o);
  Counts n;
  FlipAt(path, BothMasks(SampleOffsets(bytes.size(), extra)), &n);
  std::cout << "[ flips    ] " << path << ": " << n.tried << " flips, " << n.detected
            << " DataLoss\n";
  EXPECT_EQ(n.detected, n.tried);
  EXPECT_GT(n.tried, 20);
}

TEST_F(CorruptionTest, Current) {
  Counts n;
  const std::string path = PathsWith("CURRENT")[0];
  // A digit flipped into another digit names a manifest that does not exist: DataLoss
  // naming CURRENT, but with no offset.
  FlipAt(path, BothMasks(SampleOffsets(files_->at(path).size())), &n, /*offset_optional=*/true);
  std::cout << "[ flips    ] CURRENT: " << n.tried << " flips, " << n.detected << " DataLoss\n";
  EXPECT_EQ(n.detected, n.tried);
}

// Regression: a database whose manifest holds one record (the snapshot written at open)
// opened as an EMPTY database after a single bit flip in that record, and deleted every
// SSTable as an orphan. Expected: DataLoss naming the MANIFEST.
TEST(CorruptionSingleTest, DamagedOnlyManifestRecordIsNotAnEmptyDatabase) {
  FaultInjectionEnv env;
  {
    auto db = Db::Open(MakeOptions(&env, 0), kDir);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->CreateTable(Schema("kv")).ok());
    ASSERT_TRUE((*db)->Write(PutKv(1, "one")).ok());
    ASSERT_TRUE((*db)->Flush(kKv).ok());
  }
  {
    // Reopen: a new manifest holding one snapshot record. A flush with nothing to write
    // deletes the old, fully flushed commit-log segment.
    auto db = Db::Open(MakeOptions(&env, 1), kDir);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Flush(kKv).ok());
  }
  Files files = Snapshot(&env);
  std::string manifest;
  for (const auto& [path, bytes] : files) {
    if (path.find("MANIFEST-") != std::string::npos) manifest = path;
  }
  ASSERT_EQ(ManifestRecords(files[manifest]).size(), 1u);
  files[manifest][20] ^= 0x01;  // a payload byte of the only record
  std::unique_ptr<FaultInjectionEnv> damaged = Restore(files);
  auto db = Db::Open(MakeOptions(damaged.get(), 2), kDir);
  if (db.ok()) {
    EXPECT_THAT((*db)->ListTables(), ::testing::ElementsAre(kKv)) << "the table vanished";
  } else {
    EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss) << db.status();
    EXPECT_THAT(std::string(db.status().message()), HasSubstr(manifest.substr(4)));
  }
  for (const auto& [path, bytes] : files) {
    if (path.find("/cs-") != std::string::npos) EXPECT_TRUE(damaged->FileExists(path)) << path;
  }
}

}  // namespace
}  // namespace cassette

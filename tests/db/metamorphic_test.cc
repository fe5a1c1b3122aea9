// Metamorphic compaction test: one random operation log (writes, deletions of every
// kind, TTLs, flushes, memtable switches, major compactions, garbagecollect, reopens)
// is run under STCS, LCS, TWCS, UCS (tiered and levelled) and a table that changes
// strategy as it goes, each with compression off and on, and every configuration must
// give identical query results at every checkpoint. Compactions run concurrently with
// the writes and with two reader threads that check timing-independent invariants
// (self-validating values, atomic batches across partitions, no read going back in
// time). The clock only moves forward and never past gc_grace, so no purge can change a
// result; timestamps are the engine's own, identical in every configuration because the
// clock is replayed identically.
//
// CASSETTE_META_SEED=<n> picks the log, CASSETTE_META_OPS=<n> its length.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cassette/cassette.h"
#include "db/metamorphic_reader.h"
#include "db/test_folder.h"

namespace cassette {
namespace metamorphic {
namespace {

// ---- The operation log ----

struct Op {
  enum Kind {
    kWrite,  // `batch`
    kFlush,
    kCompact,
    kGarbageCollect,
    kReopen,
    kCheckpoint,
  };
  Kind kind = kWrite;
  int64_t advance_micros = 0;  // the clock moves forward by this before the op
  WriteBatch batch;
  int64_t max_seq = 0;   // highest seq the batch writes (issued before it is applied)
  int64_t pair_seq = 0;  // > 0: the batch rewrites the pair partitions with this seq
  bool wait = false;     // checkpoint: WaitForCompactions before reading
  std::string what;      // for failure messages
};

class LogGenerator {
 public:
  explicit LogGenerator(uint64_t seed) : rng_(seed) {}

  std::vector<Op> Generate(int64_t n) {
    std::vector<Op> log;
    const int64_t interval = std::max<int64_t>(1, n / kCheckpoints);
    int checkpoint = 0;
    for (int64_t i = 0; i < n; ++i) {
      Op op;
      op.advance_micros = 1000 + Uniform(100'000);  // 1-100 ms
      if (Uniform(150) == 0) op.advance_micros += (20 + Uniform(100)) * kSec;
      if (i % interval == interval - 1) {
        op.kind = Op::kCheckpoint;
        op.wait = checkpoint % 3 == 1;
        op.what = absl::StrCat("checkpoint ", checkpoint++, " (op ", i, " of the log)");
      } else {
        Fill(&op);
      }
      log.push_back(std::move(op));
    }
    return log;
  }

 private:
  int64_t Uniform(int64_t n) { return static_cast<int64_t>(rng_() % static_cast<uint64_t>(n)); }
  bool OneIn(int64_t n) { return Uniform(n) == 0; }

  int Partition() {
    return OneIn(3) ? static_cast<int>(Uniform(6)) : static_cast<int>(Uniform(kPartitions));
  }
  int Clustering() { return static_cast<int>(Uniform(kClusterings)); }
  WriteOptions MaybeTtl() {
    WriteOptions o;
    if (OneIn(10)) o.ttl = 60 + Uniform(1800);
    return o;
  }
  size_t FillerLen() {
    return OneIn(50) ? 3000 + Uniform(6000) : static_cast<size_t>(8 + Uniform(2400));
  }

  // Insert or update (k, c) with a fresh seq.
  void PutRow(WriteBatch* b, int k, int c, bool insert, WriteOptions o) {
    const int64_t seq = ++seq_;
    const Value v = Value::Text(MakePayload(k, c, seq, FillerLen()));
    const Value w = I(static_cast<int32_t>(seq));
    if (insert) {
      b->Insert(kTable, {{"k", I(k)}, {"c", I(c)}, {"v", v}, {"w", w}}, o);
    } else {
      b->Update(kTable, {{"k", I(k)}, {"c", I(c)}}, {{"v", v}, {"w", w}}, o);
    }
  }

  void Fill(Op* op) {
    const int64_t r = Uniform(1000);
    WriteBatch& b = op->batch;
    const int k = Partition();
    const int c = Clustering();
    if (r < 540) {
      PutRow(&b, k, c, true, MaybeTtl());
      op->what = absl::StrCat("insert ", k, ":", c);
    } else if (r < 660) {
      PutRow(&b, k, c, false, MaybeTtl());
      op->what = absl::StrCat("update ", k, ":", c);
    } else if (r < 690) {
      b.DeleteColumns(kTable, {{"k", I(k)}, {"c", I(c)}}, {"w"});
      op->what = absl::StrCat("delete w ", k, ":", c);
    } else if (r < 740) {
      b.Delete(kTable, {{"k", I(k)}, {"c", I(c)}});
      op->what = absl::StrCat("delete row ", k, ":", c);
    } else if (r < 765) {
      ClusteringSlice slice;
      const int lo = Clustering();
      const int hi = std::min(kClusterings, lo + static_cast<int>(Uniform(40)));
      const bool has_lo = !OneIn(5), has_hi = !OneIn(5);
      const bool both_inclusive = lo == hi;
      if (has_lo) slice.start = ClusteringBound{{I(lo)}, both_inclusive || !OneIn(2)};
      if (has_hi) slice.end = ClusteringBound{{I(hi)}, both_inclusive || !OneIn(2)};
      b.DeleteRange(kTable, {{"k", I(k)}}, slice);
      op->what = absl::StrCat("delete range ", k, ":", has_lo ? absl::StrCat(lo) : "-", "..",
                              has_hi ? absl::StrCat(hi) : "-");
    } else if (r < 772) {
      b.Delete(kTable, {{"k", I(k)}});
      op->what = absl::StrCat("delete partition ", k);
    } else if (r < 830) {
      // Both pair partitions, every row, one seq: readers must never see a mix.
      const int64_t pair_seq = ++seq_;
      for (int pk : {kPairPartitionA, kPairPartitionB}) {
        for (int pc = 0; pc < kPairRows; ++pc) {
          b.Insert(kTable, {{"k", I(pk)},
                            {"c", I(pc)},
                            {"v", Value::Text(MakePayload(pk, pc, pair_seq, 16))},
                            {"w", I(static_cast<int32_t>(pair_seq))}});
        }
      }
      op->pair_seq = pair_seq;
      op->what = absl::StrCat("pair write ", pair_seq);
    } else if (r < 955) {
      // A multi-partition batch mixing writes and deletions.
      const int n = 2 + static_cast<int>(Uniform(7));
      for (int i = 0; i < n; ++i) {
        const int bk = Partition(), bc = Clustering();
        if (OneIn(6)) {
          b.Delete(kTable, {{"k", I(bk)}, {"c", I(bc)}});
        } else {
          PutRow(&b, bk, bc, !OneIn(3), MaybeTtl());
        }
      }
      op->what = absl::StrCat("batch of ", n);
    } else if (r < 985) {
      op->kind = Op::kFlush;
      op->what = "flush";
    } else if (r < 991) {
      op->kind = Op::kCompact;
      op->what = "compact";
    } else if (r < 994) {
      op->kind = Op::kGarbageCollect;
      op->what = "garbagecollect";
    } else {
      op->kind = Op::kReopen;
      op->what = "reopen";
    }
    op->max_seq = seq_;
  }

  std::mt19937_64 rng_;
  int64_t seq_ = 0;
};

// ---- Configurations ----

struct Strategy {
  std::string class_name;
  std::map<std::string, std::string> options;
};

struct Config {
  std::string name;
  // More than one: the table starts with the first and moves to the next (round robin)
  // at every checkpoint, through SetCompaction.
  std::vector<Strategy> strategies;
  int compression_level = 0;
  int32_t page_size = 0;  // of the checkpoint's full scan
};

std::vector<Config> Configs() {
  const Strategy stcs{"SizeTieredCompactionStrategy", {{"min_threshold", "2"}}};
  const Strategy lcs{"LeveledCompactionStrategy", {{"sstable_size_in_mb", "1"}}};
  const Strategy twcs{"TimeWindowCompactionStrategy",
                      {{"compaction_window_unit", "MINUTES"}, {"compaction_window_size", "5"}}};
  const Strategy ucs_t4{"UnifiedCompactionStrategy",
                        {{"scaling_parameters", "T4"},
                         {"target_sstable_size", "1MiB"},
                         {"min_sstable_size", "0B"},
                         {"base_shard_count", "4"}}};
  const Strategy ucs_l4{"UnifiedCompactionStrategy",
                        {{"scaling_parameters", "L4"},
                         {"target_sstable_size", "1MiB"},
                         {"min_sstable_size", "256kiB"}}};
  std::vector<Config> configs;
  const std::vector<std::pair<std::string, Strategy>> strategies = {
      {"stcs", stcs}, {"lcs", lcs}, {"twcs", twcs}, {"ucs_t4", ucs_t4}, {"ucs_l4", ucs_l4},
  };
  const int32_t page_sizes[] = {0, 37, 256, 1000};
  int i = 0;
  for (const auto& [name, s] : strategies) {
    for (int level : {0, 3}) {
      configs.push_back(Config{absl::StrCat(name, "_z", level), {s}, level, page_sizes[i++ % 4]});
    }
  }
  configs.push_back(Config{"switching_z3", {stcs, lcs, ucs_t4, twcs, ucs_l4}, 3, 3});
  return configs;
}

// ---- Checkpoint rendering ----

std::string RenderRow(const ResultSet& rs, const ResultRow& row) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < row.values.size(); ++i) {
    std::string p = row.values[i].ToString();
    if (i < row.writetime.size() && row.writetime[i].has_value()) {
      absl::StrAppend(&p, "@", *row.writetime[i]);
    }
    if (i < row.ttl.size() && row.ttl[i].has_value()) absl::StrAppend(&p, "~", *row.ttl[i]);
    parts.push_back(std::move(p));
  }
  (void)rs;
  return absl::StrJoin(parts, "|");
}

// Runs `q` through every page; appends one line per row.
absl::Status RenderQuery(Db* db, SelectQuery q, const std::string& title,
                         std::vector<std::string>* out) {
  out->push_back(title);
  for (;;) {
    auto rs = db->Select(q);
    if (!rs.ok()) return rs.status();
    for (const ResultRow& row : rs->rows) out->push_back(RenderRow(*rs, row));
    if (rs->paging_state.empty()) return absl::OkStatus();
    q.paging_state = rs->paging_state;
  }
}

// The table as the queries see it, canonically. `rng` is seeded per checkpoint, the same
// in every configuration.
absl::StatusOr<std::vector<std::string>> RenderCheckpoint(Db* db, int32_t page_size,
                                                          std::mt19937_64 rng) {
  std::vector<std::string> out;
  SelectQuery all;
  all.table = kTable;
  all.with_writetime_ttl = true;
  all.page_size = page_size;
  if (auto s = RenderQuery(db, all, "SELECT *", &out); !s.ok()) return s;

  for (int i = 0; i < 24; ++i) {
    const int k = static_cast<int>(rng() % kPartitions), c = static_cast<int>(rng() % kClusterings);
    auto r = db->Get(kTable, {{"k", I(k)}, {"c", I(c)}});
    if (!r.ok()) return r.status();
    out.push_back(absl::StrCat("GET ", k, ":", c, " -> "));
    if (r->has_value()) {
      std::vector<std::string> vals;
      for (const Value& v : (*r)->values) vals.push_back(v.ToString());
      out.back() += absl::StrJoin(vals, "|");
    } else {
      out.back() += "none";
    }
  }

  for (int i = 0; i < 4; ++i) {
    SelectQuery q;
    q.table = kTable;
    const int k = static_cast<int>(rng() % kPartitions);
    q.partition_key = {{"k", I(k)}};
    const int lo = static_cast<int>(rng() % kClusterings);
    const int hi = lo + static_cast<int>(rng() % 80);
    q.slice.start = ClusteringBound{{I(lo)}, rng() % 2 == 0};
    if (rng() % 4 != 0) q.slice.end = ClusteringBound{{I(hi)}, rng() % 2 == 0};
    q.reversed = i % 2 == 0;
    q.limit = rng() % 3 == 0 ? 1 + static_cast<int64_t>(rng() % 10) : 0;
    q.page_size = static_cast<int32_t>(rng() % 5);
    q.with_writetime_ttl = true;
    if (auto s = RenderQuery(db, q,
                             absl::StrCat("SLICE k=", k, " from ", lo, " to ",
                                          q.slice.end.has_value() ? absl::StrCat(hi) : "end",
                                          " reversed=", q.reversed ? "yes" : "no",
                                          " limit=", q.limit, " page_size=", q.page_size),
                             &out);
        !s.ok()) {
      return s;
    }
  }

  SelectQuery projection;
  projection.table = kTable;
  projection.columns = {"w", "k"};
  projection.limit = 50;
  projection.page_size = 7;
  if (auto s = RenderQuery(db, projection, "SELECT w, k LIMIT 50", &out); !s.ok()) return s;
  return out;
}

// `line`, with the middle of a long one elided.
std::string Shorten(const std::string& line) {
  if (line.size() <= 160) return line;
  return absl::StrCat(line.substr(0, 100), "...(", line.size() - 150, " bytes)...",
                      line.substr(line.size() - 50));
}

// The first difference, with context.
std::string Diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  if (i == want.size() && i == got.size()) return "";
  std::string title;  // the section the difference is in
  for (size_t j = std::min(i, want.size()); j-- > 0;) {
    if (want[j].starts_with("SELECT") || want[j].starts_with("SLICE") ||
        want[j].starts_with("GET")) {
      title = want[j];
      break;
    }
  }
  std::string out = absl::StrCat("first difference at line ", i, " of ", want.size(), " (ref) / ",
                                 got.size(), " (this), in section '", title, "'\n");
  const size_t from = i >= 3 ? i - 3 : 0;
  for (size_t j = from; j < i + 4; ++j) {
    absl::StrAppend(&out, "  ref[", j, "]:  ", j < want.size() ? Shorten(want[j]) : "<end>", "\n");
    absl::StrAppend(&out, "  this[", j, "]: ", j < got.size() ? Shorten(got[j]) : "<end>", "\n");
  }
  return out;
}

// ---- Running one configuration ----

struct RunResult {
  std::vector<std::vector<std::string>> checkpoints;
  std::vector<std::string> checkpoint_names;
  int64_t compactions = 0;
  int64_t background_compactions = 0;  // picked by the strategy
  int64_t failed_compactions = 0;
  int64_t reader_reads = 0;
  std::vector<std::string> reader_errors;
  std::string first_compaction_error;
  std::string final_sstables;  // SSTables per level at the end of the log
};

class Runner {
 public:
  Runner(const Config& config, std::string folder, uint64_t seed)
      : config_(config), folder_(std::move(folder)), seed_(seed) {}

  // ASSERTs on API failures; the caller checks HasFatalFailure().
  void Run(const std::vector<Op>& log, RunResult* result) {
    result_ = result;
    ASSERT_NO_FATAL_FAILURE(Open());
    TableSchema schema{"ks",
                       "m",
                       {{"k", CqlType::kInt, ColumnKind::kPartitionKey},
                        {"c", CqlType::kInt, ColumnKind::kClustering},
                        {"v", CqlType::kText, ColumnKind::kRegular},
                        {"w", CqlType::kInt, ColumnKind::kRegular}},
                       {}};
    schema.options.compaction_class = config_.strategies[0].class_name;
    schema.options.compaction_options = config_.strategies[0].options;
    ASSERT_TRUE(db_->CreateTable(schema).ok());
    StartReaders();
    size_t strategy = 0;
    int checkpoint = 0;
    for (size_t i = 0; i < log.size(); ++i) {
      const Op& op = log[i];
      SCOPED_TRACE(absl::StrCat("op ", i, " (", op.what, ")"));
      clock_->AdvanceMicros(op.advance_micros);
      switch (op.kind) {
        case Op::kWrite: {
          shared_.max_seq.store(std::max(shared_.max_seq.load(), op.max_seq));
          const absl::Status s = db_->Write(op.batch);
          ASSERT_TRUE(s.ok()) << s;
          if (op.pair_seq > 0) shared_.pair_published.store(op.pair_seq, std::memory_order_release);
          break;
        }
        case Op::kFlush:
          ASSERT_TRUE(db_->Flush(kTable).ok());
          break;
        case Op::kCompact:
          ASSERT_TRUE(db_->Compact(kTable).ok());
          break;
        case Op::kGarbageCollect:
          ASSERT_TRUE(db_->GarbageCollect(kTable).ok());
          break;
        case Op::kReopen:
          ASSERT_NO_FATAL_FAILURE(Reopen());
          break;
        case Op::kCheckpoint: {
          if (op.wait) {
            ASSERT_TRUE(db_->WaitForCompactions(kTable).ok());
          }
          ASSERT_NO_FATAL_FAILURE(Checkpoint(op.what, checkpoint++));
          if (config_.strategies.size() > 1) {
            strategy = (strategy + 1) % config_.strategies.size();
            const Strategy& next = config_.strategies[strategy];
            const absl::Status s = db_->SetCompaction(kTable, next.class_name, next.options);
            ASSERT_TRUE(s.ok()) << s;
          }
          break;
        }
      }
    }
    if (auto stats = db_->GetCompactionStats(kTable); stats.ok()) {
      for (const auto& [level, n] : stats->sstables_per_level) {
        absl::StrAppend(&result->final_sstables, result->final_sstables.empty() ? "" : " ", "L",
                        level, ":", n);
      }
    }
    // The end: everything compacted, then everything read back after a reopen.
    ASSERT_TRUE(db_->Compact(kTable).ok());
    ASSERT_TRUE(db_->WaitForCompactions(kTable).ok());
    ASSERT_NO_FATAL_FAILURE(Checkpoint("after the final major compaction", checkpoint++));
    ASSERT_NO_FATAL_FAILURE(Reopen());
    ASSERT_NO_FATAL_FAILURE(Checkpoint("after the final reopen", checkpoint++));
    StopReaders();
    CollectHistory();
    db_.reset();
  }

  ~Runner() {
    StopReaders();
    db_.reset();
  }

 private:
  void Open() {
    Options o;
    o.clock = clock_;
    o.memtable_budget_bytes = 128 << 10;
    o.sstable_compression_level = config_.compression_level;
    o.compaction_concurrency = 2;
    o.warning_log = [](const std::string&) {};  // range deletions make tombstone warnings
    auto db = Db::Open(o, folder_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    shared_.db.store(db_.get(), std::memory_order_release);
  }

  void Reopen() {
    StopReaders();
    CollectHistory();
    shared_.db.store(nullptr);
    db_.reset();
    ASSERT_NO_FATAL_FAILURE(Open());
    StartReaders();
  }

  void CollectHistory() {
    if (db_ == nullptr) return;
    for (const CompactionEvent& e : db_->CompactionHistory()) {
      result_->compactions++;
      if (e.reason != "major" && e.reason != "garbagecollect") result_->background_compactions++;
      if (!e.error.empty()) {
        if (result_->failed_compactions++ == 0) {
          result_->first_compaction_error = absl::StrCat(e.reason, ": ", e.error);
        }
      }
    }
  }

  void StartReaders() {
    shared_.stop.store(false);
    for (int i = 0; i < kReaders; ++i) {
      readers_.emplace_back(std::make_unique<Reader>(&shared_, seed_ * 31 + epoch_ * kReaders + i));
    }
    epoch_++;
    for (auto& r : readers_) threads_.emplace_back([reader = r.get()] { reader->Run(); });
  }

  void StopReaders() {
    if (result_ == nullptr) return;
    shared_.stop.store(true, std::memory_order_release);
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    readers_.clear();
    result_->reader_reads = shared_.reads.load();
    std::lock_guard<std::mutex> l(shared_.mu);
    result_->reader_errors = shared_.errors;
  }

  void Checkpoint(const std::string& name, int index) {
    auto lines = RenderCheckpoint(db_.get(), config_.page_size, std::mt19937_64(seed_ + index));
    ASSERT_TRUE(lines.ok()) << name << ": " << lines.status();
    result_->checkpoints.push_back(*std::move(lines));
    result_->checkpoint_names.push_back(name);
  }

  const Config& config_;
  const std::string folder_;
  const uint64_t seed_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStartMicros);
  std::unique_ptr<Db> db_;
  Shared shared_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::vector<std::thread> threads_;
  int epoch_ = 0;
  RunResult* result_ = nullptr;
};

TEST(MetamorphicTest, EveryStrategyCompressionAndReopenGivesTheSameResults) {
  const uint64_t seed = SeedFromEnv();
  const int64_t ops = OpsFromEnv();
  std::printf("MetamorphicTest: CASSETTE_META_SEED=%llu CASSETTE_META_OPS=%lld\n",
              static_cast<unsigned long long>(seed), static_cast<long long>(ops));
  SCOPED_TRACE(absl::StrCat("CASSETTE_META_SEED=", seed, " CASSETTE_META_OPS=", ops));
  const std::vector<Op> log = LogGenerator(seed).Generate(ops);
  const std::string base = FreshFolder();
  std::filesystem::create_directories(base);

  std::vector<RunResult> results;
  const std::vector<Config> configs = Configs();
  for (const Config& config : configs) {
    SCOPED_TRACE("configuration " + config.name);
    const auto started = std::chrono::steady_clock::now();
    RunResult r;
    {
      Runner runner(config, base + "/" + config.name, seed);
      runner.Run(log, &r);
    }
    if (HasFatalFailure()) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf(
        "  %-14s %zu checkpoints, %lld compactions (%lld by the strategy), %lld concurrent reads, "
        "%.2f s; "
        "%zu result lines; SSTables by level at the end of the log: %s\n",
        config.name.c_str(), r.checkpoints.size(), static_cast<long long>(r.compactions),
        static_cast<long long>(r.background_compactions), static_cast<long long>(r.reader_reads),
        secs, r.checkpoints.back().size(), r.final_sstables.c_str());
    EXPECT_GT(r.background_compactions, 0)
        << "the strategy never compacted: the test would prove little";
    EXPECT_EQ(r.failed_compactions, 0) << r.first_compaction_error;
    EXPECT_GT(r.reader_reads, 0);
    EXPECT_TRUE(r.reader_errors.empty()) << absl::StrJoin(r.reader_errors, "\n");
    if (!results.empty()) {
      const RunResult& ref = results.front();
      ASSERT_EQ(r.checkpoints.size(), ref.checkpoints.size());
      for (size_t i = 0; i < r.checkpoints.size(); ++i) {
        const std::string diff = Diff(ref.checkpoints[i], r.checkpoints[i]);
        if (!diff.empty()) {
          ADD_FAILURE() << config.name << " differs from " << configs.front().name << " at "
                        << r.checkpoint_names[i] << ": " << diff;
          break;  // later checkpoints usually differ the same way
        }
      }
    }
    results.push_back(std::move(r));
  }
  // The log did something: rows exist at the end.
  ASSERT_FALSE(results.empty());
  EXPECT_GT(results.front().checkpoints.back().size(), 100u);
  if (!HasFailure()) std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace metamorphic
}  // namespace cassette

// Model-based property test: random operation sequences (property_gen.h) are applied to
// cassette::Db and to the brute-force reference model (model.h, model_read.h); after every
// step random reads must return exactly the model's answer, paged or not.
//
// CASSETTE_PROP_CASES sets the number of cases (default 10000, 2000 under TSan);
// RC_PARAMS still controls the seed (RC_PARAMS="seed=123") and the rest of RapidCheck's
// configuration. A failure prints the shrunk steps and the history with resolved
// timestamps.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cassette/clock.h"
#include "cassette/db.h"
#include "cassette/env.h"
#include "db/model.h"
#include "db/model_read.h"
#include "db/property_gen.h"
#include "env/fault_injection_env.h"

namespace cassette::prop {
namespace {

// ThreadSanitizer slows the engine's threads down several times more than ASan/UBSan
// (which run 10000 cases in about 4 minutes), so a TSan build runs fewer by default.
#if defined(__SANITIZE_THREAD__)
constexpr int kDefaultCases = 2000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr int kDefaultCases = 2000;
#else
constexpr int kDefaultCases = 10000;
#endif
#else
constexpr int kDefaultCases = 10000;
#endif

constexpr int kMaxSteps = 30;

// What the run exercised, printed at the end so that a vacuous run gets noticed.
struct Coverage {
  int64_t batches = 0, rejected_batches = 0, selects = 0, nonempty_selects = 0, rows = 0;
  int64_t static_only_rows = 0, rows_with_ttl = 0, multi_page = 0, refused_selects = 0;
  int64_t gets = 0, gets_found = 0, switches = 0, flushes = 0, reopens = 0, crashes = 0;
  int64_t compactions = 0;
} coverage;

void Count(const model::Answer& a) {
  coverage.selects++;
  coverage.nonempty_selects += !a.rows.empty();
  coverage.rows += static_cast<int64_t>(a.rows.size());
  const auto c1 = std::find(a.columns.begin(), a.columns.end(), "c1") - a.columns.begin();
  for (const ResultRow& r : a.rows) {
    if (static_cast<size_t>(c1) < r.values.size() && r.values[c1].is_null()) {
      coverage.static_only_rows++;
    }
    coverage.rows_with_ttl += std::any_of(r.ttl.begin(), r.ttl.end(), [](auto t) { return !!t; });
  }
}

// One case: a fresh Db on a fresh in-memory file system, and the model, in lockstep.
class Harness {
 public:
  Harness() : clock_(std::make_shared<ManualClock>(kStartMicros)) {
    Open();
    for (const TableSchema& s : {SchemaA(), SchemaB()}) {
      RC_ASSERT(db_->CreateTable(s).ok());
      model_.CreateTable(s);
    }
  }

  void Run(const Step& step) {
    switch (step.kind) {
      case Step::Kind::kWrite:
        Write(step.batch);
        break;
      case Step::Kind::kAdvance: {
        int64_t d =
            step.to_next_second ? 1'000'000 - clock_->NowMicros() % 1'000'000 : step.advance_us;
        // See kReopen: after a reopen the clock stays above every earlier timestamp.
        d = std::max(d, min_clock_ - clock_->NowMicros());
        clock_->AdvanceMicros(d);
        Log(absl::StrCat("advance clock by ", d, " us -> ", clock_->NowMicros()));
        break;
      }
      case Step::Kind::kSwitch:
        Log(absl::StrCat("switch memtable of ", step.table));
        coverage.switches++;
        if (auto s = db_->SwitchMemtable(step.table); !s.ok()) Fail("switch", s.ToString());
        break;
      case Step::Kind::kFlush:
        Log(absl::StrCat("flush ", step.table));
        coverage.flushes++;
        if (auto s = db_->Flush(step.table); !s.ok()) Fail("flush", s.ToString());
        break;
      case Step::Kind::kCompact: {
        Log(absl::StrCat(step.garbage_collect ? "garbagecollect " : "compact ", step.table));
        coverage.compactions++;
        absl::Status s =
            step.garbage_collect ? db_->GarbageCollect(step.table) : db_->Compact(step.table);
        if (!s.ok()) Fail("compaction", s.ToString());
        // A compaction may purge tombstones past gc_grace together with what they
        // shadow, as Cassandra does; a later write older than such a tombstone would then
        // be visible where the model (which never forgets a deletion) hides it. Cassandra
        // leaves that case undefined, so the test writes nothing at or below the newest
        // timestamp written before the compaction from now on.
        // Nor may the clock go back past the compaction: it turned expired cells into
        // tombstones, which a rewound clock cannot make live again.
        horizon_ = std::max(horizon_, max_written_);
        min_clock_ = std::max({min_clock_, horizon_ + 1, clock_->NowMicros()});
        if (clock_->NowMicros() < min_clock_) clock_->SetMicros(min_clock_);
        break;
      }
      case Step::Kind::kCrash:
      case Step::Kind::kReopen: {
        // Default timestamps are only promised to increase across the batches of one
        // open Db; after a reopen the generator restarts from the clock, as Cassandra's
        // client-side generator does (write_batch.h). Keep the clock above every
        // timestamp issued so far, as a real clock would be.
        min_clock_ = std::max(clock_->NowMicros(), model_.last_timestamp().value_or(0) + 1);
        clock_->SetMicros(min_clock_);
        Log(absl::StrCat("reopen at clock ", clock_->NowMicros()));
        coverage.reopens++;
        db_.reset();
        if (step.kind == Step::Kind::kCrash) {
          // Every acknowledged write was synced (kBatch), so the model is unchanged:
          // after the crash the database must answer exactly as before it.
          coverage.crashes++;
          const CrashMode modes[] = {CrashMode::kDropUnsynced, CrashMode::kKeepRandomPrefix,
                                     CrashMode::kTornLastWrite};
          env_.SimulateCrash(modes[step.crash_mode], coverage.crashes);
        }
        Open();
        break;
      }
    }
    for (const Read& r : step.reads) {
      if (r.is_get) {
        CheckGet(r.q);
      } else {
        CheckSelect(r.q);
      }
    }
  }

  void Write(const std::vector<PlannedMutation>& planned) {
    const int64_t now = clock_->NowMicros();
    WriteBatch batch;
    std::string what = "write batch:";
    bool below_horizon = false;
    for (const PlannedMutation& pm : planned) {
      WriteBatch::Mutation m = pm.m;
      if (pm.ts_after_last) {
        m.options.timestamp = model_.last_timestamp().value_or(now) + *pm.ts_after_last;
      }
      absl::StrAppend(&what, "\n      ", Show(m));
      Add(m, &batch);
      if (m.options.timestamp && *m.options.timestamp <= horizon_) below_horizon = true;
    }
    if (below_horizon) {
      Log(absl::StrCat(what, "\n      -> skipped: at or below the purge horizon ", horizon_));
      return;
    }
    const absl::Status s = db_->Write(batch);
    coverage.batches++;
    if (s.ok()) {
      model_.Apply(batch, now);
      max_written_ = std::max(max_written_, *model_.last_timestamp());
      for (const auto& m : batch.mutations()) {
        if (m.options.timestamp) max_written_ = std::max(max_written_, *m.options.timestamp);
      }
      Log(absl::StrCat(what, "\n      -> timestamp ", *model_.last_timestamp()));
      return;
    }
    coverage.rejected_batches++;
    Log(absl::StrCat(what, "\n      -> rejected: ", s.ToString()));
    // Only a range deletion that selects nothing may be refused.
    if (!absl::IsInvalidArgument(s) || !model_.MayReject(batch)) Fail("the write", "");
  }

  void CheckGet(const SelectQuery& q) {
    auto got = db_->Get(q.table, q.partition_key, q.columns);
    const auto want = model::Get(model_, q.table, q.partition_key, q.columns, clock_->NowMicros());
    if (!got.ok()) Fail(ShowGet(q), "\n    db: " + got.status().ToString());
    coverage.gets++;
    coverage.gets_found += got->has_value();
    if (*got != want) {
      Fail(ShowGet(q), absl::StrCat("\n    db:    ", *got ? Show(**got) : "(none)",
                                    "\n    model: ", want ? Show(*want) : "(none)"));
    }
  }

  void CheckSelect(const SelectQuery& query) {
    const model::Answer want = model::Select(model_, query, clock_->NowMicros());
    SelectQuery q = query;
    q.page_size = 0;
    auto got = db_->Select(q);
    if (!got.ok()) {
      // A slice selecting nothing may be refused as inverted; anything else fails.
      if (want.slice_empty && absl::IsInvalidArgument(got.status())) {
        coverage.refused_selects++;
        return;
      }
      Fail(Show(q), "\n    db: " + got.status().ToString());
    }
    if (got->columns != want.columns || got->rows != want.rows || !got->paging_state.empty()) {
      Fail(Show(q),
           Diff(got->columns, got->rows, want) +
               (got->paging_state.empty() ? "" : "\n    unpaged answer has a paging_state"));
    }
    Count(want);
    if (query.page_size > 0) CheckPaged(query, want);
  }

  // Pages concatenated must equal the whole answer (LIMIT counts across pages); a page
  // that says more may follow is full; a full page may be followed by one empty page.
  void CheckPaged(const SelectQuery& query, const model::Answer& want) {
    SelectQuery q = query;
    std::vector<ResultRow> all;
    const size_t max_pages = want.rows.size() / q.page_size + 2;
    for (size_t page = 0;; ++page) {
      auto got = db_->Select(q);
      const std::string what = absl::StrCat(Show(q), " (page ", page, ")");
      if (!got.ok()) Fail(what, "\n    db: " + got.status().ToString());
      if (got->columns != want.columns) Fail(what, Diff(got->columns, got->rows, want));
      const size_t n = got->rows.size(), size = static_cast<size_t>(q.page_size);
      if (n > size || (!got->paging_state.empty() && n != size)) {
        Fail(what, absl::StrCat("\n    page of ", n, " rows, paging_state ",
                                got->paging_state.empty() ? "empty" : "set", Show(got->rows)));
      }
      all.insert(all.end(), got->rows.begin(), got->rows.end());
      if (got->paging_state.empty()) break;
      if (page == 0) coverage.multi_page++;
      if (page + 1 >= max_pages) Fail(what, "\n    too many pages; rows so far:" + Show(all));
      q.paging_state = got->paging_state;
    }
    if (all != want.rows)
      Fail(Show(query) + " (pages concatenated)", Diff(want.columns, all, want));
  }

 private:
  void Open() {
    Options o;
    o.clock = clock_;
    // In memory, with every acknowledged write synced, so that a crash step may drop
    // anything unsynced and the model still describes the database exactly.
    o.env = &env_;
    o.commitlog_sync = CommitLogSync::kBatch;
    // Compactions run as steps (kCompact), at points the purge horizon below knows.
    o.compaction_concurrency = 0;
    auto db = Db::Open(o, "/db");
    if (!db.ok()) Fail("open", db.status().ToString());
    db_ = *std::move(db);
  }
  static void Add(const WriteBatch::Mutation& m, WriteBatch* b) {
    using K = WriteBatch::Kind;
    switch (m.kind) {
      case K::kInsert:
        b->Insert(m.table, m.values, m.options);
        break;
      case K::kUpdate:
        b->Update(m.table, m.key, m.values, m.options);
        break;
      case K::kDeleteColumns:
        b->DeleteColumns(m.table, m.key, m.columns, m.options);
        break;
      case K::kDelete:
        b->Delete(m.table, m.key, m.options);
        break;
      case K::kDeleteRange:
        b->DeleteRange(m.table, m.key, m.slice, m.options);
        break;
    }
  }
  static std::string Diff(const std::vector<std::string>& cols, const std::vector<ResultRow>& rows,
                          const model::Answer& want) {
    return absl::StrCat("\n    db columns:    ", absl::StrJoin(cols, ", "),
                        "\n    model columns: ", absl::StrJoin(want.columns, ", "),
                        "\n    db rows:", Show(rows), "\n    model rows:", Show(want.rows));
  }
  void Log(const std::string& line) { absl::StrAppend(&history_, "\n  ", ++steps_, ". ", line); }
  [[noreturn]] void Fail(const std::string& what, const std::string& detail) {
    RC_FAIL(absl::StrCat("mismatch on ", what, " at clock ", clock_->NowMicros(), detail,
                         "\n  history (clock starts at ", kStartMicros, "):", history_));
    std::abort();  // not reached: RC_FAIL throws
  }

  FaultInjectionEnv env_;  // declared first: outlives db_
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Db> db_;
  model::Model model_;
  std::string history_;
  int steps_ = 0;
  int64_t min_clock_ = 0;            // the clock never goes below this (see kReopen)
  int64_t max_written_ = INT64_MIN;  // newest timestamp of any accepted write
  int64_t horizon_ = INT64_MIN;      // see kCompact
};

void RandomOperationsMatchModel() {
  const std::vector<Step> steps = *RandomCase(kMaxSteps);
  Harness h;
  for (const Step& s : steps) h.Run(s);
}

int CasesFromEnv() {
  const char* env = std::getenv("CASSETTE_PROP_CASES");
  if (env != nullptr && *env != '\0') return std::max(1, std::atoi(env));
  return kDefaultCases;
}

TEST(DbPropTest, RandomOperationsMatchModel) {
  rc::detail::TestMetadata metadata;
  metadata.id = "DbPropTest/RandomOperationsMatchModel";
  metadata.description = "RandomOperationsMatchModel";
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = CasesFromEnv();
  std::cout << "[ prop     ] " << params.maxSuccess << " cases, seed " << params.seed
            << " (CASSETTE_PROP_CASES=N, RC_PARAMS=\"seed=S\")" << std::endl;
  const auto result = rc::detail::checkTestable(&RandomOperationsMatchModel, metadata, params);
  if (result.is<rc::detail::SuccessResult>()) {
    std::cout << "[ prop     ] passed " << result.get<rc::detail::SuccessResult>().numSuccess
              << " cases" << std::endl;
  }
  const Coverage& c = coverage;
  std::cout << "[ prop     ] batches " << c.batches << " (rejected " << c.rejected_batches
            << "), selects " << c.selects << " (non-empty " << c.nonempty_selects << ", rows "
            << c.rows << ", static-only rows " << c.static_only_rows << ", rows with a TTL "
            << c.rows_with_ttl << ", over >1 page " << c.multi_page << ", refused "
            << c.refused_selects << "), gets " << c.gets << " (found " << c.gets_found
            << "), memtable switches " << c.switches << ", flushes " << c.flushes << ", reopens "
            << c.reopens << " (crashes " << c.crashes << "), compactions " << c.compactions
            << std::endl;
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  EXPECT_TRUE(result.is<rc::detail::SuccessResult>()) << ss.str();
}

}  // namespace
}  // namespace cassette::prop

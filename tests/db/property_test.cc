// Model-based property test: random operation sequences (property_gen.h) are applied to
// cassette::Db and to the brute-force reference model (model.h, model_read.h); after every
// step random reads must return exactly the model's answer, paged or not.
//
// Durability: a case runs in batch commit-log mode (every acknowledged write is synced, so
// a crash loses nothing) or in periodic mode, where a write is synced only when it asks
// to or a later sync point (a synced write, a flush that syncs the log, a clean close)
// covers it. After a crash the database must hold everything synced plus exactly a
// prefix of the batches acknowledged unsynced since the last sync point: no holes,
// nothing else. A full dump of both tables decides which prefix survived.
//
// CASSETTE_PROP_CASES sets the number of cases (default 10000, 2000 under TSan);
// RC_PARAMS still controls the seed (RC_PARAMS="seed=123") and the rest of RapidCheck's
// configuration. A failure prints the shrunk steps and the history with resolved
// timestamps.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
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

// Periodic mode's background sync: ten years, so that only the test's sync points sync.
constexpr int64_t kNeverSyncMs = int64_t{10} * 365 * 24 * 3600 * 1000;

// What the run exercised, printed at the end so that a vacuous run gets noticed.
struct Coverage {
  int64_t batches = 0, rejected_batches = 0, selects = 0, nonempty_selects = 0, rows = 0;
  int64_t static_only_rows = 0, rows_with_ttl = 0, multi_page = 0, refused_selects = 0;
  int64_t gets = 0, gets_found = 0, switches = 0, flushes = 0, reopens = 0, crashes = 0;
  int64_t compactions = 0;
  // Periodic mode: cases, batches acknowledged unsynced, synced writes; crashes with
  // unsynced batches pending, and of those how many kept all / some / none of them;
  // crashes whose dump matched more than one state, and reads that told them apart.
  int64_t periodic_cases = 0, unsynced_batches = 0, synced_writes = 0, crashes_unsynced = 0;
  int64_t kept_all = 0, kept_some = 0, kept_none = 0, ambiguous = 0, narrowed = 0;
  // Garbagecollect steps whose outcome depended on SSTable boundaries (BranchOnGarbageCollect).
  int64_t gc_branches = 0;
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
  explicit Harness(bool periodic)
      : periodic_(periodic), clock_(std::make_shared<ManualClock>(kStartMicros)) {
    coverage.periodic_cases += periodic;
    Open();
    models_.emplace_back();
    for (const TableSchema& s : {SchemaA(), SchemaB()}) {
      RC_ASSERT(db_->CreateTable(s).ok());
      models_[0].CreateTable(s);
    }
  }

  void Run(const Step& step) {
    switch (step.kind) {
      case Step::Kind::kWrite:
        Write(step.batch, step.sync);
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
        // The switched memtable is flushed (and the log synced) in the background, at a
        // time the test does not know: not a sync point.
        dirty_.erase(step.table);
        if (auto s = db_->SwitchMemtable(step.table); !s.ok()) Fail("switch", s.ToString());
        break;
      case Step::Kind::kFlush: {
        const bool syncs = dirty_.erase(step.table) > 0;
        Log(absl::StrCat("flush ", step.table, SyncNote(syncs)));
        coverage.flushes++;
        if (auto s = db_->Flush(step.table); !s.ok()) Fail("flush", s.ToString());
        if (syncs) Synced();
        break;
      }
      case Step::Kind::kCompact: {
        // Compact and GarbageCollect flush the table first (Flush).
        const bool syncs = dirty_.erase(step.table) > 0;
        Log(absl::StrCat(step.garbage_collect ? "garbagecollect " : "compact ", step.table,
                         SyncNote(syncs)));
        coverage.compactions++;
        absl::Status s =
            step.garbage_collect ? db_->GarbageCollect(step.table) : db_->Compact(step.table);
        if (!s.ok()) Fail("compaction", s.ToString());
        if (syncs) Synced();
        if (step.garbage_collect) BranchOnGarbageCollect(step.table);
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
        min_clock_ = std::max(clock_->NowMicros(), LastTimestamp().value_or(0) + 1);
        clock_->SetMicros(min_clock_);
        coverage.reopens++;
        // Replayed records may leave memtables non-empty; the test does not know which.
        dirty_.clear();
        if (step.kind == Step::Kind::kReopen) {
          Log(absl::StrCat("reopen at clock ", clock_->NowMicros()));
          db_.reset();  // a clean close syncs the commit log
          Synced();
          Open();
          break;
        }
        Log(absl::StrCat("crash (mode ", step.crash_mode, ", seed ", step.crash_seed,
                         ") and reopen at clock ", clock_->NowMicros(),
                         unsynced_.empty() ? ""
                                           : absl::StrCat(" with ", unsynced_.size(),
                                                          " batches acknowledged unsynced")));
        coverage.crashes++;
        // The machine dies now: nothing more reaches the disk, not even the sync of a
        // clean close, and a background flush stops where it is.
        quiet_ = true;  // the frozen env makes the closing Db warn
        env_.Freeze();
        db_.reset();
        const CrashMode modes[] = {CrashMode::kDropUnsynced, CrashMode::kKeepRandomPrefix,
                                   CrashMode::kTornLastWrite};
        env_.SimulateCrash(modes[step.crash_mode], step.crash_seed);
        Open();
        quiet_ = false;
        CheckRecovered();
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

  void Write(const std::vector<PlannedMutation>& planned, bool sync) {
    const int64_t now = clock_->NowMicros();
    WriteBatch batch;
    std::string what =
        !periodic_ ? "write batch:" : (sync ? "write batch (sync):" : "write batch (no sync):");
    bool below_horizon = false;
    for (const PlannedMutation& pm : planned) {
      WriteBatch::Mutation m = pm.m;
      if (pm.ts_after_last) {
        m.options.timestamp = LastTimestamp().value_or(now) + *pm.ts_after_last;
      }
      absl::StrAppend(&what, "\n      ", Show(m));
      Add(m, &batch);
      if (m.options.timestamp && *m.options.timestamp <= horizon_) below_horizon = true;
    }
    if (below_horizon) {
      Log(absl::StrCat(what, "\n      -> skipped: at or below the purge horizon ", horizon_));
      return;
    }
    // Batch mode syncs every write; periodic mode only those that ask.
    const absl::Status s = db_->Write(batch, WriteSyncOptions{.sync = periodic_ && sync});
    coverage.batches++;
    if (s.ok()) {
      const bool durable = !periodic_ || sync;
      if (!durable && unsynced_.empty()) bases_ = models_;
      for (model::Model& m : models_) m.Apply(batch, now);
      max_written_ = std::max(max_written_, *LastTimestamp());
      for (const auto& m : batch.mutations()) {
        if (m.options.timestamp) max_written_ = std::max(max_written_, *m.options.timestamp);
        dirty_.insert(m.table);
      }
      Log(absl::StrCat(what, "\n      -> timestamp ", *LastTimestamp()));
      if (durable) {
        coverage.synced_writes += periodic_;
        Synced();  // this batch and every one before it
      } else {
        coverage.unsynced_batches++;
        unsynced_.push_back({std::move(batch), now});
      }
      return;
    }
    coverage.rejected_batches++;
    Log(absl::StrCat(what, "\n      -> rejected: ", s.ToString()));
    // Only a range deletion that selects nothing may be refused.
    if (!absl::IsInvalidArgument(s) || !models_[0].MayReject(batch)) Fail("the write", "");
  }

  // After a crash and reopen: the dump of both tables must be what one candidate state
  // at the last sync point plus exactly the first k unsynced batches gives, for some k.
  // Every such state becomes a candidate (normally one: several only when the dump
  // cannot tell them apart, and later reads then decide). What survived is on disk now.
  void CheckRecovered() {
    const int64_t now = clock_->NowMicros();
    const std::vector<std::vector<ResultRow>> got = DbDump();
    const size_t n = unsynced_.size();
    const std::vector<model::Model>& bases = n > 0 ? bases_ : models_;
    std::vector<model::Model> kept;
    std::vector<size_t> kept_k;
    std::string variants;  // for the failure message
    for (const model::Model& base : bases) {
      std::vector<model::Model> prefix{base};  // prefix[k]: the first k batches applied
      prefix.reserve(n + 1);
      for (const Unsynced& u : unsynced_) {
        prefix.push_back(prefix.back());
        prefix.back().Apply(u.batch, u.now);
      }
      for (size_t k = n + 1; k-- > 0;) {
        const std::vector<std::vector<ResultRow>> want = ModelDump(prefix[k], now);
        if (want == got) {
          kept.push_back(std::move(prefix[k]));
          kept_k.push_back(k);
        } else if (n < 6 || k == n || k == 0) {
          absl::StrAppend(&variants, "\n    model with ", k, " of ", n,
                          " unsynced batches:", ShowDump(want));
        }
      }
    }
    if (kept.empty()) {
      Fail("the state after the crash",
           absl::StrCat(" (it must hold every synced write and exactly a prefix of the ", n,
                        " batches acknowledged unsynced since the last sync point)\n    db:",
                        ShowDump(got), variants));
    }
    if (n > 0) {
      coverage.crashes_unsynced++;
      const size_t k = kept_k[0];
      (k == n ? coverage.kept_all : k == 0 ? coverage.kept_none : coverage.kept_some)++;
    }
    coverage.ambiguous += kept.size() > 1;
    absl::StrAppend(&history_, "\n      -> recovered with ", kept_k.size() == 1 ? "" : "one of ",
                    absl::StrJoin(kept_k, ", "), " of ", n, " unsynced batches");
    models_ = std::move(kept);
    Synced();
  }

  void CheckGet(const SelectQuery& q) {
    auto got = db_->Get(q.table, q.partition_key, q.columns);
    const int64_t now = clock_->NowMicros();
    auto want = model::Get(models_[0], q.table, q.partition_key, q.columns, now);
    if (!got.ok()) Fail(ShowGet(q), "\n    db: " + got.status().ToString());
    coverage.gets++;
    coverage.gets_found += got->has_value();
    if (*got != want && Narrow([&](const model::Model& m) {
          return model::Get(m, q.table, q.partition_key, q.columns, now) == *got;
        })) {
      want = *got;
    }
    if (*got != want) {
      Fail(ShowGet(q), absl::StrCat("\n    db:    ", *got ? Show(**got) : "(none)",
                                    "\n    model: ", want ? Show(*want) : "(none)"));
    }
  }

  void CheckSelect(const SelectQuery& query) {
    const int64_t now = clock_->NowMicros();
    model::Answer want = model::Select(models_[0], query, now);
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
    auto agrees = [&](const model::Answer& a) {
      return got->columns == a.columns && got->rows == a.rows;
    };
    if (!agrees(want) &&
        Narrow([&](const model::Model& m) { return agrees(model::Select(m, query, now)); })) {
      want = model::Select(models_[0], query, now);
    }
    if (!agrees(want) || !got->paging_state.empty()) {
      Fail(Show(q),
           Diff(got->columns, got->rows, want) +
               (got->paging_state.empty() ? "" : "\n    unpaged answer has a paging_state"));
    }
    CheckVisited(q, *got);
    Count(want);
    if (query.page_size > 0) CheckPaged(query, want);
  }

  // The visitor form lends exactly the rows the collected form returns; and a visitor
  // that ends each call after a few rows pages through the same answer.
  void CheckVisited(const SelectQuery& q, const ResultSet& collected) {
    std::vector<ResultRow> lent;
    auto got = db_->Select(q, [&](const RowView& r) {
      lent.push_back(r.ToResultRow());
      return true;
    });
    if (!got.ok()) Fail(Show(q) + " (visitor)", "\n    db: " + got.status().ToString());
    if (!got->rows.empty() || lent != collected.rows || got->columns != collected.columns ||
        got->paging_state != collected.paging_state) {
      Fail(Show(q) + " (visitor)",
           "\n    lent:" + Show(lent) + "\n    collected:" + Show(collected.rows));
    }
    SelectQuery paged = q;
    std::vector<ResultRow> all;
    const size_t stop_after = 1 + collected.rows.size() % 3;
    for (size_t call = 0;; ++call) {
      size_t n = 0;
      auto page = db_->Select(paged, [&](const RowView& r) {
        all.push_back(r.ToResultRow());
        return ++n < stop_after;
      });
      if (!page.ok())
        Fail(Show(paged) + " (visitor pages)", "\n    db: " + page.status().ToString());
      if (n > stop_after || (!page->paging_state.empty() && n != stop_after)) {
        Fail(Show(paged) + " (visitor pages)",
             absl::StrCat("\n    ", n, " rows lent, paging_state ",
                          page->paging_state.empty() ? "empty" : "set"));
      }
      if (page->paging_state.empty()) break;
      if (call > collected.rows.size() + 1)
        Fail(Show(q) + " (visitor pages)", "\n    too many calls");
      paged.paging_state = page->paging_state;
    }
    if (all != collected.rows) {
      Fail(Show(q) + " (visitor pages concatenated)",
           "\n    lent:" + Show(all) + "\n    collected:" + Show(collected.rows));
    }
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
  struct Unsynced {
    WriteBatch batch;
    int64_t now;  // the clock when it was written
  };

  void Open() {
    Options o;
    o.clock = clock_;
    // In memory, so that a crash step can drop what was not synced. Batch mode syncs
    // every acknowledged write; periodic mode never syncs by itself within a case.
    o.env = &env_;
    o.commitlog_sync = periodic_ ? CommitLogSync::kPeriodic : CommitLogSync::kBatch;
    o.commitlog_sync_period_ms = kNeverSyncMs;
    o.warning_log = [this](const std::string& m) {
      if (!quiet_) std::cerr << "cassette WARN " << m << "\n";
    };
    // Compactions run as steps (kCompact), at points the purge horizon below knows.
    o.compaction_concurrency = 0;
    auto db = Db::Open(o, "/db");
    if (!db.ok()) Fail("open", db.status().ToString());
    db_ = *std::move(db);
  }
  // Each candidate state becomes one per combination of the outcomes garbagecollect may
  // have had (Model::GarbageCollectChoices); later reads narrow them. What garbagecollect
  // wrote is in SSTables, durable whatever a crash drops, so the bases get it as well.
  void BranchOnGarbageCollect(const std::string& table) {
    constexpr size_t kMaxChoices = 3, kMaxCandidates = 32;
    const int64_t now_sec = model::FloorSeconds(clock_->NowMicros());
    std::vector<model::Model> models, bases;
    size_t most = 0;
    for (size_t i = 0; i < models_.size(); ++i) {
      const auto choices = models_[i].GarbageCollectChoices(table, now_sec);
      most = std::max(most, choices.size());
      if (choices.size() > kMaxChoices) RC_DISCARD("garbagecollect: too many outcomes to try");
      for (uint32_t mask = 0; mask < (1u << choices.size()); ++mask) {
        models.push_back(models_[i]);
        if (!bases_.empty()) bases.push_back(bases_[i]);
        for (size_t j = 0; j < choices.size(); ++j) {
          if ((mask & (1u << j)) == 0) continue;
          models.back().AddTombstone(table, choices[j]);
          if (!bases_.empty()) bases.back().AddTombstone(table, choices[j]);
        }
      }
    }
    if (models.size() > kMaxCandidates) RC_DISCARD("garbagecollect: too many candidate states");
    if (most > 0) {
      coverage.gc_branches++;
      absl::StrAppend(&history_, "\n      -> ", models.size(),
                      " candidate states: an expired cell tied with a live one (", most,
                      " at most per state) may have become a tombstone");
    }
    models_ = std::move(models);
    bases_ = std::move(bases);
  }

  // Every write acknowledged so far is durable.
  void Synced() {
    unsynced_.clear();
    bases_.clear();
  }
  std::string SyncNote(bool syncs) const {
    return periodic_ && syncs ? " (syncs the commit log: the memtable has writes)" : "";
  }
  // The timestamp of the last accepted batch; after a crash, that of the first candidate.
  std::optional<int64_t> LastTimestamp() const { return models_[0].last_timestamp(); }

  // Keeps the candidate states (with their bases) for which `agrees` holds. False, with
  // nothing changed, when none does.
  template <typename F>
  bool Narrow(const F& agrees) {
    if (models_.size() < 2) return false;
    std::vector<model::Model> models, bases;
    for (size_t i = 0; i < models_.size(); ++i) {
      if (!agrees(models_[i])) continue;
      models.push_back(std::move(models_[i]));
      if (!bases_.empty()) bases.push_back(std::move(bases_[i]));
    }
    if (models.empty()) return false;  // nothing was moved
    coverage.narrowed++;
    models_ = std::move(models);
    bases_ = std::move(bases);
    return true;
  }

  // SELECT * WITH WRITETIME/TTL of each whole table, in the canonical (token) order.
  static std::vector<SelectQuery> DumpQueries() {
    std::vector<SelectQuery> qs;
    for (const char* table : {kTableA, kTableB}) {
      SelectQuery q;
      q.table = table;
      q.with_writetime_ttl = true;
      qs.push_back(q);
    }
    return qs;
  }
  std::vector<std::vector<ResultRow>> DbDump() {
    std::vector<std::vector<ResultRow>> out;
    for (const SelectQuery& q : DumpQueries()) {
      auto got = db_->Select(q);
      if (!got.ok()) Fail("dump " + Show(q), "\n    db: " + got.status().ToString());
      if (!got->paging_state.empty()) Fail("dump " + Show(q), "\n    unpaged, but paged");
      out.push_back(std::move(got->rows));
    }
    return out;
  }
  static std::vector<std::vector<ResultRow>> ModelDump(const model::Model& m, int64_t now) {
    std::vector<std::vector<ResultRow>> out;
    for (const SelectQuery& q : DumpQueries()) out.push_back(model::Select(m, q, now).rows);
    return out;
  }
  static std::string ShowDump(const std::vector<std::vector<ResultRow>>& dump) {
    std::string out;
    for (size_t i = 0; i < dump.size(); ++i) {
      absl::StrAppend(&out, "\n      ", i == 0 ? kTableA : kTableB, ":",
                      absl::StrReplaceAll(Show(dump[i]), {{"\n", "\n  "}}));
    }
    return out;
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
    const std::string candidates = models_.size() < 2
                                       ? ""
                                       : absl::StrCat("\n  (", models_.size(),
                                                      " candidate states, none agreeing; "
                                                      "the model shown is the first)");
    RC_FAIL(absl::StrCat("mismatch on ", what, " at clock ", clock_->NowMicros(), detail,
                         candidates, "\n  history (clock starts at ", kStartMicros,
                         "):", history_));
    std::abort();  // not reached: RC_FAIL throws
  }

  const bool periodic_;             // CommitLogSync::kPeriodic, else kBatch
  FaultInjectionEnv env_;           // declared before db_: outlives it
  std::atomic<bool> quiet_{false};  // drop the Db's warnings (while crashing)
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Db> db_;
  // The states the database may be in: normally exactly one, more only after a crash
  // whose surviving prefix the dump could not pin down, or a garbagecollect whose outcome
  // depended on SSTable boundaries (reads then narrow them).
  std::vector<model::Model> models_;
  // Periodic mode: the candidate states at the last sync point (parallel to models_),
  // and the batches acknowledged unsynced since, oldest first. Both empty when nothing
  // unsynced is pending.
  std::vector<model::Model> bases_;
  std::vector<Unsynced> unsynced_;
  // Tables with a write in their active memtable: flushing one syncs the whole commit
  // log first (FlushMemtable), which makes it a sync point. Cleared conservatively.
  std::set<std::string> dirty_;
  std::string history_;
  int steps_ = 0;
  int64_t min_clock_ = 0;            // the clock never goes below this (see kReopen)
  int64_t max_written_ = INT64_MIN;  // newest timestamp of any accepted write
  int64_t horizon_ = INT64_MIN;      // see kCompact
};

void RandomOperationsMatchModel() {
  const Case c = *RandomCase(kMaxSteps);
  Harness h(c.periodic);
  for (const Step& s : c.steps) h.Run(s);
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
            << " (garbagecollects with several possible outcomes " << c.gc_branches << ")"
            << std::endl;
  std::cout << "[ prop     ] periodic commit log: cases " << c.periodic_cases
            << ", batches acknowledged unsynced " << c.unsynced_batches << " (synced writes "
            << c.synced_writes << "), crashes with unsynced batches " << c.crashes_unsynced
            << " (kept all " << c.kept_all << ", a strict prefix " << c.kept_some << ", none "
            << c.kept_none << "); crashes matching several states " << c.ambiguous
            << " (reads narrowed candidates " << c.narrowed << " times)" << std::endl;
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  EXPECT_TRUE(result.is<rc::detail::SuccessResult>()) << ss.str();
}

}  // namespace
}  // namespace cassette::prop

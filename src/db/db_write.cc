// The write path: a queue of writers whose leader validates, logs (one commit-log sync
// for the whole group) and applies the group's batches.
#include <pthread.h>

#include <algorithm>
#include <future>
#include <optional>

#include "absl/strings/str_cat.h"
#include "commitlog/mutation_codec.h"
#include "db/db_impl.h"
#include "db/mutation_builder.h"

namespace cassette {
namespace {

constexpr size_t kMaxGroupBatches = 128;

}  // namespace

struct DbImpl::Writer {
  explicit Writer(const WriteBatch* b, bool s) : batch(b), sync(s) {}
  const WriteBatch* batch;  // null: a memtable switch request for `switch_table`
  std::string switch_table;
  bool sync;
  bool done = false;
  absl::Status status;
  CondVar cv;
  // WriteAsync: no thread waits on cv; the writer owns its batch, is completed through
  // the promise and deleted by whoever completes it.
  std::unique_ptr<WriteBatch> owned;
  std::optional<std::promise<absl::Status>> promise;
};

void DbImpl::Complete(Writer* w) {
  w->done = true;
  if (w->promise) {
    w->promise->set_value(w->status);
    delete w;
  } else {
    w->cv.Signal();
  }
}

void DbImpl::LeadGroups(Writer* first) {
  LeadGroup(first);  // completes first and its group
  if (writers_.empty()) return;
  Writer* next = writers_.front();
  // A waiting thread leads its own group; asynchronous writes are led by the async
  // leader thread.
  if (next->promise) {
    async_cv_.Signal();
  } else {
    next->cv.Signal();
  }
}

void DbImpl::AsyncLeaderLoop() {
  // Named for top, perf and debuggers.
  pthread_setname_np(pthread_self(), "cassette-write");
  MutexLock l(&mu_);
  while (true) {
    if (!writers_.empty() && writers_.front()->promise) {
      LeadGroups(writers_.front());
      continue;
    }
    if (shutting_down_ && writers_.empty()) return;
    async_cv_.Wait(&mu_);
  }
}

void DbImpl::SwitchLocked(TableState* t) {
  t->immutables.push_back(std::move(t->active));
  t->active = MemRef();
  t->switch_count++;
  bg_cv_.SignalAll();  // wake the flush thread
}

absl::Status DbImpl::MakeRoom(TableState* t) {
  if (bg_error_.ok() && !shutting_down_ &&
      static_cast<int>(t->immutables.size()) >= options_.max_immutable_memtables) {
    const absl::Time start = absl::Now();
    while (bg_error_.ok() && !shutting_down_ &&
           static_cast<int>(t->immutables.size()) >= options_.max_immutable_memtables) {
      bg_cv_.Wait(&mu_);
    }
    t->write_stall_micros += absl::ToInt64Microseconds(absl::Now() - start);
  }
  if (!bg_error_.ok()) {
    return absl::UnavailableError(
        absl::StrCat("writes are stopped after a background error: ", bg_error_.message()));
  }
  if (t->active.mem->ApproximateMemoryUsage() >= options_.memtable_budget_bytes) SwitchLocked(t);
  return absl::OkStatus();
}

absl::Status DbImpl::Enqueue(Writer* w) {
  MutexLock l(&mu_);
  writers_.push_back(w);
  // Wait until a leader has done our work, or we are at the head and lead.
  while (!w->done && w != writers_.front()) w->cv.Wait(&mu_);
  if (!w->done) LeadGroups(w);
  return w->status;
}

std::future<absl::Status> DbImpl::WriteAsync(WriteBatch batch, const WriteSyncOptions& options) {
  std::promise<absl::Status> done;
  std::future<absl::Status> result = done.get_future();
  if (batch.empty()) {
    done.set_value(absl::OkStatus());
    return result;
  }
  auto owned = std::make_unique<WriteBatch>(std::move(batch));
  Writer* w = new Writer(owned.get(), options.sync);
  w->owned = std::move(owned);
  w->promise = std::move(done);
  MutexLock l(&mu_);
  writers_.push_back(w);
  // Nobody is leading: wake the async leader. Otherwise whoever leads now hands over.
  if (writers_.front() == w) async_cv_.Signal();
  return result;
}

absl::Status DbImpl::Write(const WriteBatch& batch, const WriteSyncOptions& options) {
  if (batch.empty()) return absl::OkStatus();
  Writer w(&batch, options.sync);
  return Enqueue(&w);
}

absl::Status DbImpl::SwitchMemtable(std::string_view table) {
  Writer w(nullptr, false);
  w.switch_table = std::string(table);
  return Enqueue(&w);
}

void DbImpl::LeadGroup(Writer* leader) {
  // A switch request runs alone: only the leader may replace an active memtable.
  if (leader->batch == nullptr) {
    TableState* t = FindTable(leader->switch_table);
    leader->status =
        t == nullptr
            ? absl::NotFoundError(absl::StrCat("unconfigured table ", leader->switch_table))
            : absl::OkStatus();
    if (t != nullptr) SwitchLocked(t);
    writers_.pop_front();
    Complete(leader);
    return;
  }
  // Group mode: give writers that arrive within the window a seat in this sync.
  if (options_.commitlog_sync == CommitLogSync::kGroup && options_.commitlog_group_window_ms > 0 &&
      writers_.size() < kMaxGroupBatches) {
    CondVar window;  // nobody signals it: a timed wait with mu_ released
    window.WaitWithTimeout(&mu_, absl::Milliseconds(options_.commitlog_group_window_ms));
  }
  // Gather the group: the leader and the batches queued behind it.
  std::vector<Writer*> group;
  for (Writer* w : writers_) {
    if (w->batch == nullptr || group.size() == kMaxGroupBatches) break;
    group.push_back(w);
  }
  auto lookup = [this](std::string_view name) -> std::shared_ptr<const TableInfo> {
    TableState* t = FindTable(name);  // mu_ is held by the leader here
    return t == nullptr ? nullptr : t->info;
  };
  struct Pending {
    Writer* writer;
    std::vector<BuiltMutation> mutations;
    std::vector<TableState*> tables;
    uint64_t seq;
    std::string record;
  };
  std::vector<Pending> pending;
  bool need_sync = options_.commitlog_sync != CommitLogSync::kPeriodic;
  for (Writer* w : group) {
    // Each batch gets its own timestamp, strictly increasing across batches.
    const int64_t now_us = clock_->NowMicros();
    const int64_t ts =
        std::max(now_us, last_timestamp_ == INT64_MAX ? INT64_MAX : last_timestamp_ + 1);
    auto built = BuildMutations(*w->batch, lookup, ts, FloorSeconds(now_us));
    if (!built.ok()) {
      w->status = built.status();
      continue;
    }
    last_timestamp_ = ts;
    Pending p{w, *std::move(built), {}, 0, {}};
    absl::Status room;
    for (const BuiltMutation& m : p.mutations) {
      TableState* t = FindTable(m.table->qualified_name());
      p.tables.push_back(t);
      if (room.ok()) room = MakeRoom(t);  // may wait on a flush (releases mu_)
    }
    if (!room.ok()) {
      w->status = room;
      continue;
    }
    p.seq = ++last_seq_;
    std::vector<BatchEntry> entries;
    entries.reserve(p.mutations.size());
    for (const BuiltMutation& m : p.mutations) {
      entries.push_back(BatchEntry{m.table->qualified_name(), m.update});
    }
    p.record = EncodeBatch(p.seq, entries);
    need_sync = need_sync || w->sync;
    pending.push_back(std::move(p));
  }

  // Log and apply with mu_ released: writers keep queueing behind us meanwhile.
  std::vector<std::pair<LogPosition, LogPosition>> spans(pending.size());
  absl::Status log_status;
  mu_.Unlock();
  for (size_t i = 0; i < pending.size() && log_status.ok(); ++i) {
    spans[i].first = log_->CurrentPosition();
    auto pos = log_->Append(pending[i].record);
    if (!pos.ok()) {
      log_status = pos.status();
    } else {
      spans[i].second = *pos;
    }
  }
  if (log_status.ok() && need_sync && !pending.empty()) log_status = log_->Sync();
  if (log_status.ok()) {
    for (const Pending& p : pending) {
      for (size_t j = 0; j < p.mutations.size(); ++j) {
        p.tables[j]->active.mem->Apply(p.mutations[j].update, p.seq);
        p.tables[j]->writes.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  mu_.Lock();

  if (log_status.ok()) {
    for (size_t i = 0; i < pending.size(); ++i) {
      for (TableState* t : pending[i].tables) {
        if (t->active.empty) t->active.first = spans[i].first;
        t->active.empty = false;
        t->active.last = spans[i].second;
      }
    }
    if (!pending.empty()) {
      // Release: the inserts above happen-before any read that sees this seq.
      visible_seq_.store(pending.back().seq, std::memory_order_release);
    }
  } else {
    // Not acknowledged, and nothing applied. The log refuses further appends.
    for (Pending& p : pending) {
      p.writer->status = absl::UnavailableError(absl::StrCat(
          "commit log write failed; the write is not acknowledged: ", log_status.message()));
    }
  }
  for (Writer* w : group) {
    writers_.pop_front();
    Complete(w);  // an asynchronous writer is deleted here: nothing below touches it
  }
}

}  // namespace cassette

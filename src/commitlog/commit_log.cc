// The commit log writer and Open (replay of existing segments, then a fresh segment).
//
// Segment lifecycle: a segment is created with its header synced and the folder synced
// (so its name survives a crash before any record in it is acknowledged), filled by
// Append, and when it is full it is synced and closed before the next one is created. An
// older segment therefore never has an unsynced tail, which is what lets replay treat
// damage anywhere but at the end of the last segment as corruption.

#include "commitlog/commit_log.h"

#include <algorithm>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "util/mutex.h"
#include "absl/time/time.h"
#include "commitlog/log_record.h"
#include "commitlog/segment_names.h"
#include "commitlog/segment_replay.h"

namespace cassette {
namespace {

class CommitLogImpl final : public CommitLog {
 public:
  // `closed_segments` maps the id of every replayed segment still on disk to its size.
  CommitLogImpl(Env* env, std::string dir, const CommitLogOptions& options,
                std::map<uint64_t, uint64_t> closed_segments)
      : env_(env),
        dir_(std::move(dir)),
        options_(options),
        closed_segments_(std::move(closed_segments)) {}

  ~CommitLogImpl() override {
    {
      MutexLock l(&mu_);
      stopping_ = true;
      stop_cv_.SignalAll();
    }
    if (syncer_.joinable()) syncer_.join();
    MutexLock l(&mu_);
    // Not synced: the contract makes only Sync() durable, and a destructor cannot report
    // a failure anyway.
    if (file_ != nullptr) file_->Close().IgnoreError();
  }

  // Creates the first segment (id `first_id`) and starts the periodic syncer.
  absl::Status Start(uint64_t first_id) {
    {
      MutexLock l(&mu_);
      absl::Status s = OpenSegmentLocked(first_id);
      if (!s.ok()) return s;
    }
    if (options_.periodic_sync_ms > 0) syncer_ = std::thread([this] { SyncLoop(); });
    return absl::OkStatus();
  }

  absl::StatusOr<LogPosition> Append(std::string_view record) override {
    if (record.size() > kMaxRecordPayload) {
      return absl::InvalidArgumentError(absl::StrCat("commit log record of ", record.size(),
                                                     " bytes exceeds the limit of ",
                                                     kMaxRecordPayload));
    }
    MutexLock l(&mu_);
    if (!failed_.ok()) return failed_;
    const uint64_t total = kRecordHeaderSize + record.size();
    // A record that does not fit starts a new segment, unless the segment is still empty:
    // a record larger than segment_size then has a segment of its own.
    if (offset_ > kSegmentHeaderSize && offset_ + total > options_.segment_size) {
      absl::Status s = RollLocked();
      if (!s.ok()) return s;
    }
    // One Env append per record: a partial record can then only be the last thing written.
    buffer_.clear();
    buffer_.reserve(total);
    EncodeRecordHeader(segment_id_, offset_, record, &buffer_);
    buffer_.append(record);
    absl::Status s = file_->Append(buffer_);
    if (!s.ok()) {
      // The file may now end in part of this record; appending after it would bury a bad
      // record in the middle of the segment, which replay must treat as corruption.
      return FailLocked(s, "append");
    }
    offset_ += total;
    bytes_written_ += total;
    dirty_ = true;
    return LogPosition{segment_id_, offset_};
  }

  absl::Status Sync() override {
    MutexLock l(&mu_);
    return SyncLocked();
  }

  absl::Status DiscardBefore(LogPosition pos) override {
    MutexLock l(&mu_);
    // closed_segments_ never holds the active segment, so it is never discarded.
    bool removed = false;
    for (auto it = closed_segments_.begin(); it != closed_segments_.end();) {
      const uint64_t id = it->first;
      const uint64_t size = it->second;
      // Every record of segment `id` ends at or before its size.
      if (id > pos.segment || (id == pos.segment && size > pos.offset)) break;
      absl::Status s = env_->RemoveFile(SegmentPath(dir_, id));
      if (!s.ok() && !absl::IsNotFound(s)) return s;
      it = closed_segments_.erase(it);
      removed = true;
    }
    // Not strictly needed (replaying a flushed segment again is harmless) but it keeps
    // the folder's state after a crash close to what the caller saw.
    if (removed) return env_->SyncDir(dir_);
    return absl::OkStatus();
  }

  LogPosition CurrentPosition() const override {
    MutexLock l(&mu_);
    return LogPosition{segment_id_, offset_};
  }

  uint64_t bytes_written() const override {
    MutexLock l(&mu_);
    return bytes_written_;
  }

 private:
  // Makes the log failed for good with `s` (annotated with what failed) and returns it.
  absl::Status FailLocked(const absl::Status& s, const char* op)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    failed_ =
        absl::Status(s.code(), absl::StrCat("commit log failed (", op, " of ",
                                            SegmentFileName(segment_id_), "): ", s.message()));
    return failed_;
  }

  absl::Status SyncLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!failed_.ok()) return failed_;
    if (!dirty_) return absl::OkStatus();
    absl::Status s = file_->Sync();
    // No retry: after a failed fsync the kernel may have dropped the dirty pages, so a
    // later successful fsync would prove nothing about the records.
    if (!s.ok()) return FailLocked(s, "sync");
    dirty_ = false;
    return absl::OkStatus();
  }

  // Syncs and closes the active segment, then opens the next one.
  absl::Status RollLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Synced now because a later Sync() only syncs the active segment, and because
    // replay allows a torn tail only in the last segment.
    absl::Status s = SyncLocked();
    if (!s.ok()) return s;
    s = file_->Close();
    file_.reset();
    if (!s.ok()) return FailLocked(s, "close");
    closed_segments_[segment_id_] = offset_;
    return OpenSegmentLocked(segment_id_ + 1);
  }

  absl::Status OpenSegmentLocked(uint64_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    segment_id_ = id;
    offset_ = 0;
    const std::string path = SegmentPath(dir_, id);
    absl::StatusOr<std::unique_ptr<WritableFile>> file = env_->NewWritableFile(path);
    if (!file.ok()) return FailLocked(file.status(), "create");
    std::string header;
    EncodeSegmentHeader(id, &header);
    absl::Status s = (*file)->Append(header);
    if (!s.ok()) return FailLocked(s, "header append");
    // The header and the folder entry are made durable before any record goes in, so a
    // synced record can never sit in a segment that a crash makes disappear.
    s = (*file)->Sync();
    if (!s.ok()) return FailLocked(s, "header sync");
    s = env_->SyncDir(dir_);
    if (!s.ok()) return FailLocked(s, "folder sync");
    file_ = *std::move(file);
    offset_ = kSegmentHeaderSize;
    bytes_written_ += kSegmentHeaderSize;
    dirty_ = false;
    return absl::OkStatus();
  }

  void SyncLoop() {
    const absl::Duration period = absl::Milliseconds(options_.periodic_sync_ms);
    MutexLock l(&mu_);
    while (!stopping_) {
      // Releases mu_ while waiting; the destructor wakes it early to stop.
      stop_cv_.WaitWithTimeout(&mu_, period);
      if (stopping_) break;
      // A failure is sticky: the next Append or Sync reports it.
      SyncLocked().IgnoreError();
    }
  }

  Env* const env_;
  const std::string dir_;
  const CommitLogOptions options_;

  // Guards everything below. Held across file I/O: a WritableFile may be used by one
  // thread at a time (cassette/env.h), and Append must not interleave with Sync.
  mutable Mutex mu_;
  CondVar stop_cv_;  // signalled when stopping_ is set
  absl::Status failed_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<WritableFile> file_ ABSL_GUARDED_BY(mu_);  // the active segment
  uint64_t segment_id_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t offset_ ABSL_GUARDED_BY(mu_) = 0;  // size of the active segment
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;   // appended since the last successful sync
  uint64_t bytes_written_ ABSL_GUARDED_BY(mu_) = 0;
  std::string buffer_ ABSL_GUARDED_BY(mu_);  // reused to frame one record
  // Finished segments still on disk: id -> size. Never holds the active segment.
  std::map<uint64_t, uint64_t> closed_segments_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread syncer_;  // only when options_.periodic_sync_ms > 0
};

}  // namespace

absl::StatusOr<std::unique_ptr<CommitLog>> CommitLog::Open(Env* env, const std::string& dir,
                                                           const CommitLogOptions& options,
                                                           const ReplayFn& replay,
                                                           ReplayReport* report) {
  if (env == nullptr) return absl::InvalidArgumentError("CommitLog::Open: env is null");
  if (options.periodic_sync_ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("CommitLog::Open: periodic_sync_ms is ", options.periodic_sync_ms));
  }
  ReplayReport local_report;
  if (report == nullptr) report = &local_report;
  *report = ReplayReport{};

  absl::Status s = env->CreateDir(dir);
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> children = env->GetChildren(dir);
  if (!children.ok()) return children.status();
  std::vector<uint64_t> ids;
  for (const std::string& name : *children) {
    uint64_t id;
    if (ParseSegmentFileName(name, &id)) ids.push_back(id);
  }
  // Ids only grow, so id order is log order.
  std::sort(ids.begin(), ids.end());

  std::map<uint64_t, uint64_t> closed_segments;
  for (size_t i = 0; i < ids.size(); ++i) {
    SegmentReplayResult result;
    s = ReplaySegment(env, dir, ids[i], /*is_last=*/i + 1 == ids.size(), options.salvage, replay,
                      report, &result);
    if (!s.ok()) return s;
    if (!result.removed) closed_segments[ids[i]] = result.size;
  }

  // Appends always go to a new segment, after every replayed one. Because the active
  // segment is never discarded, the folder always holds the highest id handed out so
  // far, and ids keep growing across restarts — so positions stay comparable.
  const uint64_t next_id = ids.empty() ? 1 : ids.back() + 1;
  if (next_id == 0) return absl::FailedPreconditionError("commit log segment ids exhausted");
  auto log = std::make_unique<CommitLogImpl>(env, dir, options, std::move(closed_segments));
  s = log->Start(next_id);
  if (!s.ok()) return s;
  return log;
}

}  // namespace cassette

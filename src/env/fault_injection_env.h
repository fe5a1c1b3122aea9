// fault_injection_env.h — an in-memory Env for crash and fault tests.
//
// It models durability the way a journaling file system promises it, so that a test can
// crash at every sync point of a workload, reopen the database on the same env and check
// that exactly the acknowledged data survived. Everything lives in memory, so a sweep of
// hundreds of crashes is fast.
//
// Modelled:
// - Per file: its bytes (what readers see, like the page cache) and the prefix known
//   durable, set by a successful WritableFile::Sync. NewWritableFile on an existing file
//   truncates it in place (same "inode", like O_TRUNC); until the next Sync a crash may
//   bring back the old durable contents instead of the new ones.
// - Per folder: the live entries (files and sub-folders) and the durable ones, which
//   SyncDir(folder) sets to the live ones. Creations, renames and removals become durable
//   only then: on a crash a file whose entry was never synced vanishes, an unsynced rename
//   reverts and an unsynced remove comes back. A rename across folders is two entry
//   changes, each durable with its own folder's SyncDir. A sub-folder made by CreateDir
//   survives a crash only if its parent was synced after it was created. A folder whose
//   parent is not in the env (e.g. CreateDir("/db") on a fresh env) is a root: it exists
//   durably at once and needs no parent.
// - TruncateFile is durable when it returns (PosixEnv fsyncs) and only shrinks.
// - Handles to a removed or renamed-over file keep working (unlink semantics).
// - A WritableFile whose Append or Sync failed is failed for good, like PosixEnv's: a
//   failed sync leaves the durable length unchanged and is never retried.
// - LockFile: an in-memory set of paths; the lock file is created, as on disk.
// - SimulateCrash: unsynced data is cut per CrashMode, folders revert to their durable
//   view, locks are dropped, and every handle opened before becomes invalid (its
//   operations fail with FailedPrecondition; destroying it is fine).
//
// Not modelled: file modes and ownership, capacity (ENOSPC only when injected), metadata
// subtleties of fdatasync vs fsync (a successful Sync makes data and size durable), hard
// and symbolic links, renaming folders, "." and ".." (paths are compared as strings after
// collapsing repeated and trailing '/'), writes persisted out of order within a file
// (a crash keeps a prefix, never a later page with a hole before it), and garbled bytes
// (bytes survive intact or not at all). RandomAccessFile::Size() is the size at open.
//
// Thread safety: like every Env; one mutex guards all state. Handles and locks must not
// outlive the env.

#ifndef CASSETTE_ENV_FAULT_INJECTION_ENV_H_
#define CASSETTE_ENV_FAULT_INJECTION_ENV_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "util/mutex.h"
#include "cassette/env.h"

namespace cassette {

// What a crash keeps of each file's bytes past its durable length.
enum class CrashMode {
  kDropUnsynced,      // exactly the durable prefix
  kKeepRandomPrefix,  // the durable part plus a random prefix of the unsynced part
  kTornLastWrite,     // every unsynced append but the last, of which a random strict prefix
};

// Operations that can be counted and made to fail.
enum class FaultOp {
  kAppend,    // WritableFile::Append
  kSync,      // WritableFile::Sync
  kRead,      // RandomAccessFile::Read and SequentialFile::Read
  kRename,    // RenameFile (path filter matches either path)
  kSyncDir,   // SyncDir
  kCreate,    // NewWritableFile and CreateDir
  kRemove,    // RemoveFile
  kTruncate,  // TruncateFile
};
inline constexpr int kNumFaultOps = 8;

class FaultInjectionEnv final : public Env {
 public:
  using CrashMode = ::cassette::CrashMode;
  using Op = FaultOp;
  // Called after each successful durability point — Sync, SyncDir or TruncateFile —
  // with its 0-based index in this env's history and the path synced. Runs without the
  // env's lock held, so it may call into the env.
  using SyncHook = std::function<void(int sync_index, const std::string& path)>;

  FaultInjectionEnv();
  ~FaultInjectionEnv() override;
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  // ---- Env
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;  // files and folders
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override;
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from, const std::string& to) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::Status CreateDir(const std::string& path) override;
  absl::Status SyncDir(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;

  // ---- Crashes
  // Reverts to what a machine crash would leave (see CrashMode); `seed` makes the random
  // choices reproducible. Unfreezes the env and disarms CrashAtSync. Fault rules, counts
  // and the sync hook stay.
  void SimulateCrash(CrashMode mode, uint64_t seed);
  // Freezes the env right after the k-th durability point from now (0 = the next one),
  // which itself succeeds: nothing more becomes durable and every later operation fails
  // with Unavailable "simulated crash" until SimulateCrash. Negative k disarms.
  // A sweep: run the workload once, N = SyncCount(); then for k in [0, N) run it on a
  // fresh env with CrashAtSync(k), SimulateCrash, reopen and check.
  void CrashAtSync(int k) {
    MutexLock l(&mu_);
    crash_at_ = k < 0 ? -1 : sync_count_ + k;
  }
  // Freezes now, as if the machine died at this instant.
  void Freeze() {
    MutexLock l(&mu_);
    frozen_ = true;
  }
  bool frozen() const {
    MutexLock l(&mu_);
    return frozen_;
  }
  void SetSyncHook(SyncHook hook) {
    MutexLock l(&mu_);
    hook_ = std::move(hook);
  }

  // ---- Faults
  // Makes the n-th future call of `op` (0 = the next one) whose path contains
  // `path_contains` fail with `code` — kUnavailable reads as EIO, kResourceExhausted as
  // ENOSPC — and, with times > 1, the calls right after it too (times < 0: all of them).
  // The failed call changes nothing. Several rules may be active at once.
  void FailAfter(Op op, int n, absl::StatusCode code, const std::string& path_contains = "",
                 int times = 1);
  void ClearFaults();

  // ---- Counts: calls of `op` since construction, injected failures included (calls
  // refused because the env is frozen or the handle is stale are not counted).
  int64_t Count(Op op) const {
    MutexLock l(&mu_);
    return counts_[static_cast<int>(op)];
  }
  // Successful durability points (Sync, SyncDir, TruncateFile) since construction.
  int SyncCount() const {
    MutexLock l(&mu_);
    return sync_count_;
  }

 private:
  struct State;
  class Handle;
  class WritableHandle;
  class ReadHandle;
  class LockHandle;

  absl::StatusOr<std::unique_ptr<ReadHandle>> OpenForRead(const std::string& path);

  // The gate every counted operation passes: frozen check, count, fault rules.
  absl::Status BeginOpLocked(Op op, const std::string& path, const std::string& path2 = "")
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // For operations that are not counted: fails only while frozen.
  absl::Status CheckNotFrozenLocked(const char* what, const std::string& path) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records a durability point; returns its index and the hook to call after unlocking.
  int FinishSyncLocked(SyncHook* hook) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable Mutex mu_;
  std::unique_ptr<State> state_ ABSL_GUARDED_BY(mu_);  // files, folders, locks, rules
  int64_t counts_[kNumFaultOps] ABSL_GUARDED_BY(mu_) = {};
  int sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  int crash_at_ ABSL_GUARDED_BY(mu_) = -1;  // sync index after which to freeze; -1 = none
  bool frozen_ ABSL_GUARDED_BY(mu_) = false;
  SyncHook hook_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cassette

#endif  // CASSETTE_ENV_FAULT_INJECTION_ENV_H_

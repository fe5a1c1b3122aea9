#include "env/fault_injection_env.h"

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cassette {
namespace {

constexpr const char* kOpNames[kNumFaultOps] = {"append",  "sync",   "read",   "rename",
                                                "syncdir", "create", "remove", "truncate"};

const char* OpName(FaultOp op) { return kOpNames[static_cast<int>(op)]; }

// One file's bytes ("inode"); several folder entries (live and durable) may share it.
struct File {
  std::string data;          // what readers see
  uint64_t durable_len = 0;  // data[0, durable_len) survives any crash
  // Set when NewWritableFile emptied a file with durable contents that were not yet
  // replaced by a Sync: then these, not a prefix of `data`, are what is durable.
  std::optional<std::string> old_durable;
  // The most recent unsynced append, for kTornLastWrite; len 0 = none.
  uint64_t last_append_start = 0;
  uint64_t last_append_len = 0;

  void MarkAllDurable() {
    durable_len = data.size();
    old_durable.reset();
    last_append_len = 0;
  }
};

struct Dir {
  bool root = false;  // its parent is not in the env: always exists
  std::map<std::string, std::shared_ptr<File>> files, durable_files;
  std::set<std::string> subdirs, durable_subdirs;
};

struct FaultRule {
  FaultOp op;
  int skip;   // matching calls to let through first
  int times;  // matching calls to fail after that; < 0 = forever
  absl::StatusCode code;
  std::string path_contains;
};

// Collapses repeated '/' and drops a trailing one, so "a//b/" and "a/b" are one path.
std::string Normalize(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (char c : p) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// {folder, name}, splitting at the last '/'; a bare name lives in ".".
std::pair<std::string, std::string> Split(const std::string& path) {
  size_t pos = path.rfind('/');
  if (pos == std::string::npos) return {".", path};
  if (pos == 0) return {"/", path.substr(1)};
  return {path.substr(0, pos), path.substr(pos + 1)};
}

absl::Status NoEntry(const char* op, const std::string& path) {
  return absl::NotFoundError(absl::StrCat(op, " ", path, ": No such file or directory"));
}

absl::Status IsFolder(const char* op, const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat(op, " ", path, ": is a folder"));
}

uint64_t Uniform(std::mt19937_64& rng, uint64_t lo, uint64_t hi) {  // inclusive
  return lo + rng() % (hi - lo + 1);
}

void CrashFile(File& f, CrashMode mode, std::mt19937_64& rng) {
  if (f.old_durable.has_value()) {
    // Emptied by O_TRUNC and rewritten without a sync: the old contents may be what the
    // disk has; otherwise the new bytes count as written to an empty durable file.
    if (mode == CrashMode::kDropUnsynced || rng() % 2 == 0) {
      f.data = *f.old_durable;
      f.MarkAllDurable();
      return;
    }
    f.durable_len = 0;
  }
  uint64_t keep = f.durable_len;
  switch (mode) {
    case CrashMode::kDropUnsynced:
      break;
    case CrashMode::kKeepRandomPrefix:
      keep = Uniform(rng, f.durable_len, f.data.size());
      break;
    case CrashMode::kTornLastWrite:
      if (f.last_append_len > 0) {  // then last_append_start >= durable_len
        keep = f.last_append_start + Uniform(rng, 0, f.last_append_len - 1);
      }
      break;
  }
  f.data.resize(keep);
  f.MarkAllDurable();
}

}  // namespace

struct FaultInjectionEnv::State {
  std::map<std::string, Dir> dirs;  // by normalized path; parents sort before children
  uint64_t epoch = 0;               // bumped by each crash; handles remember theirs
  std::set<std::string> locks;
  std::vector<FaultRule> rules;

  Dir* FindDir(const std::string& path) {
    auto it = dirs.find(path);
    return it == dirs.end() ? nullptr : &it->second;
  }
  // The live file at `path`, or null.
  std::shared_ptr<File> FindFile(const std::string& path) {
    auto [dir, name] = Split(path);
    Dir* d = FindDir(dir);
    if (d == nullptr) return nullptr;
    auto it = d->files.find(name);
    return it == d->files.end() ? nullptr : it->second;
  }
  // The live file at `path`, or the error an open/stat would give.
  absl::StatusOr<std::shared_ptr<File>> Lookup(const char* op, const std::string& path) {
    if (std::shared_ptr<File> f = FindFile(path)) return f;
    return FindDir(path) != nullptr ? IsFolder(op, path) : NoEntry(op, path);
  }
  // The live entry for `path`, made (an empty file) if missing; its folder must exist.
  absl::StatusOr<std::shared_ptr<File>*> Entry(const char* op, const std::string& path) {
    auto [dir, name] = Split(path);
    Dir* d = FindDir(dir);
    if (d == nullptr) return NoEntry(op, path);
    if (d->subdirs.count(name) > 0) return IsFolder(op, path);
    std::shared_ptr<File>& slot = d->files[name];
    if (slot == nullptr) slot = std::make_shared<File>();
    return &slot;
  }
};

// ---- Handles. Each remembers the epoch it was opened in and refuses to work after a
// crash, as the process that opened it would no longer exist.

class FaultInjectionEnv::Handle {
 public:
  Handle(FaultInjectionEnv* env, std::shared_ptr<File> file, std::string path)
      : env_(env), file_(std::move(file)), path_(std::move(path)), epoch_(env->state_->epoch) {}

 protected:
  absl::Status StaleLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(env_->mu_) {
    if (epoch_ == env_->state_->epoch) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(path_, ": file handle was invalidated by a simulated crash"));
  }

  FaultInjectionEnv* const env_;
  const std::shared_ptr<File> file_;
  const std::string path_;
  const uint64_t epoch_;
};

class FaultInjectionEnv::WritableHandle final : public Handle, public WritableFile {
 public:
  using Handle::Handle;

  absl::Status Append(std::string_view data) override {
    MutexLock l(&env_->mu_);
    if (absl::Status s = UsableLocked(); !s.ok()) return s;
    status_ = env_->BeginOpLocked(Op::kAppend, path_);
    if (!status_.ok() || data.empty()) return status_;
    file_->last_append_start = file_->data.size();
    file_->last_append_len = data.size();
    file_->data.append(data);
    size_ += data.size();
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    SyncHook hook;
    int index;
    {
      MutexLock l(&env_->mu_);
      if (absl::Status s = UsableLocked(); !s.ok()) return s;
      status_ = env_->BeginOpLocked(Op::kSync, path_);
      if (!status_.ok()) return status_;
      file_->MarkAllDurable();
      index = env_->FinishSyncLocked(&hook);
    }
    if (hook) hook(index, path_);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    MutexLock l(&env_->mu_);
    if (closed_) return absl::OkStatus();
    closed_ = true;
    if (absl::Status s = StaleLocked(); !s.ok()) return s;
    if (absl::Status s = env_->CheckNotFrozenLocked("close", path_); !s.ok()) return s;
    return status_;
  }

  uint64_t Size() const override { return size_; }

 private:
  absl::Status UsableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(env_->mu_) {
    if (closed_) return absl::FailedPreconditionError(absl::StrCat("file is closed: ", path_));
    if (absl::Status s = StaleLocked(); !s.ok()) return s;
    return status_;
  }

  uint64_t size_ = 0;
  bool closed_ = false;
  absl::Status status_;  // sticky first failure
};

// Serves both read interfaces; Size() is the size at open.
class FaultInjectionEnv::ReadHandle final : public Handle,
                                            public RandomAccessFile,
                                            public SequentialFile {
 public:
  ReadHandle(FaultInjectionEnv* env, std::shared_ptr<File> file, std::string path)
      : Handle(env, std::move(file), std::move(path)), size_(file_->data.size()) {}

  absl::Status Read(uint64_t offset, size_t n, std::string* out) const override {
    MutexLock l(&env_->mu_);
    out->clear();
    if (absl::Status s = StaleLocked(); !s.ok()) return s;
    if (absl::Status s = env_->BeginOpLocked(Op::kRead, path_); !s.ok()) return s;
    if (offset < file_->data.size()) out->assign(file_->data, offset, n);
    return absl::OkStatus();
  }

  absl::Status Read(size_t n, std::string* out) override {
    absl::Status s = Read(pos_, n, out);
    pos_ += out->size();
    return s;
  }

  uint64_t Size() const override { return size_; }

 private:
  const uint64_t size_;
  uint64_t pos_ = 0;
};

class FaultInjectionEnv::LockHandle final : public Handle, public FileLock {
 public:
  LockHandle(FaultInjectionEnv* env, std::string path) : Handle(env, nullptr, std::move(path)) {}
  ~LockHandle() override {
    MutexLock l(&env_->mu_);
    // After a crash the set was cleared and the path may be locked again by the
    // reopened database; that lock is not ours to release.
    if (StaleLocked().ok()) env_->state_->locks.erase(path_);
  }
};

// ---- FaultInjectionEnv

FaultInjectionEnv::FaultInjectionEnv() : state_(std::make_unique<State>()) {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

absl::Status FaultInjectionEnv::CheckNotFrozenLocked(const char* what,
                                                     const std::string& path) const {
  if (!frozen_) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("simulated crash: ", what, " ", path));
}

absl::Status FaultInjectionEnv::BeginOpLocked(Op op, const std::string& path,
                                              const std::string& path2) {
  if (absl::Status s = CheckNotFrozenLocked(OpName(op), path); !s.ok()) return s;
  ++counts_[static_cast<int>(op)];
  std::optional<absl::StatusCode> fail;
  std::vector<FaultRule>& rules = state_->rules;
  for (auto it = rules.begin(); it != rules.end();) {
    const std::string& want = it->path_contains;
    const bool matches =
        it->op == op && (path.find(want) != std::string::npos ||
                         (!path2.empty() && path2.find(want) != std::string::npos));
    const bool fires = matches && it->skip == 0;
    if (matches && it->skip > 0) --it->skip;
    if (fires && !fail.has_value()) fail = it->code;
    if (fires && it->times > 0 && --it->times == 0) {
      it = rules.erase(it);
    } else {
      ++it;
    }
  }
  if (!fail.has_value()) return absl::OkStatus();
  const char* why = *fail == absl::StatusCode::kResourceExhausted ? "No space left on device"
                    : *fail == absl::StatusCode::kUnavailable     ? "Input/output error"
                                                                  : "injected error";
  std::string where = path2.empty() ? path : absl::StrCat(path, " to ", path2);
  return absl::Status(*fail, absl::StrCat("injected fault: ", OpName(op), " ", where, ": ", why));
}

int FaultInjectionEnv::FinishSyncLocked(SyncHook* hook) {
  int index = sync_count_++;
  if (index == crash_at_) frozen_ = true;
  *hook = hook_;
  return index;
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (absl::Status s = BeginOpLocked(Op::kCreate, path); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<File>*> entry = state_->Entry("open", path);
  if (!entry.ok()) return entry.status();
  // O_TRUNC empties an existing file in place; that is not durable until the next Sync.
  File& f = ***entry;
  if (!f.old_durable.has_value() && f.durable_len > 0) {
    f.old_durable = f.data.substr(0, f.durable_len);
  }
  f.data.clear();
  f.durable_len = 0;
  f.last_append_len = 0;
  return std::make_unique<WritableHandle>(this, **entry, path);
}

absl::StatusOr<std::unique_ptr<FaultInjectionEnv::ReadHandle>> FaultInjectionEnv::OpenForRead(
    const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (absl::Status s = CheckNotFrozenLocked("open", path); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<File>> f = state_->Lookup("open", path);
  if (!f.ok()) return f.status();
  return std::make_unique<ReadHandle>(this, std::move(*f), path);
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  return OpenForRead(path);
}

absl::StatusOr<std::unique_ptr<SequentialFile>> FaultInjectionEnv::NewSequentialFile(
    const std::string& path) {
  return OpenForRead(path);
}

bool FaultInjectionEnv::FileExists(const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (frozen_) return false;
  return state_->FindFile(path) != nullptr || state_->FindDir(path) != nullptr;
}

absl::StatusOr<std::vector<std::string>> FaultInjectionEnv::GetChildren(const std::string& dir_in) {
  const std::string dir = Normalize(dir_in);
  MutexLock l(&mu_);
  if (absl::Status s = CheckNotFrozenLocked("opendir", dir); !s.ok()) return s;
  Dir* d = state_->FindDir(dir);
  if (d == nullptr) return NoEntry("opendir", dir);
  std::vector<std::string> names;
  for (const auto& [name, file] : d->files) names.push_back(name);
  names.insert(names.end(), d->subdirs.begin(), d->subdirs.end());
  return names;
}

absl::StatusOr<uint64_t> FaultInjectionEnv::GetFileSize(const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (absl::Status s = CheckNotFrozenLocked("stat", path); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<File>> f = state_->Lookup("stat", path);
  if (!f.ok()) return f.status();
  return static_cast<uint64_t>((*f)->data.size());
}

absl::Status FaultInjectionEnv::RemoveFile(const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (absl::Status s = BeginOpLocked(Op::kRemove, path); !s.ok()) return s;
  auto [dir, name] = Split(path);
  Dir* d = state_->FindDir(dir);
  if (d == nullptr || d->files.erase(name) == 0) {
    return state_->FindDir(path) ? IsFolder("unlink", path) : NoEntry("unlink", path);
  }
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::RenameFile(const std::string& from_in, const std::string& to_in) {
  const std::string from = Normalize(from_in);
  const std::string to = Normalize(to_in);
  MutexLock l(&mu_);
  if (absl::Status s = BeginOpLocked(Op::kRename, from, to); !s.ok()) return s;
  const std::string both = absl::StrCat(from, " to ", to);
  std::shared_ptr<File> f = state_->FindFile(from);
  if (f == nullptr)
    return state_->FindDir(from) ? IsFolder("rename", both) : NoEntry("rename", both);
  auto [to_dir, to_name] = Split(to);
  Dir* dst = state_->FindDir(to_dir);
  if (dst == nullptr) return NoEntry("rename", both);
  if (dst->subdirs.count(to_name) > 0) return IsFolder("rename", both);
  if (from == to) return absl::OkStatus();
  auto [from_dir, from_name] = Split(from);
  state_->FindDir(from_dir)->files.erase(from_name);
  dst->files[to_name] = std::move(f);
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::TruncateFile(const std::string& path_in, uint64_t size) {
  const std::string path = Normalize(path_in);
  SyncHook hook;
  int index;
  {
    MutexLock l(&mu_);
    if (absl::Status s = BeginOpLocked(Op::kTruncate, path); !s.ok()) return s;
    absl::StatusOr<std::shared_ptr<File>> f = state_->Lookup("truncate", path);
    if (!f.ok()) return f.status();
    File& file = **f;
    if (size > file.data.size()) {
      return absl::InvalidArgumentError(absl::StrCat("truncate ", path, ": new size ", size,
                                                     " exceeds file size ", file.data.size()));
    }
    file.data.resize(size);
    file.MarkAllDurable();  // PosixEnv fsyncs the truncation
    index = FinishSyncLocked(&hook);
  }
  if (hook) hook(index, path);
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::CreateDir(const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (absl::Status s = BeginOpLocked(Op::kCreate, path); !s.ok()) return s;
  if (state_->FindDir(path) != nullptr) return absl::OkStatus();
  if (state_->FindFile(path) != nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("mkdir ", path, ": exists and is not a folder"));
  }
  auto [parent_path, name] = Split(path);
  Dir* parent = path == "/" ? nullptr : state_->FindDir(parent_path);
  if (parent != nullptr) parent->subdirs.insert(name);
  state_->dirs[path].root = parent == nullptr;
  return absl::OkStatus();
}

absl::Status FaultInjectionEnv::SyncDir(const std::string& path_in) {
  const std::string path = Normalize(path_in);
  SyncHook hook;
  int index;
  {
    MutexLock l(&mu_);
    if (absl::Status s = BeginOpLocked(Op::kSyncDir, path); !s.ok()) return s;
    Dir* d = state_->FindDir(path);
    if (d == nullptr) return NoEntry("open", path);
    d->durable_files = d->files;
    d->durable_subdirs = d->subdirs;
    index = FinishSyncLocked(&hook);
  }
  if (hook) hook(index, path);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> FaultInjectionEnv::LockFile(const std::string& path_in) {
  const std::string path = Normalize(path_in);
  MutexLock l(&mu_);
  if (absl::Status s = CheckNotFrozenLocked("lock", path); !s.ok()) return s;
  if (state_->locks.count(path) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("database folder is in use: ", path, " is locked by another Db"));
  }
  if (absl::Status s = state_->Entry("open", path).status(); !s.ok()) return s;
  state_->locks.insert(path);
  return std::make_unique<LockHandle>(this, path);
}

void FaultInjectionEnv::SimulateCrash(CrashMode mode, uint64_t seed) {
  MutexLock l(&mu_);
  std::mt19937_64 rng(seed);
  // Folders: a folder survives if it is a root or its surviving parent durably lists it.
  // std::map order visits a parent before its children (a prefix sorts first).
  std::map<std::string, Dir> survivors;
  for (auto& [path, dir] : state_->dirs) {
    bool keep = dir.root;
    if (!keep) {
      auto [parent, name] = Split(path);
      auto it = survivors.find(parent);
      keep = it != survivors.end() && it->second.subdirs.count(name) > 0;
    }
    if (!keep) continue;
    dir.files = dir.durable_files;
    dir.subdirs = dir.durable_subdirs;
    survivors.emplace(path, std::move(dir));
  }
  // Files: cut each surviving one once (a file may be listed under two names after an
  // unsynced cross-folder rename), in path order so the seed alone decides the result.
  std::set<const File*> done;
  for (auto& [path, dir] : survivors) {
    for (auto& [name, file] : dir.files) {
      if (done.insert(file.get()).second) CrashFile(*file, mode, rng);
    }
  }
  state_->dirs = std::move(survivors);
  ++state_->epoch;
  state_->locks.clear();
  frozen_ = false;
  crash_at_ = -1;
}

void FaultInjectionEnv::FailAfter(Op op, int n, absl::StatusCode code,
                                  const std::string& path_contains, int times) {
  MutexLock l(&mu_);
  if (times == 0) return;
  state_->rules.push_back(FaultRule{op, n < 0 ? 0 : n, times, code, path_contains});
}

void FaultInjectionEnv::ClearFaults() {
  MutexLock l(&mu_);
  state_->rules.clear();
}

}  // namespace cassette

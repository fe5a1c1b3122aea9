// posix_env.cc — Env::Default(): the POSIX file system.
//
// Behaviour beyond the contract in cassette/env.h (FaultInjectionEnv mirrors it):
// - WritableFile buffers appends (64 KiB) and writes them out before Sync, Close and
//   destruction. Once a write or a sync fails the file is failed: every later Append and
//   Sync returns that error. After a failed fdatasync Linux may already have dropped the
//   dirty pages and marked them clean, so a retried sync could "succeed" without the data
//   ("fsyncgate"); refusing to retry is the only safe answer.
// - TruncateFile is durable when it returns (it fsyncs): it cuts a torn commit-log tail,
//   and a crash that brought the tail back after newer segments exist would look like
//   corruption in the middle of the log. It only shrinks (InvalidArgument otherwise).
// - RandomAccessFile::Size() is the size when the file was opened; files opened for
//   reading are not expected to grow.
// - LockFile uses an fcntl write lock, which only excludes other processes, plus an
//   in-process set keyed by (device, inode) so a second Db on the same folder in this
//   process is refused too — whatever spelling of the path it uses. fcntl locks are
//   released when the process closes ANY descriptor of the file, so this file never opens
//   a lock file that this process already holds.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/mutex.h"
#include "cassette/env.h"

namespace cassette {
namespace {

constexpr size_t kWriteBufferSize = 64 * 1024;
// Reads larger than this are clamped to the bytes the file actually has, so a corrupt
// length field cannot make us allocate gigabytes.
constexpr size_t kLargeRead = 1 << 20;

// strerror_r is either the XSI version (returns int, fills buf) or the GNU one (returns
// the message, maybe not in buf); overloads pick whichever the C library declares.
[[maybe_unused]] const char* StrErrorResult(int /*rc*/, const char* buf) { return buf; }
[[maybe_unused]] const char* StrErrorResult(const char* msg, const char* /*buf*/) { return msg; }

std::string ErrnoText(int err) {
  char buf[256] = {0};
  const char* msg = StrErrorResult(strerror_r(err, buf, sizeof(buf)), buf);
  return absl::StrCat(msg, " (errno ", err, ")");
}

// Every message names the operation, the path and the errno.
absl::Status ErrnoStatus(const char* op, const std::string& path, int err) {
  std::string msg = absl::StrCat(op, " ", path, ": ", ErrnoText(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::UnavailableError(msg);
  }
}

int OpenRetrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// close() must not be retried on EINTR: Linux has released the descriptor already.
int CloseFd(int fd) {
  int rc = ::close(fd);
  return (rc != 0 && errno == EINTR) ? 0 : rc;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    buf_.reserve(kWriteBufferSize);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) {
      if (status_.ok()) (void)FlushBuffer();  // best effort: nobody can see the error
      CloseFd(fd_);
    }
  }

  absl::Status Append(std::string_view data) override {
    if (absl::Status s = Usable(); !s.ok()) return s;
    if (data.size() > kWriteBufferSize - buf_.size()) {
      if (absl::Status s = FlushBuffer(); !s.ok()) return s;
      if (data.size() >= kWriteBufferSize) {  // too big to be worth copying
        if (absl::Status s = WriteAll(data); !s.ok()) return s;
        size_ += data.size();
        return absl::OkStatus();
      }
    }
    buf_.append(data);
    size_ += data.size();
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (absl::Status s = Usable(); !s.ok()) return s;
    if (absl::Status s = FlushBuffer(); !s.ok()) return s;
    int rc;
    do {
      rc = ::fdatasync(fd_);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) status_ = ErrnoStatus("fdatasync", path_, errno);
    return status_;
  }

  absl::Status Close() override {
    if (fd_ < 0) return absl::OkStatus();
    absl::Status s = status_.ok() ? FlushBuffer() : status_;
    if (CloseFd(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return s;
  }

  uint64_t Size() const override { return size_; }

 private:
  absl::Status Usable() const {
    if (fd_ < 0) return absl::FailedPreconditionError(absl::StrCat("file is closed: ", path_));
    return status_;
  }

  absl::Status FlushBuffer() {
    absl::Status s = WriteAll(buf_);
    buf_.clear();
    return s;
  }

  // Loops over short writes and EINTR; a failure is sticky (see the file comment).
  absl::Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        status_ = ErrnoStatus("write", path_, errno);
        return status_;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return absl::OkStatus();
  }

  const std::string path_;
  int fd_;
  std::string buf_;
  uint64_t size_ = 0;
  absl::Status status_;  // first write/sync error
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { CloseFd(fd_); }

  absl::Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (n > kLargeRead) {
      struct stat st;
      if (::fstat(fd_, &st) != 0) return ErrnoStatus("fstat", path_, errno);
      uint64_t have = static_cast<uint64_t>(st.st_size);
      n = offset >= have ? 0 : static_cast<size_t>(std::min<uint64_t>(n, have - offset));
    }
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        out->clear();
        return ErrnoStatus("pread", path_, err);
      }
      if (r == 0) break;  // EOF
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return absl::OkStatus();
  }

  uint64_t Size() const override { return size_; }

 private:
  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { CloseFd(fd_); }

  absl::Status Read(size_t n, std::string* out) override {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, out->data() + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        out->clear();
        return ErrnoStatus("read", path_, err);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixEnv;

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(PosixEnv* env, int fd, std::pair<dev_t, ino_t> key)
      : env_(env), fd_(fd), key_(key) {}
  ~PosixFileLock() override;

 private:
  PosixEnv* const env_;
  const int fd_;
  const std::pair<dev_t, ino_t> key_;
};

class PosixEnv final : public Env {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = OpenRetrying(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::make_unique<PosixWritableFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    int fd = OpenRetrying(path.c_str(), O_RDONLY);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      CloseFd(fd);
      return ErrnoStatus("fstat", path, err);
    }
    return std::make_unique<PosixRandomAccessFile>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) override {
    int fd = OpenRetrying(path.c_str(), O_RDONLY);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    return std::make_unique<PosixSequentialFile>(path, fd);
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    int err = errno;  // readdir returns null both at the end and on error
    ::closedir(d);
    if (err != 0) return ErrnoStatus("readdir", dir, err);
    return names;
  }

  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename", absl::StrCat(from, " to ", to), errno);
    }
    return absl::OkStatus();
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    int fd = OpenRetrying(path.c_str(), O_WRONLY);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    absl::Status s = TruncateAndSync(fd, path, size);
    if (CloseFd(fd) != 0 && s.ok()) s = ErrnoStatus("close", path, errno);
    return s;
  }

  absl::Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0700) == 0) return absl::OkStatus();
    int err = errno;
    if (err == EEXIST) {
      struct stat st;
      if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return absl::OkStatus();
      return absl::FailedPreconditionError(
          absl::StrCat("mkdir ", path, ": exists and is not a folder"));
    }
    return ErrnoStatus("mkdir", path, err);
  }

  absl::Status SyncDir(const std::string& path) override {
    int fd = OpenRetrying(path.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    int rc;
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    absl::Status s = rc == 0 ? absl::OkStatus() : ErrnoStatus("fsync", path, errno);
    CloseFd(fd);
    return s;
  }

  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    MutexLock l(&mu_);
    std::string in_use = absl::StrCat("database folder is in use: ", path);
    // Check before opening: opening and closing a file this process has locked would
    // release that lock (see the file comment).
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && locked_.count({st.st_dev, st.st_ino}) > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(in_use, " is already locked by another Db in this process"));
    }
    int fd = OpenRetrying(path.c_str(), O_RDWR | O_CREAT, 0600);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    // The inode cannot be in locked_ now: a locked inode is held open, so it is not
    // reused, and stat above saw the current file (or none).
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      CloseFd(fd);
      return ErrnoStatus("fstat", path, err);
    }
    struct flock fl;
    std::memset(&fl, 0, sizeof(fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
    if (::fcntl(fd, F_SETLK, &fl) != 0) {
      int err = errno;
      CloseFd(fd);
      if (err == EACCES || err == EAGAIN) {
        return absl::FailedPreconditionError(absl::StrCat(in_use, " is locked by another process"));
      }
      return ErrnoStatus("fcntl(F_SETLK)", path, err);
    }
    std::pair<dev_t, ino_t> key{st.st_dev, st.st_ino};
    locked_.insert(key);
    return std::make_unique<PosixFileLock>(this, fd, key);
  }

  void Unlock(int fd, std::pair<dev_t, ino_t> key) {
    // Close before forgetting the key, under the mutex: otherwise a concurrent LockFile
    // could take the lock and then lose it to this close.
    MutexLock l(&mu_);
    CloseFd(fd);
    locked_.erase(key);
  }

 private:
  static absl::Status TruncateAndSync(int fd, const std::string& path, uint64_t size) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat", path, errno);
    if (size > static_cast<uint64_t>(st.st_size)) {
      return absl::InvalidArgumentError(
          absl::StrCat("truncate ", path, ": new size ", size, " exceeds file size ", st.st_size));
    }
    int rc;
    do {
      rc = ::ftruncate(fd, static_cast<off_t>(size));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return ErrnoStatus("ftruncate", path, errno);
    do {
      rc = ::fsync(fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return ErrnoStatus("fsync", path, errno);
    return absl::OkStatus();
  }

  Mutex mu_;
  std::set<std::pair<dev_t, ino_t>> locked_ ABSL_GUARDED_BY(mu_);
};

PosixFileLock::~PosixFileLock() { env_->Unlock(fd_, key_); }

}  // namespace

Env* Env::Default() {
  static PosixEnv* const env = new PosixEnv;  // never destroyed: usable during exit
  return env;
}

}  // namespace cassette

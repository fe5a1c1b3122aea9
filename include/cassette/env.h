// cassette/env.h — every file-system operation cassette performs goes through an Env,
// so tests can inject faults and crashes (see src/env/fault_injection_env.h).
//
// Contract:
// - Paths are plain strings; cassette only builds them from the database folder and its
//   own file names, never from file contents.
// - Files are created with mode 0600 and folders with 0700.
// - Errors: NotFound for a missing file, Unavailable for an I/O error (EIO),
//   ResourceExhausted for a full disk (ENOSPC), each message naming the path and errno.
// Thread safety: an Env is safe for concurrent use; a file object is used by one thread
// at a time.

#ifndef CASSETTE_ENV_H_
#define CASSETTE_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cassette {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends at the end. Data is durable only after a successful Sync().
  [[nodiscard]] virtual absl::Status Append(std::string_view data) = 0;
  // fdatasync: everything appended so far survives a crash once this returns OK.
  [[nodiscard]] virtual absl::Status Sync() = 0;
  [[nodiscard]] virtual absl::Status Close() = 0;
  // Bytes appended so far (the file's logical size).
  virtual uint64_t Size() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into *out (replacing its contents); fewer only at EOF.
  // Safe to call concurrently.
  [[nodiscard]] virtual absl::Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
};

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into *out (replacing its contents); empty at EOF.
  [[nodiscard]] virtual absl::Status Read(size_t n, std::string* out) = 0;
};

// Held while a database is open; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The POSIX file system. Never null, never destroyed.
  static Env* Default();

  // Creates or truncates.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) = 0;
  virtual absl::StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  [[nodiscard]] virtual absl::Status RemoveFile(const std::string& path) = 0;
  // Atomically replaces `to` if it exists. Durable after SyncDir of the folder.
  [[nodiscard]] virtual absl::Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Shrinks a file (used to cut a torn commit-log tail).
  [[nodiscard]] virtual absl::Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Creates a folder (mode 0700); OK if it already exists as a folder.
  [[nodiscard]] virtual absl::Status CreateDir(const std::string& path) = 0;
  // fsync of a folder: makes creations, renames and removals in it durable.
  [[nodiscard]] virtual absl::Status SyncDir(const std::string& path) = 0;
  // An exclusive advisory lock; FailedPrecondition naming the path if another process
  // (or another open Db in this process) holds it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
};

// An Env that forwards every call to `base` (which must outlive it): derive from it and
// override only what you want to observe or change (counting, tracing, faults), as with
// LevelDB's EnvWrapper.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* base) : base_(base) {}
  Env* base() const { return base_; }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return base_->NewWritableFile(path);
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) override {
    return base_->NewSequentialFile(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    return base_->GetChildren(dir);
  }
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    return base_->GetFileSize(path);
  }
  absl::Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  absl::Status CreateDir(const std::string& path) override { return base_->CreateDir(path); }
  absl::Status SyncDir(const std::string& path) override { return base_->SyncDir(path); }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  Env* const base_;
};

}  // namespace cassette

#endif  // CASSETTE_ENV_H_

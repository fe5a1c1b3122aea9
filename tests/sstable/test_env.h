// A tiny in-memory Env for the SSTable tests: files are strings in a map, so tests can
// read, flip and truncate their bytes directly. Only what SSTables use is implemented.

#ifndef CASSETTE_TESTS_SSTABLE_TEST_ENV_H_
#define CASSETTE_TESTS_SSTABLE_TEST_ENV_H_

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cassette/env.h"

namespace cassette {

class TestEnv final : public Env {
 public:
  std::map<std::string, std::string> files;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    files[path].clear();
    return std::unique_ptr<WritableFile>(std::make_unique<Writable>(&files[path]));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return absl::NotFoundError(path);
    // A snapshot: later edits of `files` (corruption tests) do not affect open tables.
    return std::unique_ptr<RandomAccessFile>(std::make_unique<Readable>(it->second));
  }
  absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string&) override {
    return absl::UnimplementedError("TestEnv");
  }
  bool FileExists(const std::string& path) override { return files.count(path) > 0; }
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& dir) override {
    std::vector<std::string> out;
    for (const auto& [p, _] : files) {
      if (p.starts_with(dir + "/")) out.push_back(p.substr(dir.size() + 1));
    }
    return out;
  }
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return absl::NotFoundError(path);
    return it->second.size();
  }
  absl::Status RemoveFile(const std::string& path) override {
    files.erase(path);
    return absl::OkStatus();
  }
  absl::Status RenameFile(const std::string&, const std::string&) override {
    return absl::UnimplementedError("TestEnv");
  }
  absl::Status TruncateFile(const std::string&, uint64_t) override {
    return absl::UnimplementedError("TestEnv");
  }
  absl::Status CreateDir(const std::string&) override { return absl::OkStatus(); }
  absl::Status SyncDir(const std::string&) override { return absl::OkStatus(); }
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string&) override {
    return absl::UnimplementedError("TestEnv");
  }

 private:
  class Writable final : public WritableFile {
   public:
    explicit Writable(std::string* s) : s_(s) {}
    absl::Status Append(std::string_view data) override {
      s_->append(data);
      return absl::OkStatus();
    }
    absl::Status Sync() override { return absl::OkStatus(); }
    absl::Status Close() override { return absl::OkStatus(); }
    uint64_t Size() const override { return s_->size(); }

   private:
    std::string* s_;
  };
  class Readable final : public RandomAccessFile {
   public:
    explicit Readable(std::string s) : s_(std::move(s)) {}
    absl::Status Read(uint64_t offset, size_t n, std::string* out) const override {
      if (offset >= s_.size()) {
        out->clear();
      } else {
        out->assign(s_, offset, std::min<uint64_t>(n, s_.size() - offset));
      }
      return absl::OkStatus();
    }
    uint64_t Size() const override { return s_.size(); }

   private:
    std::string s_;
  };
};

}  // namespace cassette

#endif  // CASSETTE_TESTS_SSTABLE_TEST_ENV_H_

// Helpers shared by the commit-log tests: whole-file reads and writes through an Env, and
// an Open that collects what replay hands over.

#ifndef CASSETTE_TESTS_COMMITLOG_LOG_TEST_UTIL_H_
#define CASSETTE_TESTS_COMMITLOG_LOG_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cassette/env.h"
#include "commitlog/commit_log.h"

namespace cassette {

// So that gtest prints positions readably (found by ADL).
inline void PrintTo(const LogPosition& p, std::ostream* os) {
  *os << "{segment " << p.segment << ", offset " << p.offset << "}";
}

namespace testing_util {

inline std::string ReadAll(Env* env, const std::string& path) {
  auto file = env->NewRandomAccessFile(path);
  EXPECT_TRUE(file.ok()) << file.status();
  if (!file.ok()) return "";
  std::string out;
  absl::Status s = (*file)->Read(0, (*file)->Size(), &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// Replaces the file's contents durably.
inline void WriteAll(Env* env, const std::string& path, std::string_view data) {
  auto file = env->NewWritableFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append(data).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
}

struct Replayed {
  std::vector<std::string> records;
  std::vector<LogPosition> positions;
  ReplayReport report;
  std::unique_ptr<CommitLog> log;  // null if Open failed
  absl::Status status;
};

inline Replayed OpenLog(Env* env, const std::string& dir, const CommitLogOptions& options = {}) {
  Replayed r;
  auto log = CommitLog::Open(
      env, dir, options,
      [&r](std::string_view record, LogPosition pos) {
        r.records.emplace_back(record);
        r.positions.push_back(pos);
        return absl::OkStatus();
      },
      &r.report);
  r.status = log.status();
  if (log.ok()) r.log = *std::move(log);
  return r;
}

}  // namespace testing_util
}  // namespace cassette

#endif  // CASSETTE_TESTS_COMMITLOG_LOG_TEST_UTIL_H_

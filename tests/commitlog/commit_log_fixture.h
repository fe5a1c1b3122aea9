// Helpers shared by the commit log's tests: recognizable records, segment listing and
// record offsets in a fixed-size-record segment.

#ifndef CASSETTE_TESTS_COMMITLOG_COMMIT_LOG_FIXTURE_H_
#define CASSETTE_TESTS_COMMITLOG_COMMIT_LOG_FIXTURE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "commitlog/commit_log.h"
#include "commitlog/log_record.h"
#include "commitlog/log_test_util.h"
#include "commitlog/segment_names.h"

namespace cassette {
namespace commit_log_fixture {

using testing_util::OpenLog;
using testing_util::Replayed;

inline constexpr char kDir[] = "/clog";

// A recognizable record of `len` bytes.
inline std::string Rec(int i, size_t len = 30) {
  std::string s = absl::StrCat("record-", i, "-");
  s.resize(std::max(len, s.size()), static_cast<char>('a' + i % 26));
  s.resize(len);
  return s;
}

inline std::string Path(uint64_t id) { return SegmentPath(kDir, id); }

// Segment ids in the folder, ascending.
inline std::vector<uint64_t> SegmentIds(Env* env) {
  auto children = env->GetChildren(kDir);
  EXPECT_TRUE(children.ok()) << children.status();
  std::vector<uint64_t> ids;
  if (!children.ok()) return ids;
  for (const std::string& name : *children) {
    uint64_t id;
    if (ParseSegmentFileName(name, &id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Writes `records` through a log with `options`, syncs and closes it. Returns positions.
inline std::vector<LogPosition> WriteLog(Env* env, const std::vector<std::string>& records,
                                         const CommitLogOptions& options = {}) {
  Replayed r = OpenLog(env, kDir, options);
  EXPECT_TRUE(r.status.ok()) << r.status;
  std::vector<LogPosition> positions;
  if (!r.status.ok()) return positions;
  for (const std::string& rec : records) {
    auto pos = r.log->Append(rec);
    EXPECT_TRUE(pos.ok()) << pos.status();
    if (pos.ok()) positions.push_back(*pos);
  }
  EXPECT_TRUE(r.log->Sync().ok());
  return positions;
}

inline std::vector<std::string> Recs(int n, size_t len = 30) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(Rec(i, len));
  return out;
}

inline std::vector<std::string> Prefix(const std::vector<std::string>& v, size_t n) {
  return std::vector<std::string>(v.begin(), v.begin() + std::min(n, v.size()));
}

// Offset of record `index` in a segment whose records all have `len`-byte payloads.
inline uint64_t RecordOffset(int index, size_t len) {
  return kSegmentHeaderSize + index * (kRecordHeaderSize + len);
}

}  // namespace commit_log_fixture
}  // namespace cassette

#endif  // CASSETTE_TESTS_COMMITLOG_COMMIT_LOG_FIXTURE_H_

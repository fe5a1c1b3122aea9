// Replay of one commit-log segment: hands its intact records to the callback in order
// and applies the damage rules of the durability contract (commitlog/commit_log.h,
// docs/commitlog-format.md "Replay"):
//
//   - The LAST segment may end in a torn tail — a partial record header, a record whose
//     header (length check included) is intact but whose payload runs past the end of
//     the file, or a record whose checksum fails and which is the last thing in the file.
//     It is what a crash during an unsynced append leaves behind, so it is cut off
//     (Env::TruncateFile) and reported. A last segment whose header is partial, or bad
//     with nothing after it, holds no record and is removed the same way (a crash while
//     the segment was being created).
//   - Any other damage — in an earlier segment, a record length failing its length check
//     (anywhere), or a bad record followed by more bytes — can only be corruption of
//     synced data: DataLoss naming the file and offset, unless `salvage`, in which case
//     the rest of the segment is skipped and reported.
//   - A segment of an older format version is FailedPrecondition naming the file and both
//     versions, salvage or not: it is not damaged, and skipping it would drop intact
//     records.
//
// Thread safety: call from one thread; `env` must be safe for concurrent use.

#ifndef CASSETTE_COMMITLOG_SEGMENT_REPLAY_H_
#define CASSETTE_COMMITLOG_SEGMENT_REPLAY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "cassette/env.h"
#include "commitlog/commit_log.h"

namespace cassette {

struct SegmentReplayResult {
  bool removed = false;  // the file was deleted (a torn segment header)
  uint64_t size = 0;     // the file's size after replay (after any cut), if not removed
};

// Replays segment `segment_id` in `dir`. Adds to *report (never resets it). Returns the
// callback's first error unchanged, DataLoss for damage as above, FailedPrecondition for
// an older format version, or an Env error.
[[nodiscard]] absl::Status ReplaySegment(Env* env, const std::string& dir, uint64_t segment_id,
                                         bool is_last, bool salvage,
                                         const CommitLog::ReplayFn& replay, ReplayReport* report,
                                         SegmentReplayResult* result);

}  // namespace cassette

#endif  // CASSETTE_COMMITLOG_SEGMENT_REPLAY_H_

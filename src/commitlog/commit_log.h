// CommitLog: the write-ahead log. Segmented files of length-prefixed, checksummed records;
// each record is one acknowledged write batch. Format: docs/commitlog-format.md.
//
// Durability contract:
// - Append writes the record to the current segment (OS buffer). It is durable after a
//   successful Sync() that started after the Append returned.
// - Once a Sync fails the log is failed: every later Append/Sync returns the same error.
//   A write whose sync failed is never acknowledged, and nothing is retried.
// - Replay (in Open) hands every intact record to the callback in log order. A torn tail
//   of the LAST segment (a partial or checksum-failing final record) is truncated away
//   and reported; damage anywhere else fails Open with DataLoss naming file and offset,
//   unless options.salvage is set (then the damaged rest of that segment is skipped and
//   reported).
//
// Thread safety: Append and Sync may be called from several threads; calls are
// serialized internally. Sync modes (periodic/batch/group) are the caller's policy
// (db/), except that `periodic` runs a background syncer owned by the log.

#ifndef CASSETTE_COMMITLOG_COMMIT_LOG_H_
#define CASSETTE_COMMITLOG_COMMIT_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cassette/env.h"

namespace cassette {

// A point in the log: records before it are older. Ordered by (segment, offset).
struct LogPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  friend auto operator<=>(const LogPosition&, const LogPosition&) = default;
};

struct CommitLogOptions {
  uint64_t segment_size = 32 << 20;  // Cassandra's commitlog_segment_size 32 MiB
  // periodic mode: a background thread syncs every period (Cassandra default 10 s).
  // 0 disables the thread (the caller syncs).
  int64_t periodic_sync_ms = 0;
  bool salvage = false;
};

struct ReplayReport {
  uint64_t segments = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;                      // payload bytes of the replayed records
  uint64_t torn_tail_bytes_dropped = 0;    // cut from the end of the last segment
  uint64_t torn_tail_records_dropped = 0;  // 0 or 1: the partial final record
  uint64_t salvaged_bytes_skipped = 0;     // only with salvage
  std::vector<std::string> notes;          // human-readable, e.g. what was cut where
};

class CommitLog {
 public:
  using ReplayFn = std::function<absl::Status(std::string_view record, LogPosition position)>;

  // Opens the log in `dir` (creating it), replays existing segments through `replay`,
  // then starts a new segment for appends.
  static absl::StatusOr<std::unique_ptr<CommitLog>> Open(Env* env, const std::string& dir,
                                                         const CommitLogOptions& options,
                                                         const ReplayFn& replay,
                                                         ReplayReport* report);
  virtual ~CommitLog() = default;

  // Returns the position just after the record (use it with DiscardBefore).
  virtual absl::StatusOr<LogPosition> Append(std::string_view record) = 0;
  [[nodiscard]] virtual absl::Status Sync() = 0;
  // Deletes every segment whose records are all before `pos` (they are in SSTables).
  [[nodiscard]] virtual absl::Status DiscardBefore(LogPosition pos) = 0;
  // Position after the last appended record.
  virtual LogPosition CurrentPosition() const = 0;
  // Bytes appended since open (for write-amplification accounting).
  virtual uint64_t bytes_written() const = 0;
};

}  // namespace cassette

#endif  // CASSETTE_COMMITLOG_COMMIT_LOG_H_

// bench/lab/leveldb_log_watcher.h — what LevelDB 1.23 tells only through its info log
// and its "leveldb.sstables" property (used by leveldb_engine.cc only).
//
// LevelDB has no compaction-state or per-file API. Its info log names every compaction
// start ("Compacting …"), end ("Compacted … => N bytes"), failure ("Compaction error: …"),
// memtable flush ("Level-0 table #N: started" / "…: B bytes OK"), trivial move
// ("Moved #N …") and file deletion ("Delete type=T #N"), logged from its background
// thread with its mutex held; "leveldb.sstables" lists the live files per level.
#ifndef CASSETTE_BENCH_LAB_LEVELDB_LOG_WATCHER_H_
#define CASSETTE_BENCH_LAB_LEVELDB_LOG_WATCHER_H_

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "leveldb/env.h"

namespace cassette::lab {

struct LevelDbTableFile {
  int level;
  uint64_t bytes;
};

// Parses "leveldb.sstables" ("--- level N ---" headers, then " number:size[keys]" lines)
// into file number -> level and size.
std::map<uint64_t, LevelDbTableFile> ParseLevelDbSstables(const std::string& text);

// LevelDB 1.23's size trigger (VersionSet::Finalize): level 0 holds 4 or more files, or a
// level L in 1..5 holds 10^L MiB or more. LevelDB then always has a compaction queued.
bool LevelDbSizeCompactionDue(const std::map<uint64_t, LevelDbTableFile>& files);

// A leveldb::Logger that writes the usual LOG file (when given one) and follows the
// lines above. Thread-safe. `files_changed` runs after a move or a deletion — with
// LevelDB's mutex held, so it must not call into the DB.
class LevelDbLogWatcher : public leveldb::Logger {
 public:
  // Takes ownership of `file` (may be null).
  LevelDbLogWatcher(leveldb::Logger* file, std::function<void()> files_changed)
      : file_(file), files_changed_(std::move(files_changed)) {}
  ~LevelDbLogWatcher() override { delete file_; }

  void Logv(const char* format, std::va_list ap) override;

  // A compaction or memtable flush has started and not finished.
  bool busy() const { return compacting_ || flushing_; }
  // Lines logged so far: unchanged over an interval means LevelDB did nothing in it.
  uint64_t activity() const { return activity_.load(std::memory_order_acquire); }
  // Bytes written by compactions (not flushes, not trivial moves).
  uint64_t compacted_bytes() const { return compacted_bytes_.load(std::memory_order_acquire); }
  // The first background error logged, or empty.
  std::string error() const;

 private:
  void SetError(const char* msg);

  leveldb::Logger* const file_;
  const std::function<void()> files_changed_;
  std::atomic<bool> compacting_{false};
  std::atomic<bool> flushing_{false};
  std::atomic<uint64_t> activity_{0};
  std::atomic<uint64_t> compacted_bytes_{0};
  mutable std::mutex mu_;
  std::string error_;
};

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_LEVELDB_LOG_WATCHER_H_

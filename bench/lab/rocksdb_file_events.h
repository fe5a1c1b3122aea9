// bench/lab/rocksdb_file_events.h — RocksDB table files appearing and disappearing, as the
// lab's FileEvents (used by rocksdb_engine.cc only; needs RocksDB's headers).
//
// RocksDB tells a new file's size when it is written (OnTableFileCreated) but its level
// only when the flush or compaction that wrote it is installed, so a file is reported
// created then. A file a compaction merely moves to another level ("trivial move") is
// reported deleted at its old level and created at the new one; deletions are reported
// when RocksDB deletes the file. Callbacks arrive on RocksDB's background threads; the
// sink is called under this listener's mutex, so one call at a time.
#ifndef CASSETTE_BENCH_LAB_ROCKSDB_FILE_EVENTS_H_
#define CASSETTE_BENCH_LAB_ROCKSDB_FILE_EVENTS_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bench/lab/engine.h"
#include "rocksdb/listener.h"

namespace cassette::lab {

// "…/000123.sst" -> 123; false for anything else.
bool RocksDbTableFileNumber(const std::string& path, uint64_t* number);

class RocksDbFileEvents : public rocksdb::EventListener {
 public:
  explicit RocksDbFileEvents(FileEventSink sink) : sink_(std::move(sink)) {}
  const char* Name() const override { return "CassetteLabFileEvents"; }

  void OnTableFileCreated(const rocksdb::TableFileCreationInfo& info) override;
  void OnFlushCompleted(rocksdb::DB* db, const rocksdb::FlushJobInfo& info) override;
  void OnCompactionCompleted(rocksdb::DB* db, const rocksdb::CompactionJobInfo& ci) override;
  void OnTableFileDeleted(const rocksdb::TableFileDeletionInfo& info) override;

 private:
  struct Live {
    int level;
    uint64_t bytes;
  };
  using LiveMap = std::unordered_map<uint64_t, Live>;

  void Created(uint64_t number, int level, uint64_t bytes);
  void Deleted(LiveMap::iterator it);

  const FileEventSink sink_;
  std::mutex mu_;
  std::unordered_map<uint64_t, uint64_t> pending_;  // file number -> bytes, level unknown yet
  LiveMap live_;
};

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_ROCKSDB_FILE_EVENTS_H_

// bench/lab/rocksdb_file_events.cc — see rocksdb_file_events.h. Compiled into the lab
// unconditionally (the lab's CMake globs *.cc), so it is empty without RocksDB.
#ifdef CASSETTE_LAB_HAVE_ROCKSDB
#include "bench/lab/rocksdb_file_events.h"

#include <filesystem>
#include <system_error>

namespace cassette::lab {

bool RocksDbTableFileNumber(const std::string& path, uint64_t* number) {
  const std::string name = std::filesystem::path(path).filename().string();
  if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".sst") != 0) return false;
  uint64_t n = 0;
  for (size_t i = 0; i + 4 < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *number = n;
  return true;
}

void RocksDbFileEvents::OnTableFileCreated(const rocksdb::TableFileCreationInfo& info) {
  uint64_t n = 0;
  if (!info.status.ok() || info.file_size == 0 || !RocksDbTableFileNumber(info.file_path, &n)) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (info.reason == rocksdb::TableFileCreationReason::kRecovery) {
    Created(n, 0, info.file_size);  // WAL replay writes L0 files outside any flush job
  } else {
    pending_[n] = info.file_size;
  }
}

void RocksDbFileEvents::OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo& info) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(info.file_number);
  if (it == pending_.end()) return;  // the flush wrote no file
  Created(info.file_number, 0, it->second);
  pending_.erase(it);
}

void RocksDbFileEvents::OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo& ci) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < ci.output_file_infos.size(); ++i) {
    const rocksdb::CompactionFileInfo& f = ci.output_file_infos[i];
    auto pend = pending_.find(f.file_number);
    if (!ci.status.ok()) {
      if (pend != pending_.end()) pending_.erase(pend);
      continue;
    }
    if (auto live = live_.find(f.file_number); live != live_.end()) {
      if (live->second.level != f.level) {  // trivial move
        const uint64_t bytes = live->second.bytes;
        Deleted(live);
        Created(f.file_number, f.level, bytes);
      }
      continue;
    }
    uint64_t bytes = 0;
    if (pend != pending_.end()) {
      bytes = pend->second;
      pending_.erase(pend);
    } else if (i < ci.output_files.size()) {
      std::error_code ec;
      bytes = std::filesystem::file_size(ci.output_files[i], ec);
      if (ec) bytes = 0;
    }
    Created(f.file_number, f.level, bytes);
  }
}

void RocksDbFileEvents::OnTableFileDeleted(const rocksdb::TableFileDeletionInfo& info) {
  uint64_t n = 0;
  if (!RocksDbTableFileNumber(info.file_path, &n)) return;
  std::lock_guard<std::mutex> lock(mu_);
  pending_.erase(n);
  if (auto live = live_.find(n); live != live_.end()) Deleted(live);
}

void RocksDbFileEvents::Created(uint64_t number, int level, uint64_t bytes) {
  live_[number] = Live{level, bytes};
  if (sink_) sink_(FileEvent{.file = number, .level = level, .bytes = bytes, .created = true});
}

void RocksDbFileEvents::Deleted(LiveMap::iterator it) {
  if (sink_) {
    sink_(FileEvent{
        .file = it->first, .level = it->second.level, .bytes = it->second.bytes, .created = false});
  }
  live_.erase(it);
}

}  // namespace cassette::lab
#endif  // CASSETTE_LAB_HAVE_ROCKSDB

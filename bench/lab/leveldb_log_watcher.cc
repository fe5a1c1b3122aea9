// bench/lab/leveldb_log_watcher.cc — see leveldb_log_watcher.h. Compiled into the lab
// unconditionally (the lab's CMake globs *.cc), so it is empty without LevelDB.
#ifdef CASSETTE_LAB_HAVE_LEVELDB
#include "bench/lab/leveldb_log_watcher.h"

#include <cstdio>
#include <cstring>

namespace cassette::lab {

std::map<uint64_t, LevelDbTableFile> ParseLevelDbSstables(const std::string& text) {
  std::map<uint64_t, LevelDbTableFile> files;
  int level = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    unsigned long long number = 0, bytes = 0;
    int l = 0;
    if (std::sscanf(line.c_str(), "--- level %d ---", &l) == 1) {
      level = l;
    } else if (std::sscanf(line.c_str(), " %llu:%llu[", &number, &bytes) == 2) {
      files[number] = LevelDbTableFile{level, bytes};
    }
  }
  return files;
}

bool LevelDbSizeCompactionDue(const std::map<uint64_t, LevelDbTableFile>& files) {
  constexpr int kNumLevels = 7;  // config::kNumLevels; the last level has no target
  double bytes[kNumLevels] = {};
  int l0_files = 0;
  for (const auto& [number, f] : files) {
    if (f.level == 0) ++l0_files;
    if (f.level >= 0 && f.level < kNumLevels) bytes[f.level] += static_cast<double>(f.bytes);
  }
  if (l0_files >= 4) return true;  // config::kL0_CompactionTrigger
  double max_bytes = 10.0 * 1048576.0;
  for (int level = 1; level < kNumLevels - 1; ++level, max_bytes *= 10) {
    if (bytes[level] / max_bytes >= 1.0) return true;
  }
  return false;
}

void LevelDbLogWatcher::Logv(const char* format, std::va_list ap) {
  std::va_list copy;
  va_copy(copy, ap);
  char msg[512];
  std::vsnprintf(msg, sizeof(msg), format, copy);
  va_end(copy);
  if (file_ != nullptr) file_->Logv(format, ap);
  activity_.fetch_add(1, std::memory_order_acq_rel);

  int a = 0, b = 0, c = 0, d = 0;
  long long bytes = 0;
  unsigned long long number = 0;
  char status[64] = {};
  bool changed = false;
  if (std::strncmp(msg, "Compacting ", 11) == 0) {
    compacting_ = true;
  } else if (std::sscanf(msg, "Compacted %d@%d + %d@%d files => %lld bytes", &a, &b, &c, &d,
                         &bytes) == 5) {
    compacted_bytes_.fetch_add(static_cast<uint64_t>(bytes), std::memory_order_acq_rel);
    compacting_ = false;
  } else if (std::strncmp(msg, "Compaction error: ", 18) == 0) {
    compacting_ = false;
    SetError(msg);
  } else if (std::sscanf(msg, "Level-0 table #%llu: %lld bytes %63s", &number, &bytes, status) ==
             3) {
    flushing_ = false;
    if (std::strcmp(status, "OK") != 0) SetError(msg);
  } else if (std::sscanf(msg, "Level-0 table #%llu: started", &number) == 1) {
    flushing_ = true;
  } else if (std::strncmp(msg, "Moved #", 7) == 0 || std::strncmp(msg, "Delete type=", 12) == 0) {
    changed = true;  // logged once the new file set is installed
  }
  if (changed && files_changed_) files_changed_();
}

std::string LevelDbLogWatcher::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

void LevelDbLogWatcher::SetError(const char* msg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.empty()) error_ = msg;
}

}  // namespace cassette::lab
#endif  // CASSETTE_LAB_HAVE_LEVELDB

#include "commitlog/segment_names.h"

#include <limits>

namespace cassette {
namespace {

constexpr std::string_view kPrefix = "CommitLog-";
constexpr std::string_view kSuffix = ".log";

}  // namespace

std::string SegmentFileName(uint64_t id) {
  return std::string(kPrefix) + std::to_string(id) + std::string(kSuffix);
}

std::string SegmentPath(const std::string& dir, uint64_t id) {
  if (dir.empty() || dir.back() == '/') return dir + SegmentFileName(id);
  return dir + "/" + SegmentFileName(id);
}

bool ParseSegmentFileName(std::string_view name, uint64_t* id) {
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return false;
  }
  std::string_view digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  // Only the canonical spelling: one name per id, so two files can never hold one segment.
  if (digits[0] == '0') return false;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    value = value * 10 + d;
  }
  *id = value;
  return true;
}

}  // namespace cassette

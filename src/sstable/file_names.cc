#include "sstable/file_names.h"

#include <string>

namespace cassette {
namespace {

constexpr std::string_view kPrefix = "cs-";
constexpr std::string_view kDataSuffix = "-Data.db";
constexpr std::string_view kIndexSuffix = "-Index.db";

}  // namespace

std::string SSTableFileName(uint64_t file_number, SSTableFileKind kind) {
  std::string name(kPrefix);
  name += std::to_string(file_number);
  name += kind == SSTableFileKind::kData ? kDataSuffix : kIndexSuffix;
  return name;
}

std::string SSTableFilePath(const std::string& dir, uint64_t file_number, SSTableFileKind kind) {
  return dir + "/" + SSTableFileName(file_number, kind);
}

bool ParseSSTableFileName(std::string_view name, uint64_t* file_number, SSTableFileKind* kind) {
  if (!name.starts_with(kPrefix)) return false;
  name.remove_prefix(kPrefix.size());
  SSTableFileKind k;
  if (name.ends_with(kDataSuffix)) {
    k = SSTableFileKind::kData;
    name.remove_suffix(kDataSuffix.size());
  } else if (name.ends_with(kIndexSuffix)) {
    k = SSTableFileKind::kIndex;
    name.remove_suffix(kIndexSuffix.size());
  } else {
    return false;
  }
  // Exactly one spelling per number: no empty string, no leading zero, no overflow.
  if (name.empty() || name.size() > 20 || (name.size() > 1 && name[0] == '0')) return false;
  uint64_t n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return false;
    n = n * 10 + d;
  }
  *file_number = n;
  *kind = k;
  return true;
}

}  // namespace cassette

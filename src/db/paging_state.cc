#include "db/paging_state.h"

#include "util/coding.h"

namespace cassette {

namespace {
constexpr char kVersion = 1;
constexpr uint8_t kPartitionDone = 0x01;
}  // namespace

std::string EncodePagingState(const PagingState& s) {
  std::string out(1, kVersion);
  PutLengthPrefixed(&out, s.key);
  out.push_back(static_cast<char>(s.partition_done ? kPartitionDone : 0));
  PutLengthPrefixed(&out, s.clustering);
  PutVarint64(&out, static_cast<uint64_t>(s.remaining));
  return out;
}

absl::StatusOr<PagingState> DecodePagingState(std::string_view in) {
  auto bad = [] { return absl::InvalidArgumentError("paging_state is not a valid paging state"); };
  if (in.empty() || in[0] != kVersion) return bad();
  in.remove_prefix(1);
  PagingState s;
  std::string_view key, clustering;
  if (!GetLengthPrefixed(&in, &key) || key.size() < 8 || in.empty()) return bad();
  uint8_t flags = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (flags & ~kPartitionDone) return bad();
  uint64_t remaining;
  if (!GetLengthPrefixed(&in, &clustering) || !GetVarint64(&in, &remaining) || !in.empty() ||
      remaining > static_cast<uint64_t>(INT64_MAX)) {
    return bad();
  }
  s.key = std::string(key);
  s.clustering = std::string(clustering);
  s.partition_done = flags & kPartitionDone;
  s.remaining = static_cast<int64_t>(remaining);
  return s;
}

}  // namespace cassette

#include "tombstone/ttl.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cassette {

absl::StatusOr<int32_t> ResolveTtl(std::optional<int64_t> given, int32_t table_default) {
  // Attributes.getTimeToLive: no USING TTL falls back to default_time_to_live, while an
  // explicit USING TTL 0 means "no TTL" even when the table has a default.
  if (!given.has_value()) return table_default;
  if (*given < 0) {
    return absl::InvalidArgumentError(absl::StrCat("TTL must be >= 0, got ", *given));
  }
  // Attributes.MAX_TTL: 20 years, the longest TTL Cassandra accepts.
  if (*given > kMaxTtlSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("ttl is too large: ", *given, " > ", kMaxTtlSeconds, " (20 years)"));
  }
  return static_cast<int32_t>(*given);
}

}  // namespace cassette

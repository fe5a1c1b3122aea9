// TTL rules (semantics §5).

#ifndef CASSETTE_TOMBSTONE_TTL_H_
#define CASSETTE_TOMBSTONE_TTL_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"

namespace cassette {

inline constexpr int32_t kMaxTtlSeconds = 630'720'000;  // 20 years, as Cassandra

// The TTL a write gets: the given one (0 = none even if the table has a default), else
// the table's default_time_to_live. InvalidArgument for a negative TTL or one over
// kMaxTtlSeconds ("ttl is too large").
absl::StatusOr<int32_t> ResolveTtl(std::optional<int64_t> given, int32_t table_default);

// ldt of a cell written at now_sec with ttl > 0. cassette keeps ldt as 64-bit seconds,
// so there is no 2038 cap (docs/data-model.md).
inline int64_t ExpiryTime(int64_t now_sec, int32_t ttl) { return now_sec + ttl; }

}  // namespace cassette

#endif  // CASSETTE_TOMBSTONE_TTL_H_

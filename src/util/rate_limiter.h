// RateLimiter: a token bucket that holds a caller back to a byte rate (compaction's
// throughput limit, Cassandra's compaction_throughput). Request() blocks the calling
// thread until its bytes fit; a rate of 0 means unlimited.
//
// Thread safety: safe for concurrent use (several compactions share one limit).

#ifndef CASSETTE_UTIL_RATE_LIMITER_H_
#define CASSETTE_UTIL_RATE_LIMITER_H_

#include <cstdint>
#include <functional>

#include "util/mutex.h"

namespace cassette {

class RateLimiter {
 public:
  // `now_micros` and `sleep_micros` are injectable for tests; defaults use the steady
  // clock and this_thread::sleep_for.
  explicit RateLimiter(uint64_t bytes_per_second, std::function<int64_t()> now_micros = nullptr,
                       std::function<void(int64_t)> sleep_micros = nullptr);

  void set_rate(uint64_t bytes_per_second);
  uint64_t rate() const;
  // Blocks until `bytes` may pass. Debt is allowed: one large request waits for its own
  // bytes afterwards rather than never passing.
  void Request(uint64_t bytes);

 private:
  mutable Mutex mu_;
  uint64_t rate_ ABSL_GUARDED_BY(mu_);
  int64_t next_free_micros_ ABSL_GUARDED_BY(mu_) = 0;  // when the bucket is empty again
  std::function<int64_t()> now_;
  std::function<void(int64_t)> sleep_;
};

}  // namespace cassette

#endif  // CASSETTE_UTIL_RATE_LIMITER_H_

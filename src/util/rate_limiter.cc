#include "util/rate_limiter.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace cassette {

RateLimiter::RateLimiter(uint64_t bytes_per_second, std::function<int64_t()> now_micros,
                         std::function<void(int64_t)> sleep_micros)
    : rate_(bytes_per_second), now_(std::move(now_micros)), sleep_(std::move(sleep_micros)) {
  if (!now_) {
    now_ = [] {
      return std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  if (!sleep_) {
    sleep_ = [](int64_t us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); };
  }
}

void RateLimiter::set_rate(uint64_t bytes_per_second) {
  MutexLock l(&mu_);
  rate_ = bytes_per_second;
}

uint64_t RateLimiter::rate() const {
  MutexLock l(&mu_);
  return rate_;
}

void RateLimiter::Request(uint64_t bytes) {
  int64_t wait = 0;
  {
    MutexLock l(&mu_);
    if (rate_ == 0) return;
    const int64_t now = now_();
    // Idle time does not bank more than the current request: a burst after a pause
    // passes at once but cannot exceed the rate afterwards.
    const int64_t start = std::max(next_free_micros_, now);
    const int64_t cost = static_cast<int64_t>(double(bytes) * 1e6 / double(rate_));
    next_free_micros_ = start + cost;
    wait = start - now;
  }
  if (wait > 0) sleep_(wait);
}

}  // namespace cassette

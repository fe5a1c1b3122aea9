#include "cassette/clock.h"

#include <chrono>

namespace cassette {
namespace {

class RealtimeClock final : public Clock {
 public:
  int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

std::shared_ptr<Clock> SystemClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<RealtimeClock>();
  return clock;
}

}  // namespace cassette

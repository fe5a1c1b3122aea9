// cassette/clock.h — the source of "now" for write timestamps, TTL expiry and gc_grace.
//
// Db reads the clock on every write and read. Tests and teaching tools inject a
// ManualClock and move time explicitly; production uses SystemClock().
// Thread safety: implementations must be safe to call from many threads.

#ifndef CASSETTE_CLOCK_H_
#define CASSETTE_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <memory>

namespace cassette {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch.
  virtual int64_t NowMicros() = 0;
};

// The wall clock (CLOCK_REALTIME). Shared, never null.
std::shared_ptr<Clock> SystemClock();

// A clock that moves only when told to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_micros) : now_(start_micros) {}
  int64_t NowMicros() override { return now_.load(std::memory_order_acquire); }
  void SetMicros(int64_t micros) { now_.store(micros, std::memory_order_release); }
  void AdvanceMicros(int64_t delta) { now_.fetch_add(delta, std::memory_order_acq_rel); }
  void AdvanceSeconds(int64_t seconds) { AdvanceMicros(seconds * 1'000'000); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace cassette

#endif  // CASSETTE_CLOCK_H_

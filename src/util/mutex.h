// Mutex, MutexLock, ReaderMutexLock and CondVar: the engine's locks, shaped like
// absl::Mutex (same names, same thread-safety annotations) but built on the standard
// library's pthread-based primitives.
//
// Why not absl::Mutex: Debian's Abseil is built without ThreadSanitizer annotations, so
// TSan cannot see the happens-before edges an absl::Mutex creates and reports every
// access it protects as a race. pthread mutexes and condition variables are intercepted
// by TSan, so the concurrent tests run under it with no suppressions.
//
// Thread safety: as the standard types. CondVar::Wait must be called with the Mutex held
// exclusively; it releases it while waiting and holds it again on return.

#ifndef CASSETTE_UTIL_MUTEX_H_
#define CASSETTE_UTIL_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace cassette {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

 private:
  friend class CondVar;
  std::shared_mutex mu_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class CondVar {
 public:
  // Releases *mu while waiting; holds it again on return. Spurious wakeups happen:
  // callers wait in a loop on their condition.
  void Wait(Mutex* mu) { cv_.wait(mu->mu_); }
  // As Wait, for at most `timeout`; true if it timed out.
  bool WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
    return cv_.wait_for(mu->mu_, absl::ToChronoNanoseconds(timeout)) == std::cv_status::timeout;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace cassette

#endif  // CASSETTE_UTIL_MUTEX_H_

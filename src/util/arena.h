// Arena: a bump allocator for many small, same-lifetime objects (memtable entries and
// skiplist nodes).
//
// Contract
//   Ownership: every byte handed out belongs to the arena and is freed, all at once, when
//     the arena is destroyed; there is no per-allocation free. Destructors of objects
//     placed in arena memory are never run, so only trivially destructible objects (or
//     objects whose destructor does nothing that matters) may live there.
//   Lifetime: pointers returned by Allocate* stay valid, and never move, until the arena is
//     destroyed.
//   Thread safety: Allocate and AllocateAligned mutate the arena and need external
//     synchronization (in practice, a single writer). MemoryUsage may be called from any
//     thread at any time, concurrently with an allocation; it is a relaxed read, so it
//     is an up-to-date-enough estimate for accounting, not a synchronization point.
//     Memory handed out may be read by other threads once it has been published to them
//     with appropriate ordering (e.g. the release store in SkipList::Insert).
//
// Blocks are kBlockSize (4 KiB) by default. An allocation larger than a quarter of the
// block size gets a block of its own, so that the unused tail of the current block is not
// thrown away for it and large values do not waste up to a block each.

#ifndef CASSETTE_UTIL_ARENA_H_
#define CASSETTE_UTIL_ARENA_H_

#include <atomic>
#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

namespace cassette {

class Arena {
 public:
  static constexpr size_t kDefaultBlockSize = 4096;
  // AllocateAligned returns addresses that are multiples of this: enough for pointers,
  // std::atomic<T*>, 64-bit integers and doubles.
  static constexpr size_t kAlignment = sizeof(void*) > 8 ? sizeof(void*) : 8;

  // REQUIRES: block_size >= kAlignment.
  explicit Arena(size_t block_size = kDefaultBlockSize);
  ~Arena() = default;

  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns bytes of uninitialized memory with no particular alignment.
  // REQUIRES: bytes > 0.
  char* Allocate(size_t bytes);

  // Like Allocate, but the result is a multiple of kAlignment.
  // REQUIRES: bytes > 0.
  char* AllocateAligned(size_t bytes);

  // Bytes obtained from the system so far (including unused block tails and
  // bookkeeping), for deciding when a memtable is full. Safe to call concurrently with
  // Allocate*.
  size_t MemoryUsage() const {
    // Relaxed: the value is a statistic; no other memory is read based on it.
    return memory_usage_.load(std::memory_order_relaxed);
  }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t block_bytes);

  const size_t block_size_;

  // Free space at the end of the current block.
  char* alloc_ptr_ = nullptr;
  size_t alloc_bytes_remaining_ = 0;

  std::vector<std::unique_ptr<char[]>> blocks_;

  std::atomic<size_t> memory_usage_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  // A zero-byte request could return nullptr (before the first block) or alias the next
  // allocation; neither is worth a branch on the hot path.
  assert(bytes > 0);
  // The fast path is a pointer bump; everything else is out of line.
  if (bytes <= alloc_bytes_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_bytes_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace cassette

#endif  // CASSETTE_UTIL_ARENA_H_

#include "util/arena.h"

#include <cstdint>

namespace cassette {

static_assert((Arena::kAlignment & (Arena::kAlignment - 1)) == 0,
              "kAlignment must be a power of two");
// AllocateFallback relies on fresh blocks from new[] being aligned already.
static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= Arena::kAlignment,
              "operator new[] must return kAlignment-aligned blocks");

Arena::Arena(size_t block_size) : block_size_(block_size) { assert(block_size >= kAlignment); }

char* Arena::AllocateAligned(size_t bytes) {
  assert(bytes > 0);
  const size_t misalign = reinterpret_cast<uintptr_t>(alloc_ptr_) & (kAlignment - 1);
  const size_t slop = misalign == 0 ? 0 : kAlignment - misalign;
  char* result;
  // Compare against remaining - slop rather than bytes + slop, which could overflow.
  if (slop <= alloc_bytes_remaining_ && bytes <= alloc_bytes_remaining_ - slop) {
    result = alloc_ptr_ + slop;
    alloc_ptr_ += slop + bytes;
    alloc_bytes_remaining_ -= slop + bytes;
  } else {
    // Fresh blocks are aligned, and AllocateFallback returns the start of one.
    result = AllocateFallback(bytes);
  }
  assert((reinterpret_cast<uintptr_t>(result) & (kAlignment - 1)) == 0);
  return result;
}

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > block_size_ / 4) {
    // Keep the current block's tail for later small allocations.
    return AllocateNewBlock(bytes);
  }
  // The tail of the current block (less than bytes) is abandoned. Bounding "small" at a
  // quarter of a block bounds that waste at a quarter of a block.
  alloc_ptr_ = AllocateNewBlock(block_size_);
  alloc_bytes_remaining_ = block_size_;

  char* result = alloc_ptr_;
  alloc_ptr_ += bytes;
  alloc_bytes_remaining_ -= bytes;
  return result;
}

char* Arena::AllocateNewBlock(size_t block_bytes) {
  // new[] rather than make_unique: the memory is handed out uninitialized anyway.
  blocks_.emplace_back(new char[block_bytes]);
  // Relaxed: readers only use the counter as a statistic (see MemoryUsage). The pointer
  // slot in blocks_ is counted too, roughly, so that many huge-value blocks are not free.
  memory_usage_.fetch_add(block_bytes + sizeof(char*), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace cassette

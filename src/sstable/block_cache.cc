#include "sstable/block_cache.h"

#include "absl/hash/hash.h"

namespace cassette {
namespace {

// Bookkeeping per entry beyond the block bytes (list node, map slot, Block header).
constexpr size_t kEntryOverhead = 128;

}  // namespace

SharedBlockCache::SharedBlockCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

SharedBlockCache::Shard& SharedBlockCache::ShardFor(const Key& key) {
  return shards_[absl::HashOf(key) % kShards];
}

std::shared_ptr<const Block> SharedBlockCache::Lookup(const Key& key) {
  Shard& s = ShardFor(key);
  MutexLock l(&s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->block;
}

void SharedBlockCache::Insert(const Key& key, std::shared_ptr<const Block> block) {
  const size_t charge = block->raw.size() + kEntryOverhead;
  const size_t shard_capacity = capacity_ / kShards;
  if (charge > shard_capacity) return;  // would evict a whole shard for one block
  Shard& s = ShardFor(key);
  MutexLock l(&s.mu);
  if (s.map.contains(key)) return;  // another reader got there first: same bytes
  s.lru.push_front(Entry{key, std::move(block), charge});
  s.map.emplace(key, s.lru.begin());
  s.usage += charge;
  while (s.usage > shard_capacity) {
    const Entry& victim = s.lru.back();
    s.usage -= victim.charge;
    s.map.erase(victim.key);
    s.lru.pop_back();
  }
}

size_t SharedBlockCache::usage() const {
  size_t total = 0;
  for (const Shard& s : shards_) {
    MutexLock l(const_cast<Mutex*>(&s.mu));
    total += s.usage;
  }
  return total;
}

}  // namespace cassette

#include "sstable/block_cache.h"

#include "absl/hash/hash.h"
#include "sstable/file_names.h"

namespace cassette {
namespace {

// Bookkeeping per entry beyond the block bytes (map slot, clock key, Block header).
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
  it->second.referenced = true;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.block;
}

void SharedBlockCache::Insert(const Key& key, std::shared_ptr<const Block> block) {
  const size_t charge = block->raw.size() + kEntryOverhead;
  const size_t shard_capacity = capacity_ / kShards;
  if (charge > shard_capacity) return;  // would evict a whole shard for one block
  Shard& s = ShardFor(key);
  MutexLock l(&s.mu);
  if (s.map.contains(key)) return;  // another reader got there first: same bytes
  // Room is made before the block goes in, so the newest block is never the victim.
  // Each pass clears at most every referenced bit once, so this ends.
  while (s.usage + charge > shard_capacity) {
    const Key victim = s.clock.front();
    s.clock.pop_front();
    auto it = s.map.find(victim);
    if (it->second.referenced) {
      it->second.referenced = false;
      s.clock.push_back(victim);
      continue;
    }
    s.usage -= it->second.charge;
    CountFileBytes(s, victim, *it->second.block, -1);
    s.map.erase(it);
  }
  CountFileBytes(s, key, *block, +1);
  s.map.emplace(key, Entry{std::move(block), charge, false});
  s.clock.push_back(key);
  s.usage += charge;
}

void SharedBlockCache::CountFileBytes(Shard& s, const Key& key, const Block& block, int sign) {
  if (key.kind != static_cast<uint8_t>(SSTableFileKind::kData) || block.raw.size() == 0) return;
  if (sign > 0) {
    s.file_bytes[key.file_number] += block.raw.size();
    return;
  }
  auto it = s.file_bytes.find(key.file_number);
  it->second -= block.raw.size();
  if (it->second == 0) s.file_bytes.erase(it);
}

uint64_t SharedBlockCache::CachedDataBytes(uint64_t file_number) const {
  uint64_t total = 0;
  for (const Shard& s : shards_) {
    MutexLock l(const_cast<Mutex*>(&s.mu));
    if (auto it = s.file_bytes.find(file_number); it != s.file_bytes.end()) total += it->second;
  }
  return total;
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

// bench/lab/keyspace.h — the workload's model of what the table holds, and the key and
// payload generators that drive it.
//
// Partitions are indexed 0..n-1 ("logical" ids); each holds the rows with clustering
// values [head, tail): inserts append at the tail, delete_head removes the head. This
// model tells the driver which rows exist (so reads ask for live rows, and a read that
// should find a row but does not is an error), and how many logical bytes are live (the
// denominator of space amplification). Under a TTL the model expires bytes by the lab
// clock. Not thread-safe: the driver's thread owns it.
#ifndef CASSETTE_BENCH_LAB_KEYSPACE_H_
#define CASSETTE_BENCH_LAB_KEYSPACE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "bench/lab/workload.h"

namespace cassette::lab {

uint64_t SplitMix64(uint64_t x);

// YCSB's ZipfianGenerator (Gray et al., "Quickly generating billion-record synthetic
// databases"): item ranks 0..n-1 with P(rank) ∝ 1/(rank+1)^theta. Items can be added
// (n grows) as YCSB does for inserts; zeta is extended incrementally.
class Zipfian {
 public:
  Zipfian(uint64_t n, double theta);
  uint64_t Next(uint64_t random);  // random: 64 uniform bits
  void Grow(uint64_t n);

 private:
  double Zeta(uint64_t from, uint64_t to) const;
  uint64_t n_;
  double theta_, alpha_, zeta2_, zetan_, eta_;
};

class Keyspace {
 public:
  Keyspace(const Workload& w, uint64_t seed);

  // The engine's partition id of logical partition i at lab time `now` (hashing and time
  // buckets applied).
  uint64_t PartitionId(uint64_t i, int64_t now_seconds, int64_t bucket_seconds) const;

  // Chooses a partition for an operation of `phase`; `op_index` counts the phase's ops.
  uint64_t Choose(const Phase& phase, int64_t op_index);
  // For inserts: the logical partition to append to. Grows the partition count past
  // `partitions` when the distribution asks for new records (YCSB D/E inserts).
  uint64_t ChooseForInsert(const Phase& phase, int64_t op_index);

  int64_t head(uint64_t i) const { return head_[i]; }
  int64_t tail(uint64_t i) const { return tail_[i]; }
  bool Empty(uint64_t i) const { return head_[i] == tail_[i]; }
  uint64_t partitions() const { return head_.size(); }
  // A uniformly chosen live clustering of partition i; REQUIRES: !Empty(i).
  int64_t RandomRow(uint64_t i);

  // Model updates; bytes are the row's logical size (16 key bytes + payload).
  int64_t Append(uint64_t i, int64_t now_seconds, int32_t ttl_seconds);  // returns c
  void PopHead(uint64_t i);
  // The row's payload size (a function of the row, so a delete knows what it removes)
  // and contents (a function of the row and a version, half random, half repeated: zstd
  // compresses it about 2:1, as db_bench's values).
  int PayloadSize(uint64_t i, int64_t c) const;
  void Payload(uint64_t i, int64_t c, uint64_t version, std::string* out) const;

  uint64_t live_bytes(int64_t now_seconds);
  uint64_t next_random() { return rng_ = SplitMix64(rng_); }

 private:
  const Workload& w_;
  uint64_t rng_;
  std::vector<int64_t> head_, tail_;
  Zipfian zipf_;
  uint64_t inserted_ = 0;  // records inserted (kLatest's "latest" and growth)
  uint64_t live_bytes_ = 0;
  std::deque<std::pair<int64_t, uint64_t>> expiring_;  // (expiry second, bytes), in order
};

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_KEYSPACE_H_

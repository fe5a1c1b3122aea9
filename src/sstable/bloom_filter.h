// Bloom filter over decorated partition keys (docs/sstable-format.md, "Filter region").
//
//   filter := bits:byte[m / 8] num_probes:u8        (empty: no filter, everything may match)
//
// A key's probes are h1 + i * h2 (mod m) for i in [0, num_probes), with h1 = XXH3-64 of
// the key (seed 0) and h2 = fmix64(h1) | 1 (Murmur3's finaliser), bit b being bit
// (b % 8) of byte b / 8. num_probes = round(bits_per_key * 0.69) (ln 2), so 10 bits per key
// give about 1% false positives. Do not change: on disk.
//
// Thread safety: a BloomFilter is immutable; the builder is used by one thread.

#ifndef CASSETTE_SSTABLE_BLOOM_FILTER_H_
#define CASSETTE_SSTABLE_BLOOM_FILTER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cassette {

class BloomFilterBuilder {
 public:
  // bits_per_key <= 0 builds the empty filter.
  explicit BloomFilterBuilder(int bits_per_key) : bits_per_key_(bits_per_key) {}

  // Keeps an 8-byte hash per key until Finish (the key count is not known in advance).
  void AddKey(std::string_view key);
  // Appends the filter for every key added.
  void Finish(std::string* out) const;

 private:
  int bits_per_key_;
  std::vector<uint64_t> hashes_;
};

class BloomFilter {
 public:
  // An empty filter (matches everything).
  BloomFilter() = default;
  // Interprets `data` as written by BloomFilterBuilder. A filter whose shape is
  // impossible (no bits, probe count out of range) matches everything.
  explicit BloomFilter(std::string data);

  bool MayContain(std::string_view key) const;

 private:
  std::string data_;
  uint64_t num_bits_ = 0;
  int num_probes_ = 0;
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_BLOOM_FILTER_H_

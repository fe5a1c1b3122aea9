// Partition keys: Cassandra's serialized form, its Murmur3 token, and the comparable
// "decorated key" cassette orders partitions by.
//
//   serialized (1 component)  := the value's CQL serialized bytes
//   serialized (n components) := (len:u16 big-endian, bytes, 0x00)*   (CompositeType)
//   token                     := Murmur3 x64/128 of serialized, first 64 bits, exactly as
//                                Cassandra's Murmur3Partitioner (so token() values match)
//   decorated                 := (token XOR 1<<63) as 8 bytes big-endian, then serialized
//
// memcmp of decorated keys orders partitions by signed token, then by key bytes.
// Do not change: embedded in on-disk data.

#ifndef CASSETTE_TYPES_PARTITION_KEY_H_
#define CASSETTE_TYPES_PARTITION_KEY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cassette/value.h"

namespace cassette {

// REQUIRES: components non-empty, each valid and non-null.
std::string SerializePartitionKey(std::span<const Value> components);

// Murmur3Partitioner.getToken (including Java's sign extension of tail bytes and
// Long.MIN_VALUE mapped to Long.MAX_VALUE).
int64_t PartitionToken(std::string_view serialized_key);

std::string DecoratePartitionKey(std::string_view serialized_key);
int64_t TokenOfDecorated(std::string_view decorated);  // REQUIRES: size >= 8

// Splits a decorated key back into typed components. DataLoss if malformed.
absl::Status DecodePartitionKey(std::string_view decorated, std::span<const CqlType> types,
                                std::vector<Value>* out);

}  // namespace cassette

#endif  // CASSETTE_TYPES_PARTITION_KEY_H_

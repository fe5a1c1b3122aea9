// Comparable ("memcomparable") encoding of clustering keys.
//
// A clustering (full or prefix) is encoded so that memcmp order of the encodings equals
// Cassandra's clustering order, DESC columns included. The memtable, range tombstones,
// SSTable indexes and bounds then compare plain bytes and need no schema.
//
//   clustering := component*
//   component  := kComponentTag body          (body inverted bytewise for a DESC column)
//   body       := per type, see comparable.cc; every body is self-delimiting
//
// A prefix's encoding is a byte prefix of the encoding of every clustering extending it,
// and kAfterPrefixTag (> kComponentTag) appended to a prefix sorts after all of them.
// So every CQL bound becomes one byte string and every slice the half-open [lo, hi):
//   start inclusive P -> P            start exclusive P -> P + kAfterPrefixTag
//   end   exclusive P -> P            end   inclusive P -> P + kAfterPrefixTag
//   no start          -> ""           no end            -> kClusteringTop ("\xff")
//
// Do not change: these encodings are embedded in on-disk data (SSTables, commit log).

#ifndef CASSETTE_TYPES_COMPARABLE_H_
#define CASSETTE_TYPES_COMPARABLE_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cassette/value.h"

namespace cassette {

inline constexpr char kComponentTag = 0x10;
inline constexpr char kAfterPrefixTag = 0x11;

struct ClusteringColumnType {
  CqlType type;
  bool descending = false;
};

// Appends one component (tag + body). REQUIRES: v valid and non-null.
void AppendClusteringComponent(const Value& v, bool descending, std::string* out);

// Encodes the first values.size() clustering columns.
// REQUIRES: values.size() <= columns.size(); each value valid, non-null, of its column's type.
std::string EncodeClustering(std::span<const Value> values,
                             std::span<const ClusteringColumnType> columns);

// Decodes a full or prefix encoding: the serialized values are written to *buf
// (replaced) and *out (replaced) holds views into it, valid until *buf changes. Nothing
// is allocated once *buf and *out have grown to the table's clustering size, which is
// why reads use it. DataLoss (naming the component), and *out empty, if the bytes are
// malformed; never reads out of bounds.
absl::Status DecodeClusteringViews(std::string_view encoded,
                                   std::span<const ClusteringColumnType> columns, std::string* buf,
                                   std::vector<ValueView>* out);

}  // namespace cassette

#endif  // CASSETTE_TYPES_COMPARABLE_H_

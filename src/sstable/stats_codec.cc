#include "sstable/stats_codec.h"

#include <cstdint>
#include <map>
#include <string>

#include "util/coding.h"

namespace cassette {
namespace {

bool GetInt32(std::string_view* in, int32_t* v) {
  int64_t w;
  if (!GetSignedVarint64(in, &w) || w < INT32_MIN || w > INT32_MAX) return false;
  *v = static_cast<int32_t>(w);
  return true;
}

bool GetUnsigned(std::string_view* in, uint64_t* v) {
  int64_t w;
  if (!GetSignedVarint64(in, &w)) return false;
  *v = static_cast<uint64_t>(w);
  return true;
}

void PutMap(std::string* out, const std::map<int64_t, int64_t>& m) {
  PutVarint64(out, m.size());
  for (const auto& [k, v] : m) {
    PutSignedVarint64(out, k);
    PutSignedVarint64(out, v);
  }
}

bool GetMap(std::string_view* in, std::map<int64_t, int64_t>* m) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size() / 2) return false;  // an entry takes >= 2 bytes
  m->clear();
  for (uint64_t i = 0; i < n; ++i) {
    int64_t k, v;
    if (!GetSignedVarint64(in, &k) || !GetSignedVarint64(in, &v)) return false;
    if (!m->empty() && m->rbegin()->first >= k) return false;
    m->emplace_hint(m->end(), k, v);
  }
  return true;
}

absl::Status Malformed(const char* field) {
  return absl::DataLossError(std::string("malformed statistics: ") + field);
}

}  // namespace

void EncodeStats(const SSTableStats& s, std::string* out) {
  PutSignedVarint64(out, s.min_timestamp);
  PutSignedVarint64(out, s.max_timestamp);
  PutSignedVarint64(out, s.min_local_deletion_time);
  PutSignedVarint64(out, s.max_local_deletion_time);
  PutSignedVarint64(out, s.min_ttl);
  PutSignedVarint64(out, s.max_ttl);
  PutLengthPrefixed(out, s.min_clustering);
  PutLengthPrefixed(out, s.max_clustering);
  PutLengthPrefixed(out, s.first_key);
  PutLengthPrefixed(out, s.last_key);
  PutSignedVarint64(out, s.first_token);
  PutSignedVarint64(out, s.last_token);
  PutSignedVarint64(out, s.partition_count);
  PutSignedVarint64(out, s.row_count);
  PutSignedVarint64(out, s.cell_count);
  PutSignedVarint64(out, s.tombstone_count);
  PutMap(out, s.tombstone_drop_times);
  PutMap(out, s.partition_size_histogram);
  PutMap(out, s.cell_count_histogram);
  PutSignedVarint64(out, static_cast<int64_t>(s.uncompressed_bytes));
  PutSignedVarint64(out, static_cast<int64_t>(s.data_bytes));
  PutSignedVarint64(out, s.level);
  PutSignedVarint64(out, s.created_at_micros);
}

absl::Status DecodeStats(std::string_view in, SSTableStats* out) {
  SSTableStats s;
  if (!GetSignedVarint64(&in, &s.min_timestamp) || !GetSignedVarint64(&in, &s.max_timestamp)) {
    return Malformed("timestamps");
  }
  if (!GetSignedVarint64(&in, &s.min_local_deletion_time) ||
      !GetSignedVarint64(&in, &s.max_local_deletion_time)) {
    return Malformed("local deletion times");
  }
  if (!GetInt32(&in, &s.min_ttl) || !GetInt32(&in, &s.max_ttl)) return Malformed("ttls");
  if (!GetLengthPrefixedString(&in, &s.min_clustering) ||
      !GetLengthPrefixedString(&in, &s.max_clustering)) {
    return Malformed("clustering range");
  }
  if (!GetLengthPrefixedString(&in, &s.first_key) || !GetLengthPrefixedString(&in, &s.last_key)) {
    return Malformed("key range");
  }
  if (!GetSignedVarint64(&in, &s.first_token) || !GetSignedVarint64(&in, &s.last_token)) {
    return Malformed("token range");
  }
  if (!GetSignedVarint64(&in, &s.partition_count) || !GetSignedVarint64(&in, &s.row_count) ||
      !GetSignedVarint64(&in, &s.cell_count) || !GetSignedVarint64(&in, &s.tombstone_count)) {
    return Malformed("counts");
  }
  if (!GetMap(&in, &s.tombstone_drop_times)) return Malformed("tombstone drop times");
  if (!GetMap(&in, &s.partition_size_histogram)) return Malformed("partition size histogram");
  if (!GetMap(&in, &s.cell_count_histogram)) return Malformed("cell count histogram");
  if (!GetUnsigned(&in, &s.uncompressed_bytes) || !GetUnsigned(&in, &s.data_bytes)) {
    return Malformed("sizes");
  }
  if (!GetInt32(&in, &s.level) || !GetSignedVarint64(&in, &s.created_at_micros)) {
    return Malformed("level and creation time");
  }
  if (!in.empty()) return Malformed("trailing bytes");
  *out = std::move(s);
  return absl::OkStatus();
}

}  // namespace cassette

#include "sstable/stats_codec.h"

#include <cstdint>
#include <map>
#include <string>

#include "util/coding.h"

namespace cassette {
namespace {

void PutSigned(std::string* out, int64_t v) { PutVarint64(out, EncodeZigZag64(v)); }

bool GetSigned(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = DecodeZigZag64(u);
  return true;
}

bool GetInt32(std::string_view* in, int32_t* v) {
  int64_t w;
  if (!GetSigned(in, &w) || w < INT32_MIN || w > INT32_MAX) return false;
  *v = static_cast<int32_t>(w);
  return true;
}

bool GetUnsigned(std::string_view* in, uint64_t* v) {
  int64_t w;
  if (!GetSigned(in, &w)) return false;
  *v = static_cast<uint64_t>(w);
  return true;
}

bool GetString(std::string_view* in, std::string* s) {
  std::string_view v;
  if (!GetLengthPrefixed(in, &v)) return false;
  s->assign(v);
  return true;
}

void PutMap(std::string* out, const std::map<int64_t, int64_t>& m) {
  PutVarint64(out, m.size());
  for (const auto& [k, v] : m) {
    PutSigned(out, k);
    PutSigned(out, v);
  }
}

bool GetMap(std::string_view* in, std::map<int64_t, int64_t>* m) {
  uint64_t n;
  if (!GetVarint64(in, &n) || n > in->size() / 2) return false;  // an entry takes >= 2 bytes
  m->clear();
  for (uint64_t i = 0; i < n; ++i) {
    int64_t k, v;
    if (!GetSigned(in, &k) || !GetSigned(in, &v)) return false;
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
  PutSigned(out, s.min_timestamp);
  PutSigned(out, s.max_timestamp);
  PutSigned(out, s.min_local_deletion_time);
  PutSigned(out, s.max_local_deletion_time);
  PutSigned(out, s.min_ttl);
  PutSigned(out, s.max_ttl);
  PutLengthPrefixed(out, s.min_clustering);
  PutLengthPrefixed(out, s.max_clustering);
  PutLengthPrefixed(out, s.first_key);
  PutLengthPrefixed(out, s.last_key);
  PutSigned(out, s.first_token);
  PutSigned(out, s.last_token);
  PutSigned(out, s.partition_count);
  PutSigned(out, s.row_count);
  PutSigned(out, s.cell_count);
  PutSigned(out, s.tombstone_count);
  PutMap(out, s.tombstone_drop_times);
  PutMap(out, s.partition_size_histogram);
  PutMap(out, s.cell_count_histogram);
  PutSigned(out, static_cast<int64_t>(s.uncompressed_bytes));
  PutSigned(out, static_cast<int64_t>(s.data_bytes));
  PutSigned(out, s.level);
  PutSigned(out, s.created_at_micros);
}

absl::Status DecodeStats(std::string_view in, SSTableStats* out) {
  SSTableStats s;
  if (!GetSigned(&in, &s.min_timestamp) || !GetSigned(&in, &s.max_timestamp)) {
    return Malformed("timestamps");
  }
  if (!GetSigned(&in, &s.min_local_deletion_time) || !GetSigned(&in, &s.max_local_deletion_time)) {
    return Malformed("local deletion times");
  }
  if (!GetInt32(&in, &s.min_ttl) || !GetInt32(&in, &s.max_ttl)) return Malformed("ttls");
  if (!GetString(&in, &s.min_clustering) || !GetString(&in, &s.max_clustering)) {
    return Malformed("clustering range");
  }
  if (!GetString(&in, &s.first_key) || !GetString(&in, &s.last_key)) {
    return Malformed("key range");
  }
  if (!GetSigned(&in, &s.first_token) || !GetSigned(&in, &s.last_token)) {
    return Malformed("token range");
  }
  if (!GetSigned(&in, &s.partition_count) || !GetSigned(&in, &s.row_count) ||
      !GetSigned(&in, &s.cell_count) || !GetSigned(&in, &s.tombstone_count)) {
    return Malformed("counts");
  }
  if (!GetMap(&in, &s.tombstone_drop_times)) return Malformed("tombstone drop times");
  if (!GetMap(&in, &s.partition_size_histogram)) return Malformed("partition size histogram");
  if (!GetMap(&in, &s.cell_count_histogram)) return Malformed("cell count histogram");
  if (!GetUnsigned(&in, &s.uncompressed_bytes) || !GetUnsigned(&in, &s.data_bytes)) {
    return Malformed("sizes");
  }
  if (!GetInt32(&in, &s.level) || !GetSigned(&in, &s.created_at_micros)) {
    return Malformed("level and creation time");
  }
  if (!in.empty()) return Malformed("trailing bytes");
  *out = std::move(s);
  return absl::OkStatus();
}

}  // namespace cassette

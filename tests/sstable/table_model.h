// Test helpers: an in-memory model of an SSTable's content, a random generator of such
// content, writing it through SSTableWriter and comparing a Source against it.

#ifndef CASSETTE_TESTS_SSTABLE_TABLE_MODEL_H_
#define CASSETTE_TESTS_SSTABLE_TABLE_MODEL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "row/source.h"
#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"
#include "types/partition_key.h"

namespace cassette {

struct ModelPartition {
  std::string key;
  DeletionTime deletion;
  RangeTombstoneList range_tombstones;
  Row static_row;
  std::vector<Row> rows;
};

struct Model {
  std::deque<std::string> strings;         // backs every view in the rows
  std::vector<ModelPartition> partitions;  // in decorated-key order

  std::string_view Keep(std::string s) { return strings.emplace_back(std::move(s)); }
};

// "\x10" + 4-byte big-endian i: sorts like i.
inline std::string Clustering(uint32_t i) {
  std::string s = "\x10";
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(i >> shift));
  return s;
}

inline std::string Key(uint32_t i) {
  std::string serialized = "k" + std::to_string(i);
  return DecoratePartitionKey(serialized);
}

inline DeletionTime Del(int64_t ts, int64_t ldt) { return DeletionTime{ts, ldt}; }

inline Cell RandomCell(std::mt19937_64& rng, Model* m, uint32_t column, size_t max_value) {
  Cell c;
  c.column = column;
  c.timestamp = 1'700'000'000'000'000 + static_cast<int64_t>(rng() % 1'000'000);
  switch (rng() % 4) {
    case 0:  // tombstone
      c.ldt = 1'700'000'000 + static_cast<int64_t>(rng() % 1000);
      break;
    case 1:  // expiring
      c.ttl = 1 + static_cast<int32_t>(rng() % 86400);
      c.ldt = 1'700'000'000 + c.ttl;
      [[fallthrough]];
    default: {
      std::string v(rng() % (max_value + 1), '\0');
      for (char& ch : v) ch = static_cast<char>(rng());
      c.value = m->Keep(std::move(v));
    }
  }
  return c;
}

inline Row RandomRow(std::mt19937_64& rng, Model* m, std::string_view clustering,
                     size_t max_value) {
  Row r;
  r.clustering = clustering;
  do {
    if (rng() % 2) {
      r.liveness.timestamp = 1'700'000'000'000'000 + static_cast<int64_t>(rng() % 1000);
      if (rng() % 4 == 0) {
        r.liveness.ttl = 100;
        r.liveness.ldt = 1'700'000'100;
      }
    }
    if (rng() % 8 == 0) r.deletion = Del(1'600'000'000'000'000, 1'600'000'000);
    uint32_t col = static_cast<uint32_t>(rng() % 3);
    for (int n = static_cast<int>(rng() % 4); n > 0; --n) {
      Cell c = RandomCell(rng, m, col, max_value);
      // Sometimes share the row's timestamp / ttl, as INSERT does.
      if (!r.liveness.IsEmpty() && rng() % 2) c.timestamp = r.liveness.timestamp;
      if (r.liveness.IsExpiring() && c.IsExpiring() && rng() % 2) {
        c.ttl = r.liveness.ttl;
        c.ldt = r.liveness.ldt;
      }
      r.cells.push_back(c);
      col += 1 + static_cast<uint32_t>(rng() % 200);
    }
  } while (r.IsEmpty());
  return r;
}

// `partitions` partitions of up to `max_rows` rows (clusterings spaced by 2 so that odd
// numbers fall between rows).
inline Model RandomModel(uint64_t seed, int partitions, int max_rows, size_t max_value = 40) {
  std::mt19937_64 rng(seed);
  Model m;
  std::vector<std::string> keys;
  for (int i = 0; i < partitions; ++i) keys.push_back(Key(static_cast<uint32_t>(i)));
  std::sort(keys.begin(), keys.end());
  for (const std::string& k : keys) {
    ModelPartition p;
    p.key = k;
    if (rng() % 5 == 0) p.deletion = Del(1'650'000'000'000'000, 1'650'000'000);
    for (int n = static_cast<int>(rng() % 3); n > 0; --n) {
      uint32_t a = static_cast<uint32_t>(rng() % (2 * max_rows + 2));
      uint32_t b = a + 1 + static_cast<uint32_t>(rng() % 10);
      p.range_tombstones.Add(
          Clustering(a), rng() % 4 ? Clustering(b) : std::string(kClusteringTop),
          Del(1'660'000'000'000'000 + static_cast<int64_t>(rng() % 100), 1'660'000'000));
    }
    if (rng() % 3 == 0) p.static_row = RandomRow(rng, &m, "", max_value);
    int rows = max_rows == 0 ? 0 : static_cast<int>(rng() % (max_rows + 1));
    for (int r = 0; r < rows; ++r) {
      p.rows.push_back(
          RandomRow(rng, &m, m.Keep(Clustering(2 * static_cast<uint32_t>(r))), max_value));
    }
    m.partitions.push_back(std::move(p));
  }
  return m;
}

// Drops every deletion and expiry from `r`: no row deletion, a non-expiring liveness
// marker, cells neither expiring nor tombstones (a tombstone's empty value stays empty).
inline void MakeRowLive(Row* r) {
  r->deletion = DeletionTime::Live();
  if (r->liveness.IsExpiring()) r->liveness = LivenessInfo{r->liveness.timestamp};
  for (Cell& c : r->cells) {
    c.ttl = 0;
    c.ldt = kNoDeletionTime;
  }
}

inline absl::StatusOr<SSTableStats> WriteModel(Env* env, const std::string& dir, uint64_t number,
                                               const SSTableWriterOptions& options,
                                               const Model& m) {
  auto w = SSTableWriter::Create(env, dir, number, options);
  if (!w.ok()) return w.status();
  for (const ModelPartition& p : m.partitions) {
    if (auto s = (*w)->BeginPartition(p.key, p.deletion, p.range_tombstones, p.static_row);
        !s.ok()) {
      return s;
    }
    for (const Row& r : p.rows) {
      if (auto s = (*w)->AddRow(r); !s.ok()) return s;
    }
    if (auto s = (*w)->EndPartition(); !s.ok()) return s;
  }
  return (*w)->Finish();
}

// Rows of `rows` in [lo, hi), reversed if asked.
inline std::vector<Row> Slice(const std::vector<Row>& rows, std::string_view lo,
                              std::string_view hi, bool reversed) {
  std::vector<Row> out;
  for (const Row& r : rows) {
    if (r.clustering >= lo && r.clustering < hi) out.push_back(r);
  }
  if (reversed) std::reverse(out.begin(), out.end());
  return out;
}

// Reads a cursor to its end; the rows' views are copied into *m.
inline absl::Status ReadAll(RowCursor* c, Model* m, std::vector<Row>* out) {
  for (; c->Valid(); c->Next()) {
    Row r = c->row();
    r.clustering = m->Keep(std::string(r.clustering));
    for (Cell& cell : r.cells) cell.value = m->Keep(std::string(cell.value));
    out->push_back(std::move(r));
  }
  return c->status();
}

}  // namespace cassette

#endif  // CASSETTE_TESTS_SSTABLE_TABLE_MODEL_H_

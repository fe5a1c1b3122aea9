// The metamorphic test's shared pieces: the table's shape, self-validating values, and
// the concurrent readers that check timing-independent invariants while the log runs
// (tests/db/metamorphic_test.cc).

#ifndef CASSETTE_TESTS_DB_METAMORPHIC_READER_H_
#define CASSETTE_TESTS_DB_METAMORPHIC_READER_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cassette/cassette.h"

#if defined(__SANITIZE_THREAD__)
#define CASSETTE_META_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CASSETTE_META_TSAN 1
#endif
#endif

namespace cassette {
namespace metamorphic {

constexpr char kTable[] = "ks.m";
constexpr int64_t kSec = 1'000'000;
constexpr int64_t kStartMicros = 1'700'000'000 * kSec;
constexpr int kPartitions = 48;    // k in [0, kPartitions); the pair partitions are < 0
constexpr int kClusterings = 160;  // c in [0, kClusterings)
constexpr int kPairPartitionA = -1;
constexpr int kPairPartitionB = -2;
constexpr int kPairRows = 4;  // c in [0, kPairRows) of both pair partitions
constexpr int kCheckpoints = 16;
constexpr int kReaders = 2;

#ifdef CASSETTE_META_TSAN
constexpr int64_t kDefaultOps = 1000;
#else
constexpr int64_t kDefaultOps = 1500;
#endif
constexpr uint64_t kDefaultSeed = 20250611;

inline Value I(int32_t v) { return Value::Int(v); }

inline uint64_t SeedFromEnv() {
  uint64_t seed = kDefaultSeed;
  if (const char* env = std::getenv("CASSETTE_META_SEED"); env != nullptr) {
    EXPECT_TRUE(absl::SimpleAtoi(env, &seed)) << "CASSETTE_META_SEED=" << env;
  }
  return seed;
}

inline int64_t OpsFromEnv() {
  int64_t ops = kDefaultOps;
  if (const char* env = std::getenv("CASSETTE_META_OPS"); env != nullptr) {
    EXPECT_TRUE(absl::SimpleAtoi(env, &ops) && ops > 0) << "CASSETTE_META_OPS=" << env;
  }
  return std::max<int64_t>(ops, kCheckpoints);
}

// ---- Self-validating values ----
//
// v = "k:c:seq:filler:checksum" (checksum: FNV-1a of everything before it) and w = seq,
// always written together by one mutation; only w is ever deleted alone. So a visible
// row has v null and w null (its cells expired or deleted, marker alive), or a valid v
// for its own key with w null or equal to v's seq.

inline uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 16777619u;
  }
  return h;
}

inline std::string MakePayload(int k, int c, int64_t seq, size_t filler_len) {
  std::string s = absl::StrCat(k, ":", c, ":", seq, ":");
  uint64_t x = static_cast<uint64_t>(seq) * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < filler_len; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    s.push_back(static_cast<char>('a' + ((x >> 59) & 15)));  // compressible, not trivially
  }
  char sum[16];
  std::snprintf(sum, sizeof(sum), ":%08x", Fnv1a(s));
  s += sum;
  return s;
}

// Empty when the row is consistent, else why not. `max_seq`: highest seq issued so far.
inline std::string CheckRow(int k, int c, const Value& v, const Value& w, int64_t max_seq) {
  const std::string where = absl::StrCat("row (", k, ", ", c, "): ");
  if (v.is_null()) {
    if (!w.is_null()) return absl::StrCat(where, "w=", w.AsInt(), " without v");
    return "";
  }
  if (v.type() != CqlType::kText) return where + "v is not text";
  const std::string s(v.AsBytes());
  const size_t last = s.rfind(':');
  if (last == std::string::npos) return absl::StrCat(where, "malformed v '", s, "'");
  char sum[16];
  std::snprintf(sum, sizeof(sum), "%08x", Fnv1a(std::string_view(s).substr(0, last)));
  if (s.substr(last + 1) != sum) return absl::StrCat(where, "bad checksum in v '", s, "'");
  std::vector<std::string> parts = absl::StrSplit(s, ':');
  int pk = 0, pc = 0;
  int64_t seq = 0;
  if (parts.size() != 5 || !absl::SimpleAtoi(parts[0], &pk) || !absl::SimpleAtoi(parts[1], &pc) ||
      !absl::SimpleAtoi(parts[2], &seq)) {
    return absl::StrCat(where, "malformed v '", s, "'");
  }
  if (pk != k || pc != c) return absl::StrCat(where, "holds the value of (", pk, ", ", pc, ")");
  if (seq <= 0 || seq > max_seq) return absl::StrCat(where, "seq ", seq, " never written");
  if (!w.is_null() && w.AsInt() != seq) {
    return absl::StrCat(where, "w=", w.AsInt(), " but v is from seq ", seq);
  }
  return "";
}

// ---- Concurrent readers ----

struct Shared {
  std::atomic<Db*> db{nullptr};
  std::atomic<bool> stop{false};
  std::atomic<int64_t> max_seq{0};         // highest seq issued (set before the write)
  std::atomic<int64_t> pair_published{0};  // pair seq whose write has returned
  std::atomic<int64_t> reads{0};
  std::mutex mu;
  std::vector<std::string> errors;  // guarded by mu

  void Fail(std::string e) {
    std::lock_guard<std::mutex> l(mu);
    if (errors.size() < 20) errors.push_back(std::move(e));
  }
};

struct ColumnIndex {
  int k = -1, c = -1, v = -1, w = -1;
  explicit ColumnIndex(const std::vector<std::string>& columns) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == "k") k = static_cast<int>(i);
      if (columns[i] == "c") c = static_cast<int>(i);
      if (columns[i] == "v") v = static_cast<int>(i);
      if (columns[i] == "w") w = static_cast<int>(i);
    }
  }
  bool ok() const { return k >= 0 && c >= 0 && v >= 0 && w >= 0; }
};

class Reader {
 public:
  Reader(Shared* shared, uint64_t seed) : s_(shared), rng_(seed) {}

  void Run() {
    while (!s_->stop.load(std::memory_order_acquire)) {
      Db* db = s_->db.load(std::memory_order_acquire);
      switch (rng_() % 10) {
        case 0:
        case 1:
        case 2:
          PairPartition(db);
          break;
        case 3:
          Scan(db, 0);
          break;
        case 4:
          Scan(db, 1 + static_cast<int32_t>(rng_() % 200));
          break;
        case 5:
        case 6:
        case 7:
          Gets(db);
          break;
        default:
          Slice(db);
          break;
      }
      s_->reads.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  // Checks every row of a result; fills `seqs_by_pair` with the pair rows' w.
  void CheckRows(const ResultSet& rs, const std::string& what, int64_t max_seq,
                 std::vector<int64_t>* pair_ws) {
    ColumnIndex ix(rs.columns);
    if (!ix.ok()) return s_->Fail(absl::StrCat(what, ": columns ", absl::StrJoin(rs.columns, ",")));
    for (const ResultRow& row : rs.rows) {
      const int k = row.values[ix.k].AsInt();
      const int c = row.values[ix.c].AsInt();
      if (std::string e = CheckRow(k, c, row.values[ix.v], row.values[ix.w], max_seq); !e.empty()) {
        return s_->Fail(absl::StrCat(what, ": ", e));
      }
      if (k < 0 && pair_ws != nullptr) {
        pair_ws->push_back(row.values[ix.w].is_null() ? -1 : row.values[ix.w].AsInt());
      }
    }
  }

  // All rows of both pair partitions come from one batch: same w, never older than the
  // last pair write that returned before the read started.
  void CheckPair(const std::vector<int64_t>& ws, size_t expected_rows, int64_t published,
                 const std::string& what) {
    if (published == 0 && ws.empty()) return;
    if (ws.size() != expected_rows) {
      return s_->Fail(absl::StrCat(what, ": ", ws.size(), " pair rows, expected ", expected_rows,
                                   " (published pair ", published, ")"));
    }
    for (int64_t w : ws) {
      if (w != ws[0]) {
        return s_->Fail(
            absl::StrCat(what, ": half-applied pair batch: w ", absl::StrJoin(ws, ",")));
      }
    }
    if (ws[0] < published) {
      return s_->Fail(
          absl::StrCat(what, ": read pair ", ws[0], " after pair ", published, " was written"));
    }
  }

  void PairPartition(Db* db) {
    SelectQuery q;
    q.table = kTable;
    q.partition_key = {{"k", I(rng_() % 2 == 0 ? kPairPartitionA : kPairPartitionB)}};
    q.reversed = rng_() % 2 == 0;
    const int64_t published = s_->pair_published.load(std::memory_order_acquire);
    auto rs = db->Select(q);
    const int64_t max_seq = s_->max_seq.load(std::memory_order_acquire);
    if (!rs.ok()) return s_->Fail(absl::StrCat("pair select: ", rs.status().ToString()));
    std::vector<int64_t> ws;
    CheckRows(*rs, "pair select", max_seq, &ws);
    CheckPair(ws, kPairRows, published, "pair select");
    ColumnIndex ix(rs->columns);
    for (size_t i = 1; i < rs->rows.size(); ++i) {
      const int a = rs->rows[i - 1].values[ix.c].AsInt(), b = rs->rows[i].values[ix.c].AsInt();
      if (q.reversed ? a <= b : a >= b) return s_->Fail("pair select: clustering order");
    }
  }

  // The whole table; unpaged, it is one snapshot, so both pair partitions agree.
  void Scan(Db* db, int32_t page_size) {
    SelectQuery q;
    q.table = kTable;
    q.page_size = page_size;
    const int64_t published = s_->pair_published.load(std::memory_order_acquire);
    std::vector<int64_t> ws;
    std::map<int, int> last_c;  // partition -> last clustering seen
    int last_k = INT32_MIN;
    for (;;) {
      auto rs = db->Select(q);
      const int64_t max_seq = s_->max_seq.load(std::memory_order_acquire);
      if (!rs.ok()) return s_->Fail(absl::StrCat("scan: ", rs.status().ToString()));
      CheckRows(*rs, absl::StrCat("scan(page ", page_size, ")"), max_seq, &ws);
      ColumnIndex ix(rs->columns);
      for (const ResultRow& row : rs->rows) {
        const int k = row.values[ix.k].AsInt(), c = row.values[ix.c].AsInt();
        if (k != last_k && last_c.count(k) != 0) {
          return s_->Fail(absl::StrCat("scan: partition ", k, " seen twice"));
        }
        if (k == last_k && c <= last_c[k]) {
          return s_->Fail(absl::StrCat("scan: partition ", k, ": ", c, " after ", last_c[k]));
        }
        last_k = k;
        last_c[k] = c;
      }
      if (rs->paging_state.empty()) break;
      q.paging_state = rs->paging_state;
    }
    if (page_size == 0) CheckPair(ws, 2 * kPairRows, published, "scan");
  }

  void Gets(Db* db) {
    for (int i = 0; i < 8; ++i) {
      const int k = static_cast<int>(rng_() % kPartitions),
                c = static_cast<int>(rng_() % kClusterings);
      auto r = db->Get(kTable, {{"k", I(k)}, {"c", I(c)}}, {"k", "c", "v", "w"});
      const int64_t max_seq = s_->max_seq.load(std::memory_order_acquire);
      if (!r.ok()) return s_->Fail(absl::StrCat("get: ", r.status().ToString()));
      if (!r->has_value()) continue;
      const ResultRow& row = **r;
      if (row.values.size() != 4 || row.values[0].AsInt() != k || row.values[1].AsInt() != c) {
        return s_->Fail(absl::StrCat("get ", k, ":", c, ": wrong key"));
      }
      if (std::string e = CheckRow(k, c, row.values[2], row.values[3], max_seq); !e.empty()) {
        return s_->Fail("get: " + e);
      }
    }
  }

  void Slice(Db* db) {
    SelectQuery q;
    q.table = kTable;
    const int k = static_cast<int>(rng_() % kPartitions);
    q.partition_key = {{"k", I(k)}};
    const int lo = static_cast<int>(rng_() % kClusterings);
    const int hi = lo + static_cast<int>(rng_() % 60);
    q.slice.start = ClusteringBound{{I(lo)}, true};
    q.slice.end = ClusteringBound{{I(hi)}, false};
    q.reversed = rng_() % 2 == 0;
    q.page_size = static_cast<int32_t>(rng_() % 8);
    int prev = q.reversed ? INT32_MAX : INT32_MIN;
    for (;;) {
      auto rs = db->Select(q);
      const int64_t max_seq = s_->max_seq.load(std::memory_order_acquire);
      if (!rs.ok()) return s_->Fail(absl::StrCat("slice: ", rs.status().ToString()));
      CheckRows(*rs, "slice", max_seq, nullptr);
      ColumnIndex ix(rs->columns);
      for (const ResultRow& row : rs->rows) {
        const int c = row.values[ix.c].AsInt();
        if (row.values[ix.k].AsInt() != k || c < lo || c >= hi ||
            (q.reversed ? c >= prev : c <= prev)) {
          return s_->Fail(absl::StrCat("slice of ", k, " [", lo, ",", hi, ") reversed=", q.reversed,
                                       ": row ", row.values[ix.k].AsInt(), ":", c, " after ",
                                       prev));
        }
        prev = c;
      }
      if (rs->paging_state.empty()) break;
      q.paging_state = rs->paging_state;
    }
  }

  Shared* s_;
  std::mt19937_64 rng_;
};

}  // namespace metamorphic
}  // namespace cassette

#endif  // CASSETTE_TESTS_DB_METAMORPHIC_READER_H_

#include "commitlog/mutation_codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "row/row_codec.h"
#include "types/partition_key.h"
#include "util/coding.h"

namespace cassette {
namespace {

DeletionTime Del(int64_t ts, int64_t ldt) {
  return DeletionTime{.marked_for_delete_at = ts, .ldt = ldt};
}

Cell LiveCell(uint32_t column, int64_t ts, std::string_view value) {
  return Cell{.column = column, .timestamp = ts, .value = value};
}
Cell ExpiringCell(uint32_t column, int64_t ts, int32_t ttl, int64_t ldt, std::string_view value) {
  return Cell{.column = column, .timestamp = ts, .ttl = ttl, .ldt = ldt, .value = value};
}
Cell TombstoneCell(uint32_t column, int64_t ts, int64_t ldt) {
  return Cell{.column = column, .timestamp = ts, .ldt = ldt, .value = {}};
}

// Empty if the updates are equal; otherwise what differs. `got` came from DecodeBatch, so
// its rows' row.clustering must equal the RowUpdate clustering.
std::string Diff(const PartitionUpdate& want, const PartitionUpdate& got) {
  if (want.decorated_key != got.decorated_key) return "decorated key";
  if (want.partition_deletion != got.partition_deletion) return "partition deletion";
  if (want.range_tombstones != got.range_tombstones) return "range tombstones";
  if (want.rows.size() != got.rows.size()) return "row count";
  for (size_t i = 0; i < want.rows.size(); ++i) {
    const RowUpdate& w = want.rows[i];
    const RowUpdate& g = got.rows[i];
    const std::string where = absl::StrCat("row ", i, ": ");
    if (w.clustering != g.clustering) return where + "clustering";
    if (g.row.clustering != g.clustering) return where + "row.clustering";
    if (w.is_static != g.is_static) return where + "is_static";
    if (w.row.liveness != g.row.liveness) return where + "liveness";
    if (w.row.deletion != g.row.deletion) return where + "deletion";
    if (w.row.cells != g.row.cells) return where + "cells";
  }
  return "";
}

std::string Diff(uint64_t seq, const std::vector<BatchEntry>& want, const DecodedBatch& got) {
  if (got.seq() != seq) return "seq";
  if (got.entries().size() != want.size()) return "entry count";
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].table != got.entries()[i].table) return absl::StrCat("entry ", i, ": table");
    std::string d = Diff(want[i].update, got.entries()[i].update);
    if (!d.empty()) return absl::StrCat("entry ", i, ": ", d);
  }
  return "";
}

std::string_view LongValue() {
  static const std::string* const kLong = new std::string(300, 'v');
  return *kLong;
}

// A batch touching every field, with boundary values.
std::vector<BatchEntry> EveryFieldBatch() {
  std::vector<BatchEntry> entries(2);
  entries[0].table = "ks.users";
  PartitionUpdate& u = entries[0].update;
  u.decorated_key = DecoratePartitionKey(std::string("\x80\x01\x02\x03\x04\x05\x06\x07key", 11));
  u.partition_deletion = Del(1000, 50);
  // Kept as given: overlapping and out of order, as no RangeTombstoneList would hold them.
  u.range_tombstones = {{"c", std::string(kClusteringTop), Del(900, 40)},
                        {"a", "d", Del(std::numeric_limits<int64_t>::min() + 1, -1)},
                        {"", "", Del(0, 0)}};
  RowUpdate stat;
  stat.is_static = true;
  stat.row.liveness = LivenessInfo{.timestamp = 7, .ttl = 60, .ldt = 1'700'000'060};
  stat.row.cells = {LiveCell(0, 7, "static value")};
  RowUpdate row;
  row.clustering = std::string("\x00\x01row", 5);
  row.row.liveness = LivenessInfo{.timestamp = -5};
  row.row.deletion = Del(3, 4);
  row.row.cells = {
      LiveCell(1, std::numeric_limits<int64_t>::max(), ""),
      ExpiringCell(2, 9, std::numeric_limits<int32_t>::max(), std::numeric_limits<int64_t>::min(),
                   std::string_view("\x00\xff", 2)),
      TombstoneCell(3, kNoTimestamp + 1, 12345),
      LiveCell(std::numeric_limits<uint32_t>::max(), 1, LongValue()),
  };
  RowUpdate deleted_only;
  deleted_only.clustering = "z";
  deleted_only.row.deletion = Del(8, 9);
  u.rows = {stat, row, deleted_only};

  entries[1].table = "";
  entries[1].update.decorated_key = DecoratePartitionKey("");
  return entries;
}

const std::vector<BatchEntry>& Fixture() {
  static const std::vector<BatchEntry>* const kEntries =
      new std::vector<BatchEntry>(EveryFieldBatch());
  return *kEntries;
}

TEST(MutationCodecTest, EmptyBatchRoundTrips) {
  std::string payload = EncodeBatch(42, {});
  EXPECT_EQ(payload.size(), 2u);  // varint seq, zero count
  absl::StatusOr<DecodedBatch> b = DecodeBatch(payload);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->seq(), 42u);
  EXPECT_TRUE(b->entries().empty());
}

TEST(MutationCodecTest, EveryFieldRoundTrips) {
  const std::string payload = EncodeBatch(std::numeric_limits<uint64_t>::max(), Fixture());
  absl::StatusOr<DecodedBatch> b = DecodeBatch(payload);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(Diff(std::numeric_limits<uint64_t>::max(), Fixture(), *b), "");
}

TEST(MutationCodecTest, EncodingIgnoresRowClusteringView) {
  std::vector<BatchEntry> entries(1);
  entries[0].update.decorated_key = DecoratePartitionKey("k");
  entries[0].update.rows.resize(1);
  entries[0].update.rows[0].clustering = "real";
  entries[0].update.rows[0].row.clustering = "ignored";
  std::vector<BatchEntry> normalized = entries;
  normalized[0].update.rows[0].row.clustering = "";
  EXPECT_EQ(EncodeBatch(1, entries), EncodeBatch(1, normalized));
}

TEST(MutationCodecTest, DecodedBatchOwnsItsBytesAndSurvivesMoves) {
  std::string payload = EncodeBatch(5, Fixture());
  absl::StatusOr<DecodedBatch> decoded = DecodeBatch(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  // Scribble over and free the source: nothing may point into it.
  std::fill(payload.begin(), payload.end(), '\xee');
  payload = std::string();
  DecodedBatch moved = *std::move(decoded);
  std::vector<DecodedBatch> many;
  many.push_back(std::move(moved));
  for (int i = 0; i < 10; ++i) many.push_back(DecodedBatch());  // reallocates the vector
  DecodedBatch assigned;
  assigned = std::move(many.front());
  EXPECT_EQ(Diff(5, Fixture(), assigned), "");
}

TEST(MutationCodecTest, EveryStrictPrefixIsDataLoss) {
  const std::string payload = EncodeBatch(5, Fixture());
  for (size_t n = 0; n < payload.size(); ++n) {
    absl::StatusOr<DecodedBatch> b = DecodeBatch(std::string_view(payload).substr(0, n));
    EXPECT_TRUE(absl::IsDataLoss(b.status())) << n << ": " << b.status();
  }
}

TEST(MutationCodecTest, TrailingBytesAreDataLoss) {
  std::string payload = EncodeBatch(5, Fixture());
  payload.push_back('\0');
  absl::StatusOr<DecodedBatch> b = DecodeBatch(payload);
  EXPECT_TRUE(absl::IsDataLoss(b.status())) << b.status();
  EXPECT_NE(b.status().message().find("1 trailing bytes"), absl::string_view::npos) << b.status();
}

// A batch with one entry: table "t", key "k", then `rest`.
std::string OneEntry(std::string_view rest) {
  std::string p;
  PutVarint64(&p, 1);
  PutVarint32(&p, 1);
  PutLengthPrefixed(&p, "t");
  PutLengthPrefixed(&p, "k");
  p.append(rest);
  return p;
}

void ExpectDataLoss(std::string_view payload, std::string_view expected) {
  absl::StatusOr<DecodedBatch> b = DecodeBatch(payload);
  ASSERT_TRUE(absl::IsDataLoss(b.status())) << b.status();
  EXPECT_NE(b.status().message().find(std::string(expected)), absl::string_view::npos)
      << b.status();
}

TEST(MutationCodecTest, MalformedFieldsAreNamed) {
  // A well-formed entry, for reference: no deletion, no range tombstones, no rows.
  ASSERT_TRUE(DecodeBatch(OneEntry(std::string("\x00\x00\x00", 3))).ok());

  ExpectDataLoss(OneEntry(std::string("\x02\x00\x00", 3)), "unknown entry flags 2");
  // Live written as present: a second encoding of "no deletion".
  std::string live;
  live.push_back('\x01');
  PutVarint64(&live, EncodeZigZag64(kNoTimestamp));
  PutVarint64(&live, EncodeZigZag64(kNoDeletionTime));
  live.append(std::string("\x00\x00", 2));
  ExpectDataLoss(OneEntry(live), "partition deletion flagged but live");
  ExpectDataLoss(OneEntry(std::string("\x00\x05", 2)), "range tombstone count 5 exceeds");
  ExpectDataLoss(OneEntry(std::string("\x00\x00\x01\x02\x00\x00", 6)),
                 "unknown row flags 2 (at payload offset 9, entry 0, row 0)");
  // A row body whose cells are out of order.
  std::string body;
  Row row;
  row.cells = {LiveCell(2, 1, "x"), LiveCell(1, 1, "y")};
  EncodeRow(row, &body);
  std::string rows("\x00\x00\x01\x00\x00", 5);
  PutLengthPrefixed(&rows, body);
  ExpectDataLoss(OneEntry(rows), "row body: malformed row encoding: cells out of order");

  std::string huge;
  PutVarint64(&huge, 1);
  PutVarint32(&huge, 0xffffffffu);
  ExpectDataLoss(huge, "entry count 4294967295 exceeds what the remaining 0 bytes can hold");
  ExpectDataLoss(std::string("\x81\x82\x83", 3), "sequence number");
  // An over-long varint in the entry count.
  std::string overlong;
  PutVarint64(&overlong, 1);
  overlong.append("\x80\x00", 2);
  ExpectDataLoss(overlong, "entry count (at payload offset 1)");
}

// ---- Properties

// Generated with owned strings; ToEntries() builds cells that view into them.
struct CellSpec {
  uint32_t column = 0;
  int kind = 0;  // 0 live, 1 expiring, 2 tombstone
  int64_t timestamp = 0;
  int32_t ttl = 0;
  int64_t ldt = 0;
  std::string value;
};

struct RowSpec {
  std::string clustering;
  bool is_static = false;
  int liveness_kind = 0;  // 0 empty, 1 regular, 2 expiring
  int64_t liveness_ts = 0;
  int32_t liveness_ttl = 0;
  int64_t liveness_ldt = 0;
  DeletionTime deletion;
  std::vector<CellSpec> cells;
};

struct EntrySpec {
  std::string table;
  std::string key;
  DeletionTime partition_deletion;
  std::vector<RangeTombstone> range_tombstones;
  std::vector<RowSpec> rows;
};

// Full-range integers plus the boundaries (arbitrary<T> favours small values). The full
// range is drawn unsigned and converted: RapidCheck's shrinking of a signed inRange
// computes value - min, which overflows for ranges starting at the minimum.
template <typename T>
rc::Gen<T> Int() {
  using L = std::numeric_limits<T>;
  using U = std::make_unsigned_t<T>;
  return rc::gen::oneOf(
      rc::gen::arbitrary<T>(),
      rc::gen::map(rc::gen::resize(100, rc::gen::inRange<U>(0, std::numeric_limits<U>::max())),
                   [](U u) { return static_cast<T>(u); }),
      rc::gen::elementOf(
          std::vector<T>{L::min(), L::max(), T{0}, T{1}, T(L::min() + 1), T(L::max() - 1)}));
}

// Cell and liveness timestamps: anything but the kNoTimestamp sentinel, which the row
// decoder rejects (it would make a written marker or cell read back as absent).
rc::Gen<int64_t> Timestamp() {
  return rc::gen::suchThat(Int<int64_t>(), [](int64_t v) { return v != kNoTimestamp; });
}

rc::Gen<std::string> Bytes() {
  return rc::gen::oneOf(rc::gen::just(std::string()),
                        rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
}

rc::Gen<DeletionTime> GenDeletion() {
  return rc::gen::oneOf(rc::gen::just(DeletionTime::Live()),
                        rc::gen::exec([] { return Del(*Int<int64_t>(), *Int<int64_t>()); }));
}

rc::Gen<CellSpec> GenCell() {
  return rc::gen::exec([] {
    CellSpec c;
    c.column = *rc::gen::oneOf(rc::gen::inRange<uint32_t>(0, 20), Int<uint32_t>());
    c.kind = *rc::gen::inRange(0, 3);
    c.timestamp = *Timestamp();
    if (c.kind == 1) {
      c.ttl = *rc::gen::oneOf(rc::gen::inRange<int32_t>(1, 1000),
                              rc::gen::just(std::numeric_limits<int32_t>::max()));
      c.ldt = *Int<int64_t>();
    }
    if (c.kind == 2) {
      c.ldt = *rc::gen::suchThat(Int<int64_t>(), [](int64_t v) { return v != kNoDeletionTime; });
    }
    if (c.kind != 2) c.value = *Bytes();
    return c;
  });
}

rc::Gen<RowSpec> GenRow() {
  return rc::gen::exec([] {
    RowSpec r;
    r.is_static = *rc::gen::arbitrary<bool>();
    if (!r.is_static) r.clustering = *Bytes();
    r.liveness_kind = *rc::gen::inRange(0, 3);
    r.liveness_ts = *Timestamp();
    r.liveness_ttl = *rc::gen::inRange<int32_t>(1, std::numeric_limits<int32_t>::max());
    r.liveness_ldt = *Int<int64_t>();
    r.deletion = *GenDeletion();
    r.cells = *rc::gen::resize(8, rc::gen::container<std::vector<CellSpec>>(GenCell()));
    return r;
  });
}

rc::Gen<EntrySpec> GenEntry() {
  return rc::gen::exec([] {
    EntrySpec e;
    e.table = *Bytes();
    e.key = *Bytes();
    e.partition_deletion = *GenDeletion();
    e.range_tombstones =
        *rc::gen::resize(6, rc::gen::container<std::vector<RangeTombstone>>(rc::gen::exec([] {
                           return RangeTombstone{*Bytes(), *Bytes(), *GenDeletion()};
                         })));
    e.rows = *rc::gen::resize(6, rc::gen::container<std::vector<RowSpec>>(GenRow()));
    return e;
  });
}

// Cells view into `specs`, which must outlive the result and not change.
std::vector<BatchEntry> ToEntries(const std::vector<EntrySpec>& specs) {
  std::vector<BatchEntry> out;
  for (const EntrySpec& s : specs) {
    BatchEntry e;
    e.table = s.table;
    e.update.decorated_key = DecoratePartitionKey(s.key);
    e.update.partition_deletion = s.partition_deletion;
    e.update.range_tombstones = s.range_tombstones;
    for (const RowSpec& rs : s.rows) {
      RowUpdate r;
      r.clustering = rs.clustering;
      r.is_static = rs.is_static;
      if (rs.liveness_kind >= 1) r.row.liveness.timestamp = rs.liveness_ts;
      if (rs.liveness_kind == 2) {
        r.row.liveness.ttl = rs.liveness_ttl;
        r.row.liveness.ldt = rs.liveness_ldt;
      }
      r.row.deletion = rs.deletion;
      for (const CellSpec& cs : rs.cells) {
        // At most one cell per column, sorted by column id.
        if (std::any_of(r.row.cells.begin(), r.row.cells.end(),
                        [&](const Cell& c) { return c.column == cs.column; })) {
          continue;
        }
        switch (cs.kind) {
          case 0:
            r.row.cells.push_back(LiveCell(cs.column, cs.timestamp, cs.value));
            break;
          case 1:
            r.row.cells.push_back(ExpiringCell(cs.column, cs.timestamp, cs.ttl, cs.ldt, cs.value));
            break;
          default:
            r.row.cells.push_back(TombstoneCell(cs.column, cs.timestamp, cs.ldt));
        }
      }
      std::sort(r.row.cells.begin(), r.row.cells.end(),
                [](const Cell& a, const Cell& b) { return a.column < b.column; });
      e.update.rows.push_back(std::move(r));
    }
    out.push_back(std::move(e));
  }
  return out;
}

RC_GTEST_PROP(MutationCodecProps, RoundTrip, ()) {
  const uint64_t seq = *Int<uint64_t>();
  const auto specs = *rc::gen::resize(5, rc::gen::container<std::vector<EntrySpec>>(GenEntry()));
  const std::vector<BatchEntry> entries = ToEntries(specs);
  std::string payload = EncodeBatch(seq, entries);
  absl::StatusOr<DecodedBatch> b = DecodeBatch(payload);
  RC_ASSERT(b.ok());
  payload.assign(payload.size(), '\xee');  // the batch must not view the input
  RC_ASSERT(Diff(seq, entries, *b) == std::string());
  // Deterministic: the decoded batch encodes to the same bytes.
  std::vector<BatchEntry> copy(b->entries().begin(), b->entries().end());
  RC_ASSERT(EncodeBatch(seq, copy) == EncodeBatch(seq, entries));
}

RC_GTEST_PROP(MutationCodecProps, GarbageIsDataLossNeverACrash, ()) {
  const std::string garbage = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
  absl::StatusOr<DecodedBatch> b = DecodeBatch(garbage);
  RC_ASSERT(b.ok() || absl::IsDataLoss(b.status()));
}

RC_GTEST_PROP(MutationCodecProps, DamagedBatchIsDataLossNeverACrash, ()) {
  const auto specs = *rc::gen::resize(3, rc::gen::container<std::vector<EntrySpec>>(GenEntry()));
  std::string payload = EncodeBatch(*Int<uint64_t>(), ToEntries(specs));
  const int edits = *rc::gen::inRange(1, 4);
  for (int i = 0; i < edits; ++i) {
    const size_t at = *rc::gen::resize(100, rc::gen::inRange<size_t>(0, payload.size() + 1));
    switch (*rc::gen::inRange(0, 3)) {
      case 0:  // flip
        if (at < payload.size()) payload[at] ^= static_cast<char>(1 << *rc::gen::inRange(0, 8));
        break;
      case 1:  // insert
        payload.insert(at, 1, *rc::gen::arbitrary<char>());
        break;
      default:  // truncate
        payload.resize(at);
    }
  }
  absl::StatusOr<DecodedBatch> b = DecodeBatch(payload);
  RC_ASSERT(b.ok() || absl::IsDataLoss(b.status()));
}

}  // namespace
}  // namespace cassette

#include "row/row_codec.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "util/coding.h"

// Designated initializers below leave the other members at their defaults on purpose;
// GCC 12 still reports that under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace cassette {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

std::string Encode(const Row& row) {
  std::string out;
  EncodeRow(row, &out);
  return out;
}

std::string Encode(const RangeTombstoneList& list) {
  std::string out;
  EncodeRangeTombstones(list, &out);
  return out;
}

// ---- RapidCheck generators. A RowSpec owns the cell values its Row points into.

struct RowSpec {
  LivenessInfo liveness;
  DeletionTime deletion;
  std::vector<Cell> cells;          // values filled in by Build()
  std::vector<std::string> values;  // values[i] belongs to cells[i]

  Row Build() const {
    Row row;
    row.clustering = "ck";
    row.liveness = liveness;
    row.deletion = deletion;
    row.cells = cells;
    for (size_t i = 0; i < cells.size(); ++i) row.cells[i].value = values[i];
    return row;
  }
};

// int64 values with the extremes and sentinels well represented.
rc::Gen<int64_t> GenI64() {
  return rc::gen::oneOf(rc::gen::arbitrary<int64_t>(),
                        rc::gen::elementOf(std::vector<int64_t>{kI64Min, kI64Min + 1, -1, 0, 1,
                                                                kI64Max - 1, kI64Max}));
}
// A timestamp that is a real write time (not the kNoTimestamp sentinel).
rc::Gen<int64_t> GenTimestamp() {
  return rc::gen::suchThat(GenI64(), [](int64_t t) { return t != kNoTimestamp; });
}
rc::Gen<int32_t> GenTtl() {
  return rc::gen::oneOf(
      rc::gen::inRange<int32_t>(1, 100000),
      rc::gen::elementOf(std::vector<int32_t>{1, std::numeric_limits<int32_t>::max()}));
}

rc::Gen<LivenessInfo> GenLiveness() {
  return rc::gen::oneOf(
      rc::gen::just(LivenessInfo{}),
      rc::gen::map(GenTimestamp(), [](int64_t ts) { return LivenessInfo{.timestamp = ts}; }),
      rc::gen::apply(
          [](int64_t ts, int32_t ttl, int64_t ldt) {
            return LivenessInfo{ts, ttl, ldt};
          },
          GenTimestamp(), GenTtl(), GenI64()));
}

rc::Gen<DeletionTime> GenDeletion() {
  return rc::gen::oneOf(rc::gen::just(DeletionTime::Live()), rc::gen::apply(
                                                                 [](int64_t m, int64_t l) {
                                                                   return DeletionTime{m, l};
                                                                 },
                                                                 GenTimestamp(), GenI64()));
}

// A cell of column 0 (the caller sets the column) and its value.
rc::Gen<std::pair<Cell, std::string>> GenCell() {
  using P = std::pair<Cell, std::string>;
  return rc::gen::oneOf(rc::gen::apply(
                            [](int64_t ts, std::string v) {
                              return P{Cell{.timestamp = ts}, v};
                            },
                            GenTimestamp(), rc::gen::arbitrary<std::string>()),
                        rc::gen::apply(
                            [](int64_t ts, int32_t ttl, int64_t ldt, std::string v) {
                              return P{Cell{.timestamp = ts, .ttl = ttl, .ldt = ldt}, v};
                            },
                            GenTimestamp(), GenTtl(), GenI64(), rc::gen::arbitrary<std::string>()),
                        rc::gen::apply(
                            [](int64_t ts, int64_t ldt) {
                              return P{Cell{.timestamp = ts, .ldt = ldt}, ""};
                            },
                            GenTimestamp(), rc::gen::suchThat(GenI64(), [](int64_t l) {
                              return l != kNoDeletionTime;
                            })));
}

rc::Gen<RowSpec> GenRowSpec() {
  return rc::gen::apply(
      [](LivenessInfo l, DeletionTime d, std::set<uint32_t> columns,
         std::vector<std::pair<Cell, std::string>> cells) {
        RowSpec spec{l, d, {}, {}};
        size_t i = 0;
        for (uint32_t column : columns) {
          if (i >= cells.size()) break;
          Cell c = cells[i].first;
          c.column = column;
          // Every other cell takes the row's timestamp (and expiry, when both expire),
          // as an INSERT's cells do: the encoding's elided forms.
          if (i % 2 == 1 && !l.IsEmpty()) {
            c.timestamp = l.timestamp;
            if (c.IsExpiring() && l.IsExpiring()) {
              c.ttl = l.ttl;
              c.ldt = l.ldt;
            }
          }
          spec.cells.push_back(c);
          spec.values.push_back(cells[i].second);
          ++i;
        }
        return spec;
      },
      GenLiveness(), GenDeletion(),
      rc::gen::container<std::set<uint32_t>>(
          rc::gen::oneOf(rc::gen::inRange<uint32_t>(0, 300), rc::gen::arbitrary<uint32_t>())),
      rc::gen::container<std::vector<std::pair<Cell, std::string>>>(GenCell()));
}

rc::Gen<RangeTombstoneList> GenRangeTombstones() {
  auto bound = rc::gen::container<std::string>(rc::gen::element('\x00', '\x10', 'a', 'b', '\xff'));
  auto one = rc::gen::tuple(bound, bound, GenDeletion());
  return rc::gen::map(rc::gen::container<std::vector<decltype(one)::ValueType>>(one),
                      [](const auto& adds) {
                        RangeTombstoneList list;
                        for (const auto& [s, e, d] : adds) list.Add(s, e, d);
                        return list;
                      });
}

bool IsCanonical(const RangeTombstoneList& list) {
  const auto& f = list.fragments();
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i].start >= f[i].end || f[i].deletion.IsLive()) return false;
    if (i > 0 && (f[i - 1].end > f[i].start ||
                  (f[i - 1].end == f[i].start && f[i - 1].deletion == f[i].deletion))) {
      return false;
    }
  }
  return true;
}

// ---- Rows: round trip

TEST(RowCodecTest, EmptyRowRoundTrips) {
  const std::string bytes = Encode(Row{});
  EXPECT_EQ(bytes, "\x00\x00"s);
  Row out;
  ASSERT_TRUE(DecodeRow(bytes, &out).ok());
  EXPECT_EQ(out, Row{});
  EXPECT_TRUE(out.IsEmpty());
}

RC_GTEST_PROP(RowCodecProp, RoundTripsEveryFieldCombination, ()) {
  const RowSpec spec = *GenRowSpec();
  const Row row = spec.Build();
  const std::string bytes = Encode(row);

  Row out;
  out.clustering = "ck";
  RC_ASSERT(DecodeRow(bytes, &out).ok());
  RC_ASSERT(out == row);
  // Values are views into the input, not copies.
  for (const Cell& c : out.cells) {
    if (!c.value.empty()) {
      RC_ASSERT(c.value.data() >= bytes.data());
      RC_ASSERT(c.value.data() + c.value.size() <= bytes.data() + bytes.size());
    }
  }
  // The encoding is canonical: re-encoding the decoded row gives the same bytes.
  RC_ASSERT(Encode(out) == bytes);
}

RC_GTEST_PROP(RowCodecProp, DecodeOverwritesEveryFieldOfTheTarget, ()) {
  const RowSpec previous = *GenRowSpec();
  const RowSpec spec = *GenRowSpec();
  Row out = previous.Build();
  const std::string bytes = Encode(spec.Build());
  RC_ASSERT(DecodeRow(bytes, &out).ok());
  RC_ASSERT(out == spec.Build());
}

TEST(RowCodecTest, DecodeLeavesClusteringUnchanged) {
  Row row;
  row.cells.push_back(Cell{.column = 1, .timestamp = 5, .value = "v"});
  const std::string bytes = Encode(row);
  Row out;
  out.clustering = "keep me";
  ASSERT_TRUE(DecodeRow(bytes, &out).ok());
  EXPECT_EQ(out.clustering, "keep me");
}

// ---- Rows: exact bytes (pins the format documented in row_codec.h)

TEST(RowCodecTest, ExactBytesOfASmallRow) {
  Row row;
  row.liveness = LivenessInfo{.timestamp = 1};
  row.cells.push_back(Cell{.column = 2, .timestamp = 1, .value = "ab"});
  // The cell's timestamp is the row's: flag 0x04, not written.
  //                 flags ts  n  col cf  len value
  EXPECT_EQ(Encode(row),
            "\x01\x02\x01\x02\x04\x02"
            "ab"s);
}

const std::string kEveryFieldKind =
    "\x07"                       // flags: liveness | expiring | deletion
    "\x01\xac\x02\xf8\x0a"       // liveness: zigzag(-1), ttl 300, zigzag(1000 - (0 + 300))
    "\x0a\x0e"                   // deletion: zigzag(5), zigzag(7 - 0)
    "\x04"                       // 4 cells
    "\x00\x02\x06\x08"           // col 0, tombstone, zigzag(3), ldt zigzag(4 - 0)
    "\x01\x01\x04\x01\x10\x01x"  // col 1, expiring, zigzag(2), ttl 1, zigzag(9 - 1), "x"
    "\xc8\x01\x00\x00\x00"       // col 200, live, zigzag(0), ""
    "\xc9\x01\x0d\x01y"s;        // col 201, expiring with the row's timestamp, ttl, ldt

TEST(RowCodecTest, ExactBytesOfEveryFieldKind) {
  Row row;
  row.liveness = LivenessInfo{.timestamp = -1, .ttl = 300, .ldt = 1000};
  row.deletion = DeletionTime{5, 7};
  row.cells.push_back(Cell{.column = 0, .timestamp = 3, .ldt = 4});  // tombstone
  row.cells.push_back(Cell{.column = 1, .timestamp = 2, .ttl = 1, .ldt = 9, .value = "x"});
  row.cells.push_back(Cell{.column = 200, .timestamp = 0, .value = ""});  // live, empty value
  row.cells.push_back(Cell{.column = 201, .timestamp = -1, .ttl = 300, .ldt = 1000, .value = "y"});
  EXPECT_EQ(Encode(row), kEveryFieldKind);
  Row out;
  ASSERT_TRUE(DecodeRow(kEveryFieldKind, &out).ok());
  EXPECT_EQ(out, row);
}

// What an INSERT with a TTL writes, at a realistic time: the cell repeats nothing of
// the row's, and the expiry costs one byte, not five.
TEST(RowCodecTest, AnInsertWithTtlStoresItsTimeOnce) {
  const int64_t ts = 1'796'000'000'123'456;  // µs, in 2026
  const std::string payload(100, 'v');       // the cell views it
  Row row;
  row.liveness = LivenessInfo{.timestamp = ts, .ttl = 86400, .ldt = ts / 1000000 + 86400};
  row.cells.push_back(Cell{
      .column = 2, .timestamp = ts, .ttl = 86400, .ldt = ts / 1000000 + 86400, .value = payload});
  const std::string bytes = Encode(row);
  // flags, timestamp (8), ttl (3), ldt delta (1), count, column, cflags, length, value
  EXPECT_EQ(bytes.size(), 1u + 8 + 3 + 1 + 1 + 1 + 1 + 1 + 100);
  Row out;
  ASSERT_TRUE(DecodeRow(bytes, &out).ok());
  EXPECT_EQ(out, row);
}

// Wrapping arithmetic: extreme timestamps, TTLs and deletion times still round-trip.
TEST(RowCodecTest, ExtremeTimesRoundTrip) {
  for (int64_t ts : {INT64_MIN + 1, int64_t{-1}, int64_t{0}, INT64_MAX}) {
    for (int64_t ldt : {INT64_MIN, int64_t{0}, INT64_MAX - 1}) {
      Row row;
      row.liveness = LivenessInfo{.timestamp = ts, .ttl = INT32_MAX, .ldt = ldt};
      row.deletion = DeletionTime{ts, ldt};
      row.cells.push_back(Cell{.column = 0, .timestamp = ts == 0 ? 1 : 0, .ldt = ldt});
      row.cells.push_back(Cell{.column = 1, .timestamp = ts, .ttl = 1, .ldt = ldt, .value = "x"});
      const std::string bytes = Encode(row);
      Row out;
      ASSERT_TRUE(DecodeRow(bytes, &out).ok()) << ts << " " << ldt;
      EXPECT_EQ(out, row) << ts << " " << ldt;
    }
  }
}

void ExpectDataLoss(std::string_view bytes);  // below, with the other malformed inputs

// One row, one encoding: the row's timestamp or ttl/ldt spelled out in a cell, or taken
// from a row that has none, is rejected.
TEST(RowCodecTest, ElisionFlagsAreStrict) {
  // Row ts 1; cell writes ts 1 instead of flag 0x04.
  ExpectDataLoss(
      "\x01\x02\x01\x02\x00\x02\x02"
      "ab"s);
  // Cell flag 0x04 in a row without liveness.
  ExpectDataLoss(
      "\x00\x01\x02\x04\x02"
      "ab"s);
  // Cell flag 0x08 on a non-expiring cell, and in a row whose liveness does not expire.
  ExpectDataLoss(
      "\x01\x02\x01\x02\x0c\x02"
      "ab"s);
  ExpectDataLoss(
      "\x01\x02\x01\x02\x0d\x02"
      "ab"s);
  // Expiring row (ts 1, ttl 5, ldt delta 0); cell spells out ttl 5, ldt delta 0.
  ExpectDataLoss(
      "\x03\x02\x05\x00\x01\x02\x05\x05\x00\x02"
      "ab"s);
  // The same cell with flag 0x08 is the one accepted encoding.
  Row out;
  ASSERT_TRUE(DecodeRow("\x03\x02\x05\x00\x01\x02\x0d\x02"
                        "ab"s,
                        &out)
                  .ok());
  ASSERT_EQ(out.cells.size(), 1u);
  EXPECT_EQ(out.cells[0].ttl, 5);
  EXPECT_EQ(out.cells[0].ldt, 5);
}

TEST(RowCodecTest, EncodeAppends) {
  std::string out = "prefix";
  EncodeRow(Row{}, &out);
  EXPECT_EQ(out, "prefix\x00\x00"s);
}

// ---- Rows: malformed input

void ExpectDataLoss(std::string_view bytes) {
  Row out;
  const absl::Status s = DecodeRow(bytes, &out);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s << " for " << testing::PrintToString(std::string(bytes));
}

RC_GTEST_PROP(RowCodecProp, EveryTruncationIsDataLoss, ()) {
  const std::string bytes = Encode((*GenRowSpec()).Build());
  for (size_t n = 0; n < bytes.size(); ++n) {
    // A copy of exactly n bytes, so that ASan catches any read past the end.
    const std::string prefix = bytes.substr(0, n);
    Row out;
    RC_ASSERT(absl::IsDataLoss(DecodeRow(prefix, &out)));
  }
}

RC_GTEST_PROP(RowCodecProp, TrailingBytesAreDataLoss, ()) {
  const std::string bytes = Encode((*GenRowSpec()).Build());
  const std::string extra = *rc::gen::nonEmpty<std::string>();
  Row out;
  RC_ASSERT(absl::IsDataLoss(DecodeRow(bytes + extra, &out)));
}

TEST(RowCodecTest, TruncationsOfEveryFieldKindAreDataLoss) {
  const std::string bytes = kEveryFieldKind;
  Row out;
  ASSERT_TRUE(DecodeRow(bytes, &out).ok());
  for (size_t n = 0; n < bytes.size(); ++n) ExpectDataLoss(bytes.substr(0, n));
}

TEST(RowCodecTest, BadRowFlags) {
  ExpectDataLoss("\x08\x00"s);          // unknown flag
  ExpectDataLoss("\x80\x00"s);          // unknown flag
  ExpectDataLoss("\xff\x00"s);          // every flag
  ExpectDataLoss("\x02\x02\x00"s);      // expiring liveness without liveness
  ExpectDataLoss("\x06\x02\x04\x00"s);  // same, with a deletion
}

TEST(RowCodecTest, BadLivenessTtl) {
  ExpectDataLoss("\x03\x02\x00\x02\x00"s);                  // expiring with ttl 0
  ExpectDataLoss("\x03\x02\x80\x80\x80\x80\x08\x02\x00"s);  // ttl 2^31 > INT32_MAX
  Row out;                                                  // INT32_MAX itself is fine
  EXPECT_TRUE(DecodeRow("\x03\x02\xff\xff\xff\xff\x07\x02\x00"s, &out).ok());
  EXPECT_EQ(out.liveness.ttl, std::numeric_limits<int32_t>::max());
}

TEST(RowCodecTest, BadCellFlags) {
  // flags 0, 1 cell: col 1, cflags, ts 1 (zigzag 2), then a value or an ldt.
  ExpectDataLoss("\x00\x01\x01\x03\x02\x02\x00"s);      // expiring | tombstone
  ExpectDataLoss("\x00\x01\x01\x04\x02\x00"s);          // unknown flag
  ExpectDataLoss("\x00\x01\x01\x80\x02\x00"s);          // unknown flag
  ExpectDataLoss("\x00\x01\x01\x01\x02\x00\x02\x00"s);  // expiring with ttl 0
  Row out;
  ASSERT_TRUE(DecodeRow("\x00\x01\x01\x00\x02\x00"s, &out).ok());  // the well-formed base
  ASSERT_EQ(out.cells.size(), 1u);
  EXPECT_EQ(out.cells[0], (Cell{.column = 1, .timestamp = 1, .value = ""}));
}

TEST(RowCodecTest, CellsOutOfOrderOrDuplicated) {
  // Two live cells "col, 0x00, ts=1, len 0"; columns in the order given.
  auto two_cells = [](char a, char b) {
    return "\x00\x02"s + a + "\x00\x02\x00"s + b + "\x00\x02\x00"s;
  };
  Row out;
  ASSERT_TRUE(DecodeRow(two_cells(1, 2), &out).ok());
  ExpectDataLoss(two_cells(2, 1));
  ExpectDataLoss(two_cells(1, 1));
  ExpectDataLoss(two_cells(0, 0));
}

TEST(RowCodecTest, HugeCellCountIsDataLossWithoutAllocating) {
  ExpectDataLoss("\x00\xff\xff\xff\xff\x0f"s);  // 2^32-1 cells, no bytes
  ExpectDataLoss("\x00\xff\xff\xff\xff\x0f\x00\x00\x02\x00"s);
  // One cell more than the bytes that follow could hold.
  ExpectDataLoss("\x00\x02\x01\x00\x02\x00"s);
  // A count that does not fit in 32 bits.
  ExpectDataLoss("\x00\xff\xff\xff\xff\x1f"s);
}

TEST(RowCodecTest, BadLengthsAndVarints) {
  ExpectDataLoss(""sv);
  ExpectDataLoss(
      "\x00\x01\x01\x00\x02\x05"
      "ab"s);                                                   // value length past the end
  ExpectDataLoss("\x00\x01\x01\x00\x02\xff\xff\xff\xff\x0f"s);  // 4 GiB value
  ExpectDataLoss("\x01\x82\x00\x00"s);                          // liveness ts not in shortest form
  ExpectDataLoss("\x00\x81\x00"s);                              // cell count not in shortest form
  ExpectDataLoss("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x00"s);  // ts overflows 64 bits
}

// Mutations of valid encodings: any result is fine except a crash (ASan/UBSan watch) or
// a status other than OK / DataLoss. Accepted input must re-encode to acceptable input.
RC_GTEST_PROP(RowCodecProp, MutatedEncodingsNeverCrash, ()) {
  std::string bytes = Encode((*GenRowSpec()).Build());
  const int edits = *rc::gen::inRange(1, 4);
  for (int i = 0; i < edits; ++i) {
    const size_t pos = *rc::gen::inRange<size_t>(0, bytes.size() + 1);
    const char byte = *rc::gen::arbitrary<char>();
    switch (*rc::gen::inRange(0, 3)) {
      case 0:
        if (pos < bytes.size()) bytes[pos] = byte;
        break;
      case 1:
        bytes.insert(pos, 1, byte);
        break;
      default:
        if (pos < bytes.size()) bytes.erase(pos, 1);
    }
  }
  Row out;
  const absl::Status s = DecodeRow(bytes, &out);
  RC_ASSERT(s.ok() || absl::IsDataLoss(s));
}

RC_GTEST_PROP(RowCodecProp, RandomBytesNeverCrash, (const std::string& bytes)) {
  Row out;
  const absl::Status s = DecodeRow(bytes, &out);
  RC_ASSERT(s.ok() || absl::IsDataLoss(s));
}

// Regression: DecodeRow accepted a liveness marker whose timestamp is the kNoTimestamp
// sentinel; the decoded marker was "empty" but carried ttl/ldt, so it re-encoded to
// bytes the decoder rejects. Every accepted input must re-encode to accepted bytes.
TEST(RowCodecTest, AcceptedInputReEncodesToAcceptedInput) {
  // flags liveness|expiring, ts = INT64_MIN, ttl 1, ldt 0, no cells.
  const std::string bytes = "\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x01\x00\x00"s;
  Row out;
  const absl::Status s = DecodeRow(bytes, &out);
  if (!s.ok()) {
    EXPECT_TRUE(absl::IsDataLoss(s));
    return;  // rejecting it is the fix
  }
  Row again;
  EXPECT_TRUE(DecodeRow(Encode(out), &again).ok());
}

// ---- Range tombstones

TEST(RangeTombstoneCodecTest, EmptyList) {
  const std::string bytes = Encode(RangeTombstoneList());
  EXPECT_EQ(bytes, "\x00"s);
  RangeTombstoneList out;
  out.Add("a", "b", DeletionTime{1, 1});
  ASSERT_TRUE(DecodeRangeTombstones(bytes, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(RangeTombstoneCodecTest, ExactBytes) {
  RangeTombstoneList list;
  list.Add("a", "b", DeletionTime{1, 2});
  list.Add("c", kClusteringTop, DeletionTime{-1, 0});
  const std::string expected =
      "\x02\x01"
      "a\x01"
      "b\x02\x04\x01"
      "c\x01\xff\x01\x00"s;
  EXPECT_EQ(Encode(list), expected);
  RangeTombstoneList out;
  ASSERT_TRUE(DecodeRangeTombstones(expected, &out).ok());
  EXPECT_EQ(out, list);
}

RC_GTEST_PROP(RangeTombstoneCodecProp, RoundTrips, ()) {
  const RangeTombstoneList list = *GenRangeTombstones();
  const std::string bytes = Encode(list);
  RangeTombstoneList out;
  out.Add("x", "y", DeletionTime{3, 3});  // overwritten, not merged into
  RC_ASSERT(DecodeRangeTombstones(bytes, &out).ok());
  RC_ASSERT(out == list);
  RC_ASSERT(Encode(out) == bytes);
}

RC_GTEST_PROP(RangeTombstoneCodecProp, EveryTruncationIsDataLoss, ()) {
  const std::string bytes = Encode(*GenRangeTombstones());
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::string prefix = bytes.substr(0, n);
    RangeTombstoneList out;
    RC_ASSERT(absl::IsDataLoss(DecodeRangeTombstones(prefix, &out)));
  }
}

RC_GTEST_PROP(RangeTombstoneCodecProp, TrailingBytesAreDataLoss, ()) {
  const std::string bytes = Encode(*GenRangeTombstones()) + *rc::gen::nonEmpty<std::string>();
  RangeTombstoneList out;
  RC_ASSERT(absl::IsDataLoss(DecodeRangeTombstones(bytes, &out)));
}

TEST(RangeTombstoneCodecTest, GarbageIsDataLoss) {
  auto expect_data_loss = [](std::string_view bytes) {
    RangeTombstoneList out;
    const absl::Status s = DecodeRangeTombstones(bytes, &out);
    EXPECT_TRUE(absl::IsDataLoss(s)) << s << " for " << testing::PrintToString(std::string(bytes));
  };
  expect_data_loss(""sv);
  expect_data_loss("\xff\xff\xff\xff\x0f"s);  // 2^32-1 tombstones, no bytes
  expect_data_loss("\xff\xff\xff\xff\x1f"s);  // count overflows 32 bits
  expect_data_loss("\x80\x00"s);              // count not in shortest form
  expect_data_loss(
      "\x01\x05"
      "a\x01"
      "b\x02\x04"s);  // start length past the end
  expect_data_loss(
      "\x01\x01"
      "a\xff\xff\xff\xff\x0f"s);  // 4 GiB end bound
  expect_data_loss(
      "\x01\x01"
      "a\x01"
      "b\x02"s);  // ldt missing
  expect_data_loss(
      "\x01\x01"
      "a\x01"
      "b\x02\x04\x00"s);  // trailing byte
  expect_data_loss(
      "\x02\x01"
      "a\x01"
      "b\x02\x04"s);  // second tombstone missing
}

// Input the encoder never produces (overlapping, unsorted, empty or Live ranges) is not
// rejected: it decodes to the canonical list that adding the ranges in order gives.
TEST(RangeTombstoneCodecTest, NonCanonicalInputDecodesToCanonicalList) {
  const std::string bytes =
      "\x04"
      "\x01"
      "c\x01"
      "d\x02\x02"  // [c, d) @1
      "\x01"
      "a\x01"
      "d\x04\x02"  // [a, d) @2, overlaps and precedes
      "\x01"
      "e\x01"
      "e\x06\x02"  // empty range [e, e)
      "\x01"
      "f\x01"
      "g"  // [f, g) with a Live deletion
      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01"s;
  RangeTombstoneList out;
  ASSERT_TRUE(DecodeRangeTombstones(bytes, &out).ok());
  RangeTombstoneList expected;
  expected.Add("a", "d", DeletionTime{2, 1});
  EXPECT_EQ(out, expected);
}

RC_GTEST_PROP(RangeTombstoneCodecProp, MutatedEncodingsNeverCrash, ()) {
  std::string bytes = Encode(*GenRangeTombstones());
  const size_t pos = *rc::gen::inRange<size_t>(0, bytes.size() + 1);
  if (pos < bytes.size()) {
    bytes[pos] = *rc::gen::arbitrary<char>();
  } else {
    bytes += *rc::gen::arbitrary<std::string>();
  }
  RangeTombstoneList out;
  const absl::Status s = DecodeRangeTombstones(bytes, &out);
  RC_ASSERT(s.ok() || absl::IsDataLoss(s));
  if (s.ok()) {
    RC_ASSERT(IsCanonical(out));
    RangeTombstoneList again;
    RC_ASSERT(DecodeRangeTombstones(Encode(out), &again).ok());
    RC_ASSERT(again == out);
  }
}

}  // namespace
}  // namespace cassette

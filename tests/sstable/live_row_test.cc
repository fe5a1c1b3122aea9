// The live-row copy path (sstable/live_row.h): ParseLiveRowRecord accepts exactly the
// live rows DecodeRowRecord decodes, AppendLiveRowRecord writes the bytes
// EncodeRowRecord writes, and a writer fed through AddLiveRow writes the same SSTable
// as one fed through AddRow.

#include "sstable/live_row.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "sstable/file_names.h"
#include "sstable/row_format.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"

namespace cassette {
namespace {

bool IsLiveRow(const Row& r) {
  if (!r.deletion.IsLive() || r.liveness.IsExpiring() || r.IsEmpty()) return false;
  for (const Cell& c : r.cells) {
    if (c.ttl != 0 || c.ldt != kNoDeletionTime) return false;
  }
  return true;
}

// Rows of every kind, half of them live: RandomRow's mix, and rows built live.
Row MixedRow(std::mt19937_64& rng, Model* m, std::string_view clustering) {
  if (rng() % 2) return RandomRow(rng, m, clustering, 30);
  Row r;
  r.clustering = clustering;
  const int64_t base = 1'700'000'000'000'000;
  if (rng() % 4) r.liveness.timestamp = base + static_cast<int64_t>(rng() % 1000);
  uint32_t column = static_cast<uint32_t>(rng() % 300);
  for (int n = static_cast<int>(rng() % 4); n > 0 || r.IsEmpty(); --n) {
    Cell c;
    c.column = column;
    column += 1 + static_cast<uint32_t>(rng() % 100000);
    c.timestamp = !r.liveness.IsEmpty() && rng() % 2 ? r.liveness.timestamp
                                                     : base + static_cast<int64_t>(rng() % 1000);
    std::string v(rng() % 200, '\0');  // lengths of one and two bytes
    for (char& ch : v) ch = static_cast<char>(rng());
    c.value = m->Keep(std::move(v));
    r.cells.push_back(c);
  }
  return r;
}

EncodingBases RandomBases(std::mt19937_64& rng, bool fixed) {
  EncodingBases b;
  if (!fixed) return b;
  b.timestamp = 1'700'000'000'000'000 + static_cast<int64_t>(rng() % 2000) - 1000;
  b.ldt = 1'700'000'000 + static_cast<int64_t>(rng() % 100);
  b.ttl = 1 + static_cast<int32_t>(rng() % 100);
  b.has_timestamp = b.has_ldt = b.has_ttl = true;
  return b;
}

bool SameBases(const EncodingBases& a, const EncodingBases& b) {
  return a.has_timestamp == b.has_timestamp && a.has_ldt == b.has_ldt && a.has_ttl == b.has_ttl &&
         (!a.has_timestamp || a.timestamp == b.timestamp) && (!a.has_ldt || a.ldt == b.ldt) &&
         (!a.has_ttl || a.ttl == b.ttl);
}

// Checks the contract for one record: if it parses as live, decoding succeeds, the row
// is live, the summary is right and re-encoding against several bases gives
// EncodeRowRecord's bytes and base effects.
void CheckRecord(std::string_view record, const EncodingBases& in, std::mt19937_64& rng) {
  LiveRowRecord live;
  const bool parsed = ParseLiveRowRecord(record, in, &live);
  Row decoded;
  const absl::Status s = DecodeRowRecord(record, in, &decoded);
  if (!parsed) {
    EXPECT_TRUE(!s.ok() || !IsLiveRow(decoded)) << "a live row was refused";
    return;
  }
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_TRUE(IsLiveRow(decoded));
  EXPECT_EQ(live.record, record);
  EXPECT_EQ(live.clustering, decoded.clustering);
  EXPECT_EQ(live.has_liveness, !decoded.liveness.IsEmpty());
  EXPECT_EQ(live.cells, decoded.cells.size());
  int64_t min = INT64_MAX, max = INT64_MIN;
  if (!decoded.liveness.IsEmpty()) min = max = decoded.liveness.timestamp;
  for (const Cell& c : decoded.cells) {
    min = std::min(min, c.timestamp);
    max = std::max(max, c.timestamp);
  }
  EXPECT_EQ(live.min_timestamp, min);
  EXPECT_EQ(live.max_timestamp, max);
  std::vector<EncodingBases> outs = {in, RandomBases(rng, true), RandomBases(rng, false)};
  for (EncodingBases out : outs) {
    EncodingBases expected_bases = out, actual_bases = out;
    std::string expected = "prefix", actual = "prefix";
    EncodeRowRecord(decoded, &expected_bases, &expected);
    AppendLiveRowRecord(live, in, &actual_bases, &actual);
    EXPECT_EQ(actual, expected);
    EXPECT_TRUE(SameBases(actual_bases, expected_bases));
    if (IsVerbatim(live, in, out)) {
      EXPECT_EQ(expected, "prefix" + std::string(record));
    }
  }
}

TEST(LiveRowTest, ParsesExactlyTheLiveRowsAndReencodesThemAsTheEncoder) {
  std::mt19937_64 rng(7);
  Model m;
  int live = 0;
  for (int i = 0; i < 20000; ++i) {
    const Row row = MixedRow(rng, &m, m.Keep(Clustering(static_cast<uint32_t>(i))));
    EncodingBases in = RandomBases(rng, true);
    std::string record;
    EncodeRowRecord(row, &in, &record);
    LiveRowRecord parsed;
    ASSERT_EQ(ParseLiveRowRecord(record, in, &parsed), IsLiveRow(row)) << i;
    live += IsLiveRow(row) ? 1 : 0;
    CheckRecord(record, in, rng);
  }
  EXPECT_GT(live, 5000);
}

TEST(LiveRowTest, DamagedRecordsParseOnlyIfTheyDecodeToLiveRows) {
  std::mt19937_64 rng(11);
  Model m;
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const Row row = MixedRow(rng, &m, m.Keep(Clustering(static_cast<uint32_t>(i))));
    EncodingBases in = RandomBases(rng, true);
    std::string record;
    EncodeRowRecord(row, &in, &record);
    switch (rng() % 4) {
      case 0:
        record[rng() % record.size()] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:
        record[rng() % record.size()] = static_cast<char>(rng());
        break;
      case 2:
        record.resize(rng() % record.size());
        break;
      default:
        record.insert(record.begin() + static_cast<std::ptrdiff_t>(rng() % (record.size() + 1)),
                      static_cast<char>(rng()));
    }
    LiveRowRecord live;
    accepted += ParseLiveRowRecord(record, in, &live) ? 1 : 0;
    CheckRecord(record, in, rng);
  }
  EXPECT_GT(accepted, 1000);  // the check above ran on accepted records too
}

// Parses `record` (encoded against a timestamp base of 5), which no version-3 encoder
// writes: it must parse as live but not canonical, pass CheckRecord, and is returned as
// AppendLiveRowRecord re-encodes it.
std::string ReencodeNonCanonical(const std::string& record, uint64_t seed) {
  EncodingBases in;
  in.timestamp = 5;
  in.has_timestamp = true;
  LiveRowRecord live;
  if (!ParseLiveRowRecord(record, in, &live)) {
    ADD_FAILURE() << "not parsed as a live row";
    return "";
  }
  EXPECT_FALSE(live.canonical);
  EXPECT_FALSE(IsVerbatim(live, in, in));
  std::mt19937_64 rng(seed);
  CheckRecord(record, in, rng);  // re-encoded exactly as EncodeRowRecord writes it
  EncodingBases out = in;
  std::string reencoded;
  AppendLiveRowRecord(live, in, &out, &reencoded);
  return reencoded;
}

TEST(LiveRowTest, ACellSpellingOutTheMarkerTimestampIsReencodedWithTheFlag) {
  // clustering "c", flags: marker; marker delta 0; one cell: gap 0, flags 0, timestamp
  // delta 0 (the marker's), value "v". The encoder would have flagged the timestamp.
  const std::string record(
      "\x01"
      "c\x01\x00\x01\x00\x00\x00\x01v",
      10);
  // As format version 3 writes it: flags marker | uniform cells | one cell; marker delta
  // 0; the cell: gap 0, value "v" (no cell count, no cell flags, no timestamp).
  EXPECT_EQ(ReencodeNonCanonical(record, 1), std::string("\x01"
                                                         "c\x19\x00\x00\x01v",
                                                         7));
}

TEST(LiveRowTest, AVersion2RecordIsReencodedInVersion3Form) {
  // Format version 2 wrote this row (marker, two cells taking its timestamp) with a
  // cell count and each cell's flags; version 3 writes kRowUniformCells instead.
  const std::string record(
      "\x01"
      "c\x01\x00\x02\x00\x04\x01v\x00\x04\x01w",
      13);
  EXPECT_EQ(ReencodeNonCanonical(record, 2), std::string("\x01"
                                                         "c\x09\x00\x02\x00\x01v\x00\x01w",
                                                         11));
}

TEST(LiveRowTest, RefusesEveryMalformedRecordDecodeRejects) {
  EncodingBases in;
  in.has_timestamp = true;
  const std::vector<std::string> malformed = {
      std::string("\x01"
                  "c\x00\x00",
                  4),  // no marker, no cell: an empty row
      std::string("\x01"
                  "c\x00\x01\x00\x04\x01v",
                  8),  // a cell taking the marker's timestamp, without a marker
      std::string("\x01"
                  "c\x01\x00\x00\x00",
                  6),  // trailing byte
      std::string("\x01"
                  "c\x01\x00\x05\x00\x04\x01v",
                  9),  // more cells than bytes
      std::string("\x01"
                  "c\x01\x80\x00\x00",
                  6),  // marker timestamp not in shortest form
      std::string("\x01"
                  "c\x01\x00\x01\x00\x10\x01v",
                  9),  // unknown cell flag
      std::string("\x01"
                  "c\x08\x00",
                  4),  // unknown row flag
      std::string("\x05"
                  "c",
                  2),  // clustering longer than the record
  };
  for (const std::string& record : malformed) {
    LiveRowRecord live;
    Row row;
    EXPECT_FALSE(DecodeRowRecord(record, in, &row).ok()) << testing::PrintToString(record);
    EXPECT_FALSE(ParseLiveRowRecord(record, in, &live)) << testing::PrintToString(record);
  }
}

// Only live rows: then the statistics' deletion times come from them alone.
void MakeLive(Model* m) {
  for (ModelPartition& p : m->partitions) {
    p.deletion = DeletionTime::Live();
    p.range_tombstones = RangeTombstoneList();
    p.static_row = Row();
    for (Row& r : p.rows) {
      MakeRowLive(&r);
      if (r.IsEmpty()) r.liveness.timestamp = 1'700'000'000'000'000;
    }
  }
}

// Writes `m` twice: once through AddRow, once through AddLiveRow for every row that
// parses as live from its encoding against `source` bases.
TEST(LiveRowTest, WriterAddLiveRowWritesTheSameSSTableAsAddRow) {
  for (uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    SCOPED_TRACE(seed);
    Model m = RandomModel(seed, 300, 6, 120);
    if (seed > 4) MakeLive(&m);
    std::mt19937_64 rng(seed);
    for (bool hint : {false, true}) {
      TestEnv env;
      SSTableWriterOptions o;
      o.block_size = 512;  // many blocks, records across block boundaries
      o.row_index_interval = 300;
      if (hint) o.timestamp_base_hint = 1'699'999'999'000'000;
      ASSERT_TRUE(WriteModel(&env, "d", 1, o, m).ok());
      auto w = SSTableWriter::Create(&env, "e", 1, o);
      ASSERT_TRUE(w.ok());
      int copied = 0;
      for (const ModelPartition& p : m.partitions) {
        ASSERT_TRUE((*w)->BeginPartition(p.key, p.deletion, p.range_tombstones, p.static_row).ok());
        for (const Row& r : p.rows) {
          EncodingBases source = RandomBases(rng, true);
          std::string record;
          EncodeRowRecord(r, &source, &record);
          LiveRowRecord live;
          if (ParseLiveRowRecord(record, source, &live)) {
            ASSERT_TRUE((*w)->AddLiveRow(live, source).ok());
            ++copied;
          } else {
            ASSERT_TRUE((*w)->AddRow(r).ok());
          }
        }
        ASSERT_TRUE((*w)->EndPartition().ok());
      }
      ASSERT_TRUE((*w)->Finish().ok());
      EXPECT_GT(copied, 50);
      for (SSTableFileKind kind : {SSTableFileKind::kData, SSTableFileKind::kIndex}) {
        const std::string a = SSTableFilePath("d", 1, kind);
        const std::string b = SSTableFilePath("e", 1, kind);
        ASSERT_TRUE(env.files.count(a) && env.files.count(b)) << a;
        EXPECT_TRUE(env.files[a] == env.files[b]) << a << " and " << b << " differ";
      }
    }
  }
}

}  // namespace
}  // namespace cassette

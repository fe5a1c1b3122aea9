// Pins the on-disk bytes of a tiny SSTable (docs/sstable-format.md walks through this
// exact table). A change to these bytes is a format change: bump kSSTableFormatVersion
// and keep reading the old version, or explain why not. The same table as format
// version 1 wrote it is kept below and must still read back.
//
// To regenerate after an intended format change:
//   CASSETTE_GOLDEN_PRINT=1 ./build/<dir>/tests/sstable_test --gtest_filter='GoldenTest.*'
// prints the new hex of both files; paste it over kGoldenData / kGoldenIndex below and
// update the annotated dump in docs/sstable-format.md.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "sstable/sstable_reader.h"
#include "sstable/sstable_writer.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"

namespace cassette {
namespace {

// clang-format off
constexpr char kGoldenData[] =
    "6c0000006c000000001f0c478499982a"
    "e4e0cf00000001060102100302100500"
    "00100000c80102737414201001019003"
    "020104027631000500a0380265780911"
    "02100102d804c8010e110609e8070201"
    "0275310002753208110719b009020177"
    "00120c52e9aeb38ba997900000000201"
    "a006900300cb55bb49209d7dbb";
constexpr char kGoldenIndex[] =
    "220000002200000000100c478499982a"
    "e4e0cf00000001000000100c52e9aeb3"
    "8ba99790000000020058004edc2804cd"
    "9de9a6010c478499982ae4e0cf000000"
    "01000048a04002850209140780897ab0"
    "927a80c49fd50cfeffffffffffffffff"
    "01a038a0380210010210070c47849998"
    "2ae4e0cf000000010c52e9aeb38ba997"
    "9000000002e1fcd8d1fa99b3fb70dfa1"
    "b3c58ed3a8965a040a0e060480c49fd5"
    "0c02c8c59fd50c0290c79fd50c02a0fc"
    "9fd50c020240028002020202021002d8"
    "01fa01008080f2818389850601000000"
    "000000007d0000000000000033000000"
    "00000000330000000000000010000000"
    "00000000baa556e7283a6d0a43000000"
    "000000000900000000000000997c8d63"
    "3850d5e44c0000000000000080000000"
    "000000004ccaa8ba2ace752900400000"
    "100e000040420f000000000000f15365"
    "000000000000000003000000faa6cbf3"
    "03a8c4426361737365747465";
// Format version 2 (no uniform-cell or one-cell row flags, both lengths of a stored
// row's clustering spelled out), as its writer wrote the table without the two rows
// version 3 added: a read-compatibility fixture.
constexpr char kGoldenDataV2[] =
    "580000005800000000200c478499982a"
    "e4e0cf00000001060102100302100500"
    "0000010000c801027374150002100101"
    "9003020104027631000500a038026578"
    "0b01010200010102d804c80100120c52"
    "e9aeb38ba997900000000201a0069003"
    "00cf202274be6bb8c9";
constexpr char kGoldenIndexV2[] =
    "220000002200000000100c478499982a"
    "e4e0cf00000001000000100c52e9aeb3"
    "8ba997900000000200440084e763b1e8"
    "1bb852010c478499982ae4e0cf000000"
    "01000048a04002850209140780897aa0"
    "8f7a80c49fd50cfeffffffffffffffff"
    "01a038a0380210010210020c47849998"
    "2ae4e0cf000000010c52e9aeb38ba997"
    "9000000002e1fcd8d1fa99b3fb70dfa1"
    "b3c58ed3a8965a040608060480c49fd5"
    "0c02c8c59fd50c0290c79fd50c02a0fc"
    "9fd50c020240028002020202020802b0"
    "01d201008080f2818389850601000000"
    "00000000690000000000000033000000"
    "00000000330000000000000010000000"
    "00000000baa556e7283a6d0a43000000"
    "000000000900000000000000997c8d63"
    "3850d5e44c0000000000000080000000"
    "0000000016fbd06f8654320900400000"
    "100e000040420f000000000000f15365"
    "00000000000000000200000099e7809b"
    "d4d3230a6361737365747465";
// Format version 1 (rows stored with their whole clustering), as its writer wrote the
// same table as version 2: a read-compatibility fixture, no longer written.
constexpr char kGoldenDataV1[] =
    "570000005700000000200c478499982a"
    "e4e0cf00000001060102100302100500"
    "0000010000c801027374140210010190"
    "03020104027631000500a0380265780b"
    "02100200010102d804c80100120c52e9"
    "aeb38ba997900000000201a006900300"
    "e668324ba0f61e71";
constexpr char kGoldenIndexV1[] =
    "220000002200000000100c478499982a"
    "e4e0cf00000001000000100c52e9aeb3"
    "8ba99790000000020043008a0a44753a"
    "61c672010c478499982ae4e0cf000000"
    "01000048a04002850209140780897aa0"
    "8f7a80c49fd50cfeffffffffffffffff"
    "01a038a0380210010210020c47849998"
    "2ae4e0cf000000010c52e9aeb38ba997"
    "9000000002e1fcd8d1fa99b3fb70dfa1"
    "b3c58ed3a8965a040608060480c49fd5"
    "0c02c8c59fd50c0290c79fd50c02a0fc"
    "9fd50c020240028002020202020802ae"
    "01d001008080f2818389850601000000"
    "00000000680000000000000033000000"
    "00000000330000000000000010000000"
    "00000000baa556e7283a6d0a43000000"
    "000000000900000000000000997c8d63"
    "3850d5e44c0000000000000080000000"
    "000000006741eb91c6b8167300400000"
    "100e000040420f000000000000f15365"
    "000000000000000001000000d63bbf4b"
    "7b4ebba06361737365747465";
// clang-format on

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The hex as C++ string literals of 16 bytes each.
std::string Literal(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 32) out += "    \"" + hex.substr(i, 32) + "\"\n";
  return out;
}

// Two partitions: the first with a static row, a range tombstone and rows holding a
// live, an expiring and a tombstone cell; the second with a partition deletion. Format
// version 3's fixture adds two rows to the first whose cells all take the marker's
// timestamp (written with kRowUniformCells), one of them with a single cell.
Model GoldenModel(bool uniform_rows) {
  Model m;
  ModelPartition a;
  a.key = DecoratePartitionKey(std::string("\0\0\0\1", 4));
  a.range_tombstones.Add("\x10\x03", "\x10\x05", DeletionTime{1'000'000, 1'700'000'000});
  a.static_row.cells.push_back(Cell{.column = 0, .timestamp = 1'000'100, .value = "st"});
  Row r1;
  r1.clustering = "\x10\x01";
  r1.liveness.timestamp = 1'000'200;
  r1.cells.push_back(Cell{.column = 1, .timestamp = 1'000'200, .value = "v1"});
  r1.cells.push_back(
      Cell{.column = 2, .timestamp = 1'000'200, .ttl = 3600, .ldt = 1'700'003'600, .value = "ex"});
  Row r2;
  r2.clustering = "\x10\x02";
  r2.cells.push_back(Cell{.column = 1, .timestamp = 1'000'300, .ldt = 1'700'000'100, .value = {}});
  a.rows = {r1, r2};
  if (uniform_rows) {
    Row r3;
    r3.clustering = "\x10\x06";
    r3.liveness.timestamp = 1'000'500;
    r3.cells.push_back(Cell{.column = 1, .timestamp = 1'000'500, .value = "u1"});
    r3.cells.push_back(Cell{.column = 2, .timestamp = 1'000'500, .value = "u2"});
    Row r4;
    r4.clustering = "\x10\x07";
    r4.liveness.timestamp = 1'000'600;
    r4.cells.push_back(Cell{.column = 2, .timestamp = 1'000'600, .value = "w"});
    a.rows.push_back(r3);
    a.rows.push_back(r4);
  }
  ModelPartition b;
  b.key = DecoratePartitionKey(std::string("\0\0\0\2", 4));
  b.deletion = DeletionTime{1'000'400, 1'700'000'200};
  if (b.key < a.key) std::swap(a, b);
  m.partitions.push_back(std::move(a));
  m.partitions.push_back(std::move(b));
  return m;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Table 1 in /db holds `m`, read through both readers: a Source (point reads and slices,
// forward and reversed) and the Scanner (compaction's sequential pass).
void ExpectReadsBack(TestEnv* env, const Model& m) {
  auto t = SSTable::Open(env, "/db", 1);
  ASSERT_TRUE(t.ok()) << t.status();
  auto src = (*t)->NewSource(*t);
  for (const ModelPartition& p : m.partitions) {
    PartitionHeader h;
    ASSERT_TRUE(*src->ReadPartition(p.key, &h));
    EXPECT_EQ(h.deletion, p.deletion);
    EXPECT_EQ(h.range_tombstones, p.range_tombstones);
    EXPECT_EQ(h.static_row, p.static_row);
    for (bool reversed : {false, true}) {
      Model scratch;
      std::vector<Row> rows;
      auto c = src->NewRowCursor(p.key, "", kClusteringTop, reversed);
      ASSERT_TRUE(ReadAll(c.get(), &scratch, &rows).ok());
      if (reversed) std::reverse(rows.begin(), rows.end());
      EXPECT_EQ(rows, p.rows) << (reversed ? "reversed" : "forward");
    }
  }
  auto scan = (*t)->NewScanner(*t);
  for (const ModelPartition& p : m.partitions) {
    ASSERT_TRUE(scan->NextPartition()) << scan->status();
    EXPECT_EQ(scan->key(), p.key);
    Model scratch;
    std::vector<Row> rows;
    ASSERT_TRUE(ReadAll(scan->rows(), &scratch, &rows).ok());
    EXPECT_EQ(rows, p.rows);
  }
  EXPECT_FALSE(scan->NextPartition());
  EXPECT_TRUE(scan->status().ok()) << scan->status();
}

TEST(GoldenTest, BytesAreStable) {
  TestEnv env;
  SSTableWriterOptions o;
  o.zstd_level = 0;  // stored raw, so the bytes do not depend on the zstd version
  o.created_at_micros = 1'700'000'000'000'000;
  Model m = GoldenModel(/*uniform_rows=*/true);
  ASSERT_TRUE(WriteModel(&env, "/db", 1, o, m).ok());
  const std::string data = Hex(env.files["/db/cs-1-Data.db"]);
  const std::string index = Hex(env.files["/db/cs-1-Index.db"]);
  if (std::getenv("CASSETTE_GOLDEN_PRINT") != nullptr) {
    std::cout << "kGoldenData =\n" << Literal(data) << "kGoldenIndex =\n" << Literal(index);
  }
  EXPECT_EQ(data, kGoldenData) << "Data.db changed; see the comment at the top to regenerate";
  EXPECT_EQ(index, kGoldenIndex) << "Index.db changed; see the comment at the top to regenerate";

  ExpectReadsBack(&env, m);
}

TEST(GoldenTest, Version2FilesStillRead) {
  TestEnv env;
  env.files["/db/cs-1-Data.db"] = Unhex(kGoldenDataV2);
  env.files["/db/cs-1-Index.db"] = Unhex(kGoldenIndexV2);
  ExpectReadsBack(&env, GoldenModel(/*uniform_rows=*/false));
}

TEST(GoldenTest, Version1FilesStillRead) {
  TestEnv env;
  env.files["/db/cs-1-Data.db"] = Unhex(kGoldenDataV1);
  env.files["/db/cs-1-Index.db"] = Unhex(kGoldenIndexV1);
  ExpectReadsBack(&env, GoldenModel(/*uniform_rows=*/false));
}

}  // namespace
}  // namespace cassette

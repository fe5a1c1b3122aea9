// Damaged SSTables: every flipped byte, truncation or absurd length must give DataLoss
// naming the file and an offset at or before the damage (or, for the bloom filter, be
// ignored with reads staying correct) -- never a crash, a huge allocation or wrong data.

#include <gtest/gtest.h>
#include <zstd.h>

#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "sstable/block.h"
#include "sstable/block_stream.h"
#include "sstable/index_format.h"
#include "sstable/row_format.h"
#include "sstable/stats_codec.h"
#include "sstable/table_model.h"
#include "sstable/test_env.h"
#include "util/coding.h"

namespace cassette {
namespace {

constexpr char kDir[] = "/db";
constexpr uint64_t kNumber = 21;
const std::string kDataPath = "/db/cs-21-Data.db";
const std::string kIndexPath = "/db/cs-21-Index.db";

// What reading a damaged table produced.
struct Outcome {
  bool opened = false;
  bool filter_usable = true;
  std::vector<absl::Status> errors;  // every non-OK status seen
  bool wrong_data = false;
};

void Note(Outcome* o, const absl::Status& s) {
  if (!s.ok()) o->errors.push_back(s);
}

// Opens the table and reads everything, comparing what succeeds with the model.
Outcome ReadEverything(Env* env, const Model& m) {
  Outcome o;
  auto t = SSTable::Open(env, kDir, kNumber);
  if (!t.ok()) {
    Note(&o, t.status());
    return o;
  }
  o.opened = true;
  o.filter_usable = (*t)->filter_usable();
  auto src = (*t)->NewSource(*t);
  Model scratch;
  for (const ModelPartition& p : m.partitions) {
    PartitionHeader h;
    auto found = src->ReadPartition(p.key, &h);
    if (!found.ok()) {
      Note(&o, found.status());
    } else if (!*found || h.deletion != p.deletion || h.range_tombstones != p.range_tombstones ||
               h.static_row != p.static_row) {
      o.wrong_data = true;
    }
    for (bool reversed : {false, true}) {
      std::vector<Row> got;
      auto c = src->NewRowCursor(p.key, "", kClusteringTop, reversed);
      auto s = ReadAll(c.get(), &scratch, &got);
      // Rows delivered before an error must still be right.
      std::vector<Row> want = Slice(p.rows, "", kClusteringTop, reversed);
      if (!s.ok()) {
        Note(&o, s);
        want.resize(std::min(want.size(), got.size()));
      }
      if (got != want) o.wrong_data = true;
    }
  }
  std::vector<std::string> keys;
  auto c = src->NewPartitionCursor("");
  for (; c->Valid(); c->Next()) keys.emplace_back(c->key());
  Note(&o, c->status());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i >= m.partitions.size() || keys[i] != m.partitions[i].key) o.wrong_data = true;
  }
  if (c->status().ok() && keys.size() != m.partitions.size()) o.wrong_data = true;
  return o;
}

// The offset a DataLoss message names ("... at offset N").
int64_t NamedOffset(const absl::Status& s) {
  std::string msg(s.message());
  size_t p = msg.rfind("at offset ");
  if (p == std::string::npos) return -1;
  return std::stoll(msg.substr(p + 10));
}

class CorruptionTest : public testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    model_ = RandomModel(5, 12, 24, 60);
    SSTableWriterOptions o;
    o.zstd_level = GetParam();
    o.block_size = 256;
    o.row_index_interval = 300;
    o.summary_interval = 3;
    ASSERT_TRUE(WriteModel(&clean_, kDir, kNumber, o, model_).ok());
    Outcome ok = ReadEverything(&clean_, model_);
    ASSERT_TRUE(ok.opened && ok.errors.empty() && !ok.wrong_data);
    // Where the filter region is: the only bytes whose damage may go unreported.
    const std::string& index = clean_.files[kIndexPath];
    Footer f;
    ASSERT_TRUE(
        DecodeFooter(std::string_view(index).substr(index.size() - kFooterSize), kNumber, &f).ok());
    filter_begin_ = f.filter.offset;
    filter_end_ = f.filter.offset + f.filter.size;
    ASSERT_GT(filter_end_, filter_begin_);
  }

  void ExpectDetected(const Outcome& o, const std::string& path, uint64_t offset,
                      const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_FALSE(o.wrong_data);
    const bool in_filter = path == kIndexPath && offset >= filter_begin_ && offset < filter_end_;
    if (o.errors.empty()) {
      EXPECT_TRUE(in_filter && o.opened && !o.filter_usable) << "damage went unnoticed";
      return;
    }
    const std::string name = path.substr(path.rfind('/') + 1);
    for (const absl::Status& s : o.errors) {
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
      EXPECT_NE(s.message().find(name), absl::string_view::npos) << s;
      int64_t named = NamedOffset(s);
      EXPECT_GE(named, 0) << s;
      EXPECT_LE(named, static_cast<int64_t>(offset)) << s;
    }
  }

  Model model_;
  TestEnv clean_;
  uint64_t filter_begin_ = 0, filter_end_ = 0;
};

TEST_P(CorruptionTest, FlippedBytesAreDetected) {
  int tried = 0;
  for (const std::string& path : {kDataPath, kIndexPath}) {
    const size_t size = clean_.files[path].size();
    std::vector<size_t> offsets;
    // Every byte of the first block and of the footer, then a stride through the rest.
    for (size_t i = 0; i < size; i += (i < 280 || i + 200 > size) ? 1 : 1 + size / 150) {
      offsets.push_back(i);
    }
    for (size_t off : offsets) {
      TestEnv env;
      env.files = clean_.files;
      env.files[path][off] ^= static_cast<char>(off % 2 ? 0x01 : 0x80);
      ExpectDetected(ReadEverything(&env, model_), path, off,
                     path + " flipped at " + std::to_string(off));
      ++tried;
      if (HasFailure()) return;
    }
  }
  EXPECT_GT(tried, 1000);
  std::cout << "flipped " << tried << " bytes: Data.db " << clean_.files[kDataPath].size()
            << " bytes, Index.db " << clean_.files[kIndexPath].size() << " bytes\n";
}

TEST_P(CorruptionTest, CorruptFilterIsIgnored) {
  TestEnv env;
  env.files = clean_.files;
  env.files[kIndexPath][filter_begin_ + 1] ^= 0x10;
  Outcome o = ReadEverything(&env, model_);
  EXPECT_TRUE(o.opened);
  EXPECT_FALSE(o.filter_usable);
  EXPECT_TRUE(o.errors.empty());
  EXPECT_FALSE(o.wrong_data);
  auto t = SSTable::Open(&env, kDir, kNumber);
  ASSERT_TRUE(t.ok());
  for (const ModelPartition& p : model_.partitions) EXPECT_TRUE((*t)->MayContain(p.key));
}

TEST_P(CorruptionTest, TruncatedAndExtendedFilesAreRejected) {
  for (const std::string& path : {kDataPath, kIndexPath}) {
    const std::string& clean = clean_.files[path];
    for (size_t len : {size_t{0}, size_t{1}, clean.size() / 2, clean.size() - 1}) {
      TestEnv env;
      env.files = clean_.files;
      env.files[path].resize(len);
      Outcome o = ReadEverything(&env, model_);
      EXPECT_FALSE(o.wrong_data);
      ASSERT_FALSE(o.errors.empty()) << path << " truncated to " << len;
      EXPECT_EQ(o.errors[0].code(), absl::StatusCode::kDataLoss);
      EXPECT_NE(o.errors[0].message().find(path), absl::string_view::npos) << o.errors[0];
    }
    TestEnv env;
    env.files = clean_.files;
    env.files[path] += "trailing garbage";
    Outcome o = ReadEverything(&env, model_);
    ASSERT_FALSE(o.errors.empty()) << path << " extended";
    EXPECT_EQ(o.errors[0].code(), absl::StatusCode::kDataLoss);
  }
  TestEnv env;
  env.files = clean_.files;
  env.files.erase(kDataPath);
  EXPECT_EQ(SSTable::Open(&env, kDir, kNumber).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(CorruptionTest, AFileOfAnotherTableIsRejected) {
  TestEnv env;
  env.files["/db/cs-22-Data.db"] = clean_.files[kDataPath];
  env.files["/db/cs-22-Index.db"] = clean_.files[kIndexPath];
  auto t = SSTable::Open(&env, kDir, 22);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kDataLoss) << t.status();
}

INSTANTIATE_TEST_SUITE_P(Levels, CorruptionTest, testing::Values(0, 3));

// Rewrites the footer of a clean table with valid checksums but the given change.
std::string WithFooter(std::string index, const std::function<void(Footer*)>& change) {
  Footer f;
  EXPECT_TRUE(
      DecodeFooter(std::string_view(index).substr(index.size() - kFooterSize), kNumber, &f).ok());
  change(&f);
  index.resize(index.size() - kFooterSize);
  EncodeFooter(f, &index);
  return index;
}

TEST(AbsurdLengthTest, FooterRegionsAndBlockSizeAreBounded) {
  TestEnv clean;
  Model m = RandomModel(8, 5, 5);
  ASSERT_TRUE(WriteModel(&clean, kDir, kNumber, {}, m).ok());
  const std::vector<std::function<void(Footer*)>> changes = {
      [](Footer* f) { f->summary.size = uint64_t{1} << 40; },
      [](Footer* f) { f->stats.offset = UINT64_MAX - 3; },
      [](Footer* f) { f->filter.size = UINT64_MAX; },
      [](Footer* f) { f->index_end = uint64_t{1} << 40; },
      [](Footer* f) { f->block_size = 1u << 31; },
      [](Footer* f) { f->block_size = 1; },
      [](Footer* f) { f->data_size = uint64_t{1} << 40; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    TestEnv env;
    env.files = clean.files;
    env.files[kIndexPath] = WithFooter(clean.files[kIndexPath], changes[i]);
    auto t = SSTable::Open(&env, kDir, kNumber);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kDataLoss) << "change " << i;
  }
  TestEnv env;
  env.files = clean.files;
  env.files[kIndexPath] =
      WithFooter(clean.files[kIndexPath], [](Footer* f) { f->format_version = 99; });
  EXPECT_EQ(SSTable::Open(&env, kDir, kNumber).status().code(), absl::StatusCode::kUnimplemented);
}

TEST(AbsurdLengthTest, BlockFramesAreCheckedBeforeAllocating) {
  BlockDecompressor d;
  BlockBytes raw;
  size_t framed_size;
  const uint64_t seed = BlockSeed(1, SSTableFileKind::kData, 0);
  // A stored length far past the input.
  std::string frame;
  PutFixed32(&frame, 0xfffffff0u);
  PutFixed32(&frame, 0xfffffff0u);
  frame.push_back(0);
  PutFixed64(&frame, 0);
  EXPECT_EQ(d.Unframe(frame, seed, 4096, &raw, &framed_size).code(), absl::StatusCode::kDataLoss);
  // A raw size over the cap, with a valid checksum.
  frame.clear();
  BlockCompressor raw_blocks(0);
  raw_blocks.Frame(std::string(5000, 'a'), seed, &frame);
  auto s = d.Unframe(frame, seed, 4096, &raw, &framed_size);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("block size 5000"), absl::string_view::npos) << s;
  EXPECT_TRUE(d.Unframe(frame, seed, 5000, &raw, &framed_size).ok());
  // A block from another position fails its checksum.
  EXPECT_EQ(
      d.Unframe(frame, BlockSeed(1, SSTableFileKind::kData, 1), 5000, &raw, &framed_size).code(),
      absl::StatusCode::kDataLoss);
  // A zstd frame whose content size disagrees with raw_len, checksum recomputed.
  const std::string content(3000, 'z');
  std::string z(ZSTD_compressBound(content.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), content.data(), content.size(), 3));
  for (uint32_t claimed : {2999u, 3001u}) {
    frame.clear();
    PutFixed32(&frame, static_cast<uint32_t>(z.size()));
    PutFixed32(&frame, claimed);
    frame.push_back(kBlockZstd);
    frame += z;
    PutFixed64(&frame, Checksum(frame, seed));
    EXPECT_EQ(d.Unframe(frame, seed, 4096, &raw, &framed_size).code(), absl::StatusCode::kDataLoss)
        << claimed;
  }
  // An unknown compression flag.
  frame.clear();
  PutFixed32(&frame, 1);
  PutFixed32(&frame, 1);
  frame.push_back(7);
  frame.push_back('x');
  PutFixed64(&frame, Checksum(frame, seed));
  EXPECT_EQ(d.Unframe(frame, seed, 4096, &raw, &framed_size).code(), absl::StatusCode::kDataLoss);
}

TEST(AbsurdLengthTest, RecordLengthsAreBoundedByTheFile) {
  // One valid block whose record claims 2^31 bytes.
  TestEnv env;
  auto w = env.NewWritableFile("/f");
  ASSERT_TRUE(w.ok());
  {
    StreamWriter sw(w->get(), 1, SSTableFileKind::kData, 256, 0);
    std::string bytes;
    PutVarint32(&bytes, 1u << 31);
    bytes += "abc";
    ASSERT_TRUE(sw.Append(bytes).ok());
    ASSERT_TRUE(sw.Flush().ok());
  }
  BlockFile f;
  f.path = "/f";
  f.file = *env.NewRandomAccessFile("/f");
  f.file_number = 1;
  f.stream_end = f.file->Size();
  f.block_size = 256;
  BlockCache cache;
  StreamReader r(&f, &cache);
  std::string scratch;
  std::string_view record;
  auto s = r.ReadRecord(&record, &scratch);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("exceeds the rest of the file"), absl::string_view::npos) << s;
  EXPECT_LT(scratch.capacity(), 1024u);
}

// Format version 3's row flags: uniform cells need a liveness to take the timestamp
// from, and at least one cell; a one-cell row has exactly one; no other bit is known.
TEST(RowFlagsTest, ContradictoryVersion3FlagsAreRefused) {
  EncodingBases b;
  b.has_timestamp = true;
  auto decode = [&](std::string_view body) {
    std::string rec;
    PutLengthPrefixed(&rec, "c");
    rec.append(body);
    Row row;
    return DecodeRowRecord(rec, b, &row);
  };
  // Well formed: marker, uniform, one cell (gap 0, value "v"); and uniform with two.
  EXPECT_TRUE(decode(std::string("\x19\x00\x00\x01v", 5)).ok());
  EXPECT_TRUE(decode(std::string("\x09\x00\x02\x00\x01v\x00\x01w", 9)).ok());
  // Uniform cells without a liveness.
  EXPECT_EQ(decode(std::string("\x18\x00\x01v", 4)).code(), absl::StatusCode::kDataLoss);
  // Uniform cells and no cell.
  EXPECT_EQ(decode(std::string("\x09\x00\x00", 3)).code(), absl::StatusCode::kDataLoss);
  // One cell announced, two written: trailing bytes.
  EXPECT_EQ(decode(std::string("\x19\x00\x00\x01v\x00\x01w", 8)).code(),
            absl::StatusCode::kDataLoss);
  // An unknown flag bit.
  EXPECT_EQ(decode(std::string("\x21\x00\x01\x00\x04\x01v", 7)).code(),
            absl::StatusCode::kDataLoss);
}

TEST(AbsurdLengthTest, CountsInRecordsAreBoundedByTheRecord) {
  EncodingBases b;
  Row row;
  std::string rec;
  PutLengthPrefixed(&rec, "c");
  rec.push_back(0);             // no liveness, no deletion
  PutVarint32(&rec, 1u << 31);  // cells
  EXPECT_EQ(DecodeRowRecord(rec, b, &row).code(), absl::StatusCode::kDataLoss);

  std::string header;
  PutLengthPrefixed(&header, "12345678");
  header.push_back(0x02);  // range tombstones
  PutVarint32(&header, 0x7fffffff);
  std::string_view key;
  PartitionHeader h;
  EXPECT_EQ(DecodePartitionHeader(header, b, &key, &h).code(), absl::StatusCode::kDataLoss);

  std::string entry;
  PutLengthPrefixed(&entry, "12345678");
  PutVarint64(&entry, 0);
  PutVarint32(&entry, 0);
  PutVarint32(&entry, 0xfffffff0u);  // row index entries
  IndexEntry e;
  EXPECT_EQ(DecodeIndexEntry(entry, true, &e).code(), absl::StatusCode::kDataLoss);

  std::string summary;
  PutVarint64(&summary, uint64_t{1} << 60);
  std::vector<SummaryEntry> sum;
  EXPECT_EQ(DecodeSummary(summary, &sum).code(), absl::StatusCode::kDataLoss);

  SSTableStats stats;
  std::string encoded;
  EncodeStats(stats, &encoded);
  SSTableStats back;
  ASSERT_TRUE(DecodeStats(encoded, &back).ok());
  // Replace the (empty) tombstone drop time map's count with 2^50.
  std::string bad;
  for (int i = 0; i < 6; ++i) PutVarint64(&bad, 0);
  for (int i = 0; i < 4; ++i) PutLengthPrefixed(&bad, "");
  for (int i = 0; i < 6; ++i) PutVarint64(&bad, 0);
  PutVarint64(&bad, uint64_t{1} << 50);
  EXPECT_EQ(DecodeStats(bad, &back).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cassette

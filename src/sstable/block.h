// Block framing: how every data and index block is stored in an SSTable file, with its
// compression flag and checksum (docs/sstable-format.md, "Blocks").
//
//   block := stored_len:fixed32 raw_len:fixed32 compression:u8
//            stored:byte[stored_len] checksum:fixed64
//
//   raw_len      bytes of the block before compression, 1 .. block_size
//   compression  0 = stored raw (stored_len == raw_len), 1 = one zstd frame whose
//                content size is raw_len; the writer stores raw whenever zstd does not
//                make the block smaller, so stored_len <= raw_len always
//   checksum     XXH3-64 of everything before it in the block (header and stored
//                bytes), seeded with BlockSeed(file_number, file kind, block offset), so
//                a block copied from another position, file or table fails verification
//
// The checksum is verified before anything is decompressed, and raw_len is bounded by
// the table's block size (itself at most kMaxBlockSize) before any buffer is allocated.
// Do not change: on disk.
//
// Thread safety: BlockCompressor and BlockDecompressor use their thread's zstd context
// and are used by one thread at a time; the free functions are pure.

#ifndef CASSETTE_SSTABLE_BLOCK_H_
#define CASSETTE_SSTABLE_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "sstable/file_names.h"

namespace cassette {

// Do not change: on disk.
inline constexpr size_t kBlockHeaderSize = 9;
inline constexpr size_t kBlockTrailerSize = 8;
inline constexpr size_t kBlockOverhead = kBlockHeaderSize + kBlockTrailerSize;
inline constexpr uint8_t kBlockRaw = 0;
inline constexpr uint8_t kBlockZstd = 1;
// The largest block size a table may declare. Bounds every allocation a reader makes
// for one block, whatever the file says.
inline constexpr size_t kMaxBlockSize = size_t{64} << 20;
inline constexpr size_t kMinBlockSize = 64;

// XXH3-64 of fixed64(file_number) fixed64(offset) u8(kind): the seed of the checksum of
// the block (or region) that starts at `offset` of the given file. Do not change: on disk.
uint64_t BlockSeed(uint64_t file_number, SSTableFileKind kind, uint64_t offset);
// XXH3-64 of `bytes` with `seed`. Do not change: on disk.
uint64_t Checksum(std::string_view bytes, uint64_t seed);

// DataLoss "<path>: corrupt SSTable: <what> at offset <offset>".
absl::Status CorruptionAt(const std::string& path, uint64_t offset, std::string_view what);

class BlockCompressor {
 public:
  // zstd_level 0 stores every block raw; any other level is passed to zstd.
  explicit BlockCompressor(int zstd_level);
  ~BlockCompressor();
  BlockCompressor(const BlockCompressor&) = delete;
  BlockCompressor& operator=(const BlockCompressor&) = delete;

  // Appends the framed block holding `raw` to *out. REQUIRES: 0 < raw.size() <= kMaxBlockSize.
  void Frame(std::string_view raw, uint64_t seed, std::string* out);

 private:
  int level_;
  std::string scratch_;
};

// A decompressed block's bytes. Unlike std::string, resizing does not zero-fill what the
// decompressor is about to overwrite: on a point read that misses the cache, zeroing a
// 16 KiB block cost a tenth of the decompression itself.
class BlockBytes {
 public:
  // The contents are unspecified until the caller writes all `n` bytes.
  void ResizeForOverwrite(size_t n) {
    if (n > capacity_) {
      data_ = std::make_unique_for_overwrite<char[]>(n);
      capacity_ = n;
    }
    size_ = n;
  }
  void Assign(std::string_view bytes) {
    ResizeForOverwrite(bytes.size());
    if (!bytes.empty()) std::memcpy(data_.get(), bytes.data(), bytes.size());
  }
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const char* data() const { return data_.get(); }
  char* data() { return data_.get(); }
  char operator[](size_t i) const { return data_[i]; }
  operator std::string_view() const { return std::string_view(data_.get(), size_); }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

class BlockDecompressor {
 public:
  BlockDecompressor();
  ~BlockDecompressor();
  BlockDecompressor(const BlockDecompressor&) = delete;
  BlockDecompressor& operator=(const BlockDecompressor&) = delete;

  // Parses the block at the start of `in` (which may continue past it), verifies its
  // checksum and stores its raw bytes in *raw and its framed size in *framed_size.
  // Rejects raw_len == 0 or > max_raw, stored_len > raw_len or past the end of `in`,
  // before allocating. On failure returns DataLoss whose message says what was wrong
  // (the caller names the file and offset).
  absl::Status Unframe(std::string_view in, uint64_t seed, size_t max_raw, BlockBytes* raw,
                       size_t* framed_size);

 private:
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_BLOCK_H_

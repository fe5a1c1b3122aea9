// Block streams: an SSTable file's records form one byte stream that is cut into blocks
// of exactly block_size raw bytes (the last block may be shorter) and framed by block.h.
// Records may span blocks, so a row of any size fits and every block but the last has
// the same raw size.
//
//   record   := length:varint32 payload:byte[length]
//   position := (block_offset, in_block): the file offset of the block holding the
//               record's first byte and the record's offset within that block's raw bytes
//
// The next block starts where the current one's frame ends, so a reader needs no block
// table: it follows frames from any position it was given.
//
// Thread safety: StreamWriter and StreamReader are used by one thread at a time;
// BlockFile is immutable after construction and may be shared (its counters are atomic).

#ifndef CASSETTE_SSTABLE_BLOCK_STREAM_H_
#define CASSETTE_SSTABLE_BLOCK_STREAM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cassette/env.h"
#include "sstable/block.h"
#include "sstable/file_names.h"

namespace cassette {

class SharedBlockCache;

struct StreamPosition {
  uint64_t block_offset = 0;
  uint32_t in_block = 0;
  friend bool operator==(const StreamPosition&, const StreamPosition&) = default;
};

// ---------------------------------------------------------------- writing

class StreamWriter {
 public:
  // Blocks are appended to `file` starting at its current size.
  StreamWriter(WritableFile* file, uint64_t file_number, SSTableFileKind kind, size_t block_size,
               int zstd_level);

  // Where the next appended byte will be.
  StreamPosition position() const { return {file_size_, static_cast<uint32_t>(buffered_)}; }
  [[nodiscard]] absl::Status Append(std::string_view bytes);
  // Appends a record. REQUIRES: payload.size() <= UINT32_MAX.
  [[nodiscard]] absl::Status AppendRecord(std::string_view payload);
  // Writes the partially filled last block, if any.
  [[nodiscard]] absl::Status Flush();
  // Every block written from now on is also inserted into `cache` (not owned; null for
  // none), as a reader would after reading it back: what was just written is often
  // read next.
  void CacheWrittenBlocks(SharedBlockCache* cache) { cache_ = cache; }

  uint64_t raw_bytes() const { return raw_bytes_; }
  // Bytes appended to the file plus the buffered raw bytes (an estimate of the final size).
  uint64_t estimated_file_bytes() const { return file_size_ + buffered_; }

 private:
  absl::Status WriteBlock();

  WritableFile* file_;
  uint64_t file_number_;
  SSTableFileKind kind_;
  size_t block_size_;
  BlockCompressor compressor_;
  // The raw bytes of the block being filled: buffer_[0, buffered_), buffered_ <
  // block_size_ between calls. A plain array: records are copied in with memcpy.
  std::unique_ptr<char[]> buffer_;
  size_t buffered_ = 0;
  std::string framed_;
  uint64_t raw_bytes_ = 0;
  // file_->Size(), kept here: only this writer appends to the file while it is used,
  // and the position is asked for at every partition.
  uint64_t file_size_;
  SharedBlockCache* cache_ = nullptr;
};

// ---------------------------------------------------------------- reading

struct Block {
  uint64_t offset = 0;  // file offset of the frame
  uint64_t next = 0;    // file offset of the next frame
  BlockBytes raw;
};

// Counters of what readers actually fetched from a table's files (cache hits excluded).
struct BlockReadCounters {
  std::atomic<uint64_t> blocks{0};
  std::atomic<uint64_t> bytes{0};
};

// One opened file of a table and the extent of its block stream.
struct BlockFile {
  std::string path;
  std::unique_ptr<RandomAccessFile> file;
  uint64_t file_number = 0;
  SSTableFileKind kind = SSTableFileKind::kData;
  uint64_t stream_end = 0;  // blocks occupy [0, stream_end)
  size_t block_size = 0;    // max raw bytes of a block
  BlockReadCounters* counters = nullptr;
  // Bytes a block read asks for first (0: MaxFrameBytes). Set from the table's average
  // frame with a margin, so a miss copies about the compressed block, not block_size
  // bytes; the rare longer frame costs a second read for the rest.
  size_t first_read = 0;

  // The most file bytes the frame of one block can take from `offset` on (the stream's
  // end permitting). REQUIRES: offset < stream_end.
  size_t MaxFrameBytes(uint64_t offset) const;
  // Reads, verifies and decompresses the block framed at `offset`; *framed is scratch
  // for the file bytes (reused, so a miss neither allocates nor zero-fills them).
  absl::StatusOr<std::shared_ptr<const Block>> Read(uint64_t offset,
                                                    BlockDecompressor* decompressor,
                                                    std::string* framed) const;
  // The same from `framed`, this file's bytes from `offset` on (MaxFrameBytes of them,
  // fewer only if the file is short).
  absl::StatusOr<std::shared_ptr<const Block>> Parse(uint64_t offset, std::string_view framed,
                                                     BlockDecompressor* decompressor) const;
};

// A reader's small cache of recently used blocks, so walking a partition's header and
// then its rows, or consecutive index lookups, do not fetch a block twice.

// A reader's own few most recent blocks, in front of the database's SharedBlockCache
// (if any). Not thread-safe: one per Source.
class BlockCache {
 public:
  explicit BlockCache(SharedBlockCache* shared = nullptr) : shared_(shared) {}
  // For a reader that visits a file's blocks once, in order (compaction's scans): each
  // file read fetches `readahead_bytes` (several blocks) at once, and blocks read are
  // not added to the shared cache, which they would only fill with blocks about to
  // become obsolete (RocksDB's fill_cache = false for compaction reads). Blocks already
  // in the shared cache are still used.
  BlockCache(SharedBlockCache* shared, size_t readahead_bytes)
      : shared_(shared), readahead_(readahead_bytes) {}
  absl::StatusOr<std::shared_ptr<const Block>> Get(const BlockFile& file, uint64_t offset);

 private:
  // Reads the block at `offset` through the read-ahead buffer.
  absl::StatusOr<std::shared_ptr<const Block>> ReadAhead(const BlockFile& file, uint64_t offset);

  SharedBlockCache* const shared_;
  const size_t readahead_ = 0;  // 0: read block by block and fill the shared cache
  const BlockFile* ahead_file_ = nullptr;
  uint64_t ahead_offset_ = 0;  // file offset of ahead_[0]
  std::string ahead_;
  struct Slot {
    const BlockFile* file = nullptr;
    std::shared_ptr<const Block> block;
  };
  static constexpr size_t kSlots = 4;
  Slot slots_[kSlots];
  size_t next_victim_ = 0;
  BlockDecompressor decompressor_;
};

class StreamReader {
 public:
  // `file` and `cache` must outlive the reader.
  StreamReader(const BlockFile* file, BlockCache* cache) : file_(file), cache_(cache) {}

  // Positions the reader; the block is fetched by the next read.
  void Seek(StreamPosition p);
  // True if no byte follows the current position in the stream.
  absl::StatusOr<bool> AtEnd();
  // Reads one record. *payload views either the current block (valid until the reader
  // moves to another block) or *scratch. A zero-length record gives an empty payload.
  absl::Status ReadRecord(std::string_view* payload, std::string* scratch);
  // File offset of the block being read (for error messages).
  uint64_t block_offset() const { return block_ ? block_->offset : seek_.block_offset; }
  // The position of the next byte.
  StreamPosition position() const;
  const std::string& path() const { return file_->path; }

 private:
  absl::Status EnsureBlock();
  absl::Status NextBlock();
  absl::Status ReadVarint32(uint32_t* v);
  // An upper bound on the raw bytes after the current position: each further frame
  // holds at most block_size raw bytes in at least kBlockOverhead + 1 file bytes.
  uint64_t RemainingBound() const;

  const BlockFile* file_;
  BlockCache* cache_;
  StreamPosition seek_;
  std::shared_ptr<const Block> block_;  // null until EnsureBlock
  size_t pos_ = 0;                      // in block_->raw
};

}  // namespace cassette

#endif  // CASSETTE_SSTABLE_BLOCK_STREAM_H_

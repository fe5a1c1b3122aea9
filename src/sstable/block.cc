#include "sstable/block.h"

#include <zstd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "util/coding.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace cassette {

uint64_t BlockSeed(uint64_t file_number, SSTableFileKind kind, uint64_t offset) {
  char buf[17];
  EncodeFixed64(buf, file_number);
  EncodeFixed64(buf + 8, offset);
  buf[16] = static_cast<char>(kind);
  return XXH3_64bits(buf, sizeof(buf));
}

uint64_t Checksum(std::string_view bytes, uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

absl::Status CorruptionAt(const std::string& path, uint64_t offset, std::string_view what) {
  return absl::DataLossError(
      absl::StrCat(path, ": corrupt SSTable: ", std::string(what), " at offset ", offset));
}

// One compression context per thread, made on first use and shared by every compressor
// on the thread: each block is a frame of its own, compressed at the compressor's level
// (ZSTD_compressCCtx ignores what the context did before), so sharing changes no byte.
// A writer has two streams (data and index) and a compaction may alternate between
// them at every partition: one context keeps one set of match tables in the cache.
// Null if zstd could not allocate it (asked again at the next call): the block is then
// stored uncompressed, which any reader accepts.
static ZSTD_CCtx* ThreadCCtx() {
  struct Holder {
    ZSTD_CCtx* ctx = nullptr;
    ~Holder() { ZSTD_freeCCtx(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr) holder.ctx = ZSTD_createCCtx();
  return holder.ctx;
}

BlockCompressor::BlockCompressor(int zstd_level) : level_(zstd_level) {}

BlockCompressor::~BlockCompressor() = default;

void BlockCompressor::Frame(std::string_view raw, uint64_t seed, std::string* out) {
  const size_t start = out->size();
  std::string_view stored = raw;
  uint8_t compression = kBlockRaw;
  ZSTD_CCtx* const cctx = level_ != 0 ? ThreadCCtx() : nullptr;
  if (cctx != nullptr) {
    scratch_.resize(ZSTD_compressBound(raw.size()));
    size_t n =
        ZSTD_compressCCtx(cctx, scratch_.data(), scratch_.size(), raw.data(), raw.size(), level_);
    // Keep zstd's output only if it saves space: then stored_len <= raw_len always holds
    // and a reader can bound the stored size by the block size.
    if (!ZSTD_isError(n) && n < raw.size()) {
      stored = std::string_view(scratch_.data(), n);
      compression = kBlockZstd;
    }
  }
  PutFixed32(out, static_cast<uint32_t>(stored.size()));
  PutFixed32(out, static_cast<uint32_t>(raw.size()));
  out->push_back(static_cast<char>(compression));
  out->append(stored);
  PutFixed64(out, Checksum(std::string_view(*out).substr(start), seed));
}

// One decompression context per thread, made on first use: every read creates block
// readers, and a context per reader cost ~19% of a point read's CPU.
// Null if zstd could not allocate it (asked again at the next call).
static ZSTD_DCtx* ThreadDCtx() {
  struct Holder {
    ZSTD_DCtx* ctx = nullptr;
    ~Holder() { ZSTD_freeDCtx(ctx); }
  };
  thread_local Holder holder;
  if (holder.ctx == nullptr) holder.ctx = ZSTD_createDCtx();
  return holder.ctx;
}

BlockDecompressor::BlockDecompressor() = default;

BlockDecompressor::~BlockDecompressor() = default;

absl::Status BlockDecompressor::Unframe(std::string_view in, uint64_t seed, size_t max_raw,
                                        BlockBytes* raw, size_t* framed_size) {
  if (in.size() < kBlockOverhead) return absl::DataLossError("block header truncated");
  const uint64_t stored_len = DecodeFixed32(in.data());
  const uint64_t raw_len = DecodeFixed32(in.data() + 4);
  const uint8_t compression = static_cast<uint8_t>(in[8]);
  // Lengths are checked against what exists before the checksum is computed over them,
  // and against the table's block size before anything is allocated.
  if (stored_len > in.size() - kBlockOverhead) {
    return absl::DataLossError(absl::StrCat("block length ", stored_len, " past end of file"));
  }
  const size_t framed = kBlockOverhead + stored_len;
  std::string_view covered = in.substr(0, kBlockHeaderSize + stored_len);
  if (DecodeFixed64(in.data() + covered.size()) != Checksum(covered, seed)) {
    return absl::DataLossError("block checksum mismatch");
  }
  if (raw_len == 0 || raw_len > max_raw) {
    return absl::DataLossError(
        absl::StrCat("block size ", raw_len, " outside 1..", max_raw, " (the table's block size)"));
  }
  if (stored_len > raw_len) return absl::DataLossError("stored block larger than its raw size");
  std::string_view stored = in.substr(kBlockHeaderSize, stored_len);
  if (compression == kBlockRaw) {
    if (stored_len != raw_len) return absl::DataLossError("raw block length mismatch");
    raw->Assign(stored);
  } else if (compression == kBlockZstd) {
    unsigned long long content = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (content != raw_len) {
      return absl::DataLossError("zstd frame content size does not match block size");
    }
    ZSTD_DCtx* const dctx = ThreadDCtx();
    if (dctx == nullptr) {
      return absl::ResourceExhaustedError("zstd could not allocate a decompression context");
    }
    // A block of the usual size is decompressed into a per-thread buffer that stays in
    // the CPU's caches, then copied out: zstd writing straight into the block's fresh
    // (cold) memory stalled on every line it touched, and one bulk copy pays for those
    // lines faster (P2's cache misses, docs/benchmarks.md). Larger blocks go straight in,
    // so no thread keeps a large buffer.
    constexpr size_t kScratchMax = 256 << 10;
    thread_local BlockBytes scratch;
    BlockBytes* out = raw_len <= kScratchMax ? &scratch : raw;
    out->ResizeForOverwrite(raw_len);
    size_t n = ZSTD_decompressDCtx(dctx, out->data(), out->size(), stored.data(), stored.size());
    if (ZSTD_isError(n) || n != raw_len) {
      raw->clear();
      return absl::DataLossError("zstd decompression failed");
    }
    if (out != raw) raw->Assign(*out);
  } else {
    return absl::DataLossError(absl::StrCat("unknown block compression ", int{compression}));
  }
  *framed_size = framed;
  return absl::OkStatus();
}

}  // namespace cassette

#include "sstable/block_stream.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "sstable/block_cache.h"
#include "util/coding.h"

namespace cassette {

// ---------------------------------------------------------------- StreamWriter

StreamWriter::StreamWriter(WritableFile* file, uint64_t file_number, SSTableFileKind kind,
                           size_t block_size, int zstd_level)
    : file_(file),
      file_number_(file_number),
      kind_(kind),
      block_size_(block_size),
      compressor_(zstd_level),
      file_size_(file->Size()) {
  buffer_ = std::make_unique_for_overwrite<char[]>(block_size_);
}

absl::Status StreamWriter::Append(std::string_view bytes) {
  raw_bytes_ += bytes.size();
  while (!bytes.empty()) {
    size_t take = std::min(block_size_ - buffered_, bytes.size());
    std::memcpy(buffer_.get() + buffered_, bytes.data(), take);
    buffered_ += take;
    bytes.remove_prefix(take);
    // Flushing as soon as a block is full keeps position().in_block < block_size, so
    // a recorded position always names the block its record starts in.
    if (buffered_ == block_size_) {
      if (auto s = WriteBlock(); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status StreamWriter::AppendRecord(std::string_view payload) {
  char len[kMaxVarint32Length];
  char* end = EncodeVarint32(len, static_cast<uint32_t>(payload.size()));
  const size_t n = static_cast<size_t>(end - len);
  if (buffered_ + n + payload.size() < block_size_) {
    // Fits in the open block without filling it: Append's work without its loop.
    char* p = buffer_.get() + buffered_;
    std::memcpy(p, len, n);
    if (!payload.empty()) std::memcpy(p + n, payload.data(), payload.size());
    buffered_ += n + payload.size();
    raw_bytes_ += n + payload.size();
    return absl::OkStatus();
  }
  if (auto s = Append(std::string_view(len, end - len)); !s.ok()) return s;
  return Append(payload);
}

absl::Status StreamWriter::Flush() {
  if (buffered_ == 0) return absl::OkStatus();
  return WriteBlock();
}

absl::Status StreamWriter::WriteBlock() {
  framed_.clear();
  const std::string_view raw(buffer_.get(), buffered_);
  const uint64_t offset = file_size_;
  compressor_.Frame(raw, BlockSeed(file_number_, kind_, offset), &framed_);
  buffered_ = 0;  // raw still views the buffer: nothing is appended to it below
  if (auto s = file_->Append(framed_); !s.ok()) return s;
  file_size_ += framed_.size();
  if (cache_ != nullptr) {
    // The block a reader would get back: same bytes, same extent in the file. Only once
    // the append succeeded; a table whose write fails later leaves entries that no
    // reader asks for (file numbers are never reused) and that age out.
    auto block = std::make_shared<Block>();
    block->offset = offset;
    block->next = file_size_;
    block->raw.Assign(raw);
    cache_->Insert({file_number_, static_cast<uint8_t>(kind_), offset}, std::move(block));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------- BlockFile

size_t BlockFile::MaxFrameBytes(uint64_t offset) const {
  // stored_len <= raw_len <= block_size, clipped to the stream: the header's lengths
  // are then checked against what was read.
  return static_cast<size_t>(std::min<uint64_t>(stream_end - offset, kBlockOverhead + block_size));
}

absl::StatusOr<std::shared_ptr<const Block>> BlockFile::Read(uint64_t offset,
                                                             BlockDecompressor* decompressor,
                                                             std::string* framed) const {
  if (offset >= stream_end) return CorruptionAt(path, offset, "block offset past end of blocks");
  const size_t max = MaxFrameBytes(offset);
  const size_t first = first_read == 0 ? max : std::min(first_read, max);
  if (auto s = file->Read(offset, first, framed); !s.ok()) return s;
  if (framed->size() == first && first < max && first >= 4) {
    // The frame's stored length (untrusted: only sizes this read, Parse checks it) says
    // whether the rest of it is still in the file.
    const uint64_t need = std::min<uint64_t>(kBlockOverhead + DecodeFixed32(framed->data()), max);
    if (need > first) {
      std::string rest;
      if (auto s = file->Read(offset + first, need - first, &rest); !s.ok()) return s;
      framed->append(rest);
    }
  }
  if (counters != nullptr) counters->bytes.fetch_add(framed->size(), std::memory_order_relaxed);
  return Parse(offset, *framed, decompressor);
}

absl::StatusOr<std::shared_ptr<const Block>> BlockFile::Parse(
    uint64_t offset, std::string_view framed, BlockDecompressor* decompressor) const {
  if (counters != nullptr) counters->blocks.fetch_add(1, std::memory_order_relaxed);
  auto block = std::make_shared<Block>();
  size_t framed_size = 0;
  absl::Status s = decompressor->Unframe(framed, BlockSeed(file_number, kind, offset), block_size,
                                         &block->raw, &framed_size);
  if (!s.ok()) return CorruptionAt(path, offset, std::string(s.message()));
  block->offset = offset;
  block->next = offset + framed_size;
  return std::shared_ptr<const Block>(std::move(block));
}

// ---------------------------------------------------------------- BlockCache

absl::StatusOr<std::shared_ptr<const Block>> BlockCache::Get(const BlockFile& file,
                                                             uint64_t offset) {
  for (const Slot& s : slots_) {
    if (s.file == &file && s.block->offset == offset) return s.block;
  }
  const SharedBlockCache::Key key{file.file_number, static_cast<uint8_t>(file.kind), offset};
  std::shared_ptr<const Block> cached = shared_ != nullptr ? shared_->Lookup(key) : nullptr;
  const bool hit = cached != nullptr;
  // The frame's bytes are only needed until Parse has decompressed them, so one buffer
  // per thread serves every reader: a BlockCache lives for one read, and a buffer of its
  // own was a fresh allocation, zero-filled by resize and cold in the CPU's caches when
  // pread copied into it, on every read that missed.
  thread_local std::string framed;
  absl::StatusOr<std::shared_ptr<const Block>> block =
      hit          ? absl::StatusOr<std::shared_ptr<const Block>>(std::move(cached))
      : readahead_ ? ReadAhead(file, offset)
                   : file.Read(offset, &decompressor_, &framed);
  if (!block.ok()) return block.status();
  if (shared_ != nullptr && !hit && readahead_ == 0) shared_->Insert(key, *block);
  slots_[next_victim_] = Slot{&file, *block};
  next_victim_ = (next_victim_ + 1) % kSlots;
  return *block;
}

absl::StatusOr<std::shared_ptr<const Block>> BlockCache::ReadAhead(const BlockFile& file,
                                                                   uint64_t offset) {
  if (offset >= file.stream_end) {
    return CorruptionAt(file.path, offset, "block offset past end of blocks");
  }
  const size_t want = file.MaxFrameBytes(offset);
  if (ahead_file_ != &file || offset < ahead_offset_ ||
      offset - ahead_offset_ + want > ahead_.size()) {
    // Re-reads from `offset`: the tail of the last read holds at most part of a frame.
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>(file.stream_end - offset, std::max(readahead_, want)));
    ahead_file_ = nullptr;
    if (auto s = file.file->Read(offset, n, &ahead_); !s.ok()) return s;
    if (file.counters != nullptr) {
      file.counters->bytes.fetch_add(ahead_.size(), std::memory_order_relaxed);
    }
    ahead_file_ = &file;
    ahead_offset_ = offset;
  }
  // A short file leaves fewer bytes than `want`: Parse reports the truncated frame.
  return file.Parse(offset, std::string_view(ahead_).substr(offset - ahead_offset_, want),
                    &decompressor_);
}

// ---------------------------------------------------------------- StreamReader

void StreamReader::Seek(StreamPosition p) {
  if (block_ != nullptr && block_->offset == p.block_offset && p.in_block <= block_->raw.size()) {
    pos_ = p.in_block;  // same block: no fetch
    return;
  }
  seek_ = p;
  block_.reset();
  pos_ = 0;
}

absl::Status StreamReader::EnsureBlock() {
  if (block_ != nullptr) return absl::OkStatus();
  auto b = cache_->Get(*file_, seek_.block_offset);
  if (!b.ok()) return b.status();
  if (seek_.in_block > (*b)->raw.size()) {
    return CorruptionAt(file_->path, seek_.block_offset, "position past end of block");
  }
  block_ = *std::move(b);
  pos_ = seek_.in_block;
  return absl::OkStatus();
}

absl::Status StreamReader::NextBlock() {
  if (block_->next >= file_->stream_end) {
    return CorruptionAt(file_->path, block_->offset, "record runs past the last block");
  }
  auto b = cache_->Get(*file_, block_->next);
  if (!b.ok()) return b.status();
  block_ = *std::move(b);
  pos_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<bool> StreamReader::AtEnd() {
  if (auto s = EnsureBlock(); !s.ok()) return s;
  return pos_ == block_->raw.size() && block_->next >= file_->stream_end;
}

StreamPosition StreamReader::position() const {
  if (block_ == nullptr) return seek_;
  return {block_->offset, static_cast<uint32_t>(pos_)};
}

uint64_t StreamReader::RemainingBound() const {
  uint64_t rest = block_->raw.size() - pos_;
  uint64_t frames =
      (file_->stream_end - std::min(block_->next, file_->stream_end)) / (kBlockOverhead + 1);
  return rest + frames * file_->block_size;
}

absl::Status StreamReader::ReadVarint32(uint32_t* v) {
  if (auto s = EnsureBlock(); !s.ok()) return s;
  const char* p = block_->raw.data() + pos_;
  const char* limit = block_->raw.data() + block_->raw.size();
  // Record lengths mostly take one or two bytes: decoded here, with GetVarint32Ptr's
  // rules (a final zero byte after the first is not the shortest form).
  if (limit - p >= 2) {
    const uint8_t b0 = static_cast<uint8_t>(p[0]), b1 = static_cast<uint8_t>(p[1]);
    if (b0 < 0x80) {
      *v = b0;
      pos_ += 1;
      return absl::OkStatus();
    }
    if (b1 < 0x80 && b1 != 0) {
      *v = (b0 & 0x7fu) | uint32_t{b1} << 7;
      pos_ += 2;
      return absl::OkStatus();
    }
  }
  if (const char* q = GetVarint32Ptr(p, limit, v); q != nullptr) {
    pos_ += q - p;
    return absl::OkStatus();
  }
  // The varint may continue in the next block: gather its bytes one at a time.
  char buf[kMaxVarint32Length];
  size_t n = 0;
  while (n < sizeof(buf)) {
    if (pos_ == block_->raw.size()) {
      if (auto s = NextBlock(); !s.ok()) return s;
    }
    char c = block_->raw[pos_++];
    buf[n++] = c;
    if ((static_cast<uint8_t>(c) & 0x80) == 0) break;
  }
  if (GetVarint32Ptr(buf, buf + n, v) == nullptr) {
    return CorruptionAt(file_->path, block_->offset, "malformed record length");
  }
  return absl::OkStatus();
}

absl::Status StreamReader::ReadRecord(std::string_view* payload, std::string* scratch) {
  uint32_t len;
  if (auto s = ReadVarint32(&len); !s.ok()) return s;
  if (len == 0) {
    *payload = std::string_view();
    return absl::OkStatus();
  }
  // A record that starts exactly at a block boundary is then a view into one block.
  if (pos_ == block_->raw.size()) {
    if (auto s = NextBlock(); !s.ok()) return s;
  }
  if (block_->raw.size() - pos_ >= len) {
    *payload = std::string_view(block_->raw).substr(pos_, len);
    pos_ += len;
    // Rows are walked in order from the partition's start: fetching the next lines
    // while this record is decoded hides most of the memory latency of the walk.
    if (block_->raw.size() - pos_ > 128) {
      __builtin_prefetch(block_->raw.data() + pos_ + 64);
      __builtin_prefetch(block_->raw.data() + pos_ + 128);
    }
    return absl::OkStatus();
  }
  // Rejects an absurd length before reading (or allocating) anything for it.
  if (len > RemainingBound()) {
    return CorruptionAt(file_->path, block_->offset,
                        absl::StrCat("record length ", len, " exceeds the rest of the file"));
  }
  scratch->clear();
  while (scratch->size() < len) {
    if (pos_ == block_->raw.size()) {
      if (auto s = NextBlock(); !s.ok()) return s;
    }
    size_t take = std::min<size_t>(len - scratch->size(), block_->raw.size() - pos_);
    scratch->append(block_->raw.data() + pos_, take);
    pos_ += take;
  }
  *payload = *scratch;
  return absl::OkStatus();
}

}  // namespace cassette

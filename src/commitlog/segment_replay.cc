#include "commitlog/segment_replay.h"

#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "commitlog/log_record.h"
#include "commitlog/segment_names.h"
#include "util/coding.h"

namespace cassette {
namespace {

// Reads a segment through a read-ahead window so that replaying many small records costs
// one Env read per window rather than two per record.
class WindowedReader {
 public:
  explicit WindowedReader(const RandomAccessFile* file) : file_(file) {}

  // Sets *out to bytes [offset, offset + n), fewer only where the file ends. *out stays
  // valid until the next call.
  absl::Status Read(uint64_t offset, size_t n, std::string_view* out) {
    if (offset < window_offset_ || offset + n > window_offset_ + window_.size()) {
      absl::Status s = file_->Read(offset, std::max(n, kReadAhead), &window_);
      if (!s.ok()) return s;
      window_offset_ = offset;
    }
    const size_t start = static_cast<size_t>(offset - window_offset_);
    *out = std::string_view(window_).substr(start, n);
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kReadAhead = 256 << 10;
  const RandomAccessFile* const file_;
  std::string window_;
  uint64_t window_offset_ = 0;
};

// How a scan of one segment ended.
struct ScanEnd {
  enum Kind {
    kClean,    // every byte belonged to an intact record
    kTorn,     // what a crash mid-append leaves: a partial or final checksum-failing record
    kDamaged,  // anything else
    // An intact header of an older format version: not damage, so neither cut nor
    // salvaged; Open fails.
    kUnsupported,
  };
  Kind kind = kClean;
  uint64_t offset = 0;  // where the bad bytes start
  std::string what;
};

ScanEnd Torn(uint64_t offset, std::string what) {
  return ScanEnd{ScanEnd::kTorn, offset, std::move(what)};
}
ScanEnd Damaged(uint64_t offset, std::string what) {
  return ScanEnd{ScanEnd::kDamaged, offset, std::move(what)};
}
ScanEnd Unsupported(std::string what) { return ScanEnd{ScanEnd::kUnsupported, 0, std::move(what)}; }

// Reads the segment and hands intact records to `replay` until the end or the first bad
// byte. Returns an error only for I/O errors and callback errors.
absl::Status Scan(const RandomAccessFile& file, uint64_t size, uint64_t segment_id,
                  const CommitLog::ReplayFn& replay, ReplayReport* report, ScanEnd* end) {
  WindowedReader reader(&file);
  std::string_view bytes;
  absl::Status s = reader.Read(0, kSegmentHeaderSize, &bytes);
  if (!s.ok()) return s;
  if (bytes.size() < kSegmentHeaderSize) {
    *end = Torn(0, absl::StrCat("partial segment header (", bytes.size(), " of ",
                                kSegmentHeaderSize, " bytes)"));
    return absl::OkStatus();
  }
  s = CheckSegmentHeader(bytes, segment_id);
  if (absl::IsFailedPrecondition(s)) {
    *end = Unsupported(std::string(s.message()));
    return absl::OkStatus();
  }
  if (!s.ok()) {
    // With nothing after it, a bad header may be a crash while the segment was being
    // created, and dropping it loses no record.
    const std::string what = absl::StrCat("bad segment header: ", s.message());
    *end = size == kSegmentHeaderSize ? Torn(0, what) : Damaged(0, what);
    return absl::OkStatus();
  }

  uint64_t offset = kSegmentHeaderSize;
  while (offset < size) {
    const uint64_t remaining = size - offset;
    if (remaining < kRecordHeaderSize) {
      *end = Torn(offset, absl::StrCat("partial record header (", remaining, " of ",
                                       kRecordHeaderSize, " bytes)"));
      return absl::OkStatus();
    }
    s = reader.Read(offset, kRecordHeaderSize, &bytes);
    if (!s.ok()) return s;
    if (bytes.size() < kRecordHeaderSize) {
      *end = Torn(offset, "file ended inside a record header");
      return absl::OkStatus();
    }
    const uint32_t length = DecodeFixed32(bytes.data());
    const uint32_t stored_length_check = DecodeFixed32(bytes.data() + 4);
    const uint64_t stored_checksum = DecodeFixed64(bytes.data() + 8);
    // A whole header is never torn (an append is a prefix of the record, and the header
    // comes first), so a length failing its check is damage even if it points past the
    // end of the file: calling it a torn tail would cut off every record after it.
    if (RecordLengthCheck(segment_id, offset, length) != stored_length_check) {
      *end = Damaged(offset, absl::StrCat("damaged record header: length field ", length,
                                          " fails its length check"));
      return absl::OkStatus();
    }
    // The length is now trusted, so a record running past the end of the file is a torn
    // final append. Checked before anything is read or allocated.
    if (length > remaining - kRecordHeaderSize) {
      *end = Torn(offset, absl::StrCat("partial record (length ", length, ", but only ",
                                       remaining - kRecordHeaderSize, " bytes follow)"));
      return absl::OkStatus();
    }
    std::string_view payload;
    s = reader.Read(offset + kRecordHeaderSize, length, &payload);
    if (!s.ok()) return s;
    if (payload.size() < length) {
      *end = Torn(offset, "file ended inside a record");
      return absl::OkStatus();
    }
    const uint64_t record_end = offset + kRecordHeaderSize + length;
    if (RecordChecksum(segment_id, offset, payload) != stored_checksum) {
      if (record_end == size) {
        *end = Torn(offset,
                    absl::StrCat("checksum mismatch in the final record (length ", length, ")"));
      } else {
        *end = Damaged(offset, absl::StrCat("checksum mismatch in record (length ", length,
                                            "), followed by ", size - record_end, " more bytes"));
      }
      return absl::OkStatus();
    }
    if (replay) {
      s = replay(payload, LogPosition{segment_id, record_end});
      if (!s.ok()) return s;
    }
    ++report->records;
    report->bytes += length;
    offset = record_end;
  }
  *end = ScanEnd{};
  return absl::OkStatus();
}

}  // namespace

absl::Status ReplaySegment(Env* env, const std::string& dir, uint64_t segment_id, bool is_last,
                           bool salvage, const CommitLog::ReplayFn& replay, ReplayReport* report,
                           SegmentReplayResult* result) {
  const std::string path = SegmentPath(dir, segment_id);
  uint64_t size = 0;
  ScanEnd end;
  {
    absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = env->NewRandomAccessFile(path);
    if (!file.ok()) return file.status();
    size = (*file)->Size();
    ++report->segments;
    absl::Status s = Scan(**file, size, segment_id, replay, report, &end);
    if (!s.ok()) return s;
  }  // The file is closed before it is cut.

  *result = SegmentReplayResult{.removed = false, .size = size};
  if (end.kind == ScanEnd::kClean) return absl::OkStatus();
  if (end.kind == ScanEnd::kUnsupported) {
    return absl::FailedPreconditionError(
        absl::StrCat("commit log segment ", path, " at offset 0: ", end.what));
  }

  if (end.kind == ScanEnd::kTorn && is_last) {
    const uint64_t dropped = size - end.offset;
    absl::Status s;
    if (end.offset < kSegmentHeaderSize) {
      // No header, so no record: a zero-length stub would fail the next replay, once it is
      // no longer the last segment.
      s = env->RemoveFile(path);
      result->removed = true;
    } else {
      s = env->TruncateFile(path, end.offset);
      result->size = end.offset;
      ++report->torn_tail_records_dropped;
    }
    // The cut must be durable before new segments follow this one: a torn tail that
    // reappeared after a crash would no longer be at the end of the log. TruncateFile is
    // durable when it returns (PosixEnv fsyncs the file); a removal needs the folder synced.
    if (s.ok() && result->removed) s = env->SyncDir(dir);
    if (!s.ok()) return s;
    report->torn_tail_bytes_dropped += dropped;
    report->notes.push_back(absl::StrCat("torn tail: ", result->removed ? "removed " : "cut ",
                                         dropped, " bytes of ", path, " at offset ", end.offset,
                                         ": ", end.what));
    return absl::OkStatus();
  }

  // Damage that a crash cannot explain: the bytes were synced before the next segment was
  // started, or valid data follows them.
  const std::string where = absl::StrCat(path, " at offset ", end.offset, ": ", end.what);
  if (!salvage) {
    return absl::DataLossError(absl::StrCat("commit log corrupted: ", where,
                                            " (open with salvage to skip the damaged rest of "
                                            "the segment)"));
  }
  report->salvaged_bytes_skipped += size - end.offset;
  report->notes.push_back(
      absl::StrCat("salvage: skipped the last ", size - end.offset, " bytes of ", where));
  return absl::OkStatus();
}

}  // namespace cassette

// The commit log's on-disk framing: the segment header and the record header.
// Byte-level spec with a picture and a hex dump: docs/commitlog-format.md.
//
//   segment        := header record*
//   header         := magic[8] = "CASSCLOG"  version:fixed32 = 4  segment_id:fixed64
//   record         := length:fixed32  length_check:fixed32  checksum:fixed64  payload[length]
//   length_check   := low 32 bits of XXH3_64bits_withSeed(length:fixed32, seed + 1)
//   checksum       := XXH3_64bits_withSeed(length:fixed32 || payload, seed)
//   seed           := XXH3_64bits(segment_id:fixed64 || record_offset:fixed64)
//
// record_offset is the file offset of the record's first byte (its length field). Seeding
// with (segment id, offset) means a record that is intact but sits in the wrong place — a
// stale block from a recycled file, a copy from another segment — fails its checksum
// instead of being replayed.
//
// The length has a check of its own so that replay can trust it before it has the
// payload: a length that passes its check but runs past the end of the file is a torn
// final append, while a length that fails it is damage — without it, a flipped length bit
// in the last segment would look like a torn tail and hide every record after it. The
// length check uses seed + 1 (as the manifest does) so that, for an empty payload, it is
// not simply the low half of the checksum.
//
// Do not change: embedded in on-disk data. A new layout needs a new version number.
//
// Thread safety: pure functions.

#ifndef CASSETTE_COMMITLOG_LOG_RECORD_H_
#define CASSETTE_COMMITLOG_LOG_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace cassette {

// Do not change: on disk.
inline constexpr std::string_view kSegmentMagic = "CASSCLOG";
// Do not change: on disk. Version 1 had a 12-byte record header without length_check,
// version 2 a longer batch payload; this build reads neither (cassette had no released
// users when they changed). Version 3 was skipped: no single bit flip of 4 gives 1 or 2.
inline constexpr uint32_t kSegmentFormatVersion = 4;
// Do not change: on disk. magic, version, segment_id.
inline constexpr size_t kSegmentHeaderSize = 8 + 4 + 8;
// Do not change: on disk. length, length_check, checksum.
inline constexpr size_t kRecordHeaderSize = 4 + 4 + 8;
// The length field is 32 bits wide.
inline constexpr uint64_t kMaxRecordPayload = std::numeric_limits<uint32_t>::max();

// Appends the kSegmentHeaderSize-byte header of segment `segment_id` to *dst.
void EncodeSegmentHeader(uint64_t segment_id, std::string* dst);

// OK if `header` (kSegmentHeaderSize bytes) is the header of segment `expected_id`.
// FailedPrecondition if it is an intact header of an older format version (1 or 2): the file is not
// damaged, this build just cannot read it. Otherwise DataLoss saying which field is wrong. The
// caller adds the file name.
[[nodiscard]] absl::Status CheckSegmentHeader(std::string_view header, uint64_t expected_id);

// The checksum of the record holding `payload` at `record_offset` of segment
// `segment_id`. It covers the length field as well, so a damaged length cannot pass.
// REQUIRES: payload.size() <= kMaxRecordPayload.
uint64_t RecordChecksum(uint64_t segment_id, uint64_t record_offset, std::string_view payload);

// The length_check field of a record of `length` payload bytes at `record_offset` of
// segment `segment_id`.
uint32_t RecordLengthCheck(uint64_t segment_id, uint64_t record_offset, uint32_t length);

// Appends the kRecordHeaderSize-byte header (length, length_check, checksum) of the
// record holding `payload` at `record_offset` of segment `segment_id` to *dst.
// REQUIRES: payload.size() <= kMaxRecordPayload.
void EncodeRecordHeader(uint64_t segment_id, uint64_t record_offset, std::string_view payload,
                        std::string* dst);

}  // namespace cassette

#endif  // CASSETTE_COMMITLOG_LOG_RECORD_H_

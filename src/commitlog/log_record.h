// The commit log's on-disk framing: the segment header and the record header.
// Byte-level spec with a picture and a hex dump: docs/commitlog-format.md.
//
//   segment        := header record*
//   header         := magic[8] = "CASSCLOG"  version:fixed32 = 1  segment_id:fixed64
//   record         := length:fixed32  checksum:fixed64  payload[length]
//   checksum       := XXH3_64bits_withSeed(length:fixed32 || payload, seed)
//   seed           := XXH3_64bits(segment_id:fixed64 || record_offset:fixed64)
//
// record_offset is the file offset of the record's first byte (its length field). Seeding
// with (segment id, offset) means a record that is intact but sits in the wrong place — a
// stale block from a recycled file, a copy from another segment — fails its checksum
// instead of being replayed.
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

inline constexpr std::string_view kSegmentMagic = "CASSCLOG";
inline constexpr uint32_t kSegmentFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 8 + 4 + 8;
inline constexpr size_t kRecordHeaderSize = 4 + 8;
// The length field is 32 bits wide.
inline constexpr uint64_t kMaxRecordPayload = std::numeric_limits<uint32_t>::max();

// Appends the kSegmentHeaderSize-byte header of segment `segment_id` to *dst.
void EncodeSegmentHeader(uint64_t segment_id, std::string* dst);

// OK if `header` (kSegmentHeaderSize bytes) is the header of segment `expected_id`;
// otherwise DataLoss saying which field is wrong (the caller adds the file name).
[[nodiscard]] absl::Status CheckSegmentHeader(std::string_view header, uint64_t expected_id);

// The checksum of the record holding `payload` at `record_offset` of segment
// `segment_id`. It covers the length field as well, so a damaged length cannot pass.
// REQUIRES: payload.size() <= kMaxRecordPayload.
uint64_t RecordChecksum(uint64_t segment_id, uint64_t record_offset, std::string_view payload);

// Appends the kRecordHeaderSize-byte header (length, checksum) of the record holding
// `payload` at `record_offset` of segment `segment_id` to *dst.
// REQUIRES: payload.size() <= kMaxRecordPayload.
void EncodeRecordHeader(uint64_t segment_id, uint64_t record_offset, std::string_view payload,
                        std::string* dst);

}  // namespace cassette

#endif  // CASSETTE_COMMITLOG_LOG_RECORD_H_

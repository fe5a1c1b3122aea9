#include "commitlog/log_record.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/coding.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace cassette {
namespace {

uint64_t RecordSeed(uint64_t segment_id, uint64_t record_offset) {
  char buf[16];
  EncodeFixed64(buf, segment_id);
  EncodeFixed64(buf + 8, record_offset);
  return XXH3_64bits(buf, sizeof(buf));
}

}  // namespace

void EncodeSegmentHeader(uint64_t segment_id, std::string* dst) {
  dst->append(kSegmentMagic);
  PutFixed32(dst, kSegmentFormatVersion);
  PutFixed64(dst, segment_id);
}

absl::Status CheckSegmentHeader(std::string_view header, uint64_t expected_id) {
  if (header.size() < kSegmentHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("segment header is ", header.size(), " bytes, expected ", kSegmentHeaderSize));
  }
  if (header.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
    return absl::DataLossError("bad segment magic (not a cassette commit-log segment)");
  }
  const uint32_t version = DecodeFixed32(header.data() + 8);
  // Versions 1 and 2 were written by older builds; 3 never was (skipped so that no single
  // flipped bit of 4 reads as an older version).
  if (version == 1 || version == 2) {
    // Not damage: an older build wrote it. Salvage must not skip it (its records are
    // intact) and replay must not delete it as a torn header.
    return absl::FailedPreconditionError(absl::StrCat(
        "segment format version ", version,
        " is no longer supported (this build reads only version ", kSegmentFormatVersion,
        "); cassette had no released users when the format changed, so there is "
        "no upgrade: replay and flush it with the build that wrote it, or remove "
        "the commit log"));
  }
  if (version != kSegmentFormatVersion) {
    return absl::DataLossError(absl::StrCat("unsupported segment format version ", version,
                                            " (this build reads ", kSegmentFormatVersion, ")"));
  }
  const uint64_t id = DecodeFixed64(header.data() + 12);
  if (id != expected_id) {
    // A renamed or copied file: its records' checksums are seeded with the other id.
    return absl::DataLossError(
        absl::StrCat("segment header names segment ", id, " but the file name says ", expected_id));
  }
  return absl::OkStatus();
}

uint64_t RecordChecksum(uint64_t segment_id, uint64_t record_offset, std::string_view payload) {
  if (payload.size() > kMaxRecordPayload) std::abort();  // the length field would wrap
  const uint64_t seed = RecordSeed(segment_id, record_offset);
  // Small records (the common case) are hashed in one call from a stack copy: the
  // streaming API costs more than copying a few hundred bytes.
  constexpr size_t kSmall = 256;
  if (payload.size() <= kSmall) {
    char buf[4 + kSmall];
    EncodeFixed32(buf, static_cast<uint32_t>(payload.size()));
    if (!payload.empty()) std::memcpy(buf + 4, payload.data(), payload.size());
    return XXH3_64bits_withSeed(buf, 4 + payload.size(), seed);
  }
  char length[4];
  EncodeFixed32(length, static_cast<uint32_t>(payload.size()));
  // Streaming gives the same value as one XXH3_64bits_withSeed call over length || payload,
  // without copying the payload next to its length.
  XXH3_state_t state;
  XXH3_INITSTATE(&state);
  XXH3_64bits_reset_withSeed(&state, seed);
  XXH3_64bits_update(&state, length, sizeof(length));
  XXH3_64bits_update(&state, payload.data(), payload.size());
  return XXH3_64bits_digest(&state);
}

uint32_t RecordLengthCheck(uint64_t segment_id, uint64_t record_offset, uint32_t length) {
  char buf[4];
  EncodeFixed32(buf, length);
  // seed + 1 (wrapping) so that, for an empty payload, this is not the checksum's low half.
  const uint64_t seed = RecordSeed(segment_id, record_offset) + 1;
  return static_cast<uint32_t>(XXH3_64bits_withSeed(buf, sizeof(buf), seed));
}

void EncodeRecordHeader(uint64_t segment_id, uint64_t record_offset, std::string_view payload,
                        std::string* dst) {
  const uint64_t checksum = RecordChecksum(segment_id, record_offset, payload);
  const uint32_t length = static_cast<uint32_t>(payload.size());
  PutFixed32(dst, length);
  PutFixed32(dst, RecordLengthCheck(segment_id, record_offset, length));
  PutFixed64(dst, checksum);
}

}  // namespace cassette

#include "db/manifest.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "util/coding.h"
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace cassette {
namespace {

// Do not change: on disk.
constexpr char kCurrent[] = "CURRENT";
constexpr char kCurrentTmp[] = "CURRENT.tmp";
// length:fixed32, length_check:fixed32, checksum:fixed64. The length has its own check so
// that a damaged length is corruption, not mistaken for a torn final append.
constexpr size_t kRecordHeader = 16;
constexpr uint32_t kMaxRecord = 64 << 20;   // an edit larger than this is corrupt
constexpr uint64_t kRotateBytes = 4 << 20;  // start a new manifest past this size

// Seeded with the manifest number and the record offset, so a record copied from
// another manifest or another offset fails.
uint64_t RecordChecksum(uint64_t manifest, uint64_t offset, std::string_view payload) {
  const uint64_t seed = manifest * 0x9E3779B97F4A7C15ull ^ offset;
  return XXH3_64bits_withSeed(payload.data(), payload.size(), seed);
}

uint32_t LengthCheck(uint64_t manifest, uint64_t offset, uint32_t length) {
  char buf[4];
  EncodeFixed32(buf, length);
  return static_cast<uint32_t>(
      XXH3_64bits_withSeed(buf, sizeof(buf), (manifest * 0x9E3779B97F4A7C15ull ^ offset) + 1));
}

// CURRENT holds "MANIFEST-<digits>\n"; only the number is taken from it.
absl::StatusOr<uint64_t> ParseCurrent(std::string_view s, const std::string& path) {
  constexpr std::string_view kPrefix = "MANIFEST-";
  auto bad = [&] {
    return absl::DataLossError(absl::StrCat(path, " at offset 0: not a manifest pointer"));
  };
  if (s.size() < kPrefix.size() + 2 || s.substr(0, kPrefix.size()) != kPrefix || s.back() != '\n') {
    return bad();
  }
  std::string_view digits = s.substr(kPrefix.size(), s.size() - kPrefix.size() - 1);
  if (digits.empty() || digits.size() > 19) return bad();
  uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return bad();
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

std::string Manifest::FileName(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "MANIFEST-%06" PRIu64, number);
  return buf;
}

absl::StatusOr<std::unique_ptr<Manifest>> Manifest::Open(Env* env, const std::string& dir,
                                                         bool create) {
  std::unique_ptr<Manifest> m(new Manifest(env, dir));
  const std::string current = dir + "/" + kCurrent;
  if (env->FileExists(current)) {
    auto f = env->NewSequentialFile(current);
    if (!f.ok()) return f.status();
    std::string content;
    if (auto s = (*f)->Read(64, &content); !s.ok()) return s;
    auto number = ParseCurrent(content, current);
    if (!number.ok()) return number.status();
    if (auto s = m->Replay(*number); !s.ok()) return s;
    m->manifest_number_ = *number;
  } else if (!create) {
    return absl::NotFoundError(absl::StrCat(dir, " is not a cassette database (no CURRENT)"));
  }
  m->next_file_number_ = std::max(m->next_file_number_, m->state_.next_file_number);
  if (auto s = m->StartNewManifest(); !s.ok()) return s;
  return m;
}

absl::Status Manifest::Replay(uint64_t number) {
  const std::string path = dir_ + "/" + FileName(number);
  auto file = env_->NewRandomAccessFile(path);
  if (!file.ok()) {
    return absl::DataLossError(absl::StrCat(dir_, "/CURRENT at offset 0: names ", FileName(number),
                                            ", which cannot be read: ", file.status().message()));
  }
  const uint64_t size = (*file)->Size();
  uint64_t offset = 0;
  std::string header, payload;
  auto corrupt = [&](uint64_t at, std::string_view why) {
    return absl::DataLossError(absl::StrCat(path, " at offset ", at, ": ", std::string(why)));
  };
  while (offset < size) {
    // A torn final append leaves a strict prefix of the record: a short header, or a
    // whole, self-consistent header followed by too few payload bytes. Anything else
    // that fails a check is damage. The first record is the snapshot, synced before
    // CURRENT named this file, so it can never be torn.
    const bool first = offset == 0;
    if (size - offset < kRecordHeader) {
      if (first) return corrupt(offset, "truncated snapshot record");
      torn_tail_ = true;
      break;
    }
    if (auto s = (*file)->Read(offset, kRecordHeader, &header); !s.ok()) return s;
    const uint32_t len = DecodeFixed32(header.data());
    if (DecodeFixed32(header.data() + 4) != LengthCheck(number, offset, len) || len > kMaxRecord) {
      return corrupt(offset, "damaged record header");
    }
    const uint64_t sum = DecodeFixed64(header.data() + 8);
    if (offset + kRecordHeader + len > size) {
      if (first) return corrupt(offset, "truncated snapshot record");
      torn_tail_ = true;
      break;
    }
    if (auto s = (*file)->Read(offset + kRecordHeader, len, &payload); !s.ok()) return s;
    if (RecordChecksum(number, offset, payload) != sum) return corrupt(offset, "checksum mismatch");
    auto edit = DecodeEdit(payload);
    if (!edit.ok()) return corrupt(offset, std::string(edit.status().message()));
    if (auto s = ApplyEdit(*edit, &state_); !s.ok())
      return corrupt(offset, std::string(s.message()));
    offset += kRecordHeader + len;
  }
  return absl::OkStatus();
}

absl::Status Manifest::AppendRecord(const std::string& payload) {
  std::string rec;
  const uint32_t len = static_cast<uint32_t>(payload.size());
  PutFixed32(&rec, len);
  PutFixed32(&rec, LengthCheck(manifest_number_, file_offset_, len));
  PutFixed64(&rec, RecordChecksum(manifest_number_, file_offset_, payload));
  rec += payload;
  if (auto s = file_->Append(rec); !s.ok()) return s;
  if (auto s = file_->Sync(); !s.ok()) return s;
  file_offset_ += rec.size();
  return absl::OkStatus();
}

absl::Status Manifest::StartNewManifest() {
  const uint64_t old = manifest_number_;
  manifest_number_ = NewFileNumber();
  state_.next_file_number = next_file_number_;
  const std::string name = FileName(manifest_number_);
  auto file = env_->NewWritableFile(dir_ + "/" + name);
  if (!file.ok()) return file.status();
  file_ = *std::move(file);
  file_offset_ = 0;
  if (auto s = AppendRecord(EncodeEdit(SnapshotEdit(state_))); !s.ok()) return s;
  // Swap CURRENT: temp file, sync, rename, sync the folder.
  const std::string tmp = dir_ + "/" + kCurrentTmp;
  auto cur = env_->NewWritableFile(tmp);
  if (!cur.ok()) return cur.status();
  if (auto s = (*cur)->Append(name + "\n"); !s.ok()) return s;
  if (auto s = (*cur)->Sync(); !s.ok()) return s;
  if (auto s = (*cur)->Close(); !s.ok()) return s;
  if (auto s = env_->RenameFile(tmp, dir_ + "/" + kCurrent); !s.ok()) return s;
  if (auto s = env_->SyncDir(dir_); !s.ok()) return s;
  if (old != 0) {
    // The old manifest is unreferenced now; failing to remove it leaves an orphan that
    // the next open deletes.
    (void)env_->RemoveFile(dir_ + "/" + FileName(old));
  }
  return absl::OkStatus();
}

absl::Status Manifest::LogAndApply(const ManifestEdit& edit) {
  if (!failed_.ok()) return failed_;
  ManifestState next = state_;
  ManifestEdit e = edit;
  e.next_file_number = next_file_number_;
  if (auto s = ApplyEdit(e, &next); !s.ok()) return s;  // a caller bug; nothing written
  if (auto s = AppendRecord(EncodeEdit(e)); !s.ok()) {
    failed_ = s;
    return s;
  }
  state_ = std::move(next);
  if (file_offset_ > kRotateBytes) {
    if (auto s = StartNewManifest(); !s.ok()) {
      failed_ = s;
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace cassette

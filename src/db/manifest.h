// Manifest: the durable record of the database's state (tables, live SSTables, flushed
// commit-log positions), kept as a log of ManifestEdits in MANIFEST-<n>, with the file
// CURRENT naming the live manifest. Format: docs/manifest-format.md.
//
// Crash safety:
// - LogAndApply appends the edit, syncs the manifest, and only then applies it in
//   memory; a caller references new files in an edit only after syncing them and their
//   folder. If the append or sync fails, the manifest is failed: no further edit is
//   accepted (the on-disk state is unknown until reopen).
// - A new manifest is written completely (a snapshot edit), synced, and made current by
//   writing CURRENT.tmp, syncing it, renaming it over CURRENT and syncing the folder.
// - On open, a torn final record (the crash hit an unsynced append: a short header, or a
//   valid header with a short payload) is ignored; any other damage, and any damage to
//   the first (snapshot) record, is DataLoss naming the file and offset.
//
// Thread safety: callers serialize LogAndApply and NewFileNumber (the Db's lock).

#ifndef CASSETTE_DB_MANIFEST_H_
#define CASSETTE_DB_MANIFEST_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cassette/env.h"
#include "db/manifest_edit.h"

namespace cassette {

class Manifest {
 public:
  // Reads CURRENT and replays the manifest it names; with no CURRENT and `create`,
  // starts an empty database. Either way a fresh manifest is written and made current,
  // so a damaged tail is never appended to.
  static absl::StatusOr<std::unique_ptr<Manifest>> Open(Env* env, const std::string& dir,
                                                        bool create);

  const ManifestState& state() const { return state_; }
  [[nodiscard]] absl::Status LogAndApply(const ManifestEdit& edit);
  // A number for a new file; durable once an edit carrying next_file_number is logged
  // (LogAndApply adds it), so a crash can at worst leave an orphan with that number.
  uint64_t NewFileNumber() { return next_file_number_++; }
  uint64_t manifest_number() const { return manifest_number_; }
  // True if the manifest ended in a torn (never acknowledged) record. Orphan cleanup
  // then keeps unreferenced SSTables this time: only such an edit could have named them.
  bool torn_tail() const { return torn_tail_; }

  // "MANIFEST-000007" for 7. Names are built from numbers only, never read from files.
  static std::string FileName(uint64_t number);

 private:
  Manifest(Env* env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  absl::Status Replay(uint64_t number);
  absl::Status StartNewManifest();
  absl::Status AppendRecord(const std::string& payload);

  Env* const env_;
  const std::string dir_;
  ManifestState state_;
  uint64_t next_file_number_ = 1;
  uint64_t manifest_number_ = 0;
  std::unique_ptr<WritableFile> file_;
  uint64_t file_offset_ = 0;
  absl::Status failed_;  // sticky
  bool torn_tail_ = false;
};

}  // namespace cassette

#endif  // CASSETTE_DB_MANIFEST_H_

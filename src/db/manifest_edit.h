// ManifestEdit: one atomic change to the database's durable state — tables created,
// SSTables added and removed, how far each table's commit log is flushed, the next
// file number — and the pure function that applies it (the engine, manifest replay and
// tools all use the same code). Encoding: docs/manifest-format.md.

#ifndef CASSETTE_DB_MANIFEST_EDIT_H_
#define CASSETTE_DB_MANIFEST_EDIT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cassette/schema.h"
#include "commitlog/commit_log.h"

namespace cassette {

struct ManifestEdit {
  struct SSTableRef {
    std::string table;  // "keyspace.table"
    uint64_t file_number = 0;
    int32_t level = 0;
    friend bool operator==(const SSTableRef&, const SSTableRef&) = default;
  };
  std::vector<TableSchema> created_tables;
  // ALTER: the table's new schema (same keyspace, name and columns; options change).
  std::vector<TableSchema> altered_tables;
  std::vector<SSTableRef> added;
  std::vector<SSTableRef> removed;  // level ignored
  // Every write to `table` before the position is in its SSTables.
  std::vector<std::pair<std::string, LogPosition>> flushed;
  std::optional<uint64_t> next_file_number;
};

struct ManifestState {
  struct Table {
    TableSchema schema;
    std::map<uint64_t, int32_t> sstables;  // file number -> level
    LogPosition flushed;
  };
  std::map<std::string, Table> tables;
  uint64_t next_file_number = 1;
};

// Applies `edit` to `state`. FailedPrecondition (nothing changed) if the edit does not
// fit the state: a table created twice, an unknown table altered or its columns changed, an SSTable
// for an unknown table, added twice, removed but absent, a flushed position going backwards.
absl::Status ApplyEdit(const ManifestEdit& edit, ManifestState* state);

// An edit that recreates `state` from nothing (written when the manifest is rotated).
ManifestEdit SnapshotEdit(const ManifestState& state);

std::string EncodeEdit(const ManifestEdit& edit);
// DataLoss describing what is malformed.
absl::StatusOr<ManifestEdit> DecodeEdit(std::string_view bytes);

// Schema records (also used by tools).
void EncodeSchema(const TableSchema& schema, std::string* out);
bool DecodeSchema(std::string_view* in, TableSchema* schema);

}  // namespace cassette

#endif  // CASSETTE_DB_MANIFEST_EDIT_H_

#include "db/manifest_edit.h"

#include "absl/strings/str_cat.h"
#include "util/coding.h"

namespace cassette {
namespace {

// Field tags. Do not change: on disk.
enum Tag : uint32_t {
  kCreateTable = 1,
  kAddSSTable = 2,
  kRemoveSSTable = 3,
  kFlushed = 4,
  kNextFileNumber = 5,
  kAlterTable = 6,
};

bool GetInt32(std::string_view* in, int32_t* v) {
  int64_t x;
  if (!GetSignedVarint64(in, &x) || x < INT32_MIN || x > INT32_MAX) return false;
  *v = static_cast<int32_t>(x);
  return true;
}

}  // namespace

void EncodeSchema(const TableSchema& s, std::string* out) {
  PutLengthPrefixed(out, s.keyspace);
  PutLengthPrefixed(out, s.name);
  PutVarint32(out, static_cast<uint32_t>(s.columns.size()));
  for (const ColumnDef& c : s.columns) {
    PutLengthPrefixed(out, c.name);
    out->push_back(static_cast<char>(c.type));
    out->push_back(static_cast<char>(c.kind));
    out->push_back(static_cast<char>(c.order));
  }
  const TableOptions& o = s.options;
  PutSignedVarint64(out, o.default_time_to_live);
  PutSignedVarint64(out, o.gc_grace_seconds);
  PutLengthPrefixed(out, o.compaction_class);
  PutVarint32(out, static_cast<uint32_t>(o.compaction_options.size()));
  for (const auto& [k, v] : o.compaction_options) {
    PutLengthPrefixed(out, k);
    PutLengthPrefixed(out, v);
  }
  PutSignedVarint64(out, o.tombstone_warn_threshold);
  PutSignedVarint64(out, o.tombstone_failure_threshold);
}

bool DecodeSchema(std::string_view* in, TableSchema* s) {
  uint32_t n;
  if (!GetLengthPrefixedString(in, &s->keyspace) || !GetLengthPrefixedString(in, &s->name) ||
      !GetVarint32(in, &n)) {
    return false;
  }
  if (n > in->size() / 4) return false;  // each column takes >= 4 bytes
  s->columns.resize(n);
  for (ColumnDef& c : s->columns) {
    uint8_t type, kind, order;
    if (!GetLengthPrefixedString(in, &c.name) || !GetByte(in, &type) || !GetByte(in, &kind) ||
        !GetByte(in, &order)) {
      return false;
    }
    c.type = static_cast<CqlType>(type);
    c.kind = static_cast<ColumnKind>(kind);
    c.order = static_cast<ClusteringOrder>(order);
  }
  TableOptions& o = s->options;
  uint32_t nopts;
  if (!GetInt32(in, &o.default_time_to_live) || !GetInt32(in, &o.gc_grace_seconds) ||
      !GetLengthPrefixedString(in, &o.compaction_class) || !GetVarint32(in, &nopts) ||
      nopts > in->size() / 2) {
    return false;
  }
  o.compaction_options.clear();
  for (uint32_t i = 0; i < nopts; ++i) {
    std::string k, v;
    if (!GetLengthPrefixedString(in, &k) || !GetLengthPrefixedString(in, &v)) return false;
    o.compaction_options[k] = v;
  }
  return GetInt32(in, &o.tombstone_warn_threshold) && GetInt32(in, &o.tombstone_failure_threshold);
}

std::string EncodeEdit(const ManifestEdit& e) {
  std::string out;
  for (const TableSchema& s : e.created_tables) {
    PutVarint32(&out, kCreateTable);
    EncodeSchema(s, &out);
  }
  for (const TableSchema& s : e.altered_tables) {
    PutVarint32(&out, kAlterTable);
    EncodeSchema(s, &out);
  }
  for (const auto& r : e.added) {
    PutVarint32(&out, kAddSSTable);
    PutLengthPrefixed(&out, r.table);
    PutVarint64(&out, r.file_number);
    PutSignedVarint64(&out, r.level);
  }
  for (const auto& r : e.removed) {
    PutVarint32(&out, kRemoveSSTable);
    PutLengthPrefixed(&out, r.table);
    PutVarint64(&out, r.file_number);
  }
  for (const auto& [table, pos] : e.flushed) {
    PutVarint32(&out, kFlushed);
    PutLengthPrefixed(&out, table);
    PutVarint64(&out, pos.segment);
    PutVarint64(&out, pos.offset);
  }
  if (e.next_file_number) {
    PutVarint32(&out, kNextFileNumber);
    PutVarint64(&out, *e.next_file_number);
  }
  return out;
}

absl::StatusOr<ManifestEdit> DecodeEdit(std::string_view in) {
  ManifestEdit e;
  auto bad = [](const char* what) {
    return absl::DataLossError(absl::StrCat("malformed manifest edit: ", what));
  };
  while (!in.empty()) {
    uint32_t tag;
    if (!GetVarint32(&in, &tag)) return bad("tag");
    switch (tag) {
      case kCreateTable: {
        TableSchema s;
        if (!DecodeSchema(&in, &s)) return bad("table schema");
        e.created_tables.push_back(std::move(s));
        break;
      }
      case kAlterTable: {
        TableSchema s;
        if (!DecodeSchema(&in, &s)) return bad("altered table schema");
        e.altered_tables.push_back(std::move(s));
        break;
      }
      case kAddSSTable: {
        ManifestEdit::SSTableRef r;
        if (!GetLengthPrefixedString(&in, &r.table) || !GetVarint64(&in, &r.file_number) ||
            !GetInt32(&in, &r.level)) {
          return bad("added sstable");
        }
        e.added.push_back(std::move(r));
        break;
      }
      case kRemoveSSTable: {
        ManifestEdit::SSTableRef r;
        if (!GetLengthPrefixedString(&in, &r.table) || !GetVarint64(&in, &r.file_number)) {
          return bad("removed sstable");
        }
        e.removed.push_back(std::move(r));
        break;
      }
      case kFlushed: {
        std::string table;
        LogPosition p;
        if (!GetLengthPrefixedString(&in, &table) || !GetVarint64(&in, &p.segment) ||
            !GetVarint64(&in, &p.offset)) {
          return bad("flushed position");
        }
        e.flushed.emplace_back(std::move(table), p);
        break;
      }
      case kNextFileNumber: {
        uint64_t n;
        if (!GetVarint64(&in, &n)) return bad("next file number");
        e.next_file_number = n;
        break;
      }
      default:
        return bad("unknown tag");
    }
  }
  return e;
}

absl::Status ApplyEdit(const ManifestEdit& e, ManifestState* state) {
  ManifestState next = *state;  // all or nothing
  auto fail = [](std::string msg) { return absl::FailedPreconditionError(std::move(msg)); };
  for (const TableSchema& s : e.created_tables) {
    if (!next.tables.emplace(s.QualifiedName(), ManifestState::Table{s, {}, {}}).second) {
      return fail(absl::StrCat("manifest: table ", s.QualifiedName(), " created twice"));
    }
  }
  for (const TableSchema& s : e.altered_tables) {
    auto t = next.tables.find(s.QualifiedName());
    if (t == next.tables.end()) {
      return fail(absl::StrCat("manifest: altering unknown table ", s.QualifiedName()));
    }
    if (!(t->second.schema.columns == s.columns)) {
      return fail(absl::StrCat("manifest: altering the columns of ", s.QualifiedName()));
    }
    t->second.schema = s;
  }
  for (const auto& r : e.removed) {
    auto t = next.tables.find(r.table);
    if (t == next.tables.end() || t->second.sstables.erase(r.file_number) == 0) {
      return fail(
          absl::StrCat("manifest: removing unknown sstable ", r.file_number, " of ", r.table));
    }
  }
  for (const auto& r : e.added) {
    auto t = next.tables.find(r.table);
    if (t == next.tables.end()) {
      return fail(
          absl::StrCat("manifest: sstable ", r.file_number, " for unknown table ", r.table));
    }
    if (!t->second.sstables.emplace(r.file_number, r.level).second) {
      return fail(absl::StrCat("manifest: sstable ", r.file_number, " added twice"));
    }
    if (r.file_number >= next.next_file_number) next.next_file_number = r.file_number + 1;
  }
  for (const auto& [table, pos] : e.flushed) {
    auto t = next.tables.find(table);
    if (t == next.tables.end())
      return fail(absl::StrCat("manifest: flush of unknown table ", table));
    if (pos < t->second.flushed) {
      return fail(absl::StrCat("manifest: flushed position of ", table, " goes backwards"));
    }
    t->second.flushed = pos;
  }
  if (e.next_file_number)
    next.next_file_number = std::max(next.next_file_number, *e.next_file_number);
  *state = std::move(next);
  return absl::OkStatus();
}

ManifestEdit SnapshotEdit(const ManifestState& state) {
  ManifestEdit e;
  for (const auto& [name, t] : state.tables) {
    e.created_tables.push_back(t.schema);
    for (const auto& [number, level] : t.sstables) e.added.push_back({name, number, level});
    e.flushed.emplace_back(name, t.flushed);
  }
  e.next_file_number = state.next_file_number;
  return e;
}

}  // namespace cassette

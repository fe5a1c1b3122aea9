#include "db/table_info.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "tombstone/ttl.h"

namespace cassette {

absl::Status ValidateName(std::string_view name, std::string_view what_view) {
  const std::string what(what_view);
  if (name.empty() || name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " '", std::string(name), "' must be 1 to 48 characters, got ", name.size()));
  }
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      return absl::InvalidArgumentError(absl::StrCat(what, " '", std::string(name),
                                                     "' may contain only letters, digits and '_'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CanonicalCompactionClass(std::string_view name) {
  static constexpr std::string_view kPrefix = "org.apache.cassandra.db.compaction.";
  std::string_view shortname = name;
  if (shortname.substr(0, kPrefix.size()) == kPrefix) shortname.remove_prefix(kPrefix.size());
  for (std::string_view known : {"SizeTieredCompactionStrategy", "LeveledCompactionStrategy",
                                 "TimeWindowCompactionStrategy", "UnifiedCompactionStrategy"}) {
    if (shortname == known) return std::string(known);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown compaction class '", std::string(name),
                   "' (expected SizeTieredCompactionStrategy, LeveledCompactionStrategy, "
                   "TimeWindowCompactionStrategy or UnifiedCompactionStrategy)"));
}

namespace {

bool IsSupportedType(CqlType t) {
  return static_cast<uint8_t>(t) >= static_cast<uint8_t>(CqlType::kInt) &&
         static_cast<uint8_t>(t) <= static_cast<uint8_t>(CqlType::kInet);
}

absl::Status ValidateOptions(const TableOptions& o, const std::string& table) {
  auto bad = [&](std::string msg) {
    return absl::InvalidArgumentError(absl::StrCat("table ", table, ": ", msg));
  };
  if (o.default_time_to_live < 0 || o.default_time_to_live > kMaxTtlSeconds) {
    return bad(absl::StrCat("default_time_to_live must be between 0 and ", kMaxTtlSeconds, ", got ",
                            o.default_time_to_live));
  }
  if (o.gc_grace_seconds < 0) {
    return bad(absl::StrCat("gc_grace_seconds must be >= 0, got ", o.gc_grace_seconds));
  }
  if (o.tombstone_warn_threshold <= 0) {
    return bad(
        absl::StrCat("tombstone_warn_threshold must be > 0, got ", o.tombstone_warn_threshold));
  }
  if (o.tombstone_failure_threshold <= 0) {
    return bad(absl::StrCat("tombstone_failure_threshold must be > 0, got ",
                            o.tombstone_failure_threshold));
  }
  auto cls = CanonicalCompactionClass(o.compaction_class);
  if (!cls.ok()) return bad(std::string(cls.status().message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const TableInfo>> TableInfo::Build(const TableSchema& schema) {
  if (auto s = ValidateName(schema.keyspace, "keyspace name"); !s.ok()) return s;
  if (auto s = ValidateName(schema.name, "table name"); !s.ok()) return s;
  auto info = std::make_shared<TableInfo>();
  info->schema_ = schema;
  info->qualified_name_ = schema.QualifiedName();
  info->select_context_ = absl::StrCat("select on ", info->qualified_name_);
  const std::string& tname = info->qualified_name_;
  auto bad = [&](std::string msg) {
    return absl::InvalidArgumentError(absl::StrCat("table ", tname, ": ", msg));
  };
  if (auto s = ValidateOptions(schema.options, tname); !s.ok()) return s;
  info->schema_.options.compaction_class =
      *CanonicalCompactionClass(schema.options.compaction_class);
  auto strategy = CompactionStrategy::Create(info->schema_.options.compaction_class,
                                             info->schema_.options.compaction_options);
  if (!strategy.ok()) return bad(std::string(strategy.status().message()));
  info->compaction_ = *std::move(strategy);

  // Key columns must come first, partition key before clustering, so that column ids
  // of key columns are their key positions.
  int stage = 0;  // 0: partition key, 1: clustering, 2: others
  std::vector<uint32_t> statics, regulars;
  for (uint32_t id = 0; id < schema.columns.size(); ++id) {
    const ColumnDef& c = schema.columns[id];
    if (auto s = ValidateName(c.name, "column name"); !s.ok()) return bad(std::string(s.message()));
    if (!info->by_name_.emplace(c.name, id).second) {
      return bad(absl::StrCat("column '", c.name, "' is defined twice"));
    }
    if (!IsSupportedType(c.type)) {
      return bad(absl::StrCat("column '", c.name, "' has an unsupported type (",
                              static_cast<int>(c.type), ")"));
    }
    if (c.kind != ColumnKind::kClustering && c.order != ClusteringOrder::kAsc) {
      return bad(absl::StrCat("column '", c.name,
                              "' has a clustering order but is not a clustering column"));
    }
    switch (c.kind) {
      case ColumnKind::kPartitionKey:
        if (stage != 0)
          return bad(absl::StrCat("partition key column '", c.name,
                                  "' must be listed before other columns"));
        info->pk_.push_back(id);
        info->pk_types_.push_back(c.type);
        break;
      case ColumnKind::kClustering:
        if (stage > 1)
          return bad(absl::StrCat("clustering column '", c.name,
                                  "' must be listed before static and regular columns"));
        stage = 1;
        info->ck_.push_back(id);
        info->ck_types_.push_back({c.type, c.order == ClusteringOrder::kDesc});
        break;
      case ColumnKind::kStatic:
        stage = 2;
        statics.push_back(id);
        break;
      case ColumnKind::kRegular:
        stage = 2;
        regulars.push_back(id);
        break;
      default:
        return bad(absl::StrCat("column '", c.name, "' has an unknown kind"));
    }
  }
  if (info->pk_.empty()) return bad("a table needs at least one partition key column");
  if (!statics.empty() && info->ck_.empty()) {
    return bad(absl::StrCat("static column '", schema.columns[statics[0]].name,
                            "' is only allowed in a table with clustering columns"));
  }
  auto by_name = [&](uint32_t a, uint32_t b) {
    return schema.columns[a].name < schema.columns[b].name;
  };
  std::sort(statics.begin(), statics.end(), by_name);
  std::sort(regulars.begin(), regulars.end(), by_name);
  info->star_ = info->pk_;
  info->star_.insert(info->star_.end(), info->ck_.begin(), info->ck_.end());
  info->star_.insert(info->star_.end(), statics.begin(), statics.end());
  info->star_.insert(info->star_.end(), regulars.begin(), regulars.end());
  info->has_static_ = !statics.empty();
  return std::shared_ptr<const TableInfo>(std::move(info));
}

int TableInfo::FindColumn(std::string_view name) const {
  auto it = by_name_.find(absl::string_view(name.data(), name.size()));
  return it == by_name_.end() ? -1 : static_cast<int>(it->second);
}

}  // namespace cassette

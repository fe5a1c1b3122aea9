#include "compaction/strategy.h"

#include "absl/strings/str_cat.h"
#include "compaction/strategy_factories.h"

namespace cassette {

absl::StatusOr<std::unique_ptr<CompactionStrategy>> CompactionStrategy::Create(
    std::string_view class_name, const CompactionOptions& options) {
  static constexpr std::string_view kPrefix = "org.apache.cassandra.db.compaction.";
  std::string_view name = class_name;
  if (name.substr(0, kPrefix.size()) == kPrefix) name.remove_prefix(kPrefix.size());
  if (name == "SizeTieredCompactionStrategy") return NewSizeTieredStrategy(options);
  if (name == "LeveledCompactionStrategy") return NewLeveledStrategy(options);
  if (name == "TimeWindowCompactionStrategy") return NewTimeWindowStrategy(options);
  if (name == "UnifiedCompactionStrategy") return NewUnifiedStrategy(options);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown compaction class '", std::string(class_name),
                   "' (expected SizeTieredCompactionStrategy, LeveledCompactionStrategy, "
                   "TimeWindowCompactionStrategy or UnifiedCompactionStrategy)"));
}

}  // namespace cassette

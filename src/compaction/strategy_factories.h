// The constructors CompactionStrategy::Create dispatches to, one per strategy file.

#ifndef CASSETTE_COMPACTION_STRATEGY_FACTORIES_H_
#define CASSETTE_COMPACTION_STRATEGY_FACTORIES_H_

#include <memory>

#include "absl/status/statusor.h"
#include "compaction/strategy.h"

namespace cassette {

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewSizeTieredStrategy(
    const CompactionOptions& options);
absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewLeveledStrategy(
    const CompactionOptions& options);
absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewTimeWindowStrategy(
    const CompactionOptions& options);
absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewUnifiedStrategy(
    const CompactionOptions& options);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_STRATEGY_FACTORIES_H_

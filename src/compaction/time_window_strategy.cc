// PLACEHOLDER: being written; replaced by the TimeWindow strategy.
#include "compaction/strategy_factories.h"

namespace cassette {

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewTimeWindowStrategy(const CompactionOptions&) {
  return absl::UnimplementedError("TimeWindow strategy not built yet");
}

}  // namespace cassette

// PLACEHOLDER: being written; replaced by the Unified strategy.
#include "compaction/strategy_factories.h"

namespace cassette {

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewUnifiedStrategy(const CompactionOptions&) {
  return absl::UnimplementedError("Unified strategy not built yet");
}

}  // namespace cassette

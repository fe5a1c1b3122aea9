// PLACEHOLDER: being written; replaced by the Leveled strategy.
#include "compaction/strategy_factories.h"

namespace cassette {

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewLeveledStrategy(const CompactionOptions&) {
  return absl::UnimplementedError("Leveled strategy not built yet");
}

}  // namespace cassette

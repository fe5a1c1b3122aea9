// PLACEHOLDER: being written; replaced by the SizeTiered strategy.
#include "compaction/strategy_factories.h"

namespace cassette {

absl::StatusOr<std::unique_ptr<CompactionStrategy>> NewSizeTieredStrategy(const CompactionOptions&) {
  return absl::UnimplementedError("SizeTiered strategy not built yet");
}

}  // namespace cassette

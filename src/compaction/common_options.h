// The options every strategy accepts (§7 of the semantics reference), and the parsing
// helpers the strategies share. Values arrive as strings, as in CQL's compaction map.
//
// Validation follows Cassandra's validateOptions: every error is InvalidArgument and
// names the option, the value given and the allowed range.

#ifndef CASSETTE_COMPACTION_COMMON_OPTIONS_H_
#define CASSETTE_COMPACTION_COMMON_OPTIONS_H_

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "compaction/strategy.h"

namespace cassette {

struct CommonCompactionOptions {
  double tombstone_threshold = 0.2;               // >= 0
  int64_t tombstone_compaction_interval = 86400;  // seconds, >= 0
  bool unchecked_tombstone_compaction = false;
  bool only_purge_repaired_tombstones = false;  // accepted; cassette has no repair
  int min_threshold = 4;                        // >= 2
  int max_threshold = 32;                       // >= min_threshold
  bool enabled = true;                          // false: no background compaction
  bool log_all = false;                         // accepted; cassette always keeps history

  // Adds the common options to `out` as strings (EffectiveOptions).
  void AppendTo(CompactionOptions* out) const;
};

// Reads the common options out of `options` (missing ones keep their defaults) and
// validates them.
absl::StatusOr<CommonCompactionOptions> ParseCommonOptions(const CompactionOptions& options);

// InvalidArgument naming the first option in `options` that is neither common nor in
// `strategy_specific` ("unknown compaction option 'foo' for LeveledCompactionStrategy").
absl::Status RejectUnknownOptions(const CompactionOptions& options, std::string_view strategy,
                                  const std::set<std::string>& strategy_specific);

// Typed readers: if `key` is present, parse it into *out; InvalidArgument naming the
// option on a malformed value. Range checks are the caller's.
absl::Status ReadInt(const CompactionOptions& options, const std::string& key, int64_t* out);
absl::Status ReadDouble(const CompactionOptions& options, const std::string& key, double* out);
absl::Status ReadBool(const CompactionOptions& options, const std::string& key, bool* out);
// InvalidArgument: "<key> must be <rule>, got <value>".
absl::Status OptionRangeError(std::string_view key, std::string_view rule, std::string_view value);

}  // namespace cassette

#endif  // CASSETTE_COMPACTION_COMMON_OPTIONS_H_

// Parsing and validation of the options every compaction strategy accepts, following
// Cassandra's AbstractCompactionStrategy.validateOptions and CompactionParams.validate.
// Every error is InvalidArgument and names the option, the value and the rule, so a
// CREATE TABLE with a bad `compaction` map tells the user exactly what to fix.

#include "compaction/common_options.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace cassette {
namespace {

constexpr char kTombstoneThreshold[] = "tombstone_threshold";
constexpr char kTombstoneCompactionInterval[] = "tombstone_compaction_interval";
constexpr char kUncheckedTombstoneCompaction[] = "unchecked_tombstone_compaction";
constexpr char kOnlyPurgeRepairedTombstones[] = "only_purge_repaired_tombstones";
constexpr char kMinThreshold[] = "min_threshold";
constexpr char kMaxThreshold[] = "max_threshold";
constexpr char kEnabled[] = "enabled";
constexpr char kLogAll[] = "log_all";
// CQL's compaction map carries the class next to the options; Create receives it
// separately, so it is tolerated here rather than reported as unknown.
constexpr char kClass[] = "class";

const std::set<std::string>& CommonKeys() {
  static const auto* keys = new std::set<std::string>{kTombstoneThreshold,
                                                      kTombstoneCompactionInterval,
                                                      kUncheckedTombstoneCompaction,
                                                      kOnlyPurgeRepairedTombstones,
                                                      kMinThreshold,
                                                      kMaxThreshold,
                                                      kEnabled,
                                                      kLogAll,
                                                      kClass};
  return *keys;
}

const char* BoolString(bool b) { return b ? "true" : "false"; }

}  // namespace

absl::Status OptionRangeError(std::string_view key, std::string_view rule, std::string_view value) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(key), " must be ", std::string(rule),
                                                 ", got '", std::string(value), "'"));
}

absl::Status ReadInt(const CompactionOptions& options, const std::string& key, int64_t* out) {
  auto it = options.find(key);
  if (it == options.end()) return absl::OkStatus();
  int64_t v = 0;
  if (!absl::SimpleAtoi(it->second, &v)) return OptionRangeError(key, "an integer", it->second);
  *out = v;
  return absl::OkStatus();
}

absl::Status ReadDouble(const CompactionOptions& options, const std::string& key, double* out) {
  auto it = options.find(key);
  if (it == options.end()) return absl::OkStatus();
  double v = 0;
  // Java's parseDouble takes "NaN" and "Infinity"; neither makes sense as a ratio or a
  // bucket bound, so cassette refuses them up front.
  if (!absl::SimpleAtod(it->second, &v) || !std::isfinite(v)) {
    return OptionRangeError(key, "a finite number", it->second);
  }
  *out = v;
  return absl::OkStatus();
}

absl::Status ReadBool(const CompactionOptions& options, const std::string& key, bool* out) {
  auto it = options.find(key);
  if (it == options.end()) return absl::OkStatus();
  const std::string lower = absl::AsciiStrToLower(it->second);
  if (lower == "true") {
    *out = true;
  } else if (lower == "false") {
    *out = false;
  } else {
    return OptionRangeError(key, "'true' or 'false'", it->second);
  }
  return absl::OkStatus();
}

absl::StatusOr<CommonCompactionOptions> ParseCommonOptions(const CompactionOptions& options) {
  CommonCompactionOptions out;
  auto raw = [&](const char* key) { return options.at(key); };

  if (absl::Status s = ReadDouble(options, kTombstoneThreshold, &out.tombstone_threshold);
      !s.ok()) {
    return s;
  }
  if (out.tombstone_threshold < 0) {
    return OptionRangeError(kTombstoneThreshold, "a number >= 0", raw(kTombstoneThreshold));
  }

  if (absl::Status s =
          ReadInt(options, kTombstoneCompactionInterval, &out.tombstone_compaction_interval);
      !s.ok()) {
    return s;
  }
  if (out.tombstone_compaction_interval < 0) {
    return OptionRangeError(kTombstoneCompactionInterval, "an integer number of seconds >= 0",
                            raw(kTombstoneCompactionInterval));
  }

  for (auto [key, field] : {std::pair<const char*, bool*>{kUncheckedTombstoneCompaction,
                                                          &out.unchecked_tombstone_compaction},
                            {kOnlyPurgeRepairedTombstones, &out.only_purge_repaired_tombstones},
                            {kEnabled, &out.enabled},
                            {kLogAll, &out.log_all}}) {
    if (absl::Status s = ReadBool(options, key, field); !s.ok()) return s;
  }

  int64_t min_threshold = out.min_threshold;
  int64_t max_threshold = out.max_threshold;
  if (absl::Status s = ReadInt(options, kMinThreshold, &min_threshold); !s.ok()) return s;
  if (absl::Status s = ReadInt(options, kMaxThreshold, &max_threshold); !s.ok()) return s;
  constexpr int64_t kIntMax = std::numeric_limits<int>::max();
  // Cassandra once disabled compaction with a threshold of 0; it now refuses that and
  // points at `enabled`, and so does cassette.
  if (min_threshold <= 0) {
    return OptionRangeError(kMinThreshold,
                            "an integer >= 2 (a threshold of 0 no longer disables compaction; "
                            "set 'enabled' to 'false' instead)",
                            raw(kMinThreshold));
  }
  if (min_threshold < 2 || min_threshold > kIntMax) {
    return OptionRangeError(kMinThreshold, absl::StrCat("an integer in [2, ", kIntMax, "]"),
                            raw(kMinThreshold));
  }
  if (max_threshold <= 0) {
    return OptionRangeError(kMaxThreshold,
                            absl::StrCat("an integer >= min_threshold (", min_threshold,
                                         "); a threshold of 0 no longer disables compaction, "
                                         "set 'enabled' to 'false' instead"),
                            raw(kMaxThreshold));
  }
  if (max_threshold < min_threshold || max_threshold > kIntMax) {
    // The value at fault may be either one; name max_threshold with both values shown.
    const std::string given = options.contains(kMaxThreshold)
                                  ? raw(kMaxThreshold)
                                  : absl::StrCat(max_threshold, " (default)");
    return OptionRangeError(
        kMaxThreshold,
        absl::StrCat("an integer >= min_threshold (", min_threshold, ") and <= ", kIntMax), given);
  }
  out.min_threshold = static_cast<int>(min_threshold);
  out.max_threshold = static_cast<int>(max_threshold);
  return out;
}

absl::Status RejectUnknownOptions(const CompactionOptions& options, std::string_view strategy,
                                  const std::set<std::string>& strategy_specific) {
  for (const auto& [key, value] : options) {
    if (CommonKeys().contains(key) || strategy_specific.contains(key)) continue;
    return absl::InvalidArgumentError(
        absl::StrCat("unknown compaction option '", key, "' for ", std::string(strategy)));
  }
  return absl::OkStatus();
}

void CommonCompactionOptions::AppendTo(CompactionOptions* out) const {
  (*out)[kTombstoneThreshold] = absl::StrCat(tombstone_threshold);
  (*out)[kTombstoneCompactionInterval] = absl::StrCat(tombstone_compaction_interval);
  (*out)[kUncheckedTombstoneCompaction] = BoolString(unchecked_tombstone_compaction);
  (*out)[kOnlyPurgeRepairedTombstones] = BoolString(only_purge_repaired_tombstones);
  (*out)[kMinThreshold] = absl::StrCat(min_threshold);
  (*out)[kMaxThreshold] = absl::StrCat(max_threshold);
  (*out)[kEnabled] = BoolString(enabled);
  (*out)[kLogAll] = BoolString(log_all);
}

}  // namespace cassette

// UCS options: parsing and validation as Cassandra 5.0's Controller.validateOptions and
// fromOptions do, plus the scaling-parameter notation (UnifiedCompactionStrategy
// .parseScalingParameter) and human-readable sizes (FBUtilities.parseHumanReadableBytes).
// Where Java would accept a value that makes no sense (NaN growth, a fanout that
// overflows an int) cassette refuses it; docs/compaction/ucs.md lists those.

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "compaction/common_options.h"
#include "compaction/unified.h"

namespace cassette {
namespace {

constexpr char kScalingParameters[] = "scaling_parameters";
constexpr char kTargetSSTableSize[] = "target_sstable_size";
constexpr char kBaseShardCount[] = "base_shard_count";
constexpr char kMinSSTableSize[] = "min_sstable_size";
constexpr char kSSTableGrowth[] = "sstable_growth";
constexpr char kFlushSizeOverride[] = "flush_size_override";
constexpr char kMaxSSTablesToCompact[] = "max_sstables_to_compact";
constexpr char kExpiredCheckFrequency[] = "expired_sstable_check_frequency_seconds";
constexpr char kUnsafeAggressiveExpiration[] = "unsafe_aggressive_sstable_expiration";
constexpr char kOverlapInclusionMethod[] = "overlap_inclusion_method";

constexpr int64_t kMinTargetSSTableSize = int64_t{1} << 20;  // Controller.MIN_TARGET_SSTABLE_SIZE
constexpr int kIntMax = std::numeric_limits<int>::max();
// |W| above this would overflow the fanout 2 + |W| in an int.
constexpr int64_t kMaxAbsScalingParameter = kIntMax - 2;

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status ScalingError(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("scaling_parameters entry '", text, "' ", why));
}

// "1GiB" for exact multiples, else plain bytes: parseable again by ParseHumanReadableBytes
// (whose kilo prefix is a lowercase k, as in Cassandra: "512kiB").
std::string PrintBytes(uint64_t bytes) {
  for (auto [shift, unit] :
       {std::pair<int, const char*>{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "kiB"}}) {
    if (bytes != 0 && bytes % (uint64_t{1} << shift) == 0) {
      return absl::StrCat(bytes >> shift, unit);
    }
  }
  return absl::StrCat(bytes, "B");
}

// Reads a size option if present; returns the value through *out.
absl::Status ReadSize(const CompactionOptions& options, const char* key, int64_t* out) {
  auto it = options.find(key);
  if (it == options.end()) return absl::OkStatus();
  absl::StatusOr<int64_t> v = ParseHumanReadableBytes(key, it->second);
  if (!v.ok()) return v.status();
  *out = *v;
  return absl::OkStatus();
}

}  // namespace

const std::set<std::string>& UnifiedOptionNames() {
  static const auto* names = new std::set<std::string>{
      kScalingParameters,     kTargetSSTableSize,     kBaseShardCount,
      kMinSSTableSize,        kSSTableGrowth,         kFlushSizeOverride,
      kMaxSSTablesToCompact,  kExpiredCheckFrequency, kUnsafeAggressiveExpiration,
      kOverlapInclusionMethod};
  return *names;
}

int FanoutFromScalingParameter(int w) { return w < 0 ? 2 - w : 2 + w; }
int ThresholdFromScalingParameter(int w) { return w <= 0 ? 2 : 2 + w; }

absl::StatusOr<int> ParseScalingParameter(std::string_view text_in) {
  absl::string_view text(text_in.data(), text_in.size());
  if (text == "N") return 0;
  int64_t value = 0;
  if (!text.empty() && (text[0] == 'L' || text[0] == 'T')) {
    absl::string_view digits = text.substr(1);
    if (!AllDigits(digits)) {
      return ScalingError(text, "must match N|L[0-9]+|T[0-9]+|[+-]?[0-9]+");
    }
    if (!absl::SimpleAtoi(digits, &value) || value > kMaxAbsScalingParameter) {
      return ScalingError(text, "is out of range");
    }
    if (value < 2) return ScalingError(text, "is invalid: the fan factor cannot be lower than 2");
    return static_cast<int>(text[0] == 'L' ? 2 - value : value - 2);
  }
  absl::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  if (!AllDigits(digits)) return ScalingError(text, "must match N|L[0-9]+|T[0-9]+|[+-]?[0-9]+");
  if (!absl::SimpleAtoi(text, &value) || value > kMaxAbsScalingParameter ||
      value < -kMaxAbsScalingParameter) {
    return ScalingError(text, "is out of range");
  }
  return static_cast<int>(value);
}

absl::StatusOr<std::vector<int>> ParseScalingParameters(std::string_view text_in) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(text_in.data(), text_in.size()), ',');
  // Java's String.split drops trailing empty strings ("T4," is one entry); interior
  // empty entries still fail below.
  while (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  std::vector<int> out;
  for (absl::string_view part : parts) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(part);
    absl::StatusOr<int> w = ParseScalingParameter(std::string_view(trimmed.data(), trimmed.size()));
    if (!w.ok()) return w.status();
    out.push_back(*w);
  }
  return out;
}

std::string PrintScalingParameter(int w) {
  if (w < 0) return absl::StrCat("L", 2 - static_cast<int64_t>(w));
  if (w > 0) return absl::StrCat("T", static_cast<int64_t>(w) + 2);
  return "N";
}

absl::StatusOr<int64_t> ParseHumanReadableBytes(std::string_view option, std::string_view text_in) {
  const absl::string_view text(text_in.data(), text_in.size());
  auto bad = [&](absl::string_view rule) {
    return OptionRangeError(option, std::string_view(rule.data(), rule.size()), std::string(text));
  };
  constexpr absl::string_view kRule =
      "a size in bytes such as '1GiB', '100MiB', '500MB' or '1048576B'";
  if (text.empty() || text.back() != 'B') return bad(kRule);
  const size_t end = text.size() - 1;
  size_t pos = 0;
  // [+-]?\d+(\.\d+)?([eE][+-]?\d+)?
  auto digits_at = [&](size_t p) {
    size_t q = p;
    while (q < end && absl::ascii_isdigit(static_cast<unsigned char>(text[q]))) ++q;
    return q;
  };
  if (pos < end && (text[pos] == '+' || text[pos] == '-')) ++pos;
  size_t q = digits_at(pos);
  if (q == pos) return bad(kRule);
  pos = q;
  if (pos + 1 < end && text[pos] == '.' &&
      absl::ascii_isdigit(static_cast<unsigned char>(text[pos + 1]))) {
    pos = digits_at(pos + 1);
  }
  bool decimal_exponent = false;
  if (pos < end && (text[pos] == 'e' || text[pos] == 'E')) {
    size_t e = pos + 1;
    if (e < end && (text[e] == '+' || text[e] == '-')) ++e;
    size_t f = digits_at(e);
    if (f > e) {
      pos = f;
      decimal_exponent = true;
    }
  }
  double value = 0;
  if (!absl::SimpleAtod(text.substr(0, pos), &value)) return bad(kRule);
  // "*2^n" binary exponent, only without a decimal one (as FBUtilities).
  if (!decimal_exponent && text.substr(pos, 3) == "*2^") {
    size_t e = pos + 3;
    if (e < end && (text[e] == '+' || text[e] == '-')) ++e;
    size_t f = digits_at(e);
    int power = 0;
    if (f > e && absl::SimpleAtoi(text.substr(pos + 3, f - pos - 3), &power)) {
      value = std::ldexp(value, power);
      pos = f;
    }
  }
  while (pos < end && absl::ascii_isspace(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos < end) {
    static constexpr absl::string_view kPrefixes = "qryzafpnum kMGTPEZYRQ";
    static constexpr int kBase = 10;  // index of ' ' in kPrefixes
    size_t index = kPrefixes.find(text[pos]);
    if (index != absl::string_view::npos && text[pos] != ' ') {
      const int exponent = static_cast<int>(index) - kBase;
      ++pos;
      if (pos < end && text[pos] == 'i') {
        ++pos;
        value = std::ldexp(value, exponent * 10);
      } else {
        value *= std::pow(1000.0, exponent);
      }
    }
  }
  if (pos != end) return bad(kRule);
  // Java's (long) cast would saturate; a size that large is a typo, so refuse it.
  if (!std::isfinite(value) || std::fabs(value) >= 9.2e18) {
    return bad("a size below 8 EiB");
  }
  return static_cast<int64_t>(value);
}

int UnifiedOptions::ScalingParameter(int level) const {
  if (level < static_cast<int>(scaling_parameters.size())) return scaling_parameters[level];
  return scaling_parameters.back();
}
int UnifiedOptions::Fanout(int level) const {
  return FanoutFromScalingParameter(ScalingParameter(level));
}
int UnifiedOptions::Threshold(int level) const {
  return ThresholdFromScalingParameter(ScalingParameter(level));
}
int UnifiedOptions::MaxSSTablesToCompact() const {
  return max_sstables_to_compact <= 0 ? kIntMax : max_sstables_to_compact;
}

absl::StatusOr<UnifiedOptions> ParseUnifiedOptions(const CompactionOptions& options) {
  UnifiedOptions out;
  if (auto it = options.find(kScalingParameters); it != options.end()) {
    absl::StatusOr<std::vector<int>> ws = ParseScalingParameters(it->second);
    if (!ws.ok()) return ws.status();
    if (ws->empty()) {
      return OptionRangeError(kScalingParameters, "a comma-separated list such as 'T4' or 'L10'",
                              it->second);
    }
    out.scaling_parameters = *std::move(ws);
  }

  int64_t shards = out.base_shard_count;
  if (absl::Status s = ReadInt(options, kBaseShardCount, &shards); !s.ok()) return s;
  if (shards <= 0 || shards > kIntMax) {
    return OptionRangeError(kBaseShardCount, "a positive integer", options.at(kBaseShardCount));
  }
  out.base_shard_count = static_cast<int>(shards);

  int64_t target = static_cast<int64_t>(out.target_sstable_size);
  if (absl::Status s = ReadSize(options, kTargetSSTableSize, &target); !s.ok()) return s;
  if (target < kMinTargetSSTableSize) {
    return OptionRangeError(kTargetSSTableSize, "at least 1MiB", options.at(kTargetSSTableSize));
  }
  out.target_sstable_size = static_cast<uint64_t>(target);

  int64_t flush = 0;
  if (absl::Status s = ReadSize(options, kFlushSizeOverride, &flush); !s.ok()) return s;
  if (options.contains(kFlushSizeOverride) && flush < kMinTargetSSTableSize) {
    return OptionRangeError(kFlushSizeOverride, "at least 1MiB", options.at(kFlushSizeOverride));
  }
  out.flush_size_override = static_cast<uint64_t>(flush);

  int64_t max_compact = 0;
  if (absl::Status s = ReadInt(options, kMaxSSTablesToCompact, &max_compact); !s.ok()) return s;
  if (max_compact > kIntMax || max_compact < std::numeric_limits<int>::min()) {
    return OptionRangeError(kMaxSSTablesToCompact, "an integer (<= 0 means no limit)",
                            options.at(kMaxSSTablesToCompact));
  }
  out.max_sstables_to_compact = static_cast<int>(max_compact);

  if (absl::Status s =
          ReadInt(options, kExpiredCheckFrequency, &out.expired_sstable_check_frequency_seconds);
      !s.ok()) {
    return s;
  }
  if (out.expired_sstable_check_frequency_seconds <= 0) {
    return OptionRangeError(kExpiredCheckFrequency, "a positive number of seconds",
                            options.at(kExpiredCheckFrequency));
  }

  if (absl::Status s =
          ReadBool(options, kUnsafeAggressiveExpiration, &out.unsafe_aggressive_sstable_expiration);
      !s.ok()) {
    return s;
  }

  if (auto it = options.find(kOverlapInclusionMethod); it != options.end()) {
    const std::string m = absl::AsciiStrToLower(it->second);
    if (m == "none") {
      out.overlap_inclusion_method = OverlapInclusion::kNone;
    } else if (m == "single") {
      out.overlap_inclusion_method = OverlapInclusion::kSingle;
    } else if (m == "transitive") {
      out.overlap_inclusion_method = OverlapInclusion::kTransitive;
    } else {
      return OptionRangeError(kOverlapInclusionMethod, "one of NONE, SINGLE, TRANSITIVE",
                              it->second);
    }
  }

  int64_t min_size = static_cast<int64_t>(out.min_sstable_size);
  if (absl::Status s = ReadSize(options, kMinSSTableSize, &min_size); !s.ok()) return s;
  // Below target × sqrt(1/2): the smallest SSTable the target rule produces, so the
  // minimum never overrides the target.
  const int64_t limit =
      static_cast<int64_t>(std::ceil(static_cast<double>(target) * std::sqrt(0.5)));
  // As in Cassandra, only a given value is checked: the default stays in force even when
  // a small target_sstable_size puts it above the limit.
  if (options.contains(kMinSSTableSize) && (min_size < 0 || min_size >= limit)) {
    return OptionRangeError(kMinSSTableSize,
                            absl::StrCat(">= 0 and less than the target size minimum ", limit,
                                         "B (target_sstable_size x sqrt(0.5))"),
                            options.at(kMinSSTableSize));
  }
  out.min_sstable_size = static_cast<uint64_t>(min_size);

  if (auto it = options.find(kSSTableGrowth); it != options.end()) {
    // FBUtilities.parsePercent: "0.333" or "33.3%".
    absl::string_view v = absl::StripAsciiWhitespace(it->second);
    double scale = 1;
    if (!v.empty() && v.back() == '%') {
      v = absl::StripAsciiWhitespace(v.substr(0, v.size() - 1));
      scale = 100;
    }
    double growth = 0;
    if (!absl::SimpleAtod(v, &growth) || !std::isfinite(growth) || growth / scale < 0 ||
        growth / scale > 1) {
      return OptionRangeError(kSSTableGrowth, "a number between 0 and 1 (or a percentage)",
                              it->second);
    }
    out.sstable_growth = growth / scale;
  }
  return out;
}

void UnifiedOptions::AppendTo(CompactionOptions* out) const {
  std::vector<std::string> ws;
  for (int w : scaling_parameters) ws.push_back(PrintScalingParameter(w));
  (*out)[kScalingParameters] = absl::StrJoin(ws, ", ");
  (*out)[kTargetSSTableSize] = PrintBytes(target_sstable_size);
  (*out)[kBaseShardCount] = absl::StrCat(base_shard_count);
  (*out)[kMinSSTableSize] = PrintBytes(min_sstable_size);
  (*out)[kSSTableGrowth] = absl::StrCat(sstable_growth);
  if (flush_size_override > 0) (*out)[kFlushSizeOverride] = PrintBytes(flush_size_override);
  (*out)[kMaxSSTablesToCompact] = absl::StrCat(max_sstables_to_compact);
  (*out)[kExpiredCheckFrequency] = absl::StrCat(expired_sstable_check_frequency_seconds);
  (*out)[kUnsafeAggressiveExpiration] = unsafe_aggressive_sstable_expiration ? "true" : "false";
  switch (overlap_inclusion_method) {
    case OverlapInclusion::kNone:
      (*out)[kOverlapInclusionMethod] = "none";
      break;
    case OverlapInclusion::kSingle:
      (*out)[kOverlapInclusionMethod] = "single";
      break;
    case OverlapInclusion::kTransitive:
      (*out)[kOverlapInclusionMethod] = "transitive";
      break;
  }
}

}  // namespace cassette

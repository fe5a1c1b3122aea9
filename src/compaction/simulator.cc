#include "compaction/simulator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "compaction/time_window.h"

namespace cassette {
namespace {

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("workload line ", line, ": ", what));
}

std::optional<uint64_t> ParseSize(absl::string_view s) {
  static constexpr std::pair<absl::string_view, double> kSuffixes[] = {{"TiB", 1099511627776.0},
                                                                       {"GiB", 1073741824.0},
                                                                       {"MiB", 1048576.0},
                                                                       {"KiB", 1024.0},
                                                                       {"B", 1.0}};
  double mult = 1.0;
  for (const auto& [suffix, m] : kSuffixes) {
    if (absl::EndsWith(s, suffix)) {
      s.remove_suffix(suffix.size());
      mult = m;
      break;
    }
  }
  double v = 0;
  if (s.empty() || !absl::SimpleAtod(s, &v) || !std::isfinite(v) || v <= 0 || v * mult >= 1.8e19) {
    return std::nullopt;
  }
  const uint64_t bytes = static_cast<uint64_t>(v * mult);
  return bytes == 0 ? std::nullopt : std::optional<uint64_t>(bytes);
}

// "<a>..<b>" with a <= b.
std::optional<std::pair<int64_t, int64_t>> ParseRange(absl::string_view s) {
  const size_t dots = s.find("..");
  if (dots == absl::string_view::npos) return std::nullopt;
  int64_t a = 0, b = 0;
  if (!absl::SimpleAtoi(s.substr(0, dots), &a) || !absl::SimpleAtoi(s.substr(dots + 2), &b) ||
      a > b) {
    return std::nullopt;
  }
  return std::make_pair(a, b);
}

absl::Status ParseFlush(const std::vector<absl::string_view>& words, SimulatorStep* step) {
  const int line = step->line;
  if (words.size() < 2) return LineError(line, "flush needs a size, e.g. 'flush 64MiB'");
  std::optional<uint64_t> size = ParseSize(words[1]);
  if (!size) {
    return LineError(line, absl::StrCat("flush size '", words[1],
                                        "' is not a positive size like 64MiB or 1.5GiB"));
  }
  step->bytes = *size;
  for (size_t i = 2; i < words.size(); ++i) {
    const absl::string_view w = words[i];
    if (absl::StartsWith(w, "tokens=")) {
      auto r = ParseRange(w.substr(7));
      if (!r) return LineError(line, absl::StrCat("'", w, "' must be tokens=<a>..<b> with a <= b"));
      std::tie(step->first_token, step->last_token) = *r;
    } else if (absl::StartsWith(w, "ts=")) {
      auto r = ParseRange(w.substr(3));
      if (!r) return LineError(line, absl::StrCat("'", w, "' must be ts=<min>..<max> (µs)"));
      step->min_timestamp = r->first;
      step->max_timestamp = r->second;
    } else if (absl::StartsWith(w, "ttl=")) {
      int64_t ttl = 0;
      if (!absl::SimpleAtoi(w.substr(4), &ttl) || ttl <= 0) {
        return LineError(line, absl::StrCat("'", w, "' must be ttl=<seconds> with seconds > 0"));
      }
      step->ttl_seconds = ttl;
    } else if (absl::StartsWith(w, "x")) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(w.substr(1), &n) || n < 1 || n > 1000000) {
        return LineError(line,
                         absl::StrCat("repeat '", w, "' must be x<n> with 1 <= n <= 1000000"));
      }
      step->repeat = n;
    } else {
      return LineError(line, absl::StrCat("unknown flush argument '", w,
                                          "' (expected tokens=, ts=, ttl= or x<n>)"));
    }
  }
  return absl::OkStatus();
}

// Consecutive runs of three or more collapse to "a..b", so LCS's many outputs stay short.
std::string FormatNumbers(std::vector<uint64_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  std::vector<std::string> parts;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (j - i >= 2) {
      parts.push_back(absl::StrCat(numbers[i], "..", numbers[j]));
    } else {
      for (size_t k = i; k <= j; ++k) parts.push_back(absl::StrCat(numbers[k]));
    }
    i = j + 1;
  }
  return absl::StrJoin(parts, ",");
}

std::string FormatDuration(int64_t seconds) {
  if (seconds != 0 && seconds % 86400 == 0) return absl::StrCat(seconds / 86400, "d");
  if (seconds != 0 && seconds % 3600 == 0) return absl::StrCat(seconds / 3600, "h");
  if (seconds != 0 && seconds % 60 == 0) return absl::StrCat(seconds / 60, "m");
  return absl::StrCat(seconds, "s");
}

// How the SSTable set is grouped on a trace line: by TWCS window (all of TWCS's SSTables
// sit in level 0, so levels would say nothing), else by level.
class SetFormatter {
 public:
  explicit SetFormatter(const CompactionStrategy& strategy) {
    if (strategy.name() != "TimeWindowCompactionStrategy") return;
    const CompactionOptions opts = strategy.EffectiveOptions();
    auto get = [&](const char* key) {
      auto it = opts.find(key);
      return it == opts.end() ? std::string() : it->second;
    };
    const std::string unit = get("compaction_window_unit");
    unit_ = unit == "MINUTES" ? TimeWindowUnit::kMinutes
            : unit == "HOURS" ? TimeWindowUnit::kHours
                              : TimeWindowUnit::kDays;
    if (!absl::SimpleAtoi(get("compaction_window_size"), &size_) || size_ < 1) size_ = 1;
    const std::string res = get("timestamp_resolution");
    resolution_ = res == "SECONDS"        ? TimestampResolution::kSeconds
                  : res == "MILLISECONDS" ? TimestampResolution::kMilliseconds
                  : res == "NANOSECONDS"  ? TimestampResolution::kNanoseconds
                                          : TimestampResolution::kMicroseconds;
    windows_ = true;
  }

  std::string Format(const CompactionState& state) const {
    if (state.sstables.empty()) return "(no SSTables)";
    std::map<int64_t, std::pair<int, uint64_t>> groups;  // key -> count, bytes
    for (const SSTableInfo& s : state.sstables) {
      const int64_t key = windows_
                              ? TimeWindowBoundsMillis(
                                    unit_, size_, TimestampToMillis(s.max_timestamp, resolution_))
                                        .first /
                                    1000
                              : s.level;
      groups[key].first++;
      groups[key].second += s.bytes;
    }
    std::vector<std::string> parts;
    for (const auto& [key, cb] : groups) {
      parts.push_back(absl::StrCat(windows_ ? "W@" + FormatDuration(key) : absl::StrCat("L", key),
                                   ": ", cb.first, cb.first == 1 ? " SSTable " : " SSTables ",
                                   FormatSimulatorBytes(cb.second)));
    }
    return absl::StrJoin(parts, " | ");
  }

 private:
  bool windows_ = false;
  TimeWindowUnit unit_ = TimeWindowUnit::kDays;
  int64_t size_ = 1;
  TimestampResolution resolution_ = TimestampResolution::kMicroseconds;
};

SSTableInfo FlushedSSTable(const SimulatorStep& step, int64_t now_micros, uint64_t number) {
  SSTableInfo s;
  s.file_number = number;
  s.bytes = s.uncompressed_bytes = step.bytes;
  s.first_token = step.first_token;
  s.last_token = step.last_token;
  s.first_key = TokenOnlyKey(step.first_token);
  s.last_key = TokenOnlyKey(step.last_token);
  s.min_timestamp = step.min_timestamp.value_or(now_micros);
  s.max_timestamp = step.max_timestamp.value_or(now_micros);
  // Nominal densities (1 KiB partitions of 100-byte cells): only tombstone ratios and
  // EstimateOutputs' split limit look at them.
  s.partition_count = std::max<int64_t>(1, int64_t(step.bytes / 1024));
  s.cell_count = std::max<int64_t>(1, int64_t(step.bytes / 100));
  if (step.ttl_seconds) {
    s.min_local_deletion_time = s.min_timestamp / 1000000 + *step.ttl_seconds;
    s.max_local_deletion_time = s.max_timestamp / 1000000 + *step.ttl_seconds;
    // Every cell is an expiring cell; counted at the SSTable's last expiry, so the
    // tombstone ratio only rises once the whole SSTable has expired.
    s.tombstone_drop_times[s.max_local_deletion_time] = s.cell_count;
  } else {
    // Live non-expiring data: the SSTable never fully expires.
    s.min_local_deletion_time = s.max_local_deletion_time = INT64_MAX;
  }
  s.created_at_micros = now_micros;
  return s;
}

}  // namespace

std::string FormatSimulatorBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 5) {
    v /= 1024.0;
    ++u;
  }
  if (v == std::floor(v)) return absl::StrFormat("%.0f%s", v, kUnits[u]);
  return absl::StrFormat("%.1f%s", v, kUnits[u]);
}

absl::StatusOr<SimulatorWorkload> ParseSimulatorWorkload(absl::string_view text) {
  SimulatorWorkload workload;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    SimulatorStep step;
    step.line = line_number;
    step.text = std::string(line);
    if (words[0] == "flush") {
      step.kind = SimulatorStep::Kind::kFlush;
      if (absl::Status s = ParseFlush(words, &step); !s.ok()) return s;
    } else if (words[0] == "advance") {
      step.kind = SimulatorStep::Kind::kAdvance;
      if (words.size() != 2 || !absl::SimpleAtoi(words[1], &step.advance_seconds) ||
          step.advance_seconds < 0 || step.advance_seconds > int64_t{1} << 40) {
        return LineError(line_number, "advance takes one whole number of seconds >= 0");
      }
    } else {
      return LineError(line_number, absl::StrCat("unknown command '", words[0],
                                                 "' (expected flush or advance)"));
    }
    workload.steps.push_back(std::move(step));
  }
  return workload;
}

double SimulatorResult::WriteAmplification() const {
  if (bytes_flushed == 0) return 0.0;
  return double(bytes_flushed + bytes_compacted) / double(bytes_flushed);
}

uint64_t SimulatorResult::FinalBytes() const {
  uint64_t total = 0;
  for (const SSTableInfo& s : final_state.sstables) total += s.bytes;
  return total;
}

std::string SimulatorResult::Summary() const {
  std::map<std::string, int> by_reason;
  for (const CompactionTask& t : tasks) by_reason[std::string(CompactionReasonName(t.reason))]++;
  std::vector<std::string> reasons;
  for (const auto& [r, n] : by_reason) reasons.push_back(absl::StrCat(r, " ", n));
  std::string out = "summary:\n";
  absl::StrAppend(&out, "  bytes flushed:          ", FormatSimulatorBytes(bytes_flushed), "\n");
  absl::StrAppend(&out, "  bytes compacted:        ", FormatSimulatorBytes(bytes_compacted), "\n");
  absl::StrAppend(&out, "  write amplification:    ", absl::StrFormat("%.2f", WriteAmplification()),
                  "\n");
  absl::StrAppend(&out, "  compactions:            ", tasks.size(),
                  reasons.empty() ? "" : absl::StrCat(" (", absl::StrJoin(reasons, ", "), ")"),
                  "\n");
  absl::StrAppend(&out, "  max SSTables:           ", max_sstables, "\n");
  absl::StrAppend(&out, "  final SSTables:         ", final_state.sstables.size(), " (",
                  FormatSimulatorBytes(FinalBytes()), ")\n");
  absl::StrAppend(&out, "  SSTables dropped whole: ", sstables_dropped_whole, "\n");
  absl::StrAppend(&out, "  pending tasks at end:   ", pending_tasks_at_end, "\n");
  if (hit_task_cap) {
    absl::StrAppend(&out, "  note: a step stopped at ", kMaxTasksPerStep,
                    " tasks; the strategy kept picking\n");
  }
  return out;
}

absl::StatusOr<SimulatorResult> RunSimulation(const SimulatorConfig& config,
                                              const SimulatorWorkload& workload) {
  absl::StatusOr<std::unique_ptr<CompactionStrategy>> created =
      CompactionStrategy::Create(config.strategy_class, config.options);
  if (!created.ok()) return created.status();
  const CompactionStrategy& strategy = **created;
  const SetFormatter sets(strategy);

  SimulatorResult r;
  CompactionState& state = r.final_state;
  int64_t now = 0;
  uint64_t next_file = 1;
  uint64_t flush_size = 64 << 20;
  auto view = [&] {
    CompactionView v;
    v.state = &state;
    v.now_micros = now;
    v.gc_grace_seconds = config.gc_grace_seconds;
    v.flush_size_bytes = flush_size;
    return v;
  };

  // Runs the picker until it is quiet, appending each task to the trace.
  auto compact = [&]() -> absl::Status {
    int n = 0;
    for (; n < kMaxTasksPerStep; ++n) {
      std::optional<CompactionTask> task = strategy.Pick(view());
      if (!task) break;
      std::vector<SSTableInfo> outputs = EstimateOutputs(state, *task, &next_file);
      for (SSTableInfo& o : outputs) o.created_at_micros = now;
      if (absl::Status s = ApplyCompaction(*task, outputs, &state); !s.ok()) {
        return absl::InternalError(absl::StrCat(std::string(strategy.name()),
                                                " picked a task that cannot apply: ", s.message()));
      }
      std::vector<uint64_t> out_numbers;
      for (const SSTableInfo& o : outputs) {
        out_numbers.push_back(o.file_number);
        r.bytes_compacted += o.bytes;
      }
      std::string line =
          absl::StrCat("  compact [", std::string(CompactionReasonName(task->reason)), "]");
      if (!task->inputs.empty()) {
        absl::StrAppend(&line, " inputs ", FormatNumbers(task->inputs), " -> ",
                        FormatNumbers(out_numbers), " (L", task->output_level, ")");
      }
      if (!task->expired.empty()) {
        absl::StrAppend(&line, task->inputs.empty() ? "" : ",", " drop ",
                        FormatNumbers(task->expired));
      }
      if (!task->description.empty()) absl::StrAppend(&line, "  # ", task->description);
      absl::StrAppend(&r.trace, line, "\n");
      r.sstables_dropped_whole += int64_t(task->expired.size());
      r.max_sstables = std::max(r.max_sstables, state.sstables.size());
      r.tasks.push_back(std::move(*task));
    }
    if (n == kMaxTasksPerStep) {
      r.hit_task_cap = true;
      absl::StrAppend(&r.trace, "  (stopped after ", kMaxTasksPerStep, " tasks)\n");
    }
    return absl::OkStatus();
  };

  for (const SimulatorStep& step : workload.steps) {
    if (step.kind == SimulatorStep::Kind::kAdvance) {
      now += step.advance_seconds * 1000000;
      absl::StrAppend(&r.trace, "line ", step.line, ": ", step.text,
                      "  (t=", FormatDuration(now / 1000000), ")\n");
      if (absl::Status s = compact(); !s.ok()) return s;
      absl::StrAppend(&r.trace, "  = ", sets.Format(state), "\n");
      continue;
    }
    for (int64_t i = 0; i < step.repeat; ++i) {
      const SSTableInfo flushed = FlushedSSTable(step, now, next_file++);
      flush_size = step.bytes;
      if (absl::Status s = ApplyFlush(flushed, &state); !s.ok()) return s;
      r.bytes_flushed += step.bytes;
      r.max_sstables = std::max(r.max_sstables, state.sstables.size());
      absl::StrAppend(&r.trace, "line ", step.line);
      if (step.repeat > 1) absl::StrAppend(&r.trace, " (", i + 1, "/", step.repeat, ")");
      absl::StrAppend(&r.trace, ": ", step.text, " -> ", flushed.file_number, "\n");
      if (absl::Status s = compact(); !s.ok()) return s;
      absl::StrAppend(&r.trace, "  = ", sets.Format(state), "\n");
    }
  }
  r.final_now_micros = now;
  r.pending_tasks_at_end = strategy.PendingTasks(view());
  return r;
}

}  // namespace cassette

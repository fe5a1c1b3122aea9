// bench/lab/summary.cc — the terminal summary (results.h), kept within 100 columns.
//
// Layout: the machine's limits once, then per run its settings, per phase one db_bench
// line per op type and a cassandra-stress "Results:" block, then amplification and the
// fraction of the machine's limits the run used; the headline figures close as a table.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/lab/results.h"

namespace cassette::lab {
namespace {

constexpr size_t kWidth = 100;

// "1234567" → "1,234,567", as cassandra-stress prints counts and rates.
std::string Grouped(double value) {
  const auto n = static_cast<int64_t>(std::llround(value));
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// Nanoseconds as microseconds with about three significant digits: an embedded engine's
// latencies span 0.1 µs (memtable hit) to seconds (a stall), one fixed precision won't do.
std::string Micros(double ns) {
  const double us = ns / 1e3;
  if (us < 10) return fmt::format("{:.2f}", us);
  if (us < 1000) return fmt::format("{:.1f}", us);
  return fmt::format("{:.0f}", us);
}

std::string Bytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.1f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

// Greedy word wrap at kWidth: `first` starts the first line, `indent` the others; a
// space separates them from the words unless they end in one.
void PrintWrapped(std::FILE* out, std::string_view first, std::string_view indent,
                  const std::vector<std::string>& words) {
  std::string line(first);
  bool line_has_word = false;
  for (const std::string& word : words) {
    if (line_has_word && line.size() + 1 + word.size() > kWidth) {
      fmt::print(out, "{}\n", line);
      line = std::string(indent);
      line_has_word = false;
    }
    if (!line.empty() && line.back() != ' ') line += ' ';
    line += word;
    line_has_word = true;
  }
  fmt::print(out, "{}\n", line);
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    const size_t j = std::min(text.find(' ', i), text.size());
    if (j > i) words.emplace_back(text.substr(i, j - i));
    i = j + 1;
  }
  return words;
}

// The op types whose every operation writes one row (workload.h's names; "feed" is a
// read). PhaseResult does not count writes, so the row rate finds them by name; "rmw"
// reads and writes, and its read rows are already in rows_read.
bool IsWriteOp(std::string_view op) {
  return op == "insert" || op == "update" || op == "delete_head" || op == "rmw" || op == "delete" ||
         op == "write";
}

std::string HhMmSs(double seconds) {
  const int64_t s = std::llround(std::max(seconds, 0.0));
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

void PrintLimits(const MachineLimits& l, std::FILE* out) {
  fmt::print(out, "Machine limits (measured before the runs)\n");
  if (l.seq_write_fdatasync_MBps <= 0 && l.fdatasync_p50_us <= 0 && l.zstd_compress_MBps <= 0 &&
      l.memcpy_GBps <= 0) {
    fmt::print(out, "  not measured\n");
    return;
  }
  fmt::print(out, "  sequential write + fdatasync : {} MB/s (1 MiB writes)\n",
             Grouped(l.seq_write_fdatasync_MBps));
  const std::string commits =
      l.fdatasync_p50_us > 0 ? Grouped(1e6 / l.fdatasync_p50_us) : std::string("n/a");
  fmt::print(out, "  fdatasync of 4 KiB           : p50 {:.3f} ms, p99 {:.3f} ms → ≈{} commits/s\n",
             l.fdatasync_p50_us / 1e3, l.fdatasync_p99_us / 1e3, commits);
  fmt::print(out, "  zstd level 3, one core       : {} MB/s compress, {} MB/s decompress\n",
             Grouped(l.zstd_compress_MBps), Grouped(l.zstd_decompress_MBps));
  fmt::print(out, "  memcpy                       : {:.1f} GB/s\n", l.memcpy_GBps);
}

// db_bench prints micros/op as elapsed ÷ ops, which is right only when a phase runs one op
// type: with reads and updates interleaved, each type's share of the elapsed time is
// unknown. So micros/op here is the type's mean latency and ops/sec is the type's count ÷
// the phase's elapsed seconds (its share of the phase's throughput).
void PrintDbBenchLine(std::FILE* out, const std::string& op, const Histogram& h, double seconds) {
  const double ops_per_sec = seconds > 0 ? static_cast<double>(h.Count()) / seconds : 0;
  fmt::print(out, "{:<12} : {:>10.3f} micros/op {:.0f} ops/sec; p50 {} p99 {} p99.9 {} max {} µs\n",
             op, h.Mean() / 1e3, ops_per_sec, Micros(h.Percentile(0.5)), Micros(h.Percentile(0.99)),
             Micros(h.Percentile(0.999)), Micros(h.Max()));
}

// One "Latency …" line of the stress block: the phase's merged figure in ms, then each op
// type's in brackets when there are several (cassandra-stress's "[READ: …, WRITE: …]").
template <typename Fn>
void PrintStressLatency(std::FILE* out, std::string_view label, const Histogram& all,
                        const PhaseResult& phase, Fn figure_ns) {
  std::string line = fmt::format("{:<26}: {:>9.3f} ms", label, figure_ns(all) / 1e6);
  if (phase.latency_ns.size() > 1) {
    std::string parts;
    for (const auto& [op, h] : phase.latency_ns) {
      if (!parts.empty()) parts += ", ";
      parts += fmt::format("{}: {:.3f}", op, figure_ns(h) / 1e6);
    }
    line += " [" + parts + "]";
  }
  fmt::print(out, "{}\n", line);
}

void PrintStressBlock(std::FILE* out, const PhaseResult& phase) {
  Histogram all;
  int64_t writes = 0;
  std::string per_op;
  for (const auto& [op, h] : phase.latency_ns) {
    all.Merge(h);
    if (IsWriteOp(op)) writes += h.Count();
    if (!per_op.empty()) per_op += ", ";
    per_op += fmt::format("{}: {}", op, Grouped(phase.seconds > 0 ? h.Count() / phase.seconds : 0));
  }
  const double s = phase.seconds;
  fmt::print(out, "Results:\n");
  std::string op_rate =
      fmt::format("{:<26}: {:>9} op/s", "Op rate", Grouped(s > 0 ? phase.ops / s : 0));
  if (phase.latency_ns.size() > 1) op_rate += " [" + per_op + "]";
  fmt::print(out, "{}\n", op_rate);
  // Partition rate needs the partitions each op touched, which the driver does not record.
  fmt::print(out, "{:<26}: {:>9} row/s\n", "Row rate",
             Grouped(s > 0 ? static_cast<double>(phase.rows_read + writes) / s : 0));
  PrintStressLatency(out, "Latency mean", all, phase, [](const Histogram& h) { return h.Mean(); });
  const std::pair<const char*, double> quantiles[] = {{"Latency median", 0.5},
                                                      {"Latency 95th percentile", 0.95},
                                                      {"Latency 99th percentile", 0.99},
                                                      {"Latency 99.9th percentile", 0.999}};
  for (const auto& [label, q] : quantiles) {
    PrintStressLatency(out, label, all, phase,
                       [q = q](const Histogram& h) { return double(h.Percentile(q)); });
  }
  PrintStressLatency(out, "Latency max", all, phase,
                     [](const Histogram& h) { return double(h.Max()); });
  fmt::print(out, "{:<26}: {:>9}\n", "Total errors", Grouped(phase.errors));
  fmt::print(out, "{:<26}: {:>9}\n", "Total operation time", HhMmSs(phase.seconds));
}

// "SSTables per read" and "tombstones per read": one line per phase that measured it.
void PrintPerRead(std::FILE* out, std::string_view label, const RunResult& run,
                  Histogram PhaseResult::*member, bool with_p99) {
  std::string prefix = fmt::format("  {:<26}: ", label);
  bool any = false;
  for (const PhaseResult& phase : run.phases) {
    const Histogram& h = phase.*member;
    if (h.Count() == 0) continue;
    std::string p99 = with_p99 ? fmt::format(", p99 {}", h.Percentile(0.99)) : "";
    fmt::print(out, "{}[{}] mean {:.2f}{}, max {}\n", prefix, phase.name, h.Mean(), p99, h.Max());
    prefix = std::string(prefix.size(), ' ');
    any = true;
  }
  if (!any) fmt::print(out, "{}n/a\n", prefix);
}

void PrintAmplification(std::FILE* out, const RunResult& run) {
  fmt::print(out, "Amplification\n");
  if (run.logical_bytes_ingested > 0) {
    fmt::print(out, "  {:<26}: {:.2f} ({} written ÷ {} ingested)\n", "write amplification",
               run.write_amplification, Bytes(run.bytes_written),
               Bytes(run.logical_bytes_ingested));
  } else {
    fmt::print(out, "  {:<26}: n/a (nothing ingested)\n", "write amplification");
  }
  if (run.final_space_amplification > 0) {
    fmt::print(out, "  {:<26}: {:.2f}\n", "final space amplification",
               run.final_space_amplification);
  } else {
    fmt::print(out, "  {:<26}: n/a\n", "final space amplification");
  }
  PrintPerRead(out, "SSTables per read", run, &PhaseResult::sstables_per_read, true);
  PrintPerRead(out, "tombstones per read", run, &PhaseResult::tombstones_per_read, false);
}

void PrintLimitFractions(std::FILE* out, const RunResult& run, const MachineLimits& limits) {
  double seconds = 0;
  for (const PhaseResult& phase : run.phases) seconds += phase.seconds;
  if (!run.timeline.empty()) seconds = std::max(seconds, run.timeline.back().t_seconds);
  if (seconds <= 0) return;
  const double write_MBps = run.bytes_written / seconds / 1e6;
  const uint64_t compacted = run.timeline.empty() ? 0 : run.timeline.back().bytes_compacted;
  const double compact_MBps = compacted / seconds / 1e6;
  fmt::print(out, "Fraction of machine limits (over {:.1f} s)\n", seconds);
  if (limits.seq_write_fdatasync_MBps > 0) {
    fmt::print(out, "  {:<26}: {:.1f} MB/s = {:.1f}% of sequential write + fdatasync\n",
               "file writes", write_MBps, 100 * write_MBps / limits.seq_write_fdatasync_MBps);
  }
  if (limits.zstd_compress_MBps > 0 && compacted > 0) {
    fmt::print(out, "  {:<26}: {:.1f} MB/s = {:.1f}% of zstd compress on one core\n",
               "compaction output", compact_MBps, 100 * compact_MBps / limits.zstd_compress_MBps);
  }
}

void PrintRun(std::FILE* out, const RunResult& run, const MachineLimits& limits) {
  fmt::print(out, "\n== {} · {}{}\n", run.engine, run.workload,
             run.round > 1 ? fmt::format(" · round {}", run.round) : "");
  std::vector<std::string> settings;
  for (const auto& [key, value] : run.settings) settings.push_back(key + "=" + value);
  if (!settings.empty()) PrintWrapped(out, "settings:", "          ", settings);
  if (!run.error.empty()) {
    PrintWrapped(out, "STOPPED:", "         ", Words(run.error));
  }
  for (const PhaseResult& phase : run.phases) {
    if (phase.ops == 0 && phase.latency_ns.empty()) {  // settle, compact: only a duration
      fmt::print(out, "\n-- phase {}: {:.2f} s\n", phase.name, phase.seconds);
      continue;
    }
    fmt::print(out, "\n-- phase {}: {} ops in {:.2f} s, {} errors\n", phase.name,
               Grouped(phase.ops), phase.seconds, Grouped(phase.errors));
    for (const auto& [op, h] : phase.latency_ns) PrintDbBenchLine(out, op, h, phase.seconds);
    PrintStressBlock(out, phase);
  }
  fmt::print(out, "\n");
  PrintAmplification(out, run);
  PrintLimitFractions(out, run, limits);
}

void PrintHeadline(std::FILE* out, const LabReport& report) {
  if (report.headline.empty()) return;
  size_t id_width = 2;
  for (const auto& [id, text] : report.headline) id_width = std::max(id_width, id.size());
  fmt::print(out, "\nHeadline\n");
  fmt::print(out, "  {:<{}} | figure\n", "id", id_width);
  fmt::print(out, "  {:-<{}}-+-{:-<{}}\n", "", id_width, "", kWidth - id_width - 5);
  for (const auto& [id, text] : report.headline) {
    PrintWrapped(out, fmt::format("  {:<{}} |", id, id_width),
                 fmt::format("  {:<{}} |", "", id_width), Words(text));
  }
}

}  // namespace

void PrintSummary(const LabReport& report, std::FILE* out) {
  PrintWrapped(out, "cassette-lab", "  ",
               Words("· started " + report.started_at + " · on " + report.host));
  if (!report.command_line.empty()) {
    PrintWrapped(out, "command:", "  ", Words(report.command_line));
  }
  fmt::print(out, "\n");
  PrintLimits(report.limits, out);
  for (const RunResult& run : report.runs) PrintRun(out, run, report.limits);
  PrintHeadline(out, report);
  std::fflush(out);
}

}  // namespace cassette::lab

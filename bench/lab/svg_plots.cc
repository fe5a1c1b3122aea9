// bench/lab/svg_plots.cc — the SVG plots of a lab report (results.h), drawn with Plot
// (svg_plot.h): throughput, disk usage, space amplification and latency percentiles of
// every run, and each run's SSTable timeline.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/lab/report_io.h"
#include "bench/lab/results.h"
#include "bench/lab/svg_plot.h"

namespace cassette::lab {
namespace {

namespace fs = std::filesystem;

std::string RunName(const RunResult& run) {
  std::string name = run.engine + " · " + run.workload;
  return run.round > 1 ? fmt::format("{} · round {}", name, run.round) : name;
}

// Phase changes of a run's timeline as faint markers named after the phase that begins.
void AddPhaseMarkers(Plot* plot, const RunResult& run, const char* colour) {
  for (size_t i = 1; i < run.timeline.size(); ++i) {
    if (run.timeline[i].phase != run.timeline[i - 1].phase) {
      plot->AddVLine(run.timeline[i - 1].t_seconds, colour, run.timeline[i].phase);
    }
  }
}

std::string Throughput(const LabReport& report) {
  Plot plot("Throughput", "time (s)", "operations per second");
  plot.SetNote("dashed verticals: phase changes");
  for (size_t i = 0; i < report.runs.size(); ++i) {
    const RunResult& run = report.runs[i];
    Plot::Points points;
    for (const Sample& s : run.timeline) points.emplace_back(s.t_seconds, s.ops_per_sec);
    plot.AddLine(std::move(points), PaletteColour(i), PaletteDash(i), RunName(run));
    AddPhaseMarkers(&plot, run, PaletteColour(i));
  }
  return plot.Render();
}

std::string Disk(const LabReport& report) {
  Plot plot("Disk usage", "time (s)", "MB (10^6 bytes)");
  plot.SetNote("solid: bytes in the engine's folder · dashed: live logical data");
  for (size_t i = 0; i < report.runs.size(); ++i) {
    const RunResult& run = report.runs[i];
    Plot::Points disk, live;
    for (const Sample& s : run.timeline) {
      disk.emplace_back(s.t_seconds, s.disk_bytes / 1e6);
      live.emplace_back(s.t_seconds, s.live_bytes / 1e6);
    }
    plot.AddLine(std::move(disk), PaletteColour(i), "", RunName(run));
    plot.AddLine(std::move(live), PaletteColour(i), "6,4", "");
  }
  return plot.Render();
}

std::string SpaceAmp(const LabReport& report) {
  Plot plot("Space amplification", "time (s)", "disk bytes ÷ live bytes");
  plot.AddHLine(1);
  for (size_t i = 0; i < report.runs.size(); ++i) {
    const RunResult& run = report.runs[i];
    Plot::Points points;
    for (const Sample& s : run.timeline) {
      if (s.live_bytes > 0) points.emplace_back(s.t_seconds, double(s.disk_bytes) / s.live_bytes);
    }
    plot.AddLine(std::move(points), PaletteColour(i), PaletteDash(i), RunName(run));
  }
  return plot.Render();
}

// Percentile curves: x = -log10(1 - q) ("nines"), y = latency in µs on a log axis. Each
// bucket contributes the point (fraction at or below its upper bound, that bound); the
// last point (q = 1) is drawn at the finest quantile the count resolves, 1 - 1/n.
std::string Latency(const LabReport& report) {
  Plot plot("Latency by percentile", "percentile", "latency (µs)");
  plot.SetLogY();
  plot.SetNote("all operations of each type over the whole run");
  double max_nines = 2;
  size_t series = 0;
  for (const RunResult& run : report.runs) {
    std::map<std::string, Histogram> per_op;
    for (const PhaseResult& p : run.phases) {
      for (const auto& [op, h] : p.latency_ns) per_op[op].Merge(h);
    }
    for (const auto& [op, h] : per_op) {
      if (h.Count() == 0) continue;
      const double n = static_cast<double>(h.Count()), cap = std::log10(n);
      Plot::Points points{{0, std::max(h.Min(), int64_t{1}) / 1e3}};
      int64_t seen = 0;
      for (const auto& [upper, count] : h.Buckets()) {
        seen += count;
        const double rest = 1 - static_cast<double>(seen) / n;
        const double x = rest <= 0 ? cap : std::min(-std::log10(rest), cap);
        points.emplace_back(
            x,
            std::clamp(upper, std::max(h.Min(), int64_t{1}), std::max(h.Max(), int64_t{1})) / 1e3);
      }
      max_nines = std::max(max_nines, cap);
      plot.AddLine(std::move(points), PaletteColour(series), PaletteDash(series),
                   RunName(run) + " · " + op);
      ++series;
    }
  }
  const int nines = std::min(9, static_cast<int>(std::ceil(max_nines - 1e-9)));
  std::vector<Tick> ticks{{0, "0"}};
  for (int k = 1; k <= nines; ++k) {
    ticks.push_back(
        {double(k), k == 1 ? "90" : "99" + (k > 2 ? "." + std::string(k - 2, '9') : "")});
  }
  plot.SetXTicks(std::move(ticks), 0, nines);
  return plot.Render();
}

// The SSTable timeline: each file a bar from creation to deletion (or the run's end), in a
// lane per level or window; within a lane, bars take the first free track (interval
// scheduling) so files alive at the same time never overlap.
std::string SsTables(const RunResult& run) {
  struct Bar {
    double from, to;
    int level;
    uint64_t file, bytes;
    size_t track = 0;
  };
  std::vector<Bar> bars;
  std::map<uint64_t, size_t> open;
  double end = 0;
  for (const PhaseResult& p : run.phases) end += p.seconds;
  if (!run.timeline.empty()) end = std::max(end, run.timeline.back().t_seconds);
  for (const FileEvent& e : run.files) end = std::max(end, e.t_seconds);
  for (const FileEvent& e : run.files) {
    if (e.created) {
      open[e.file] = bars.size();
      bars.push_back({e.t_seconds, end, e.level, e.file, e.bytes});
    } else if (auto it = open.find(e.file); it != open.end()) {
      bars[it->second].to = e.t_seconds;
      open.erase(it);
    } else {
      bars.push_back({0, e.t_seconds, e.level, e.file, e.bytes});  // created before the sink
    }
  }
  std::map<int, std::vector<double>> track_ends;  // level → when each track becomes free
  std::vector<size_t> order(bars.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return bars[a].from < bars[b].from; });
  for (size_t i : order) {
    std::vector<double>& ends = track_ends[bars[i].level];
    auto free = std::find_if(ends.begin(), ends.end(), [&](double t) { return t <= bars[i].from; });
    bars[i].track = static_cast<size_t>(free - ends.begin());
    if (free == ends.end()) {
      ends.push_back(bars[i].to);
    } else {
      *free = bars[i].to;
    }
  }
  // Lanes top-down from the lowest level; y grows upwards (one unit per track plus one
  // between lanes), so lanes are laid out from the top. A track is kTrackPx high until
  // the plot reaches its maximum height, then thinner, down to a hairline.
  constexpr double kTrackPx = 12, kMinPx = 160, kMaxPx = 720;
  double total = 0;
  for (const auto& [level, ends] : track_ends) total += static_cast<double>(ends.size()) + 1;
  const double height = std::clamp(total * kTrackPx, kMinPx, kMaxPx);
  const double top = std::max(total, height / kTrackPx);
  const bool windows = run.engine.find("TWCS") != std::string::npos;
  Plot plot("SSTables over time: " + RunName(run), "time (s)", windows ? "window" : "level");
  plot.SetNote("one bar per file, from its creation to its deletion; bars stack within a lane");
  plot.SetPlotHeight(height);
  std::map<int, double> lane_top;
  std::vector<Tick> ticks;
  double at = top;
  for (const auto& [level, ends] : track_ends) {
    lane_top[level] = at;
    ticks.push_back(
        {at - 0.5 - ends.size() / 2.0, fmt::format("{}{}", windows ? "W" : "L", level)});
    at -= static_cast<double>(ends.size()) + 1;
    plot.AddHLine(at + 0.5);
  }
  plot.SetYTicks(std::move(ticks), 0, top);
  for (const Bar& b : bars) {
    const double y1 = lane_top[b.level] - 0.5 - static_cast<double>(b.track) - 0.05;
    plot.AddBar(b.from, std::max(b.to, b.from), y1 - 0.9, y1,
                PaletteColour(static_cast<size_t>(std::abs(b.level))),
                fmt::format("file {} · {}{} · {:.2f} MB · {:.1f}–{:.1f} s", b.file,
                            windows ? "W" : "L", b.level, b.bytes / 1e6, b.from, b.to));
  }
  AddPhaseMarkers(&plot, run, "#555");
  return plot.Render();
}

}  // namespace

absl::Status WriteSvgs(const LabReport& report, const fs::path& folder) {
  if (absl::Status s = MakePrivateFolder(folder); !s.ok()) {
    return absl::Status(s.code(), fmt::format("WriteSvgs: {}", std::string(s.message())));
  }
  // One set of comparison plots per workload: runs of different workloads share no axis.
  std::vector<std::string> workloads;
  for (const RunResult& run : report.runs) {
    if (std::find(workloads.begin(), workloads.end(), run.workload) == workloads.end()) {
      workloads.push_back(run.workload);
    }
  }
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string& w : workloads) {
    LabReport one = report;
    one.runs.clear();
    for (const RunResult& run : report.runs) {
      if (run.workload == w) one.runs.push_back(run);
    }
    const std::string suffix = workloads.size() > 1 ? "-" + SafeFileName(w) : "";
    files.emplace_back("throughput" + suffix + ".svg", Throughput(one));
    files.emplace_back("disk" + suffix + ".svg", Disk(one));
    files.emplace_back("space-amp" + suffix + ".svg", SpaceAmp(one));
    files.emplace_back("latency" + suffix + ".svg", Latency(one));
  }
  if (workloads.empty()) {
    files = {{"throughput.svg", Throughput(report)},
             {"disk.svg", Disk(report)},
             {"space-amp.svg", SpaceAmp(report)},
             {"latency.svg", Latency(report)}};
  }
  std::set<std::string> taken;
  for (const RunResult& run : report.runs) {
    if (run.files.empty()) continue;
    const std::string base = "sstables-" + SafeFileName(run.engine + "-" + run.workload);
    std::string name = base + ".svg";
    for (int n = 2; !taken.insert(name).second; ++n) name = fmt::format("{}-{}.svg", base, n);
    files.emplace_back(name, SsTables(run));
  }
  for (const auto& [name, svg] : files) {
    if (absl::Status s = WriteFileAtomically(folder / name, svg); !s.ok()) {
      return absl::Status(s.code(), fmt::format("WriteSvgs: {}", std::string(s.message())));
    }
  }
  return absl::OkStatus();
}

}  // namespace cassette::lab

// bench/lab/svg_plot.h — a small static SVG chart: lines, bars and markers on linear or
// log axes, with ticks, axis labels, a title and a legend. Internal to bench/lab.
//
// No plotting library is packaged for C++ in Debian, and the lab's plots are simple, so
// they are written by hand. Output is static SVG 1.1 (no scripts, no external fonts or
// styles). Not thread-safe; build a Plot, then Render it once or more.
#ifndef CASSETTE_BENCH_LAB_SVG_PLOT_H_
#define CASSETTE_BENCH_LAB_SVG_PLOT_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cassette::lab {

// A series' colour and dash pattern: ten distinguishable hues, then the same hues dashed.
const char* PaletteColour(size_t series);
const char* PaletteDash(size_t series);  // "" (solid) for the first ten series

// `text` with &, <, >, " and ' escaped, for element text and attribute values.
std::string SvgEscape(std::string_view text);

struct Tick {
  double value;
  std::string label;
};

class Plot {
 public:
  using Points = std::vector<std::pair<double, double>>;

  Plot(std::string title, std::string x_label, std::string y_label);

  void SetNote(std::string note) { note_ = std::move(note); }  // a line under the title
  void SetLogY() { log_y_ = true; }  // values ≤ 0 are drawn at the axis' bottom
  void SetPlotHeight(double px) { plot_h_ = px; }
  // Fixed ticks instead of computed 1/2/5×10^k ones; the axis spans exactly [lo, hi].
  void SetXTicks(std::vector<Tick> ticks, double lo, double hi);
  void SetYTicks(std::vector<Tick> ticks, double lo, double hi);

  // A polyline; `legend` empty = no legend entry. Non-finite points are skipped.
  void AddLine(Points points, const char* colour, std::string dash, std::string legend);
  // A faint dashed vertical marker (e.g. a phase change), labelled along the line; a
  // label within 14 px of an earlier one is left out rather than overprinted.
  void AddVLine(double x, const char* colour, std::string label);
  // A grey horizontal reference line (e.g. space amplification 1, a lane separator).
  void AddHLine(double y) { hlines_.push_back(y); }
  // A filled bar <rect class="bar"> with a tooltip; at least 0.5 px in each direction.
  void AddBar(double x0, double x1, double y0, double y1, const char* colour, std::string tooltip);

  // The whole SVG document.
  std::string Render() const;

 private:
  struct Line {
    Points points;
    const char* colour;
    std::string dash;
  };
  struct Legend {
    std::string label;
    const char* colour;
    std::string dash;
  };
  struct VLine {
    double x;
    const char* colour;
    std::string label;
  };
  struct Bar {
    double x0, x1, y0, y1;
    const char* colour;
    std::string tooltip;
  };
  struct Axis {
    double lo = 0, hi = 1;
    std::vector<Tick> ticks;
  };
  struct Frame;

  Axis XAxis() const;
  Axis YAxis() const;
  void RenderAxes(const Frame& f, std::string* svg) const;
  void RenderData(const Frame& f, std::string* svg) const;
  void RenderLegend(const Frame& f, std::string* svg) const;

  std::string title_, x_label_, y_label_, note_;
  bool log_y_ = false;
  double plot_h_ = 360;
  std::optional<Axis> x_fixed_, y_fixed_;
  std::vector<Line> lines_;
  std::vector<Legend> legend_;
  std::vector<VLine> vlines_;
  std::vector<double> hlines_;
  std::vector<Bar> bars_;
};

}  // namespace cassette::lab

#endif  // CASSETTE_BENCH_LAB_SVG_PLOT_H_

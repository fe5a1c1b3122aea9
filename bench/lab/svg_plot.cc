// bench/lab/svg_plot.cc — see svg_plot.h.
//
// Layout (pixels): a fixed 960-wide canvas; the title (and note) above the plot area,
// tick labels and the x label below it, then the legend in as many columns as its longest
// label allows. The canvas grows downwards with the legend, never sideways.
#include "bench/lab/svg_plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cassette::lab {
namespace {

// d3's category10: ten hues that stay apart on screen and in most colour blindnesses.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr const char* kDashes[] = {"", "7,3", "2,2"};
constexpr size_t kLegendChars = 48;

// The 1, 2 or 5 × 10^k step that cuts `span` into about six intervals.
double NiceStep(double span) {
  const double raw = span / 6;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double norm = raw / magnitude;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
}

// Ticks from lo to hi by step, with one axis-wide suffix (k, M, G) so that labels read
// "0 5k 10k", and the decimals the step needs and no more.
std::vector<Tick> LinearTicks(double lo, double hi, double step) {
  const double top = std::max(std::fabs(lo), std::fabs(hi));
  const double scale = top >= 1e10 ? 1e9 : top >= 1e7 ? 1e6 : top >= 1e4 ? 1e3 : 1;
  const char* suffix = scale == 1e9 ? "G" : scale == 1e6 ? "M" : scale == 1e3 ? "k" : "";
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step / scale) + 1e-9)));
  std::vector<Tick> ticks;
  for (int i = 0; lo + i * step <= hi + step * 1e-6; ++i) {
    const double v = lo + i * step;
    const double shown = std::fabs(v) < step * 1e-6 ? 0 : v;  // no "-0"
    ticks.push_back({shown, fmt::format("{:.{}f}{}", shown / scale, decimals, suffix)});
  }
  return ticks;
}

std::string LogLabel(double v) {
  if (v >= 1e9) return fmt::format("{:g}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:g}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:g}k", v / 1e3);
  return fmt::format("{:g}", v);
}

// At most `n` bytes of `s`, cut before a UTF-8 continuation byte, then "…".
std::string Shorten(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

std::string DashAttribute(const std::string& dash) {
  return dash.empty() ? "" : " stroke-dasharray=\"" + dash + "\"";
}

}  // namespace

const char* PaletteColour(size_t series) { return kPalette[series % std::size(kPalette)]; }
const char* PaletteDash(size_t series) {
  return kDashes[(series / std::size(kPalette)) % std::size(kDashes)];
}

std::string SvgEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct Plot::Frame {
  static constexpr double kWidth = 960, kLeft = 84, kRight = 44;  // room for a last x label
  Axis x, y;
  bool log_y = false;
  double top = 0, pw = 0, ph = 0, legend_top = 0, height = 0, col_w = 0;
  size_t cols = 1;

  double X(double v) const { return kLeft + (v - x.lo) / (x.hi - x.lo) * pw; }
  double Y(double v) const {
    const double f = log_y ? (std::log10(std::max(v, y.lo)) - std::log10(y.lo)) /
                                 (std::log10(y.hi) - std::log10(y.lo))
                           : (v - y.lo) / (y.hi - y.lo);
    return top + ph - f * ph;
  }
};

Plot::Plot(std::string title, std::string x_label, std::string y_label)
    : title_(std::move(title)), x_label_(std::move(x_label)), y_label_(std::move(y_label)) {}

void Plot::SetXTicks(std::vector<Tick> ticks, double lo, double hi) {
  x_fixed_ = Axis{lo, hi, std::move(ticks)};
}
void Plot::SetYTicks(std::vector<Tick> ticks, double lo, double hi) {
  y_fixed_ = Axis{lo, hi, std::move(ticks)};
}

void Plot::AddLine(Points points, const char* colour, std::string dash, std::string legend) {
  if (!legend.empty()) legend_.push_back({std::move(legend), colour, dash});
  lines_.push_back({std::move(points), colour, std::move(dash)});
}

void Plot::AddVLine(double x, const char* colour, std::string label) {
  vlines_.push_back({x, colour, std::move(label)});
}

void Plot::AddBar(double x0, double x1, double y0, double y1, const char* colour,
                  std::string tooltip) {
  bars_.push_back({x0, x1, y0, y1, colour, std::move(tooltip)});
}

// Linear axes include 0 (rates, bytes and seconds all start there) and end on a tick.
Plot::Axis Plot::XAxis() const {
  if (x_fixed_) return *x_fixed_;
  double lo = 0, hi = 0;
  for (const Line& l : lines_) {
    for (const auto& [x, y] : l.points) {
      if (std::isfinite(x) && std::isfinite(y)) lo = std::min(lo, x), hi = std::max(hi, x);
    }
  }
  for (const Bar& b : bars_) lo = std::min(lo, b.x0), hi = std::max(hi, b.x1);
  if (hi - lo < 1e-12) hi = lo + 1;
  const double step = NiceStep(hi - lo);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
  return {lo, hi, LinearTicks(lo, hi, step)};
}

// A log axis spans whole decades, with 2 and 5 ticks too when it spans two or fewer.
Plot::Axis Plot::YAxis() const {
  if (y_fixed_) return *y_fixed_;
  double lo = log_y_ ? INFINITY : 0, hi = log_y_ ? -INFINITY : 0;
  auto extend = [&](double x, double y) {
    if (!std::isfinite(x) || !std::isfinite(y) || (log_y_ && y <= 0)) return;
    lo = std::min(lo, y), hi = std::max(hi, y);
  };
  for (const Line& l : lines_) {
    for (const auto& [x, y] : l.points) extend(x, y);
  }
  for (const Bar& b : bars_) extend(b.x0, b.y0), extend(b.x1, b.y1);
  if (!log_y_) {
    if (hi - lo < 1e-12) hi = lo + 1;
    const double step = NiceStep(hi - lo);
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
    return {lo, hi, LinearTicks(lo, hi, step)};
  }
  if (!std::isfinite(lo)) lo = 1, hi = 10;
  const int d0 = static_cast<int>(std::floor(std::log10(lo)));
  const int d1 = std::max(d0 + 1, static_cast<int>(std::ceil(std::log10(hi) - 1e-9)));
  Axis axis{std::pow(10, d0), std::pow(10, d1), {}};
  const std::vector<double> mantissas =
      d1 - d0 <= 2 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
  for (int d = d0; d <= d1; ++d) {
    for (double m : mantissas) {
      const double v = m * std::pow(10, d);
      if (v <= axis.hi * (1 + 1e-9)) axis.ticks.push_back({v, LogLabel(v)});
    }
  }
  return axis;
}

void Plot::RenderAxes(const Frame& f, std::string* svg) const {
  const double left = Frame::kLeft, right = Frame::kLeft + f.pw, bottom = f.top + f.ph;
  for (const Tick& t : f.x.ticks) {
    if (t.value < f.x.lo - 1e-9 || t.value > f.x.hi + 1e-9) continue;
    *svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#e4e4e4\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
        f.X(t.value), f.top, bottom, bottom + 18, SvgEscape(t.label));
  }
  for (const Tick& t : f.y.ticks) {
    *svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e4e4e4\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        left, f.Y(t.value), right, left - 6, f.Y(t.value) + 4, SvgEscape(t.label));
  }
  for (double y : hlines_) {
    *svg +=
        fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#999\"/>\n",
                    left, f.Y(y), right);
  }
  *svg += fmt::format(
      "<path d=\"M{0} {1}V{2}H{3}\" fill=\"none\" stroke=\"#333\"/>\n"
      "<text x=\"{4}\" y=\"{5}\" text-anchor=\"middle\">{6}</text>\n"
      "<text transform=\"translate(18 {7}) rotate(-90)\" text-anchor=\"middle\">{8}</text>\n",
      left, f.top, bottom, right, left + f.pw / 2, bottom + 40, SvgEscape(x_label_),
      f.top + f.ph / 2, SvgEscape(y_label_));
}

void Plot::RenderData(const Frame& f, std::string* svg) const {
  *svg += "<g clip-path=\"url(#area)\">\n";
  for (const Bar& b : bars_) {
    *svg += fmt::format(
        "<rect class=\"bar\" x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" "
        "fill=\"{}\" fill-opacity=\"0.75\"><title>{}</title></rect>\n",
        f.X(b.x0), f.Y(b.y1), std::max(f.X(b.x1) - f.X(b.x0), 0.5),
        std::max(f.Y(b.y0) - f.Y(b.y1), 0.5), b.colour, SvgEscape(b.tooltip));
  }
  std::vector<double> labelled;
  for (const VLine& v : vlines_) {
    const double x = f.X(v.x);
    *svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"{3}\" "
        "stroke-opacity=\"0.35\" stroke-dasharray=\"4,3\"/>\n",
        x, f.top, f.top + f.ph, v.colour);
    if (v.label.empty() || std::any_of(labelled.begin(), labelled.end(),
                                       [&](double l) { return std::fabs(l - x) < 14; })) {
      continue;
    }
    labelled.push_back(x);
    *svg += fmt::format(
        "<text transform=\"translate({:.1f} {}) rotate(-90)\" text-anchor=\"end\" "
        "font-size=\"10\" fill=\"{}\" fill-opacity=\"0.8\">{}</text>\n",
        x + 11, f.top + 4, v.colour, SvgEscape(v.label));
  }
  for (const Line& l : lines_) {
    std::string points;
    for (const auto& [x, y] : l.points) {
      if (std::isfinite(x) && std::isfinite(y)) {
        points += fmt::format("{:.1f},{:.1f} ", f.X(x), f.Y(y));
      }
    }
    *svg += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"{} points=\"{}\"/>\n", l.colour,
        DashAttribute(l.dash), points);
  }
  *svg += "</g>\n";
}

void Plot::RenderLegend(const Frame& f, std::string* svg) const {
  for (size_t i = 0; i < legend_.size(); ++i) {
    const Legend& l = legend_[i];
    const double x = Frame::kLeft + static_cast<double>(i % f.cols) * f.col_w;
    const double y = f.legend_top + 20.0 * static_cast<double>(i / f.cols);
    *svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2.5\"{4}/>"
        "<text x=\"{5}\" y=\"{6}\">{7}</text>\n",
        x, y - 4, x + 24, l.colour, DashAttribute(l.dash), x + 30, y,
        SvgEscape(Shorten(l.label, kLegendChars)));
  }
}

std::string Plot::Render() const {
  Frame f;
  f.x = XAxis();
  f.y = YAxis();
  f.log_y = log_y_;
  f.pw = Frame::kWidth - Frame::kLeft - Frame::kRight;
  f.top = note_.empty() ? 44 : 62;
  f.ph = plot_h_;
  size_t longest = 8;
  for (const Legend& l : legend_)
    longest = std::max(longest, std::min(l.label.size(), kLegendChars));
  f.col_w = 34 + 6.6 * static_cast<double>(longest);  // ≈6.6 px per character at 12 px
  f.cols = std::max<size_t>(1, static_cast<size_t>(f.pw / f.col_w));
  const size_t rows = (legend_.size() + f.cols - 1) / f.cols;
  f.legend_top = f.top + f.ph + 66;
  f.height = f.legend_top + 20.0 * static_cast<double>(rows);

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0} {1:.0f}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<clipPath id=\"area\"><rect x=\"{2}\" y=\"{3}\" width=\"{4}\" height=\"{5}\"/></clipPath>\n"
      "<text x=\"{6}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{7}"
      "</text>\n",
      Frame::kWidth, f.height, Frame::kLeft, f.top, f.pw, f.ph, Frame::kWidth / 2,
      SvgEscape(title_));
  if (!note_.empty()) {
    svg += fmt::format("<text x=\"{}\" y=\"44\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n",
                       Frame::kWidth / 2, SvgEscape(note_));
  }
  RenderAxes(f, &svg);
  RenderData(f, &svg);
  RenderLegend(f, &svg);
  return svg + "</svg>\n";
}

}  // namespace cassette::lab

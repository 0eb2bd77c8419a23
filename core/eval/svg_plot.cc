#include "core/eval/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace amend {
namespace {

constexpr double kWidth = 760, kHeight = 480;
constexpr double kLeft = 80, kRight = 560, kTop = 40, kBottom = 420;
constexpr const char* kColours[] = {"#1b6ac9", "#d62728", "#2ca02c", "#ff7f0e",
                                    "#9467bd", "#8c564b", "#e377c2", "#17becf",
                                    "#7f7f7f", "#bcbd22"};

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct Axis {
  double low = 0, high = 1;
  bool log = false;
  double Map(double v, double from, double to) const {
    const double a = log ? std::log10(low) : low;
    const double b = log ? std::log10(high) : high;
    const double x = log ? std::log10(std::max(v, low)) : v;
    return from + (to - from) * (x - a) / (b - a);
  }
};

std::vector<double> Ticks(const Axis& axis) {
  std::vector<double> ticks;
  if (axis.log) {
    for (double t = std::pow(10, std::floor(std::log10(axis.low)));
         t <= axis.high * 1.0001; t *= 10) {
      if (t >= axis.low * 0.9999) ticks.push_back(t);
    }
    return ticks;
  }
  const double span = axis.high - axis.low;
  const double raw = span / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  for (double t = std::ceil(axis.low / step) * step; t <= axis.high + 1e-12;
       t += step) {
    ticks.push_back(t);
  }
  return ticks;
}

// The plot's two axes: x spans every point and the reference, padded; y is
// log-scaled when the JSDs span more than two decades.
struct PlotAxes {
  Axis x, y;
};

PlotAxes FitAxes(const PanelReport& report) {
  Axis x, y;
  double min_x = report.spec.reference_x, max_x = report.spec.reference_x;
  double min_y = 1e300, max_y = 0;
  for (const MethodPoint& p : report.points) {
    min_x = std::min(min_x, p.requirement.mean);
    max_x = std::max(max_x, p.requirement.mean);
    if (p.jsd.mean > 0) min_y = std::min(min_y, p.jsd.mean);
    max_y = std::max(max_y, p.jsd.mean);
  }
  if (max_x <= min_x) max_x = min_x + 1;
  const double pad = 0.04 * (max_x - min_x);
  x.low = min_x - pad;
  x.high = max_x + pad;
  if (min_y > max_y) min_y = max_y > 0 ? max_y : 1e-3;
  if (max_y <= 0) max_y = 1;
  y.log = max_y / min_y > 100;
  if (y.log) {
    y.low = min_y / 1.5;
    y.high = max_y * 1.5;
  } else {
    y.low = 0;
    y.high = max_y * 1.08;
  }
  return {x, y};
}

// The opening tag, background, title and plot frame.
std::string SvgHeader(const std::string& title) {
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
      "viewBox=\"0 0 %g %g\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"%g\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">%s"
      "</text>\n",
      kWidth, kHeight, kWidth, kHeight, (kLeft + kRight) / 2, Escape(title));
  absl::StrAppendFormat(&svg,
                        "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" "
                        "fill=\"none\" stroke=\"#444\"/>\n",
                        kLeft, kTop, kRight - kLeft, kBottom - kTop);
  return svg;
}

void AppendGrid(const PlotAxes& axes, std::string* svg) {
  for (double t : Ticks(axes.x)) {
    const double px = axes.x.Map(t, kLeft, kRight);
    absl::StrAppendFormat(
        svg,
        "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#ddd\"/>"
        "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%g</text>\n",
        px, kTop, px, kBottom, px, kBottom + 16, t);
  }
  for (double t : Ticks(axes.y)) {
    const double py = axes.y.Map(t, kBottom, kTop);
    absl::StrAppendFormat(
        svg,
        "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/>"
        "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
        kLeft, py, kRight, py, kLeft - 6, py + 4, t);
  }
}

void AppendAxisLabels(const PanelSpec& spec, bool y_log, std::string* svg) {
  absl::StrAppendFormat(
      svg,
      "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s</text>\n"
      "<text x=\"18\" y=\"%g\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 18 %g)\">%s%s</text>\n",
      (kLeft + kRight) / 2, kBottom + 40, Escape(spec.requirement_label),
      (kTop + kBottom) / 2, (kTop + kBottom) / 2, Escape(spec.y_label),
      y_log ? ", log scale" : "");
}

// One method: its Pareto front as a line, every point it has (filled when on
// the front, hollow otherwise) and its legend entry in row `m`. Editors are
// drawn heavier so they stand out from the baselines.
void AppendMethod(const PanelReport& report, size_t m, const PlotAxes& axes,
                  std::string* svg) {
  const MethodFront& front = report.fronts[m];
  const std::string colour = kColours[m % std::size(kColours)];
  const bool editor = IsEditorMethod(front.method);
  std::string path;
  for (size_t i : front.front) {
    const MethodPoint& p = report.points[i];
    absl::StrAppendFormat(&path, "%s%.1f,%.1f ", path.empty() ? "" : "",
                          axes.x.Map(p.requirement.mean, kLeft, kRight),
                          axes.y.Map(p.jsd.mean, kBottom, kTop));
  }
  absl::StrAppendFormat(svg,
                        "<polyline points=\"%s\" fill=\"none\" "
                        "stroke=\"%s\" stroke-width=\"%g\"/>\n",
                        path, colour, editor ? 3.0 : 1.5);
  for (size_t i = 0; i < report.points.size(); ++i) {
    const MethodPoint& p = report.points[i];
    if (p.method != front.method) continue;
    const bool on_front = std::find(front.front.begin(), front.front.end(),
                                    i) != front.front.end();
    absl::StrAppendFormat(
        svg,
        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%g\" fill=\"%s\" "
        "stroke=\"%s\"><title>%s %s: %.4g, %.4g</title></circle>\n",
        axes.x.Map(p.requirement.mean, kLeft, kRight),
        axes.y.Map(p.jsd.mean, kBottom, kTop), editor ? 4.5 : 3.5,
        on_front ? colour : "white", colour, Escape(p.method),
        Escape(p.setting), p.requirement.mean, p.jsd.mean);
  }
  const double ly = kTop + 10 + 20 * static_cast<double>(m);
  absl::StrAppendFormat(
      svg,
      "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" "
      "stroke-width=\"%g\"/><text x=\"%g\" y=\"%g\">%s (HV %.3g)</text>\n",
      kRight + 15, ly, kRight + 40, ly, colour, editor ? 3.0 : 1.5, kRight + 46,
      ly + 4, Escape(front.method), front.hypervolume);
}

}  // namespace

std::string RenderPanelSvg(const PanelReport& report) {
  const PlotAxes axes = FitAxes(report);
  std::string svg = SvgHeader(report.spec.title);
  AppendGrid(axes, &svg);
  AppendAxisLabels(report.spec, axes.y.log, &svg);
  for (size_t m = 0; m < report.fronts.size(); ++m) {
    AppendMethod(report, m, axes, &svg);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace amend

#include "core/zoo/accuracy_histogram.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/util/file_io.h"

namespace amend {

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] * (1 - fraction) + values[above] * fraction;
}

// Kept whole (~90 lines): one drawing, top to bottom, whose parts all share
// the plot geometry; split up, each part would take it all as arguments.
std::string AccuracyHistogramSvg(
    const std::map<std::string, std::vector<double>>& series,
    const std::string& title, int bins) {
  constexpr double kWidth = 720, kHeight = 400, kLeft = 60, kRight = 20,
                   kTop = 40, kBottom = 50;
  const char* kColours[] = {"#d62728", "#ff7f0e", "#1f77b4", "#2ca02c",
                            "#9467bd"};
  double lo = 1.0, hi = 0.0;
  for (const auto& [name, values] : series) {
    for (double v : values) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (lo > hi) lo = 0, hi = 1;
  lo = std::floor(lo * 50) / 50;
  hi = std::max(lo + 0.02, std::ceil(hi * 50) / 50);
  std::vector<std::vector<int>> counts(
      series.size(), std::vector<int>(static_cast<size_t>(bins), 0));
  std::vector<int> totals(static_cast<size_t>(bins), 0);
  size_t s = 0;
  for (const auto& [name, values] : series) {
    for (double v : values) {
      int bin = static_cast<int>((v - lo) / (hi - lo) * bins);
      bin = std::clamp(bin, 0, bins - 1);
      ++counts[s][static_cast<size_t>(bin)];
      ++totals[static_cast<size_t>(bin)];
    }
    ++s;
  }
  const int max_count =
      std::max(1, *std::max_element(totals.begin(), totals.end()));
  const double plot_w = kWidth - kLeft - kRight,
               plot_h = kHeight - kTop - kBottom;
  const double bar_w = plot_w / bins;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"%g\" y=\"22\" font-size=\"15\">%s</text>\n",
      kWidth, kHeight, kLeft, title);
  for (int b = 0; b < bins; ++b) {
    double y = kTop + plot_h;
    for (size_t i = 0; i < counts.size(); ++i) {
      const int c = counts[i][static_cast<size_t>(b)];
      if (c == 0) continue;
      const double h = plot_h * c / max_count;
      y -= h;
      absl::StrAppendFormat(
          &svg,
          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
          "fill=\"%s\" fill-opacity=\"0.85\"/>\n",
          kLeft + b * bar_w, y, bar_w * 0.95, h, kColours[i % 5]);
    }
  }
  // Axes, ticks and labels.
  absl::StrAppendFormat(
      &svg,
      "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n"
      "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"black\"/>\n",
      kLeft, kTop + plot_h, kLeft + plot_w, kTop + plot_h, kLeft, kTop, kLeft,
      kTop + plot_h);
  for (int t = 0; t <= 5; ++t) {
    const double value = lo + (hi - lo) * t / 5;
    const double x = kLeft + plot_w * t / 5;
    absl::StrAppendFormat(
        &svg, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%.3f</text>\n",
        x, kTop + plot_h + 18, value);
    const int count = max_count * t / 5;
    absl::StrAppendFormat(
        &svg, "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
        kLeft - 6, kTop + plot_h - plot_h * t / 5 + 4, count);
  }
  absl::StrAppendFormat(
      &svg,
      "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">test accuracy</text>\n"
      "<text x=\"15\" y=\"%g\" transform=\"rotate(-90 15 %g)\" "
      "text-anchor=\"middle\">checkpoints</text>\n",
      kLeft + plot_w / 2, kHeight - 10, kTop + plot_h / 2, kTop + plot_h / 2);
  s = 0;
  for (const auto& [name, values] : series) {
    const double y = kTop + 10 + 18 * static_cast<double>(s);
    absl::StrAppendFormat(
        &svg,
        "<rect x=\"%g\" y=\"%g\" width=\"12\" height=\"12\" fill=\"%s\"/>\n"
        "<text x=\"%g\" y=\"%g\">%s (n=%d, median %.4f)</text>\n",
        kLeft + 12, y - 10, kColours[s % 5], kLeft + 30, y, name, values.size(),
        Quantile(values, 0.5));
    ++s;
  }
  svg += "</svg>\n";
  return svg;
}

absl::Status WriteZooHistogram(
    const std::string& zoo_dir,
    const std::map<std::string, std::vector<double>>& series,
    const std::string& title) {
  return WriteFileAtomically(absl::StrCat(zoo_dir, "/", kZooHistogramFile),
                             AccuracyHistogramSvg(series, title));
}

}  // namespace amend

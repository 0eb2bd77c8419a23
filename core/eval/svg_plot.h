// File: core/eval/svg_plot.h
//
// A trade-off figure in the style of the paper's: requirement metric on x,
// JSD on y (logarithmic when the values span more than two decades), every
// point of every method as a marker, and each method's Pareto front as a
// step line, one colour per method, with a legend. Self-contained SVG 1.1.
//
// Example:
//   std::string svg = RenderPanelSvg(report);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EVAL_SVG_PLOT_H_
#define AMEND_CORE_EVAL_SVG_PLOT_H_

#include <string>

#include "core/eval/panel_report.h"

namespace amend {

std::string RenderPanelSvg(const PanelReport& report);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_SVG_PLOT_H_

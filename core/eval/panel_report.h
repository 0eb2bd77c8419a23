// File: core/eval/panel_report.h
//
// One panel of the paper's figures, from the points every method reached on
// the held-out models: each method's Pareto front (requirement metric and
// JSD, both minimised) and hypervolume up to a common reference point, and
// how the editors' fronts compare with each baseline's:
//   dominance: how many of the baseline's front points some editor point
//     dominates, counting separately those at least as loose as the editor's
//     strictest point (points stricter than any editor point cannot be
//     dominated, so they are listed as not covered);
//   matched JSD: for each editor point, the lowest JSD the baseline reaches
//     at the same requirement or a stricter one, and the ratio to the
//     editor's.
// The y axis is the points' `jsd`; UseDisagreementAsY gives the same panel
// with the fraction of labels changed instead.
// Methods whose name starts with "editor" are editors; "original" (the
// unedited models) is drawn but never compared.
//
// Example:
//   PanelReport report = BuildPanelReport(
//       {.title = "adult, pruning", .requirement_label = "weights kept",
//        .reference_x = 1.0}, points);
// panel_files.h writes it (WritePanelReport); panel_summary.h summarises it
// for people.
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EVAL_PANEL_REPORT_H_
#define AMEND_CORE_EVAL_PANEL_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "core/eval/pareto.h"
#include "core/results/method_point.h"

namespace amend {

inline constexpr char kOriginalMethod[] = "original";

struct PanelSpec {
  std::string title;
  std::string requirement_label;  // the x axis
  // x of the hypervolume reference: the unedited models' requirement (1 for
  // fractions kept, the original EOD for fairness). The reference y is 1.1
  // times the largest JSD in the panel.
  double reference_x = 1.0;
  std::string y_label = "JSD to the original (nats)";
};

struct MethodFront {
  std::string method;
  std::vector<size_t> front;  // indices into PanelReport::points, by x
  double hypervolume = 0.0;
};

struct Dominance {
  std::string editor;
  std::string baseline;
  int front_points = 0;
  int dominated = 0;
  // Front points at least as loose as the editor's strictest point.
  int comparable = 0;
  int comparable_dominated = 0;
  std::vector<std::string> not_dominated;  // settings
};

struct MatchedJsd {
  std::string editor;
  std::string editor_setting;
  std::string baseline;
  double editor_x = 0.0;
  double editor_jsd = 0.0;
  std::optional<double> baseline_jsd;  // none: never that strict
  std::string baseline_setting;
};

struct PanelReport {
  PanelSpec spec;
  std::vector<MethodPoint> points;
  ParetoPoint reference;
  std::vector<MethodFront> fronts;  // one per method, in order of appearance
  std::vector<Dominance> dominance;
  std::vector<MatchedJsd> matched;
};

bool IsEditorMethod(const std::string& method);
// Neither an editor nor the original: what the editors are compared with.
bool IsBaselineMethod(const std::string& method);

PanelReport BuildPanelReport(const PanelSpec& spec,
                             std::vector<MethodPoint> points);

// The points with `jsd` replaced by `disagreement`.
std::vector<MethodPoint> UseDisagreementAsY(std::vector<MethodPoint> points);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_PANEL_REPORT_H_

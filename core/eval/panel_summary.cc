#include "core/eval/panel_summary.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace amend {
namespace {

// Each method's front and hypervolume, then each editor's hypervolume
// against the best baseline's.
std::string FrontsTable(const PanelReport& report) {
  std::string md =
      "| method | hypervolume | front (setting: x, y, accuracy, labels "
      "changed) | seconds per model |\n|---|---|---|---|\n";
  double best_baseline = 0.0;
  bool any_baseline = false;
  for (const MethodFront& f : report.fronts) {
    std::vector<std::string> cells;
    for (size_t i : f.front) {
      const MethodPoint& p = report.points[i];
      cells.push_back(absl::StrFormat("%s: %.4g, %.4g, %.3f, %.3f", p.setting,
                                      p.requirement.mean, p.jsd.mean,
                                      p.accuracy.mean, p.disagreement.mean));
    }
    double seconds = 0.0;
    int count = 0;
    for (const MethodPoint& p : report.points) {
      if (p.method != f.method) continue;
      seconds += p.seconds.mean;
      ++count;
    }
    absl::StrAppendFormat(&md, "| %s | %.5g | %s | %.4g |\n", f.method,
                          f.hypervolume, absl::StrJoin(cells, "; "),
                          count > 0 ? seconds / count : 0.0);
    if (IsBaselineMethod(f.method)) {
      best_baseline = std::max(best_baseline, f.hypervolume);
      any_baseline = true;
    }
  }
  for (const MethodFront& f : report.fronts) {
    if (!IsEditorMethod(f.method) || !any_baseline) continue;
    absl::StrAppendFormat(
        &md, "\n%s: hypervolume %.5g against the best baseline's %.5g (%s).\n",
        f.method, f.hypervolume, best_baseline,
        f.hypervolume >= best_baseline ? "at least as large" : "smaller");
  }
  return md;
}

std::string DominanceTable(const PanelReport& report) {
  std::string md =
      "\n## Dominance\n\n| editor | baseline | front points dominated | "
      "within the editor's range | not dominated |\n|---|---|---|---|---|\n";
  for (const Dominance& d : report.dominance) {
    absl::StrAppendFormat(&md, "| %s | %s | %d / %d | %d / %d | %s |\n",
                          d.editor, d.baseline, d.dominated, d.front_points,
                          d.comparable_dominated, d.comparable,
                          absl::StrJoin(d.not_dominated, ", "));
  }
  return md;
}

std::string MatchedTable(const PanelReport& report) {
  std::string md =
      "\n## y at the editor's requirement or stricter\n\n| editor point | "
      "x | editor y | baseline | baseline y | ratio |\n"
      "|---|---|---|---|---|---|\n";
  for (const MatchedJsd& m : report.matched) {
    if (m.baseline_jsd) {
      absl::StrAppendFormat(
          &md, "| %s %s | %.4g | %.4g | %s (%s) | %.4g | %.2fx |\n", m.editor,
          m.editor_setting, m.editor_x, m.editor_jsd, m.baseline,
          m.baseline_setting, *m.baseline_jsd,
          m.editor_jsd > 0 ? *m.baseline_jsd / m.editor_jsd : 0.0);
    } else {
      absl::StrAppendFormat(&md,
                            "| %s %s | %.4g | %.4g | %s | never this strict | "
                            "- |\n",
                            m.editor, m.editor_setting, m.editor_x,
                            m.editor_jsd, m.baseline);
    }
  }
  return md;
}

}  // namespace

std::string PanelSummaryMarkdown(const PanelReport& report) {
  std::string md = absl::StrCat("# ", report.spec.title, "\n\n");
  absl::StrAppendFormat(
      &md,
      "x: %s (lower is stricter); y: %s. Hypervolume reference (%.4g, "
      "%.4g).\n\n",
      report.spec.requirement_label, report.spec.y_label, report.reference.x,
      report.reference.y);
  return md + FrontsTable(report) + DominanceTable(report) +
         MatchedTable(report);
}

}  // namespace amend

#include "core/eval/panel_report.h"

#include <algorithm>
#include <utility>

namespace amend {
namespace {

bool Dominates(const MethodPoint& a, const MethodPoint& b) {
  const bool no_worse =
      a.requirement.mean <= b.requirement.mean && a.jsd.mean <= b.jsd.mean;
  const bool better =
      a.requirement.mean < b.requirement.mean || a.jsd.mean < b.jsd.mean;
  return no_worse && better;
}

std::vector<std::string> MethodsInOrder(
    const std::vector<MethodPoint>& points) {
  std::vector<std::string> methods;
  for (const MethodPoint& p : points) {
    if (std::find(methods.begin(), methods.end(), p.method) == methods.end()) {
      methods.push_back(p.method);
    }
  }
  return methods;
}

MethodFront FrontOf(const std::string& method,
                    const std::vector<MethodPoint>& points,
                    const ParetoPoint& reference) {
  MethodFront front;
  front.method = method;
  std::vector<size_t> indices;
  std::vector<ParetoPoint> xy;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i].method != method) continue;
    indices.push_back(i);
    xy.push_back({points[i].requirement.mean, points[i].jsd.mean});
  }
  const std::vector<bool> optimal = ParetoOptimal(xy);
  std::vector<ParetoPoint> front_xy;
  for (size_t k = 0; k < indices.size(); ++k) {
    if (!optimal[k]) continue;
    front.front.push_back(indices[k]);
    front_xy.push_back(xy[k]);
  }
  std::sort(front.front.begin(), front.front.end(), [&](size_t a, size_t b) {
    return points[a].requirement.mean < points[b].requirement.mean;
  });
  front.hypervolume = Hypervolume(front_xy, reference);
  return front;
}

// `strictest`: the editor front's smallest requirement.
Dominance DominanceOf(const std::vector<MethodPoint>& points,
                      const MethodFront& editor, const MethodFront& baseline,
                      double strictest) {
  Dominance d;
  d.editor = editor.method;
  d.baseline = baseline.method;
  for (size_t b : baseline.front) {
    const MethodPoint& point = points[b];
    const bool dominated =
        std::any_of(editor.front.begin(), editor.front.end(),
                    [&](size_t e) { return Dominates(points[e], point); });
    const bool comparable = point.requirement.mean >= strictest;
    ++d.front_points;
    d.dominated += dominated;
    d.comparable += comparable;
    d.comparable_dominated += comparable && dominated;
    if (!dominated) d.not_dominated.push_back(point.setting);
  }
  return d;
}

// Against every point of the baseline, not only its front: a dominated
// point can still be the lowest JSD at or below the editor's requirement.
MatchedJsd MatchOf(const std::vector<MethodPoint>& points,
                   const std::string& editor, size_t editor_point,
                   const std::string& baseline) {
  MatchedJsd m;
  m.editor = editor;
  m.editor_setting = points[editor_point].setting;
  m.baseline = baseline;
  m.editor_x = points[editor_point].requirement.mean;
  m.editor_jsd = points[editor_point].jsd.mean;
  for (const MethodPoint& p : points) {
    if (p.method != baseline || p.requirement.mean > m.editor_x) continue;
    if (!m.baseline_jsd || p.jsd.mean < *m.baseline_jsd) {
      m.baseline_jsd = p.jsd.mean;
      m.baseline_setting = p.setting;
    }
  }
  return m;
}

}  // namespace

bool IsEditorMethod(const std::string& method) {
  return method.rfind("editor", 0) == 0;
}

bool IsBaselineMethod(const std::string& method) {
  return !IsEditorMethod(method) && method != kOriginalMethod;
}

PanelReport BuildPanelReport(const PanelSpec& spec,
                             std::vector<MethodPoint> points) {
  PanelReport report;
  report.spec = spec;
  report.points = std::move(points);
  double largest_jsd = 0.0;
  for (const MethodPoint& p : report.points) {
    largest_jsd = std::max(largest_jsd, p.jsd.mean);
  }
  report.reference = {spec.reference_x,
                      largest_jsd > 0 ? 1.1 * largest_jsd : 1.0};
  for (const std::string& method : MethodsInOrder(report.points)) {
    report.fronts.push_back(FrontOf(method, report.points, report.reference));
  }
  for (const MethodFront& editor : report.fronts) {
    if (!IsEditorMethod(editor.method)) continue;
    double strictest = report.spec.reference_x;
    for (size_t e : editor.front) {
      strictest = std::min(strictest, report.points[e].requirement.mean);
    }
    for (const MethodFront& baseline : report.fronts) {
      if (!IsBaselineMethod(baseline.method)) continue;
      report.dominance.push_back(
          DominanceOf(report.points, editor, baseline, strictest));
      for (size_t e : editor.front) {
        report.matched.push_back(
            MatchOf(report.points, editor.method, e, baseline.method));
      }
    }
  }
  return report;
}

std::vector<MethodPoint> UseDisagreementAsY(std::vector<MethodPoint> points) {
  for (MethodPoint& p : points) p.jsd = p.disagreement;
  return points;
}

}  // namespace amend

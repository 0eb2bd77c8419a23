#include "core/eval/panel_report.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/eval/svg_plot.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

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

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

bool IsEditorMethod(const std::string& method) {
  return method.rfind("editor", 0) == 0;
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
    MethodFront front;
    front.method = method;
    std::vector<size_t> indices;
    std::vector<ParetoPoint> xy;
    for (size_t i = 0; i < report.points.size(); ++i) {
      if (report.points[i].method != method) continue;
      indices.push_back(i);
      xy.push_back(
          {report.points[i].requirement.mean, report.points[i].jsd.mean});
    }
    const std::vector<bool> optimal = ParetoOptimal(xy);
    std::vector<ParetoPoint> front_xy;
    for (size_t k = 0; k < indices.size(); ++k) {
      if (!optimal[k]) continue;
      front.front.push_back(indices[k]);
      front_xy.push_back(xy[k]);
    }
    std::sort(front.front.begin(), front.front.end(), [&](size_t a, size_t b) {
      return report.points[a].requirement.mean <
             report.points[b].requirement.mean;
    });
    front.hypervolume = Hypervolume(front_xy, report.reference);
    report.fronts.push_back(std::move(front));
  }
  for (const MethodFront& editor : report.fronts) {
    if (!IsEditorMethod(editor.method)) continue;
    double strictest = report.spec.reference_x;
    for (size_t e : editor.front) {
      strictest = std::min(strictest, report.points[e].requirement.mean);
    }
    for (const MethodFront& baseline : report.fronts) {
      if (IsEditorMethod(baseline.method) ||
          baseline.method == kOriginalMethod) {
        continue;
      }
      Dominance d;
      d.editor = editor.method;
      d.baseline = baseline.method;
      for (size_t b : baseline.front) {
        const MethodPoint& point = report.points[b];
        const bool dominated = std::any_of(
            editor.front.begin(), editor.front.end(),
            [&](size_t e) { return Dominates(report.points[e], point); });
        const bool comparable = point.requirement.mean >= strictest;
        ++d.front_points;
        d.dominated += dominated;
        d.comparable += comparable;
        d.comparable_dominated += comparable && dominated;
        if (!dominated) d.not_dominated.push_back(point.setting);
      }
      report.dominance.push_back(d);
      for (size_t e : editor.front) {
        MatchedJsd m;
        m.editor = editor.method;
        m.editor_setting = report.points[e].setting;
        m.baseline = baseline.method;
        m.editor_x = report.points[e].requirement.mean;
        m.editor_jsd = report.points[e].jsd.mean;
        for (size_t i = 0; i < report.points.size(); ++i) {
          const MethodPoint& p = report.points[i];
          if (p.method != baseline.method || p.requirement.mean > m.editor_x) {
            continue;
          }
          if (!m.baseline_jsd || p.jsd.mean < *m.baseline_jsd) {
            m.baseline_jsd = p.jsd.mean;
            m.baseline_setting = p.setting;
          }
        }
        report.matched.push_back(m);
      }
    }
  }
  return report;
}

std::vector<MethodPoint> UseDisagreementAsY(std::vector<MethodPoint> points) {
  for (MethodPoint& p : points) p.jsd = p.disagreement;
  return points;
}

std::string PointsCsv(const PanelReport& report) {
  std::vector<bool> on_front(report.points.size(), false);
  for (const MethodFront& f : report.fronts) {
    for (size_t i : f.front) on_front[i] = true;
  }
  std::string csv =
      "method,setting,models,requirement_mean,requirement_sd,jsd_mean,jsd_sd,"
      "accuracy_mean,accuracy_sd,seconds_per_model_mean,"
      "seconds_per_model_sd,disagreement_mean,on_front\n";
  for (size_t i = 0; i < report.points.size(); ++i) {
    const MethodPoint& p = report.points[i];
    absl::StrAppendFormat(
        &csv, "%s,%s,%d,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%d\n",
        CsvField(p.method), CsvField(p.setting), p.models, p.requirement.mean,
        p.requirement.sd, p.jsd.mean, p.jsd.sd, p.accuracy.mean, p.accuracy.sd,
        p.seconds.mean, p.seconds.sd, p.disagreement.mean, on_front[i] ? 1 : 0);
  }
  return csv;
}

nlohmann::json PanelReportJson(const PanelReport& report) {
  auto spread = [](const Spread& s) {
    return nlohmann::json{{"mean", s.mean}, {"sd", s.sd}};
  };
  nlohmann::json points = nlohmann::json::array();
  for (const MethodPoint& p : report.points) {
    points.push_back({{"method", p.method},
                      {"setting", p.setting},
                      {"models", p.models},
                      {"requirement", spread(p.requirement)},
                      {"jsd", spread(p.jsd)},
                      {"accuracy", spread(p.accuracy)},
                      {"seconds_per_model", spread(p.seconds)},
                      {"disagreement", spread(p.disagreement)}});
  }
  nlohmann::json fronts = nlohmann::json::array();
  for (const MethodFront& f : report.fronts) {
    nlohmann::json settings = nlohmann::json::array();
    for (size_t i : f.front) settings.push_back(report.points[i].setting);
    fronts.push_back({{"method", f.method},
                      {"front", settings},
                      {"hypervolume", f.hypervolume}});
  }
  nlohmann::json dominance = nlohmann::json::array();
  for (const Dominance& d : report.dominance) {
    dominance.push_back({{"editor", d.editor},
                         {"baseline", d.baseline},
                         {"front_points", d.front_points},
                         {"dominated", d.dominated},
                         {"comparable", d.comparable},
                         {"comparable_dominated", d.comparable_dominated},
                         {"not_dominated", d.not_dominated}});
  }
  nlohmann::json matched = nlohmann::json::array();
  for (const MatchedJsd& m : report.matched) {
    matched.push_back(
        {{"editor", m.editor},
         {"editor_setting", m.editor_setting},
         {"baseline", m.baseline},
         {"requirement", m.editor_x},
         {"editor_jsd", m.editor_jsd},
         {"baseline_jsd",
          m.baseline_jsd ? nlohmann::json(*m.baseline_jsd) : nullptr},
         {"baseline_setting", m.baseline_setting}});
  }
  return {{"title", report.spec.title},
          {"requirement", report.spec.requirement_label},
          {"reference", {report.reference.x, report.reference.y}},
          {"points", points},
          {"fronts", fronts},
          {"dominance", dominance},
          {"matched_jsd", matched}};
}

std::string PanelSummaryMarkdown(const PanelReport& report) {
  std::string md = absl::StrCat("# ", report.spec.title, "\n\n");
  absl::StrAppendFormat(
      &md,
      "x: %s (lower is stricter); y: %s. Hypervolume reference (%.4g, "
      "%.4g).\n\n",
      report.spec.requirement_label, report.spec.y_label, report.reference.x,
      report.reference.y);
  md +=
      "| method | hypervolume | front (setting: x, y, accuracy, labels "
      "changed) | seconds per model |\n|---|---|---|---|\n";
  double best_baseline = 0.0;
  bool any_baseline = false;
  for (const MethodFront& f : report.fronts) {
    std::vector<std::string> cells;
    double seconds = 0.0;
    for (size_t i : f.front) {
      const MethodPoint& p = report.points[i];
      cells.push_back(absl::StrFormat("%s: %.4g, %.4g, %.3f, %.3f", p.setting,
                                      p.requirement.mean, p.jsd.mean,
                                      p.accuracy.mean, p.disagreement.mean));
    }
    int count = 0;
    for (const MethodPoint& p : report.points) {
      if (p.method != f.method) continue;
      seconds += p.seconds.mean;
      ++count;
    }
    absl::StrAppendFormat(&md, "| %s | %.5g | %s | %.4g |\n", f.method,
                          f.hypervolume, absl::StrJoin(cells, "; "),
                          count > 0 ? seconds / count : 0.0);
    if (!IsEditorMethod(f.method) && f.method != kOriginalMethod) {
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
  md +=
      "\n## Dominance\n\n| editor | baseline | front points dominated | "
      "within the editor's range | not dominated |\n|---|---|---|---|---|\n";
  for (const Dominance& d : report.dominance) {
    absl::StrAppendFormat(&md, "| %s | %s | %d / %d | %d / %d | %s |\n",
                          d.editor, d.baseline, d.dominated, d.front_points,
                          d.comparable_dominated, d.comparable,
                          absl::StrJoin(d.not_dominated, ", "));
  }
  md +=
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

absl::Status WritePanelReport(const std::string& dir,
                              const PanelReport& report) {
  AMEND_RETURN_IF_ERROR(CreateDirectories(dir));
  AMEND_RETURN_IF_ERROR(
      WriteFileAtomically(dir + "/points.csv", PointsCsv(report)));
  AMEND_RETURN_IF_ERROR(WriteFileAtomically(
      dir + "/report.json", PanelReportJson(report).dump(2) + "\n"));
  AMEND_RETURN_IF_ERROR(
      WriteFileAtomically(dir + "/summary.md", PanelSummaryMarkdown(report)));
  return WriteFileAtomically(dir + "/plot.svg", RenderPanelSvg(report));
}

}  // namespace amend

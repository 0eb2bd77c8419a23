#include "core/eval/panel_files.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "core/eval/panel_summary.h"
#include "core/eval/svg_plot.h"
#include "core/util/csv_field.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

nlohmann::json FrontsJson(const PanelReport& report) {
  nlohmann::json fronts = nlohmann::json::array();
  for (const MethodFront& f : report.fronts) {
    nlohmann::json settings = nlohmann::json::array();
    for (size_t i : f.front) settings.push_back(report.points[i].setting);
    fronts.push_back({{"method", f.method},
                      {"front", settings},
                      {"hypervolume", f.hypervolume}});
  }
  return fronts;
}

nlohmann::json DominanceJson(const PanelReport& report) {
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
  return dominance;
}

nlohmann::json MatchedJson(const PanelReport& report) {
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
  return matched;
}

}  // namespace

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
  return {{"title", report.spec.title},
          {"requirement", report.spec.requirement_label},
          {"reference", {report.reference.x, report.reference.y}},
          {"points", MethodPointsToJson(report.points)},
          {"fronts", FrontsJson(report)},
          {"dominance", DominanceJson(report)},
          {"matched_jsd", MatchedJson(report)}};
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

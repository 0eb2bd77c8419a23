// File: core/eval/panel_files.h
//
// A panel report's files (docs/RESULTS.md): points.csv, report.json,
// summary.md (panel_summary.h) and plot.svg (svg_plot.h).
//
// Example:
//   AMEND_RETURN_IF_ERROR(WritePanelReport("reports/adult/pruning", report));
//
// Thread-safe (pure functions; writes are atomic).
#ifndef AMEND_CORE_EVAL_PANEL_FILES_H_
#define AMEND_CORE_EVAL_PANEL_FILES_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "core/eval/panel_report.h"

namespace amend {

// Every point: method, setting, models, mean and sd of requirement, JSD,
// accuracy and seconds per model, and whether it is on its method's front.
std::string PointsCsv(const PanelReport& report);
nlohmann::json PanelReportJson(const PanelReport& report);

// points.csv, report.json, summary.md and plot.svg in `dir` (created),
// each written atomically.
absl::Status WritePanelReport(const std::string& dir,
                              const PanelReport& report);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_PANEL_FILES_H_

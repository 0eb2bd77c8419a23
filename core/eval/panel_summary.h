// File: core/eval/panel_summary.h
//
// A panel report as tables for people (summary.md, and what `amend-trainer
// eval` prints): each method's front and hypervolume, the editors' against
// the best baseline's, dominance, and matched JSD.
//
// Example:
//   std::cout << PanelSummaryMarkdown(report);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EVAL_PANEL_SUMMARY_H_
#define AMEND_CORE_EVAL_PANEL_SUMMARY_H_

#include <string>

#include "core/eval/panel_report.h"

namespace amend {

std::string PanelSummaryMarkdown(const PanelReport& report);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_PANEL_SUMMARY_H_

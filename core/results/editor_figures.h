// File: core/results/editor_figures.h
//
// An editor's figures on one zoo split, as its checkpoint keeps them
// (editor.json "validation" and "test", docs/EDITOR_FORMAT.md): mean and sd
// over the split's models of the edit outcomes. A report's MethodPoint
// (method_point.h) summarises the same outcomes for a figure instead; the
// two stay apart because each file format fixes its own fields.
//
// Example:
//   EditorFigures figures = Summarise(outcomes, "test");
//   nlohmann::json j = EditorFiguresToJson(figures);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_RESULTS_EDITOR_FIGURES_H_
#define AMEND_CORE_RESULTS_EDITOR_FIGURES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/results/edit_outcome.h"
#include "core/results/mean_sd.h"

namespace amend {

struct EditorFigures {
  int64_t models = 0;
  std::string data;      // the task data split used: "validation", "test"
  MeanSd jsd;            // nats, hard masks
  MeanSd requirement;    // RequirementMetricName(requirement)
  MeanSd features_kept;  // count
  MeanSd weights_kept;   // fraction
  MeanSd accuracy_before;
  MeanSd accuracy_after;
  MeanSd eod_before;  // equalised-odds difference, hard labels
  MeanSd eod_after;
};

EditorFigures Summarise(const std::vector<EditOutcome>& outcomes,
                        absl::string_view data_name);

nlohmann::json EditorFiguresToJson(const EditorFigures& figures);
// Errors name the field under `path` ("validation.jsd.sd: is required").
absl::StatusOr<EditorFigures> EditorFiguresFromJson(const nlohmann::json& json,
                                                    absl::string_view path);

}  // namespace amend

#endif  // AMEND_CORE_RESULTS_EDITOR_FIGURES_H_

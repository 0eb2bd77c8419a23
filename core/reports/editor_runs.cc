// OriginalPoint and EditorPoint (panel_runs.h).
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/editor/editor_checkpoint.h"
#include "core/reports/panel_runs.h"
#include "core/reports/run_helpers.h"
#include "core/util/status_macros.h"

namespace amend {

SplitTensors FirstRows(const SplitTensors& data, int64_t rows) {
  rows = std::min(rows, data.rows());
  return {data.features.narrow(0, 0, rows), data.labels.narrow(0, 0, rows),
          data.groups.narrow(0, 0, rows), data.attributes};
}

int64_t KeptCount(double fraction, int64_t total) {
  return static_cast<int64_t>(
      std::llround(fraction * static_cast<double>(total)));
}

std::string Setting(const std::string& name, double value) {
  return absl::StrFormat("%s=%g", name, value);
}

absl::StatusOr<MethodPoint> OriginalPoint(Requirement requirement,
                                          const std::vector<const Mlp*>& models,
                                          const SplitTensors& test) {
  std::vector<EditOutcome> outcomes;
  for (const Mlp* model : models) {
    AMEND_ASSIGN_OR_RETURN(
        EditOutcome outcome,
        WeightEditOutcome(requirement, *model, *model, test, 0.0));
    outcomes.push_back(outcome);
  }
  return SummarisePoint("original", "-", outcomes);
}

absl::StatusOr<MethodPoint> EditorPoint(const NamedEditor& named,
                                        Requirement requirement,
                                        const std::vector<const Mlp*>& models,
                                        const SplitTensors& test) {
  AMEND_ASSIGN_OR_RETURN(LoadedEditor loaded, ReadEditorCheckpoint(named.dir));
  if (loaded.manifest.config.requirement != requirement) {
    return absl::FailedPreconditionError(
        absl::StrCat(named.dir, ": the editor is for ",
                     RequirementName(loaded.manifest.config.requirement),
                     ", not ", RequirementName(requirement)));
  }
  std::vector<EditOutcome> outcomes;
  for (const Mlp* model : models) {
    // Timed alone, one model per forward pass: the latency a client sees.
    const Stopwatch watch;
    AMEND_ASSIGN_OR_RETURN(std::vector<EditResult> results,
                           loaded.editor->Edit({model}));
    const double seconds = watch.Seconds();
    AMEND_ASSIGN_OR_RETURN(EditOutcome outcome,
                           WeightEditOutcome(requirement, *model,
                                             results[0].edited, test, seconds));
    outcomes.push_back(outcome);
  }
  return SummarisePoint(named.method, named.setting, outcomes);
}

}  // namespace amend

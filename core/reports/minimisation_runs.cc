// RunMinimisationBaselines (panel_runs.h).
#include <ATen/ATen.h>

#include <cmath>

#include "absl/strings/str_format.h"
#include "core/baselines/distillation.h"
#include "core/baselines/feature_selection.h"
#include "core/reports/panel_runs.h"
#include "core/reports/run_helpers.h"
#include "core/util/status_macros.h"

namespace amend {

absl::StatusOr<std::vector<MethodPoint>> RunMinimisationBaselines(
    const std::vector<const Mlp*>& models, const PanelData& data,
    const MinimisationSweep& sweep, const PanelProgress& progress) {
  if (models.empty()) return std::vector<MethodPoint>{};
  const int64_t inputs = models[0]->architecture.input_dim;
  // Features are attributes when the task groups inputs (one-hot columns).
  const InputAttributes& attributes = data.fit.attributes;
  const bool grouped =
      !attributes.trivial() &&
      static_cast<int64_t>(attributes.of_input.size()) == inputs;
  const int64_t features = grouped ? attributes.count() : inputs;
  std::vector<int64_t> retrain_counts;
  for (double fraction : sweep.retrain_keep_fractions) {
    if (!(fraction > 0 && fraction <= 1)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "retrain_keep_fractions: each must be in (0, 1], got %g", fraction));
    }
    retrain_counts.push_back(std::max<int64_t>(
        1, std::llround(fraction * static_cast<double>(features))));
  }
  // FS keeps k = features - 1 ... 1.
  std::vector<std::vector<EditOutcome>> fs(features - 1);
  std::vector<std::vector<EditOutcome>> retrained(retrain_counts.size());
  const size_t retrain_models =
      sweep.retrain_models > 0
          ? std::min<size_t>(models.size(), sweep.retrain_models)
          : models.size();
  for (size_t m = 0; m < models.size(); ++m) {
    const Mlp& model = *models[m];
    if (model.architecture.input_dim != inputs) {
      return absl::InvalidArgumentError(
          "models: every model must read the same features");
    }
    const Stopwatch importance_watch;
    AMEND_ASSIGN_OR_RETURN(
        const std::vector<double> importance,
        PermutationImportance(model, data.fit, sweep.importance_repeats,
                              sweep.seed + m));
    const double importance_seconds = importance_watch.Seconds();
    for (int64_t keep = features - 1; keep >= 1; --keep) {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(
          Mlp selected, SelectFeatures(model, importance, keep, attributes));
      AMEND_ASSIGN_OR_RETURN(
          EditOutcome outcome,
          WeightEditOutcome(Requirement::kDataMinimisation, model, selected,
                            data.test, importance_seconds + watch.Seconds()));
      fs[features - 1 - keep].push_back(outcome);
    }
    if (m < retrain_models) {
      for (size_t r = 0; r < retrain_counts.size(); ++r) {
        const Stopwatch watch;
        AMEND_ASSIGN_OR_RETURN(
            Mlp selected,
            SelectFeatures(model, importance, retrain_counts[r], attributes));
        DistillationOptions options = sweep.retraining;
        options.seed = sweep.seed + 1000 * m + r;
        AMEND_ASSIGN_OR_RETURN(
            Mlp student, DistilStudent(model, selected, data.fit, options));
        AMEND_ASSIGN_OR_RETURN(
            EditOutcome outcome,
            WeightEditOutcome(Requirement::kDataMinimisation, model, student,
                              data.test, importance_seconds + watch.Seconds()));
        retrained[r].push_back(outcome);
      }
    }
    if (progress) progress("data-minimisation baselines", m + 1, models.size());
  }
  std::vector<MethodPoint> points;
  for (int64_t keep = features - 1; keep >= 1; --keep) {
    points.push_back(
        SummarisePoint("fs", Setting("features", static_cast<double>(keep)),
                       fs[features - 1 - keep]));
  }
  for (size_t r = 0; r < retrain_counts.size(); ++r) {
    points.push_back(SummarisePoint(
        "fs_retrain",
        Setting("features", static_cast<double>(retrain_counts[r])),
        retrained[r]));
  }
  return points;
}

}  // namespace amend

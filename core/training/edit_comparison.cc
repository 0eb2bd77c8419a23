#include "core/training/edit_comparison.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/mlp/forward.h"
#include "core/objectives/fairness.h"
#include "core/objectives/preservation.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::StatusOr<EditOutcome> CompareEdit(Requirement requirement,
                                        const Mlp& original, const Mlp& edited,
                                        const SplitTensors& data) {
  at::NoGradGuard no_grad;
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor before,
      Logits(original.architecture, original.parameters, data.features));
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor after,
      Logits(edited.architecture, edited.parameters, data.features));
  EditOutcome outcome;
  AMEND_RETURN_IF_ERROR(CallTorch("comparing an edit", [&]() -> absl::Status {
    // Rounding can leave a row's divergence a hair below 0; it is not.
    outcome.jsd = JensenShannonFromLogits(before, after)
                      .clamp_min(0.0)
                      .mean()
                      .item<double>();
    const at::Tensor predicted_before = before.argmax(1);
    const at::Tensor predicted_after = after.argmax(1);
    outcome.accuracy_before =
        predicted_before.eq(data.labels).to(at::kDouble).mean().item<double>();
    outcome.accuracy_after =
        predicted_after.eq(data.labels).to(at::kDouble).mean().item<double>();
    outcome.disagreement = predicted_before.ne(predicted_after)
                               .to(at::kDouble)
                               .mean()
                               .item<double>();
    return absl::OkStatus();
  }));
  // Class 1 against the rest: the same figure for a binary label, and a
  // defined one (reported, never a requirement) for a multi-class label.
  at::Tensor positive_before, positive_after, positive_labels;
  AMEND_RETURN_IF_ERROR(CallTorch("comparing the edit", [&]() -> absl::Status {
    positive_before = before.argmax(1).eq(1).to(at::kLong);
    positive_after = after.argmax(1).eq(1).to(at::kLong);
    positive_labels = data.labels.eq(1).to(at::kLong);
    return absl::OkStatus();
  }));
  AMEND_ASSIGN_OR_RETURN(
      outcome.eod_before,
      EqualisedOddsDifference(positive_before, positive_labels, data.groups));
  AMEND_ASSIGN_OR_RETURN(
      outcome.eod_after,
      EqualisedOddsDifference(positive_after, positive_labels, data.groups));
  // Counts only: names are not needed here.
  const EditStatistics statistics =
      ComputeEditStatistics(data.attributes, edited);
  outcome.features_kept = statistics.features_kept;
  outcome.weights_kept = statistics.weights_kept_fraction();
  outcome.weights_kept_count = statistics.weights_kept;
  switch (requirement) {
    case Requirement::kDataMinimisation:
      outcome.requirement = static_cast<double>(statistics.features_kept) /
                            static_cast<double>(statistics.features_total);
      break;
    case Requirement::kFairness:
      outcome.requirement = outcome.eod_after;
      break;
    case Requirement::kPruning:
      outcome.requirement = outcome.weights_kept;
      break;
  }
  return outcome;
}

absl::StatusOr<std::vector<EditOutcome>> CompareEditor(
    const Editor& editor, const std::vector<const Mlp*>& models,
    const SplitTensors& data, int64_t batch_models) {
  std::vector<EditOutcome> outcomes;
  outcomes.reserve(models.size());
  const size_t step = static_cast<size_t>(std::max<int64_t>(1, batch_models));
  for (size_t begin = 0; begin < models.size(); begin += step) {
    const size_t end = std::min(models.size(), begin + step);
    const std::vector<const Mlp*> batch(models.begin() + begin,
                                        models.begin() + end);
    AMEND_ASSIGN_OR_RETURN(const std::vector<EditResult> results,
                           editor.Edit(batch));
    for (size_t i = 0; i < batch.size(); ++i) {
      AMEND_ASSIGN_OR_RETURN(EditOutcome outcome,
                             CompareEdit(editor.config().requirement, *batch[i],
                                         results[i].edited, data));
      outcomes.push_back(outcome);
    }
  }
  return outcomes;
}

}  // namespace amend

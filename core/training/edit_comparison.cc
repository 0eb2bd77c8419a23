#include "core/training/edit_comparison.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

#include "core/mlp/forward.h"
#include "core/objectives/fairness.h"
#include "core/objectives/preservation.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

template <typename Field>
MeanSd MeanAndSd(const std::vector<EditRecord>& records, Field field) {
  MeanSd result;
  if (records.empty()) return result;
  auto value = [&](const EditRecord& record) {
    return static_cast<double>(record.*field);
  };
  for (const EditRecord& record : records) result.mean += value(record);
  result.mean /= static_cast<double>(records.size());
  double squares = 0.0;
  for (const EditRecord& record : records) {
    squares += (value(record) - result.mean) * (value(record) - result.mean);
  }
  result.sd = std::sqrt(squares / static_cast<double>(records.size()));
  return result;
}

}  // namespace

absl::StatusOr<EditRecord> CompareEdit(Requirement requirement,
                                       const Mlp& original, const Mlp& edited,
                                       const SplitTensors& data) {
  at::NoGradGuard no_grad;
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor before,
      Logits(original.architecture, original.parameters, data.features));
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor after,
      Logits(edited.architecture, edited.parameters, data.features));
  EditRecord record;
  AMEND_RETURN_IF_ERROR(CallTorch("comparing an edit", [&]() -> absl::Status {
    // Rounding can leave a row's divergence a hair below 0; it is not.
    record.jsd = JensenShannonFromLogits(before, after)
                     .clamp_min(0.0)
                     .mean()
                     .item<double>();
    const at::Tensor predicted_before = before.argmax(1);
    const at::Tensor predicted_after = after.argmax(1);
    record.accuracy_before =
        predicted_before.eq(data.labels).to(at::kDouble).mean().item<double>();
    record.accuracy_after =
        predicted_after.eq(data.labels).to(at::kDouble).mean().item<double>();
    record.disagreement = predicted_before.ne(predicted_after)
                              .to(at::kDouble)
                              .mean()
                              .item<double>();
    return absl::OkStatus();
  }));
  AMEND_ASSIGN_OR_RETURN(
      record.eod_before,
      EqualisedOddsDifference(before.argmax(1), data.labels, data.groups));
  AMEND_ASSIGN_OR_RETURN(
      record.eod_after,
      EqualisedOddsDifference(after.argmax(1), data.labels, data.groups));
  EditorConfig names;  // counts only; feature names are not needed here
  const EditStatistics statistics = ComputeEditStatistics(names, edited);
  record.features_kept = statistics.features_kept;
  record.weights_kept = statistics.weights_kept_fraction();
  record.weights_kept_count = statistics.weights_kept;
  switch (requirement) {
    case Requirement::kDataMinimisation:
      record.requirement = static_cast<double>(statistics.features_kept) /
                           static_cast<double>(statistics.features_total);
      break;
    case Requirement::kFairness:
      record.requirement = record.eod_after;
      break;
    case Requirement::kPruning:
      record.requirement = record.weights_kept;
      break;
  }
  return record;
}

absl::StatusOr<std::vector<EditRecord>> EvaluateEditor(
    const Editor& editor, const std::vector<const Mlp*>& models,
    const SplitTensors& data, int64_t batch_models) {
  std::vector<EditRecord> records;
  records.reserve(models.size());
  const size_t step = static_cast<size_t>(std::max<int64_t>(1, batch_models));
  for (size_t begin = 0; begin < models.size(); begin += step) {
    const size_t end = std::min(models.size(), begin + step);
    const std::vector<const Mlp*> batch(models.begin() + begin,
                                        models.begin() + end);
    AMEND_ASSIGN_OR_RETURN(const std::vector<EditResult> results,
                           editor.Edit(batch));
    for (size_t i = 0; i < batch.size(); ++i) {
      AMEND_ASSIGN_OR_RETURN(EditRecord record,
                             CompareEdit(editor.config().requirement, *batch[i],
                                         results[i].edited, data));
      records.push_back(record);
    }
  }
  return records;
}

EditorFigures Summarise(const std::vector<EditRecord>& records,
                        absl::string_view data_name) {
  EditorFigures figures;
  figures.models = static_cast<int64_t>(records.size());
  figures.data = std::string(data_name);
  figures.jsd = MeanAndSd(records, &EditRecord::jsd);
  figures.requirement = MeanAndSd(records, &EditRecord::requirement);
  figures.features_kept = MeanAndSd(records, &EditRecord::features_kept);
  figures.weights_kept = MeanAndSd(records, &EditRecord::weights_kept);
  figures.accuracy_before = MeanAndSd(records, &EditRecord::accuracy_before);
  figures.accuracy_after = MeanAndSd(records, &EditRecord::accuracy_after);
  figures.eod_before = MeanAndSd(records, &EditRecord::eod_before);
  figures.eod_after = MeanAndSd(records, &EditRecord::eod_after);
  return figures;
}

}  // namespace amend

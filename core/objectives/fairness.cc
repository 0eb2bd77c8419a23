#include "core/objectives/fairness.h"

#include <ATen/ATen.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// For each group present and each label class, the mean prediction over that
// cell, as (rates of label 1 = TPRs, rates of label 0 = FPRs); cells with no
// rows are skipped.
void GroupRates(const at::Tensor& prediction, const at::Tensor& labels,
                const at::Tensor& groups,
                std::vector<at::Tensor>& true_positive_rates,
                std::vector<at::Tensor>& false_positive_rates,
                bool& missing_cell) {
  const at::Tensor group_ids = std::get<0>(at::_unique(groups));
  missing_cell = false;
  for (int64_t i = 0; i < group_ids.size(0); ++i) {
    const at::Tensor in_group = groups.eq(group_ids[i]);
    for (int64_t label : {1, 0}) {
      const at::Tensor cell =
          at::logical_and(in_group, labels.eq(label)).to(prediction.dtype());
      const double count = cell.sum().item<double>();
      if (count == 0) {
        missing_cell = true;
        continue;
      }
      (label == 1 ? true_positive_rates : false_positive_rates)
          .push_back((prediction * cell).sum() / count);
    }
  }
}

at::Tensor Spread(const std::vector<at::Tensor>& rates) {
  if (rates.size() < 2) return at::zeros({});
  const at::Tensor stacked = at::stack(rates);
  return stacked.max() - stacked.min();
}

}  // namespace

absl::StatusOr<double> EqualisedOddsDifference(const at::Tensor& predictions,
                                               const at::Tensor& labels,
                                               const at::Tensor& groups) {
  return CallTorch("EqualisedOddsDifference", [&]() -> absl::StatusOr<double> {
    if (predictions.dim() != 1 || labels.sizes() != predictions.sizes() ||
        groups.sizes() != predictions.sizes()) {
      return absl::InvalidArgumentError(
          "predictions, labels, groups: must be 1-D tensors of one length");
    }
    std::vector<at::Tensor> tpr, fpr;
    bool missing = false;
    GroupRates(predictions.to(at::kDouble), labels, groups, tpr, fpr, missing);
    if (missing) {
      return absl::InvalidArgumentError(
          "groups: every group needs rows of both labels for TPR and FPR to be "
          "defined");
    }
    return at::maximum(Spread(tpr), Spread(fpr)).item<double>();
  });
}

at::Tensor SoftEqualisedOddsDifference(const at::Tensor& positive_probability,
                                       const at::Tensor& labels,
                                       const at::Tensor& groups) {
  std::vector<at::Tensor> tpr, fpr;
  bool missing = false;
  GroupRates(positive_probability, labels, groups, tpr, fpr, missing);
  return at::maximum(Spread(tpr), Spread(fpr));
}

}  // namespace amend

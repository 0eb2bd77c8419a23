#include "core/baselines/feature_selection.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::StatusOr<std::vector<double>> PermutationImportance(
    const Mlp& mlp, const SplitTensors& data, int repeats, uint64_t seed) {
  if (repeats < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("repeats: must be >= 1, got ", repeats));
  }
  at::NoGradGuard no_grad;
  auto accuracy = [&](const at::Tensor& features) -> absl::StatusOr<double> {
    AMEND_ASSIGN_OR_RETURN(const at::Tensor logits,
                           Logits(mlp.architecture, mlp.parameters, features));
    return logits.argmax(1)
        .eq(data.labels)
        .to(at::kDouble)
        .mean()
        .item<double>();
  };
  AMEND_ASSIGN_OR_RETURN(const double baseline, accuracy(data.features));
  const int64_t columns = data.features.size(1);
  std::vector<double> importance(columns, 0.0);
  for (int64_t j = 0; j < columns; ++j) {
    // A fresh generator with the same seed per column, as scikit-learn does.
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    at::Tensor shuffled = data.features.clone();
    for (int r = 0; r < repeats; ++r) {
      const at::Tensor order = at::randperm(
          data.rows(), generator, at::TensorOptions().dtype(at::kLong));
      shuffled.select(1, j).copy_(shuffled.select(1, j).index_select(0, order));
      AMEND_ASSIGN_OR_RETURN(const double score, accuracy(shuffled));
      importance[j] += (baseline - score) / repeats;
    }
  }
  return importance;
}

absl::StatusOr<Mlp> MaskInputs(const Mlp& mlp, const at::Tensor& mask) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  const int64_t input_dim = mlp.architecture.input_dim;
  if (mask.dim() != 1 || mask.size(0) != input_dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("mask: must have shape [", input_dim, "]"));
  }
  Mlp masked = mlp;
  const at::Tensor row = mask.to(at::kFloat).view({1, input_dim});
  for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
    if (spec.source != 0 || !IsWeightRole(spec.role)) continue;
    masked.parameters[spec.name] = mlp.parameters.at(spec.name) * row;
  }
  masked.masks[kInputMaskName] = mask.to(at::kFloat).clone();
  return masked;
}

absl::StatusOr<Mlp> SelectFeatures(const Mlp& mlp,
                                   const std::vector<double>& importance,
                                   int64_t keep_count) {
  const int64_t input_dim = mlp.architecture.input_dim;
  if (static_cast<int64_t>(importance.size()) != input_dim) {
    return absl::InvalidArgumentError(absl::StrCat("importance: must have ",
                                                   input_dim, " entries, got ",
                                                   importance.size()));
  }
  if (keep_count < 0 || keep_count > input_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "keep_count: must be in [0, ", input_dim, "], got ", keep_count));
  }
  std::vector<int64_t> order(input_dim);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return importance[a] < importance[b];
  });
  at::Tensor mask = at::ones({input_dim}, at::kFloat);
  for (int64_t k = 0; k < input_dim - keep_count; ++k) mask[order[k]] = 0.0f;
  return MaskInputs(mlp, mask);
}

}  // namespace amend

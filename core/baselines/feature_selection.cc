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
namespace {

// True when `attributes` groups `inputs` inputs into fewer attributes.
bool Grouped(const InputAttributes& attributes, int64_t inputs) {
  return !attributes.trivial() &&
         static_cast<int64_t>(attributes.of_input.size()) == inputs;
}

}  // namespace

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
  if (Grouped(data.attributes, columns)) {
    // One importance per attribute: its columns shuffled together.
    const InputAttributes& attributes = data.attributes;
    std::vector<double> importance(attributes.count(), 0.0);
    for (int64_t a = 0; a < attributes.count(); ++a) {
      std::vector<int64_t> members;
      for (int64_t j = 0; j < columns; ++j) {
        if (attributes.of_input[static_cast<size_t>(j)] == a)
          members.push_back(j);
      }
      const at::Tensor index = at::tensor(members, at::kLong);
      at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
      at::Tensor shuffled = data.features.clone();
      for (int r = 0; r < repeats; ++r) {
        const at::Tensor order = at::randperm(
            data.rows(), generator, at::TensorOptions().dtype(at::kLong));
        shuffled.index_copy_(
            1, index, shuffled.index_select(1, index).index_select(0, order));
        AMEND_ASSIGN_OR_RETURN(const double score, accuracy(shuffled));
        importance[static_cast<size_t>(a)] += (baseline - score) / repeats;
      }
    }
    return importance;
  }
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
                                   int64_t keep_count,
                                   const InputAttributes& attributes) {
  const int64_t input_dim = mlp.architecture.input_dim;
  if (Grouped(attributes, input_dim)) {
    const int64_t count = attributes.count();
    if (static_cast<int64_t>(importance.size()) != count) {
      return absl::InvalidArgumentError(absl::StrCat(
          "importance: must have ", count, " entries (one per attribute), got ",
          importance.size()));
    }
    if (keep_count < 0 || keep_count > count) {
      return absl::InvalidArgumentError(
          absl::StrCat("keep_count: must be in [0, ", count,
                       "] attributes, got ", keep_count));
    }
    std::vector<int64_t> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return importance[a] < importance[b];
    });
    std::vector<bool> removed(static_cast<size_t>(count), false);
    for (int64_t k = 0; k < count - keep_count; ++k)
      removed[static_cast<size_t>(order[k])] = true;
    at::Tensor mask = at::ones({input_dim}, at::kFloat);
    for (int64_t i = 0; i < input_dim; ++i) {
      if (removed[static_cast<size_t>(attributes.of_input[i])]) mask[i] = 0.0f;
    }
    return MaskInputs(mlp, mask);
  }
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

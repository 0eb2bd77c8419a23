#include "core/baselines/score_pruning.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

std::vector<TensorSpec> WeightSpecs(const Architecture& architecture) {
  std::vector<TensorSpec> weights;
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    if (IsWeightRole(spec.role)) weights.push_back(spec);
  }
  return weights;
}

// dL/dw for every weight, L the mean cross-entropy on `data` in eval mode.
absl::StatusOr<TensorMap> LossGradients(const Mlp& mlp,
                                        const SplitTensors& data) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  if (data.rows() == 0) {
    return absl::InvalidArgumentError("data: needs at least one row");
  }
  TensorMap leaves = mlp.parameters;
  AMEND_RETURN_IF_ERROR(CallTorch("weight gradients", [&]() -> absl::Status {
    for (const TensorSpec& spec : WeightSpecs(mlp.architecture)) {
      leaves[spec.name] = leaves[spec.name].detach().clone().requires_grad_();
    }
    return absl::OkStatus();
  }));
  AMEND_ASSIGN_OR_RETURN(const at::Tensor logits,
                         Logits(mlp.architecture, leaves, data.features));
  return CallTorch("weight gradients", [&]() -> absl::StatusOr<TensorMap> {
    const at::Tensor loss =
        at::nll_loss(at::log_softmax(logits, 1), data.labels);
    loss.backward();
    TensorMap gradients;
    for (const TensorSpec& spec : WeightSpecs(mlp.architecture)) {
      const at::Tensor& leaf = leaves.at(spec.name);
      gradients[spec.name] = leaf.grad().defined()
                                 ? leaf.grad().detach().clone()
                                 : at::zeros_like(leaf).detach();
    }
    return gradients;
  });
}

}  // namespace

absl::StatusOr<Mlp> PruneByScores(const Mlp& mlp, const TensorMap& scores,
                                  int64_t keep_count) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  const int64_t total = CountWeights(mlp.architecture);
  if (keep_count < 0 || keep_count > total) {
    return absl::InvalidArgumentError(absl::StrCat(
        "keep_count: must be in [0, ", total, "], got ", keep_count));
  }
  const std::vector<TensorSpec> weights = WeightSpecs(mlp.architecture);
  for (const TensorSpec& spec : weights) {
    auto it = scores.find(spec.name);
    if (it == scores.end() || it->second.numel() != spec.numel()) {
      return absl::InvalidArgumentError(
          absl::StrCat("scores[", spec.name, "]: must hold ", spec.numel(),
                       " values, one per weight"));
    }
  }
  return CallTorch("pruning by scores", [&]() -> absl::StatusOr<Mlp> {
    std::vector<at::Tensor> flat;
    for (const TensorSpec& spec : weights) {
      flat.push_back(scores.at(spec.name).to(at::kDouble).reshape(-1));
    }
    // A stable descending sort keeps equal scores in weight order, so the
    // earlier of two tied weights is kept.
    const at::Tensor order = std::get<1>(at::cat(flat).sort(
        /*stable=*/true, /*dim=*/0, /*descending=*/true));
    at::Tensor keep = at::zeros({total}, at::kFloat);
    keep.index_fill_(0, order.narrow(0, 0, keep_count), 1.0f);
    Mlp pruned = mlp;
    for (const TensorSpec& spec : weights)
      pruned.masks.erase(MaskName(spec.name));
    int64_t offset = 0;
    for (const TensorSpec& spec : weights) {
      const at::Tensor& weight = mlp.parameters.at(spec.name);
      const at::Tensor mask =
          keep.narrow(0, offset, weight.numel()).view(weight.sizes());
      offset += weight.numel();
      pruned.parameters[spec.name] = weight * mask;
      pruned.masks[MaskName(spec.name)] = mask.clone();
    }
    return pruned;
  });
}

absl::StatusOr<TensorMap> RandomScores(const Mlp& mlp, uint64_t seed) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  return CallTorch("random scores", [&]() -> absl::StatusOr<TensorMap> {
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    TensorMap scores;
    for (const TensorSpec& spec : WeightSpecs(mlp.architecture)) {
      scores[spec.name] = at::rand(spec.shape, generator, at::kDouble);
    }
    return scores;
  });
}

absl::StatusOr<TensorMap> MagnitudeScores(const Mlp& mlp) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  TensorMap scores;
  for (const TensorSpec& spec : WeightSpecs(mlp.architecture)) {
    scores[spec.name] = mlp.parameters.at(spec.name).abs();
  }
  return scores;
}

absl::StatusOr<TensorMap> GradientScores(const Mlp& mlp,
                                         const SplitTensors& data) {
  AMEND_ASSIGN_OR_RETURN(TensorMap gradients, LossGradients(mlp, data));
  for (auto& [name, gradient] : gradients) gradient = gradient.abs();
  return gradients;
}

absl::StatusOr<TensorMap> SnipScores(const Mlp& mlp, const SplitTensors& data) {
  AMEND_ASSIGN_OR_RETURN(TensorMap gradients, LossGradients(mlp, data));
  for (auto& [name, gradient] : gradients) {
    gradient = (gradient * mlp.parameters.at(name)).abs();
  }
  return gradients;
}

}  // namespace amend

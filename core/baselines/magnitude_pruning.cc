#include "core/baselines/magnitude_pruning.h"

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::StatusOr<Mlp> GlobalMagnitudePrune(const Mlp& mlp, int64_t keep_count) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  const int64_t total = CountWeights(mlp.architecture);
  if (keep_count < 0 || keep_count > total) {
    return absl::InvalidArgumentError(absl::StrCat(
        "keep_count: must be in [0, ", total, "], got ", keep_count));
  }
  return CallTorch("magnitude pruning", [&]() -> absl::StatusOr<Mlp> {
    std::vector<TensorSpec> weights;
    std::vector<at::Tensor> flat;
    for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
      if (!IsWeightRole(spec.role)) continue;
      weights.push_back(spec);
      flat.push_back(mlp.parameters.at(spec.name).reshape(-1));
    }
    const at::Tensor magnitudes = at::cat(flat).abs();
    // A stable descending sort keeps equal magnitudes in weight order, so the
    // earlier of two tied weights is kept.
    const at::Tensor order =
        std::get<1>(magnitudes.sort(/*stable=*/true, /*dim=*/0,
                                    /*descending=*/true));
    at::Tensor keep = at::zeros({total}, at::kFloat);
    keep.index_fill_(0, order.narrow(0, 0, keep_count), 1.0f);
    Mlp pruned = mlp;
    pruned.masks.clear();
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

}  // namespace amend

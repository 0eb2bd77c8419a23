#include "core/mlp/carry_masks.h"

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::Status CarryMasks(const Mlp& earlier, Mlp& later) {
  if (earlier.masks.empty()) return absl::OkStatus();
  if (!(earlier.architecture == later.architecture)) {
    return absl::InvalidArgumentError(
        "masks: the earlier and the edited model differ in architecture");
  }
  if (absl::Status valid = ValidateMasks(earlier.architecture, earlier.masks);
      !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model masks: ", valid.message()));
  }
  return CallTorch(
      "carrying the earlier masks", TorchInputs::kValidated,
      [&]() -> absl::Status {
        for (const auto& [name, mask] : earlier.masks) {
          auto it = later.masks.find(name);
          if (it == later.masks.end()) {
            later.masks[name] = mask.to(at::kFloat).contiguous();
          } else {
            it->second =
                (it->second * mask.to(it->second.device())).contiguous();
          }
        }
        const auto input_mask = later.masks.find(kInputMaskName);
        for (const TensorSpec& spec : ExpectedTensors(later.architecture)) {
          if (!IsWeightRole(spec.role)) continue;
          at::Tensor& weight = later.parameters.at(spec.name);
          at::Tensor kept = at::ones_like(weight);
          if (auto mask = later.masks.find(MaskName(spec.name));
              mask != later.masks.end()) {
            kept = kept * mask->second.to(weight.device());
          }
          // Columns are the source's units: for the input, its features.
          if (spec.source == 0 && input_mask != later.masks.end()) {
            kept = kept * input_mask->second.to(weight.device()).view({1, -1});
          }
          // at::where, not a product: 0 * inf would be NaN.
          weight = at::where(kept > 0.5f, weight, at::zeros_like(weight))
                       .contiguous();
        }
        return absl::OkStatus();
      });
}

}  // namespace amend

#include "core/mlp/mlp_onnx.h"

#include <ATen/ATen.h>

#include <vector>

#include "core/mlp/float_values.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::StatusOr<std::string> SerializeMlpAsOnnx(
    const Mlp& mlp, const OnnxExportOptions& options) {
  // The views point into `storage`, which outlives the serialisation.
  std::vector<at::Tensor> storage;
  std::vector<Float32TensorView> views;
  AMEND_RETURN_IF_ERROR(CallTorch("reading the model's tensors", [&] {
    for (const TensorMap* map : {&mlp.parameters, &mlp.masks}) {
      for (const auto& [name, tensor] : *map) {
        const at::Tensor& values = storage.emplace_back(CpuFloatValues(tensor));
        views.push_back(
            {name,
             values.sizes().vec(),
             {values.data_ptr<float>(), static_cast<size_t>(values.numel())}});
      }
    }
    return absl::OkStatus();
  }));
  return SerializeOnnxModel(mlp.architecture, views, options);
}

}  // namespace amend

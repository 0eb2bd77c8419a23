#include "core/mlp/parameter_layout.h"

#include "absl/strings/str_cat.h"

namespace amend {

int64_t TensorSpec::numel() const {
  int64_t n = 1;
  for (int64_t dim : shape) n *= dim;
  return n;
}

std::string LayerWeightName(int layer) {
  return absl::StrCat("layers.", layer, ".weight");
}
std::string LayerBiasName(int layer) {
  return absl::StrCat("layers.", layer, ".bias");
}
std::string SkipWeightName(int layer, int source) {
  return absl::StrCat("layers.", layer, ".skip.", source, ".weight");
}
std::string NormWeightName(int layer) {
  return absl::StrCat("layers.", layer, ".norm.weight");
}
std::string NormBiasName(int layer) {
  return absl::StrCat("layers.", layer, ".norm.bias");
}
std::string NormRunningMeanName(int layer) {
  return absl::StrCat("layers.", layer, ".norm.running_mean");
}
std::string NormRunningVarName(int layer) {
  return absl::StrCat("layers.", layer, ".norm.running_var");
}
std::string MaskName(const std::string& tensor_name) {
  return absl::StrCat(kMaskPrefix, tensor_name);
}

bool IsWeightRole(TensorRole role) {
  return role == TensorRole::kLayerWeight || role == TensorRole::kSkipWeight ||
         role == TensorRole::kHeadWeight;
}

std::vector<TensorSpec> ExpectedTensors(const Architecture& architecture) {
  std::vector<TensorSpec> specs;
  const int num_hidden = architecture.num_hidden();
  for (int k = 1; k <= num_hidden; ++k) {
    const HiddenLayer& layer = architecture.layers[static_cast<size_t>(k - 1)];
    const int64_t width = layer.width;
    specs.push_back({LayerWeightName(k),
                     {width, architecture.SourceWidth(k - 1)},
                     TensorRole::kLayerWeight,
                     k,
                     k - 1});
    specs.push_back({LayerBiasName(k), {width}, TensorRole::kLayerBias, k, 0});
    for (int source : layer.skip_from) {
      specs.push_back({SkipWeightName(k, source),
                       {width, architecture.SourceWidth(source)},
                       TensorRole::kSkipWeight,
                       k,
                       source});
    }
    if (layer.norm != Norm::kNone) {
      specs.push_back(
          {NormWeightName(k), {width}, TensorRole::kNormWeight, k, 0});
      specs.push_back({NormBiasName(k), {width}, TensorRole::kNormBias, k, 0});
    }
    if (layer.norm == Norm::kBatchNorm) {
      specs.push_back({NormRunningMeanName(k),
                       {width},
                       TensorRole::kNormRunningMean,
                       k,
                       0});
      specs.push_back(
          {NormRunningVarName(k), {width}, TensorRole::kNormRunningVar, k, 0});
    }
  }
  const int head = num_hidden + 1;
  specs.push_back(
      {kHeadWeightName,
       {architecture.num_classes, architecture.SourceWidth(num_hidden)},
       TensorRole::kHeadWeight,
       head,
       num_hidden});
  specs.push_back({kHeadBiasName,
                   {architecture.num_classes},
                   TensorRole::kHeadBias,
                   head,
                   0});
  return specs;
}

int64_t CountParameters(const Architecture& architecture) {
  int64_t total = 0;
  for (const TensorSpec& spec : ExpectedTensors(architecture))
    total += spec.numel();
  return total;
}

int64_t CountWeights(const Architecture& architecture) {
  int64_t total = 0;
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    if (IsWeightRole(spec.role)) total += spec.numel();
  }
  return total;
}

}  // namespace amend

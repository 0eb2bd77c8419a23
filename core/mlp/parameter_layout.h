// File: core/mlp/parameter_layout.h
//
// The named tensors an Architecture implies (docs/MODEL_FORMAT.md), with their
// shapes, in one canonical order. Names follow PyTorch's nn.Linear convention,
// weights are [out, in]:
//   layers.{k}.weight             [width_k, width_{k-1}]  k = 1..L
//   layers.{k}.bias               [width_k]
//   layers.{k}.skip.{s}.weight    [width_k, width(h_s)]   for s in skip_from
//                                                         (no bias)
//   layers.{k}.norm.weight/bias   [width_k]               batchnorm or
//                                                         layernorm
//   layers.{k}.norm.running_mean/running_var
//                                 [width_k]               batchnorm only
//   head.weight                   [num_classes, width_L]  (input_dim when
//                                                         L = 0)
//   head.bias                     [num_classes]
// Masks of an edited model: mask.input [input_dim] and mask.<weight name> with
// the weight's shape.
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_MLP_PARAMETER_LAYOUT_H_
#define AMEND_CORE_MLP_PARAMETER_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/mlp/architecture.h"

namespace amend {

// What a tensor is for; lets graph construction and pruning treat weights and
// biases apart.
enum class TensorRole {
  kLayerWeight,
  kLayerBias,
  kSkipWeight,
  kNormWeight,
  kNormBias,
  kNormRunningMean,
  kNormRunningVar,
  kHeadWeight,
  kHeadBias,
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  TensorRole role;
  int layer = 0;  // hidden layer k (1..L), or L+1 for the head
  // For weights: the source h_s they read (k-1 for layer weights, s for
  // skips).
  int source = 0;

  int64_t numel() const;
};

// Every parameter tensor of `architecture`, in canonical order: layer by layer
// (weight, bias, skips in skip_from order, norm tensors), then the head.
// REQUIRES: the architecture is valid.
std::vector<TensorSpec> ExpectedTensors(const Architecture& architecture);

// Total number of parameters (sum of numel over ExpectedTensors), running
// statistics included.
int64_t CountParameters(const Architecture& architecture);
// Number of prunable weights: layer, skip and head weight entries (no biases,
// no norm tensors).
int64_t CountWeights(const Architecture& architecture);

// Tensor names.
std::string LayerWeightName(int layer);
std::string LayerBiasName(int layer);
std::string SkipWeightName(int layer, int source);
std::string NormWeightName(int layer);
std::string NormBiasName(int layer);
std::string NormRunningMeanName(int layer);
std::string NormRunningVarName(int layer);
inline constexpr char kHeadWeightName[] = "head.weight";
inline constexpr char kHeadBiasName[] = "head.bias";
inline constexpr char kInputMaskName[] = "mask.input";
inline constexpr char kMaskPrefix[] = "mask.";
// "mask." + tensor name.
std::string MaskName(const std::string& tensor_name);

// True for roles whose entries are prunable weights (layer, skip, head
// weights).
bool IsWeightRole(TensorRole role);

}  // namespace amend

#endif  // AMEND_CORE_MLP_PARAMETER_LAYOUT_H_

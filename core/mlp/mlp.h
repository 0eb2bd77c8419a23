// File: core/mlp/mlp.h
//
// An MLP of the Amend contract: its Architecture plus named float32 tensors
// (parameter_layout.h), and, for an edited model, its masks (1 = kept, 0 =
// removed). Parameters may also be *stacked*: every tensor has a leading model
// dimension K, holding K models of one architecture (e.g. "layers.1.weight" of
// shape [K, width_1, input_dim]); the zoo trainer and the editor's loss use
// that form.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Mlp mlp, InitializeMlp(architecture, /*seed=*/7));
//   AMEND_RETURN_IF_ERROR(
//       ValidateParameters(mlp.architecture, mlp.parameters));
//
// Thread-compatible (tensors are shared handles: clone before
// mutating).
#ifndef AMEND_CORE_MLP_MLP_H_
#define AMEND_CORE_MLP_MLP_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/mlp/architecture.h"

namespace amend {

// Tensors by name, in name order.
using TensorMap = std::map<std::string, at::Tensor>;

struct Mlp {
  Architecture architecture;
  TensorMap parameters;  // exactly the ExpectedTensors(architecture)
  TensorMap masks;       // empty, or mask.input and/or mask.<weight name>
};

// Checks that `parameters` holds exactly the tensors the architecture implies,
// each float32 on the CPU (or the same device as the others), of the expected
// shape (with a leading dimension of `stacked_models` when that is > 0), and
// finite. Messages name the tensor and the expected shape:
//   "tensor 'layers.1.weight': shape must be [16, 14], got [16, 13]".
absl::Status ValidateParameters(const Architecture& architecture,
                                const TensorMap& parameters,
                                int64_t stacked_models = 0);

// Checks mask names (mask.input or mask.<weight name>), shapes and values (each
// 0 or 1).
absl::Status ValidateMasks(const Architecture& architecture,
                           const TensorMap& masks);

// A freshly initialised MLP with PyTorch's default initialisation: every Linear
// weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), norm weight 1 and bias
// 0, running mean 0 and variance 1. The same seed gives the same tensors.
absl::StatusOr<Mlp> InitializeMlp(const Architecture& architecture,
                                  uint64_t seed);

// The safetensors / KServe-style name of a dtype: "F32", "F64", "F16", "BF16",
// "I64", ...
std::string DtypeName(at::ScalarType type);

}  // namespace amend

#endif  // AMEND_CORE_MLP_MLP_H_

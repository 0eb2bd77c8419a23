// File: core/mlp/forward.h
//
// The functional forward pass of the Amend MLP contract over named tensors
// (parameter_layout.h), differentiable with respect to every parameter, so the
// editor can backpropagate through an edited model. For hidden layer k:
//   z_k = h_{k-1} W_k^T + sum_{s in skip_from} h_s S_{k,s}^T + b_k
//   h_k = dropout(act(norm(z_k)))
// and logits = h_L W_out^T + b_out. Conventions are PyTorch's: leaky_relu slope
// 0.01, exact (erf) gelu, norm eps 1e-5; batchnorm in eval mode uses the
// running statistics, in training mode the batch's (biased variance) and
// reports updated running statistics (momentum 0.1, unbiased variance), like
// torch.nn.BatchNorm1d. Dropout is inert unless training.
//
// Two forms:
//   Logits         one model: parameters as in the file,
//                  inputs [B, input_dim] -> [B, C].
//   StackedLogits  K models of one architecture: every parameter has a
//                  leading K ([K, out, in] weights), inputs [B, input_dim]
//                  shared by all models or [K, B, input_dim] -> [K, B, C];
//                  one batched matmul per weight matrix.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(at::Tensor logits,
//                          Logits(mlp.architecture, mlp.parameters, x));
//   at::Tensor probabilities = at::softmax(logits, -1);
//
// Thread-safe (pure functions; LibTorch ops on the caller's thread).
#ifndef AMEND_CORE_MLP_FORWARD_H_
#define AMEND_CORE_MLP_FORWARD_H_

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>

#include "absl/status/statusor.h"
#include "core/mlp/architecture.h"
#include "core/mlp/mlp.h"

namespace amend {

inline constexpr double kBatchNormMomentum = 0.1;

struct ForwardOptions {
  // Training mode: batchnorm uses batch statistics and dropout is active.
  // Default: eval mode.
  bool training = false;
  // Source of dropout masks in training mode; REQUIRES: set when training with
  // dropout > 0.
  std::optional<at::Generator> dropout_generator;
  // In training mode, receives the updated running_mean / running_var of every
  // batchnorm layer (detached, same names and shapes as the parameters). May be
  // null.
  TensorMap* updated_running_stats = nullptr;
};

// Logits of one model. Checks names, shapes, dtype and the input width;
// InvalidArgument names the offending tensor. Parameters need not be finite
// here (ValidateParameters checks that).
absl::StatusOr<at::Tensor> Logits(const Architecture& architecture,
                                  const TensorMap& parameters,
                                  const at::Tensor& inputs,
                                  const ForwardOptions& options = {});

// Logits of K stacked models; see the file comment for shapes.
absl::StatusOr<at::Tensor> StackedLogits(const Architecture& architecture,
                                         const TensorMap& stacked_parameters,
                                         const at::Tensor& inputs,
                                         const ForwardOptions& options = {});

// The same computation without any checks, for hot loops whose inputs were
// checked once. Throws c10::Error on a mismatch. `inputs` is [B, in] or [K, B,
// in]; returns [K, B, C].
at::Tensor StackedLogitsUnchecked(const Architecture& architecture,
                                  const TensorMap& stacked_parameters,
                                  const at::Tensor& inputs,
                                  const ForwardOptions& options = {});

// The activation functions of the contract, elementwise.
at::Tensor Activate(Activation activation, const at::Tensor& x);

}  // namespace amend

#endif  // AMEND_CORE_MLP_FORWARD_H_

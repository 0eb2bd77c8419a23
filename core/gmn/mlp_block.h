// File: core/gmn/mlp_block.h
//
// The building block of the metanetwork's message, update and head functions,
// as in ScaleGMN
// (../shared/research/method.md §3): Linear(in, hidden) -> LayerNorm -> SiLU ->
// Dropout -> Linear(hidden, out), applied to the last dimension.
//
// Example:
//   MlpBlock block(
//       MlpBlockOptions(/*in=*/64, /*hidden=*/32, /*out=*/32).dropout(0.1));
//   at::Tensor y = block(x);  // x: [..., 64] -> y: [..., 32]
//
// Thread-compatible (a LibTorch module).
#ifndef AMEND_CORE_GMN_MLP_BLOCK_H_
#define AMEND_CORE_GMN_MLP_BLOCK_H_

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

namespace amend {

struct MlpBlockOptions {
  MlpBlockOptions(int64_t in, int64_t hidden, int64_t out)
      : in_(in), hidden_(hidden), out_(out) {}
  TORCH_ARG(int64_t, in);
  TORCH_ARG(int64_t, hidden);
  TORCH_ARG(int64_t, out);
  // Dropout after the activation, training mode only. Default 0.
  TORCH_ARG(double, dropout) = 0.0;
};

class MlpBlockImpl : public torch::nn::Module {
 public:
  explicit MlpBlockImpl(const MlpBlockOptions& options);
  at::Tensor forward(const at::Tensor& x);
  // The block after its first Linear: `first_linear` is first(x) computed by
  // the caller (e.g. decomposed over the parts of a concatenated input).
  at::Tensor ForwardFromFirstLinear(const at::Tensor& first_linear);

  MlpBlockOptions options;
  torch::nn::Linear first{nullptr}, second{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(MlpBlock);

}  // namespace amend

#endif  // AMEND_CORE_GMN_MLP_BLOCK_H_

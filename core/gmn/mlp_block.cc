#include "core/gmn/mlp_block.h"

#include <ATen/ATen.h>

namespace amend {

MlpBlockImpl::MlpBlockImpl(const MlpBlockOptions& options_)
    : options(options_) {
  first = register_module("first",
                          torch::nn::Linear(options.in(), options.hidden()));
  norm = register_module(
      "norm",
      torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.hidden()})));
  second = register_module("second",
                           torch::nn::Linear(options.hidden(), options.out()));
}

at::Tensor MlpBlockImpl::forward(const at::Tensor& x) {
  return ForwardFromFirstLinear(first(x));
}

at::Tensor MlpBlockImpl::ForwardFromFirstLinear(
    const at::Tensor& first_linear) {
  at::Tensor h = at::silu(norm(first_linear));
  if (options.dropout() > 0)
    h = at::dropout(h, options.dropout(), is_training());
  return second(h);
}

}  // namespace amend

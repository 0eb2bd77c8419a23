#include "core/objectives/straight_through.h"

#include <ATen/ATen.h>

namespace amend {

at::Tensor SoftMask(const at::Tensor& logits, double temperature) {
  return at::sigmoid(logits / temperature);
}

at::Tensor HardMask(const at::Tensor& logits) {
  return at::gt(logits, 0.0).to(logits.dtype());
}

at::Tensor StraightThroughMask(const at::Tensor& logits, double temperature,
                               std::optional<at::Generator> noise) {
  at::Tensor noisy = logits;
  if (noise.has_value()) {
    // Keep u away from 0 and 1 so the noise stays finite.
    const at::Tensor u =
        at::empty(logits.sizes(), logits.options().requires_grad(false))
            .uniform_(1e-6, 1.0 - 1e-6, *noise);
    noisy = logits + (at::log(u) - at::log1p(-u));
  }
  const at::Tensor soft = at::sigmoid(noisy / temperature);
  const at::Tensor hard = at::gt(soft, 0.5).to(soft.dtype());
  return hard + (soft - soft.detach());
}

}  // namespace amend

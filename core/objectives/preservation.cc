#include "core/objectives/preservation.h"

#include <ATen/ATen.h>

#include <cmath>

namespace amend {

at::Tensor JensenShannonFromLogits(const at::Tensor& logits_p,
                                   const at::Tensor& logits_q) {
  const at::Tensor log_p = at::log_softmax(logits_p, -1);
  const at::Tensor log_q = at::log_softmax(logits_q, -1);
  const at::Tensor log_m = at::logaddexp(log_p, log_q) - std::log(2.0);
  const at::Tensor kl_p = (log_p.exp() * (log_p - log_m)).sum(-1);
  const at::Tensor kl_q = (log_q.exp() * (log_q - log_m)).sum(-1);
  return 0.5 * (kl_p + kl_q);
}

}  // namespace amend

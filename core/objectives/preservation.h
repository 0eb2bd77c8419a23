// File: core/objectives/preservation.h
//
// The preservation objective (paper §3.1): the Jensen-Shannon divergence
// between the class distributions of the original and the edited model, in
// nats, so in [0, ln 2]:
//   JSD(P, Q) = KL(P || M) / 2 + KL(Q || M) / 2,   M = (P + Q) / 2,
// computed from logits in log space (log M = logsumexp(log P, log Q) - ln 2),
// which stays exact where probabilities underflow.
//
// Example:
//   // per_row: [B]
//   at::Tensor per_row = JensenShannonFromLogits(original_logits, edited_logits);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_OBJECTIVES_PRESERVATION_H_
#define AMEND_CORE_OBJECTIVES_PRESERVATION_H_

#include <ATen/core/Tensor.h>

namespace amend {

// logits_p, logits_q: [..., C] -> JSD per row [...], differentiable in both.
at::Tensor JensenShannonFromLogits(const at::Tensor& logits_p,
                                   const at::Tensor& logits_q);

}  // namespace amend

#endif  // AMEND_CORE_OBJECTIVES_PRESERVATION_H_

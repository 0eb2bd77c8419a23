// File: core/objectives/straight_through.h
//
// Masks with a straight-through gradient (paper §A.3.3): the forward value is
// the hard 0/1 mask, the gradient is the tempered soft mask's,
//   soft = sigmoid((logit + noise) / temperature),  hard = [soft > 1/2],
//   mask = hard + (soft - stopgrad(soft))
// (written so, not hard + soft - stopgrad(soft), to keep the value exactly 0 or
// 1 in float32). Logistic noise during training (a binary Gumbel-softmax
// relaxation) makes the masks decisive; without it logits park just above 0
// (../shared/research/reference-experiment.md).
//
// Example:
//   // Training:
//   at::Tensor mask = StraightThroughMask(logits, /*temperature=*/1.0,
//                                         generator);
//   // Editing:
//   at::Tensor keep = HardMask(logits);
//
// Thread-safe (pure functions; the generator is the caller's).
#ifndef AMEND_CORE_OBJECTIVES_STRAIGHT_THROUGH_H_
#define AMEND_CORE_OBJECTIVES_STRAIGHT_THROUGH_H_

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>

namespace amend {

// With a generator, adds logistic noise log(u) - log(1 - u), u ~ U(0, 1), to
// the logits.
at::Tensor StraightThroughMask(
    const at::Tensor& logits, double temperature,
    std::optional<at::Generator> noise = std::nullopt);

// The soft mask alone (for the requirement term): sigmoid(logit / temperature).
at::Tensor SoftMask(const at::Tensor& logits, double temperature);

// [logit > 0] as float: the mask used at edit time.
at::Tensor HardMask(const at::Tensor& logits);

}  // namespace amend

#endif  // AMEND_CORE_OBJECTIVES_STRAIGHT_THROUGH_H_

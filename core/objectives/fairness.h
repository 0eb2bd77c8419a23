// File: core/objectives/fairness.h
//
// Equalised odds (paper §3.2.2): the equalised-odds difference of a binary
// classifier across the groups of a sensitive attribute, as fairlearn's
// `equalized_odds_difference` defines it:
//   EOD = max( max_g TPR_g - min_g TPR_g,  max_g FPR_g - min_g FPR_g )
// with TPR_g = P(prediction = 1 | label = 1, group g) and FPR_g = P(prediction
// = 1 | label = 0, group g). The soft version replaces the hard predictions by
// the positive class's probability (tempered softmax of the edited model),
// which makes it differentiable.
//
// Example:
//   // Reports:
//   AMEND_ASSIGN_OR_RETURN(double eod,
//                          EqualisedOddsDifference(predictions, labels, groups));
//   // Training loss:
//   at::Tensor term = SoftEqualisedOddsDifference(p_positive, labels, groups);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_OBJECTIVES_FAIRNESS_H_
#define AMEND_CORE_OBJECTIVES_FAIRNESS_H_

#include <ATen/core/Tensor.h>

#include "absl/status/statusor.h"

namespace amend {

// predictions, labels: [B] in {0, 1}; groups: [B] int64 group ids.
// InvalidArgument when a group lacks positives or negatives (a rate would be
// undefined) or when shapes disagree.
absl::StatusOr<double> EqualisedOddsDifference(const at::Tensor& predictions,
                                               const at::Tensor& labels,
                                               const at::Tensor& groups);

// positive_probability: [B] float in [0, 1]; labels [B] {0, 1}; groups [B]
// int64. Returns a scalar tensor, differentiable in positive_probability.
// Groups or label classes absent from the batch are left out of the max/min.
at::Tensor SoftEqualisedOddsDifference(const at::Tensor& positive_probability,
                                       const at::Tensor& labels,
                                       const at::Tensor& groups);

}  // namespace amend

#endif  // AMEND_CORE_OBJECTIVES_FAIRNESS_H_

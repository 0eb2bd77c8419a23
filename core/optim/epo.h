// File: core/optim/epo.h
//
// Exact Pareto Optimal search (Mahapatra & Rajan 2020; ../shared/research/
// baselines.md §4), the weighting step for two objectives: given the losses
// l, the Gram matrix C = G G^T of their gradients and a preference r, the
// weights alpha on the simplex whose combined gradient alpha^T G moves the
// losses towards the preference ray r_1 l_1 = r_2 l_2 (balance mode) or, on
// the ray, descends both (descent mode). With two objectives the reference's
// LP has one unknown, t = alpha_1, so it is solved exactly: each constraint
// bounds t to an interval, the objective is linear, an end point is optimal.
// An infeasible LP falls back to alpha = r / sum(r), as the reference does.
//
// Example:
//   std::array<double, 2> alpha = EpoWeights({jsd, req}, gram, {1.0, 0.1});
//   // then step along 2 * (alpha[0] * g_jsd + alpha[1] * g_req)
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_OPTIM_EPO_H_
#define AMEND_CORE_OPTIM_EPO_H_

#include <array>

namespace amend {

using Pair = std::array<double, 2>;
using Gram = std::array<std::array<double, 2>, 2>;

// The reference's non-uniformity threshold: above it, balance mode.
inline constexpr double kEpoBalanceEpsilon = 1e-4;

// REQUIRES: losses >= 0, preference > 0.
Pair EpoWeights(const Pair& losses, const Gram& gram, const Pair& preference);

// KL(l_hat || uniform) with l_hat = r * l / sum(r * l): 0 on the ray.
double EpoNonUniformity(const Pair& losses, const Pair& preference);

}  // namespace amend

#endif  // AMEND_CORE_OPTIM_EPO_H_

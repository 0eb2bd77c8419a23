// File: core/postprocessing/fair_cls.h
//
// FairCls, the equalised-odds post-processor of Xian & Zhao
// ("Optimal Group Fair Classifiers from Linear Post-Processing", the `main`
// branch of rxian/fair-classification, criterion "eo"; ../shared/research/
// baselines.md §2.5), attribute-aware, for two classes and two groups.
// With p(a, y | x) = [a(x) = a] p_y(x), pbar_ay its mean over the fit rows
// and gamma_ya(x) = p(a, y | x) / pbar_ay, the LP
//   min E[pi(1|x) r1(x) + pi(0|x) r0(x)]   (r_k = 1 - p_k: 0-1 risk)
//   s.t. |E[gamma_ya(x) pi(1|x)] - q_y| <= alpha / 2   for y, a
// bounds the model-estimated TPR and FPR gaps by alpha. Its dual in the
// multipliers t_y (t for group 0, -t for group 1; the constraints on
// predicting 0 are the same ones) is the concave piecewise-linear
//   D(t) = E[min(r0, r1 + sum_y t_y d_y(x))] - alpha (|t_0| + |t_1|),
//   d_y = gamma_y0 - gamma_y1,
// maximised exactly in t_0 (sorted breakpoints) inside a golden-section
// search over t_1. Prediction: 1 iff r1 + sum_y t_y d_y < r0, hard labels.
// Labels are not used in fitting: the rates are the model's own estimates,
// as in the reference. As there, both risks get noise r_bar U(-noise, noise)
// in fitting and again, freshly drawn, in prediction: where the LP's
// solution is randomised (whole groups can sit on the decision boundary,
// since every quantity is affine in the score), the noise splits the tied
// rows at random. Both draws take a seed. Deviation: no LP solver (the dual
// is solved directly).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(FairCls fitted, FairCls::Fit(fit_data, 0.02));
//   std::vector<double> labels = fitted.Predict(scores, groups);
//
// Thread-compatible; const methods are thread-safe.
#ifndef AMEND_CORE_POSTPROCESSING_FAIR_CLS_H_
#define AMEND_CORE_POSTPROCESSING_FAIR_CLS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/postprocessing/binary_outcomes.h"

namespace amend {

class FairCls {
 public:
  // alpha > 0 (infinity gives the unprocessed argmax), noise >= 0.
  // InvalidArgument for bad data or options; FailedPrecondition when a group
  // has no rows.
  static absl::StatusOr<FairCls> Fit(const BinaryData& data, double alpha,
                                     uint64_t seed, double noise = 1e-4);

  // Hard labels; the same seed gives the same labels. Rows of a group other
  // than 0 or 1 get the argmax.
  std::vector<double> Predict(const std::vector<double>& scores,
                              const std::vector<int>& groups,
                              uint64_t seed) const;

  // The dual solution t_y (y = 0: false-positive constraint, 1: true-positive).
  const std::array<double, 2>& multipliers() const { return multipliers_; }

 private:
  FairCls() = default;
  // pbar[group][label]
  std::array<std::array<double, 2>, 2> mean_joint_{};
  std::array<double, 2> multipliers_{};
  double noise_ = 0.0;
};

}  // namespace amend

#endif  // AMEND_CORE_POSTPROCESSING_FAIR_CLS_H_

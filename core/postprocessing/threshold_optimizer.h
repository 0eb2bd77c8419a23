// File: core/postprocessing/threshold_optimizer.h
//
// fairlearn's ThresholdOptimizer with constraints="equalized_odds" and
// objective="accuracy_score" (Hardt et al. 2016; ../shared/research/
// baselines.md §2.2), fitted on a prefit model's scores:
//  1. per group, the ROC points of "predict 1 if s > t" with t at the
//     midpoints between distinct scores (plus +inf and -inf), and their
//     upper convex hull;
//  2. each hull interpolated on grid_size + 1 false-positive rates;
//  3. at every grid FPR x, the lowest group TPR y(x) is reachable by all
//     groups; the x maximising pooled accuracy N+ y + N- (1 - x) wins
//     (first maximum);
//  4. groups above y(x*) mix in the diagonal point (x*, x*), a coin with
//     P(1) = x*, so every group lands exactly on (x*, y(x*)).
// FitRelaxed is the relaxed form of the error-parity project's
// RelaxedThresholdOptimizer (Cruz & Hardt, ICLR 2024): each group gets its
// own operating point in its ROC region, the two at most `tolerance` apart in
// both rates (equalised-odds difference <= tolerance, the l-infinity form),
// maximising pooled accuracy. error-parity solves that linear program with
// cvxpy; here the rates of the two groups are searched on the grid (FPRs
// within tolerance of each other) and for each pair the best TPRs are exact:
// the hulls' own, or the higher lowered to the lower + tolerance by mixing in
// the diagonal point, as in step 4. Tolerance 0 is Fit. Sweeping the
// tolerance gives the baselines a curve, not a point.
// The result is randomised; PositiveProbability returns its expected output
// (fairlearn's _pmf_predict). A hull with several vertices at FPR 0 starts
// from the highest one, as fairlearn's interpolation does. Rows of a group
// other than 0 or 1 (unseen in fitting) get 0, as in fairlearn.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(ThresholdOptimizer fitted,
//                          ThresholdOptimizer::Fit(fit_data));
//   std::vector<double> pi = fitted.PositiveProbability(scores, groups);
//
// Thread-compatible; const methods are thread-safe.
#ifndef AMEND_CORE_POSTPROCESSING_THRESHOLD_OPTIMIZER_H_
#define AMEND_CORE_POSTPROCESSING_THRESHOLD_OPTIMIZER_H_

#include <array>
#include <vector>

#include "absl/status/statusor.h"
#include "core/postprocessing/binary_outcomes.h"

namespace amend {

class ThresholdOptimizer {
 public:
  // A point of a group's ROC curve and its threshold (defined in the .cc).
  struct RocPoint;

  // FailedPrecondition when a group lacks positives or negatives
  // ("degenerate labels", as fairlearn); InvalidArgument for bad data or a
  // grid_size < 1.
  static absl::StatusOr<ThresholdOptimizer> Fit(const BinaryData& data,
                                                int grid_size = 1000);
  // Errors as Fit, and InvalidArgument for a tolerance outside [0, 1].
  static absl::StatusOr<ThresholdOptimizer> FitRelaxed(const BinaryData& data,
                                                       double tolerance,
                                                       int grid_size = 1000);

  // P(prediction = 1) per row.
  std::vector<double> PositiveProbability(const std::vector<double>& scores,
                                          const std::vector<int>& groups) const;

  // The operating point group 0 or 1 reaches on the fitted data (the same
  // for both groups after Fit).
  double false_positive_rate(int group) const {
    return rules_[group].false_positive_rate;
  }
  double true_positive_rate(int group) const {
    return rules_[group].true_positive_rate;
  }

 private:
  struct GroupRule {
    double weight_low = 1.0;  // p0, for threshold_low
    double threshold_low = 0.0;
    double threshold_high = 0.0;  // p1 = 1 - weight_low
    // With this probability the prediction is a coin with P(1) equal to
    // the false-positive rate: the diagonal point at that rate.
    double ignore_probability = 0.0;
    double false_positive_rate = 0.0;
    double true_positive_rate = 0.0;
  };
  ThresholdOptimizer() = default;
  // The rule that puts a group at (x, y), below its hull's point at x by
  // mixing in the diagonal point (x, x). REQUIRES: x <= y <= the hull at x.
  static GroupRule RuleAt(const std::vector<RocPoint>& hull, double x,
                          double y);

  std::array<GroupRule, 2> rules_;
};

}  // namespace amend

#endif  // AMEND_CORE_POSTPROCESSING_THRESHOLD_OPTIMIZER_H_

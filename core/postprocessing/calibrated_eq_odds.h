// File: core/postprocessing/calibrated_eq_odds.h
//
// AIF360's CalibratedEqOddsPostprocessing (Pleiss et al. 2017;
// ../shared/research/baselines.md §2.4). Per group g: base rate b_g, the
// generalised FPR (mean score of negatives) and FNR (mean 1 - score of
// positives), and a cost: "fpr" uses the GFPR, "fnr" the GFNR, "weighted"
// (1/2) GFPR (1 - b_g) + (1/2) GFNR b_g. The group of lower cost is made as
// costly as the other by replacing its score with b_g with probability
//   mu = (c_other - c_g) / (trivial_c_g - c_g),
// trivial_c_g being the cost when every score in g is b_g. AIF360 does not
// clip mu; drawing U <= mu makes mu > 1 act as 1 and mu < 0 as 0, which the
// expected output reproduces by clamping.
// The method has no trade-off knob: one point per cost constraint.
// Expected outputs: score (1 - mu) s + mu b_g; label probability
//   (1 - mu) [s >= 0.5] + mu [b_g >= 0.5] (AIF360 labels score >= 0.5).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(CalibratedEqOdds fitted,
//       CalibratedEqOdds::Fit(fit_data, CostConstraint::kWeighted));
//
// Thread-compatible; const methods are thread-safe.
#ifndef AMEND_CORE_POSTPROCESSING_CALIBRATED_EQ_ODDS_H_
#define AMEND_CORE_POSTPROCESSING_CALIBRATED_EQ_ODDS_H_

#include <array>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/postprocessing/binary_outcomes.h"

namespace amend {

enum class CostConstraint { kFalseNegativeRate, kFalsePositiveRate, kWeighted };

absl::string_view CostConstraintName(CostConstraint constraint);

class CalibratedEqOdds {
 public:
  // FailedPrecondition when a group lacks positives or negatives. When the
  // cheaper group already costs what its base rate costs (mixing rate 0/0 in
  // AIF360, a NaN that never replaces a score), nothing is mixed.
  static absl::StatusOr<CalibratedEqOdds> Fit(const BinaryData& data,
                                              CostConstraint constraint);

  std::vector<double> ExpectedScore(const std::vector<double>& scores,
                                    const std::vector<int>& groups) const;
  std::vector<double> PositiveProbability(const std::vector<double>& scores,
                                          const std::vector<int>& groups) const;

  // Probability of replacing a score of the group with its base rate, in
  // [0, 1].
  double mix_rate(int group) const { return mix_rate_[group]; }
  double base_rate(int group) const { return base_rate_[group]; }

 private:
  CalibratedEqOdds() = default;
  std::array<double, 2> mix_rate_{};
  std::array<double, 2> base_rate_{};
};

}  // namespace amend

#endif  // AMEND_CORE_POSTPROCESSING_CALIBRATED_EQ_ODDS_H_

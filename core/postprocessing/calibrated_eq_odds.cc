#include "core/postprocessing/calibrated_eq_odds.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

struct GroupCosts {
  double base_rate = 0.0;
  double cost = 0.0;
  double trivial_cost = 0.0;
};

double Cost(CostConstraint constraint, double generalised_fpr,
            double generalised_fnr, double base_rate) {
  switch (constraint) {
    case CostConstraint::kFalsePositiveRate:
      return generalised_fpr;
    case CostConstraint::kFalseNegativeRate:
      return generalised_fnr;
    case CostConstraint::kWeighted:
      return 0.5 * generalised_fpr * (1.0 - base_rate) +
             0.5 * generalised_fnr * base_rate;
  }
  return 0.0;
}

}  // namespace

absl::string_view CostConstraintName(CostConstraint constraint) {
  switch (constraint) {
    case CostConstraint::kFalseNegativeRate:
      return "fnr";
    case CostConstraint::kFalsePositiveRate:
      return "fpr";
    case CostConstraint::kWeighted:
      return "weighted";
  }
  return "unknown";
}

absl::StatusOr<CalibratedEqOdds> CalibratedEqOdds::Fit(
    const BinaryData& data, CostConstraint constraint) {
  AMEND_RETURN_IF_ERROR(ValidateBinaryData(data));
  std::array<GroupCosts, 2> groups;
  for (int group = 0; group < 2; ++group) {
    double positives = 0, negatives = 0, negative_scores = 0,
           positive_misses = 0;
    for (size_t i = 0; i < data.rows(); ++i) {
      if (data.groups[i] != group) continue;
      if (data.labels[i] == 1) {
        positives += 1;
        positive_misses += 1.0 - data.scores[i];
      } else {
        negatives += 1;
        negative_scores += data.scores[i];
      }
    }
    if (positives == 0 || negatives == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "labels: group ", group, " needs both positives and negatives"));
    }
    GroupCosts& costs = groups[group];
    costs.base_rate = positives / (positives + negatives);
    costs.cost = Cost(constraint, negative_scores / negatives,
                      positive_misses / positives, costs.base_rate);
    // Every score replaced by b: GFPR = b, GFNR = 1 - b.
    costs.trivial_cost = Cost(constraint, costs.base_rate,
                              1.0 - costs.base_rate, costs.base_rate);
  }
  CalibratedEqOdds fitted;
  const int lower =
      groups[kUnprivilegedGroup].cost > groups[kPrivilegedGroup].cost
          ? kPrivilegedGroup
          : kUnprivilegedGroup;
  const int higher = 1 - lower;
  const double denominator = groups[lower].trivial_cost - groups[lower].cost;
  fitted.mix_rate_[lower] =
      denominator == 0
          ? 0.0
          : std::clamp((groups[higher].cost - groups[lower].cost) / denominator,
                       0.0, 1.0);
  fitted.mix_rate_[higher] = 0.0;
  for (int group = 0; group < 2; ++group) {
    fitted.base_rate_[group] = groups[group].base_rate;
  }
  return fitted;
}

std::vector<double> CalibratedEqOdds::ExpectedScore(
    const std::vector<double>& scores, const std::vector<int>& groups) const {
  std::vector<double> expected(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    // AIF360 gives rows of neither group score 0.
    if (groups[i] != 0 && groups[i] != 1) continue;
    const double mu = mix_rate_[groups[i]];
    expected[i] = (1.0 - mu) * scores[i] + mu * base_rate_[groups[i]];
  }
  return expected;
}

std::vector<double> CalibratedEqOdds::PositiveProbability(
    const std::vector<double>& scores, const std::vector<int>& groups) const {
  std::vector<double> positive(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    if (groups[i] != 0 && groups[i] != 1) continue;
    const double mu = mix_rate_[groups[i]];
    positive[i] = (1.0 - mu) * (scores[i] >= 0.5 ? 1.0 : 0.0) +
                  mu * (base_rate_[groups[i]] >= 0.5 ? 1.0 : 0.0);
  }
  return positive;
}

}  // namespace amend

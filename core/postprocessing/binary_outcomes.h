// File: core/postprocessing/binary_outcomes.h
//
// What every fairness post-processor reads and what it is judged by
// (../shared/research/baselines.md §0, §2.1): per row, the score s(x) (the
// original model's probability of the positive class), the true label and
// the sensitive group (1 = privileged, 0 = unprivileged); and, per row, the
// post-processor's probability pi(x) of predicting 1. Deterministic methods
// give pi in {0, 1}; randomised ones (ThresholdOptimizer, CalibratedEqOdds)
// are compared by this expected output, so their figures do not depend on a
// sampling seed.
//
// Example:
//   double eod = ExpectedEqualisedOddsDifference(pi, data.labels, data.groups);
//   double jsd = MeanBinaryJensenShannon(data.scores, q);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_POSTPROCESSING_BINARY_OUTCOMES_H_
#define AMEND_CORE_POSTPROCESSING_BINARY_OUTCOMES_H_

#include <vector>

#include "absl/status/status.h"

namespace amend {

inline constexpr int kUnprivilegedGroup = 0;
inline constexpr int kPrivilegedGroup = 1;

struct BinaryData {
  std::vector<double> scores;  // P(y = 1 | x) of the original model
  std::vector<int> labels;     // 0 or 1
  std::vector<int> groups;     // kUnprivilegedGroup or kPrivilegedGroup

  size_t rows() const { return scores.size(); }
};

// InvalidArgument naming the field when lengths differ, a score is outside
// [0, 1], a label or group is not 0 or 1, or there are no rows.
absl::Status ValidateBinaryData(const BinaryData& data);

// fairlearn's equalized_odds_difference (between groups, worst case) with
// the rates computed from pi instead of hard predictions: max over the TPR
// gap and the FPR gap between the groups. A group without positives (or
// negatives) has rate 0 there, as scikit-learn's nan_to_num gives. Rows of
// other groups are ignored.
double ExpectedEqualisedOddsDifference(const std::vector<double>& positive,
                                       const std::vector<int>& labels,
                                       const std::vector<int>& groups);

// Accuracy of the expected output: mean of pi where the label is 1 and of
// 1 - pi where it is 0.
double ExpectedAccuracy(const std::vector<double>& positive,
                        const std::vector<int>& labels);

// Mean over rows of P(prediction differs from the original's argmax), the
// original predicting 1 where p > 0.5.
double ExpectedDisagreement(const std::vector<double>& p,
                            const std::vector<double>& positive);

// Mean over rows of JSD([1-p, p], [1-q, q]) in nats, with 0 log 0 = 0.
double MeanBinaryJensenShannon(const std::vector<double>& p,
                               const std::vector<double>& q);

}  // namespace amend

#endif  // AMEND_CORE_POSTPROCESSING_BINARY_OUTCOMES_H_

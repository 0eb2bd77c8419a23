// The fairness post-processors on constructed cases whose answers are known
// or can be recomputed independently of the code under test.
#include <cmath>
#include <limits>
#include <random>

#include "core/postprocessing/binary_outcomes.h"
#include "core/postprocessing/calibrated_eq_odds.h"
#include "core/postprocessing/fair_cls.h"
#include "core/postprocessing/reject_option.h"
#include "core/postprocessing/threshold_optimizer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

// P(prediction = 1 | label, group) of an expected output, recomputed here.
double Rate(const std::vector<double>& positive, const BinaryData& data,
            int group, int label) {
  double sum = 0, count = 0;
  for (size_t i = 0; i < data.rows(); ++i) {
    if (data.groups[i] != group || data.labels[i] != label) continue;
    sum += positive[i];
    count += 1;
  }
  return sum / count;
}

// Two groups whose scores separate the labels differently well: group 1's
// score is informative, group 0's is noisier, so plain thresholding has
// unequal odds.
BinaryData UnequalGroups(int rows, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  BinaryData data;
  for (int i = 0; i < rows; ++i) {
    const int group = i % 2;
    const int label = uniform(random) < (group == 1 ? 0.4 : 0.25) ? 1 : 0;
    // Scores stay inside (0, 1), so no two rows tie.
    const double signal = group == 1 ? 0.3 : 0.1;
    const double score = 0.5 + (label == 1 ? signal : -signal) +
                         0.19 * (2.0 * uniform(random) - 1.0);
    data.scores.push_back(score);
    data.labels.push_back(label);
    data.groups.push_back(group);
  }
  return data;
}

TEST(BinaryOutcomesTest, EqualisedOddsDifferenceByHand) {
  // Group 0: positives predicted 1, 0 (TPR 0.5); negatives 0 (FPR 0).
  // Group 1: positives 1, 1 (TPR 1); negatives 1, 0 (FPR 0.5).
  const std::vector<int> labels = {1, 1, 0, 1, 1, 0, 0};
  const std::vector<int> groups = {0, 0, 0, 1, 1, 1, 1};
  const std::vector<double> predicted = {1, 0, 0, 1, 1, 1, 0};
  EXPECT_DOUBLE_EQ(ExpectedEqualisedOddsDifference(predicted, labels, groups),
                   0.5);
  // Expected outputs enter the rates as they are: TPR0 = 0.6, TPR1 = 0.4.
  EXPECT_DOUBLE_EQ(ExpectedEqualisedOddsDifference({0.6, 0.4, 0.1, 0.1},
                                                   {1, 0, 1, 0}, {0, 0, 1, 1}),
                   0.5);
  EXPECT_DOUBLE_EQ(ExpectedAccuracy({0.75, 0.25}, {1, 1}), 0.5);
}

TEST(BinaryOutcomesTest, JensenShannonByHand) {
  EXPECT_DOUBLE_EQ(MeanBinaryJensenShannon({0.3}, {0.3}), 0.0);
  EXPECT_NEAR(MeanBinaryJensenShannon({1.0}, {0.0}), std::log(2.0), 1e-15);
  // p = [0.5, 0.5], q = [1, 0]: M = [0.75, 0.25];
  // KL(P||M) = 0.5 ln(2/3) + 0.5 ln 2, KL(Q||M) = ln(4/3).
  const double expected =
      0.5 * (0.5 * std::log(2.0 / 3.0) + 0.5 * std::log(2.0)) +
      0.5 * std::log(4.0 / 3.0);
  EXPECT_NEAR(MeanBinaryJensenShannon({0.5}, {1.0}), expected, 1e-15);
}

TEST(BinaryOutcomesTest, RefusesMalformedData) {
  BinaryData data{{0.2, 1.5}, {0, 1}, {0, 1}};
  EXPECT_THAT(ValidateBinaryData(data).message(),
              testing::HasSubstr("scores[1]"));
  data.scores[1] = 0.5;
  data.groups[0] = 2;
  EXPECT_THAT(ValidateBinaryData(data).message(),
              testing::HasSubstr("groups[0]"));
  data.groups = {0};
  EXPECT_EQ(ValidateBinaryData(data).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ThresholdOptimizerTest, SeparableGroupsNeedNoRandomisation) {
  // Both groups perfectly separated by 0.5: the hulls reach (0, 1), the best
  // grid point is FPR 0, TPR 1, and the rule is the threshold between.
  const BinaryData data{
      {0.9, 0.8, 0.2, 0.1, 0.7, 0.3}, {1, 1, 0, 0, 1, 0}, {0, 0, 0, 1, 1, 1}};
  const ThresholdOptimizer fitted = ThresholdOptimizer::Fit(data).value();
  for (int group = 0; group < 2; ++group) {
    EXPECT_DOUBLE_EQ(fitted.false_positive_rate(group), 0.0);
    EXPECT_DOUBLE_EQ(fitted.true_positive_rate(group), 1.0);
  }
  EXPECT_THAT(fitted.PositiveProbability(data.scores, data.groups),
              testing::ElementsAre(1, 1, 0, 0, 1, 0));
  // A group not seen in fitting is never predicted 1, as in fairlearn.
  EXPECT_THAT(fitted.PositiveProbability({0.9}, {2}), testing::ElementsAre(0));
}

TEST(ThresholdOptimizerTest, ReachesEqualOddsOnTheFitData) {
  const BinaryData data = UnequalGroups(4000, 7);
  const std::vector<double> before(data.scores.begin(), data.scores.end());
  std::vector<double> thresholded;
  for (double s : before) thresholded.push_back(s > 0.5 ? 1.0 : 0.0);
  ASSERT_GT(
      ExpectedEqualisedOddsDifference(thresholded, data.labels, data.groups),
      0.1);
  const ThresholdOptimizer fitted = ThresholdOptimizer::Fit(data).value();
  const std::vector<double> pi =
      fitted.PositiveProbability(data.scores, data.groups);
  // Every group sits at the chosen operating point, up to the grid.
  for (int group = 0; group < 2; ++group) {
    EXPECT_NEAR(Rate(pi, data, group, 0), fitted.false_positive_rate(0), 2e-3);
    EXPECT_NEAR(Rate(pi, data, group, 1), fitted.true_positive_rate(0), 2e-3);
  }
  EXPECT_LT(ExpectedEqualisedOddsDifference(pi, data.labels, data.groups),
            4e-3);
}

TEST(ThresholdOptimizerTest, RelaxedWithNoToleranceIsTheExactOne) {
  const BinaryData data = UnequalGroups(3000, 3);
  const std::vector<double> exact =
      ThresholdOptimizer::Fit(data).value().PositiveProbability(data.scores,
                                                                data.groups);
  const std::vector<double> relaxed =
      ThresholdOptimizer::FitRelaxed(data, 0.0).value().PositiveProbability(
          data.scores, data.groups);
  ASSERT_EQ(relaxed.size(), exact.size());
  for (size_t i = 0; i < exact.size(); ++i) {
    EXPECT_NEAR(relaxed[i], exact[i], 1e-12) << i;
  }
}

// The best accuracy any deterministic threshold reaches in one group: the
// unconstrained optimum over a ROC hull sits at a vertex, a threshold.
double BestThresholdCorrect(const BinaryData& data, int group) {
  std::vector<double> thresholds = {-1.0, 2.0};
  for (size_t i = 0; i < data.rows(); ++i) {
    if (data.groups[i] == group) thresholds.push_back(data.scores[i]);
  }
  double best = 0;
  for (const double t : thresholds) {
    double correct = 0;
    for (size_t i = 0; i < data.rows(); ++i) {
      if (data.groups[i] != group) continue;
      correct += (data.scores[i] > t ? 1 : 0) == data.labels[i];
    }
    best = std::max(best, correct);
  }
  return best;
}

TEST(ThresholdOptimizerTest, RelaxedMeetsEachToleranceAndTradesItForAccuracy) {
  const BinaryData data = UnequalGroups(2000, 11);
  double previous_accuracy = 0.0;
  for (const double tolerance : {0.0, 0.02, 0.05, 0.1, 0.2, 1.0}) {
    SCOPED_TRACE(tolerance);
    const ThresholdOptimizer fitted =
        ThresholdOptimizer::FitRelaxed(data, tolerance).value();
    const std::vector<double> pi =
        fitted.PositiveProbability(data.scores, data.groups);
    // Each group sits at its reported point, up to the grid; the points are
    // at most `tolerance` apart, so the expected EOD is too.
    for (int group = 0; group < 2; ++group) {
      EXPECT_NEAR(Rate(pi, data, group, 0), fitted.false_positive_rate(group),
                  2e-3);
      EXPECT_NEAR(Rate(pi, data, group, 1), fitted.true_positive_rate(group),
                  2e-3);
    }
    EXPECT_LE(ExpectedEqualisedOddsDifference(pi, data.labels, data.groups),
              tolerance + 4e-3);
    const double accuracy = ExpectedAccuracy(pi, data.labels);
    EXPECT_GE(accuracy, previous_accuracy - 1e-9);
    previous_accuracy = accuracy;
  }
  // With no constraint left, each group is at its own best threshold, up to
  // the grid, and never above it.
  const double unconstrained =
      (BestThresholdCorrect(data, 0) + BestThresholdCorrect(data, 1)) /
      static_cast<double>(data.rows());
  EXPECT_LE(previous_accuracy, unconstrained + 1e-9);
  EXPECT_GE(previous_accuracy, unconstrained - 2e-3);
  // And the exact constraint costs accuracy on these unequal groups.
  EXPECT_LT(ExpectedAccuracy(
                ThresholdOptimizer::Fit(data).value().PositiveProbability(
                    data.scores, data.groups),
                data.labels),
            unconstrained - 5e-3);
}

TEST(ThresholdOptimizerTest, RelaxedRefusesToleranceOutsideZeroToOne) {
  const BinaryData data = UnequalGroups(200, 5);
  for (const double tolerance : {-0.1, 1.5, std::nan("")}) {
    const auto fitted = ThresholdOptimizer::FitRelaxed(data, tolerance);
    EXPECT_EQ(fitted.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(fitted.status().message(), testing::HasSubstr("tolerance"));
  }
}

TEST(ThresholdOptimizerTest, RefusesDegenerateLabels) {
  const BinaryData data{{0.9, 0.1, 0.7}, {1, 0, 1}, {0, 0, 1}};
  EXPECT_EQ(ThresholdOptimizer::Fit(data).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(RejectOptionTest, CriticalRegionFlipsTowardsTheUnprivileged) {
  const RejectOptionClassifier roc(0.5, 0.1, true);
  // Privileged (1) in (0.4, 0.6] -> 0; unprivileged (0) there -> 1.
  EXPECT_THAT(roc.Predict({0.55, 0.55, 0.45, 0.45, 0.7, 0.3, 0.6},
                          {1, 0, 1, 0, 1, 0, 1}),
              testing::ElementsAre(0, 1, 0, 1, 1, 0, 0));
}

TEST(RejectOptionTest, MeetsEachBoundOnTheFitData) {
  const BinaryData data = UnequalGroups(2000, 3);
  const std::vector<double> bounds = {0.01, 0.05, 10.0};
  const std::vector<RejectOptionClassifier> fitted =
      FitRejectOption(data, bounds).value();
  ASSERT_EQ(fitted.size(), 3u);
  for (size_t b = 0; b < bounds.size(); ++b) {
    ASSERT_TRUE(fitted[b].met_bound());
    const std::vector<double> labels =
        fitted[b].Predict(data.scores, data.groups);
    const double aod =
        0.5 * ((Rate(labels, data, 0, 0) - Rate(labels, data, 1, 0)) +
               (Rate(labels, data, 0, 1) - Rate(labels, data, 1, 1)));
    EXPECT_LE(std::abs(aod), bounds[b] + 1e-12) << bounds[b];
  }
  // With no effective bound, no plain threshold of the grid (margin 0) has
  // a higher balanced accuracy than the choice.
  auto balanced_accuracy = [&](const std::vector<double>& labels) {
    double tp = 0, p = 0, tn = 0, n = 0;
    for (size_t i = 0; i < data.rows(); ++i) {
      if (data.labels[i] == 1) {
        p += 1;
        tp += labels[i];
      } else {
        n += 1;
        tn += 1 - labels[i];
      }
    }
    return 0.5 * (tp / p + tn / n);
  };
  const double chosen =
      balanced_accuracy(fitted[2].Predict(data.scores, data.groups));
  for (int t = 0; t < 100; ++t) {
    const RejectOptionClassifier plain(0.01 + 0.98 * t / 99, 0.0, true);
    EXPECT_GE(chosen + 1e-12,
              balanced_accuracy(plain.Predict(data.scores, data.groups)));
  }
}

TEST(CalibratedEqOddsTest, MixRateByHand) {
  // Group 0: labels 1, 0 with scores 0.8, 0.4 -> GFPR 0.4, GFNR 0.2, b 0.5,
  //   weighted cost 0.5*0.4*0.5 + 0.5*0.2*0.5 = 0.15; trivial 0.25.
  // Group 1: labels 1, 0 with scores 0.9, 0.1 -> GFPR 0.1, GFNR 0.1,
  //   cost 0.05; trivial 0.25. Group 1 is cheaper: mu1 = (0.15 - 0.05) /
  //   (0.25 - 0.05) = 0.5.
  const BinaryData data{{0.8, 0.4, 0.9, 0.1}, {1, 0, 1, 0}, {0, 0, 1, 1}};
  const CalibratedEqOdds fitted =
      CalibratedEqOdds::Fit(data, CostConstraint::kWeighted).value();
  EXPECT_DOUBLE_EQ(fitted.mix_rate(0), 0.0);
  EXPECT_NEAR(fitted.mix_rate(1), 0.5, 1e-12);
  const std::vector<double> score =
      fitted.ExpectedScore(data.scores, data.groups);
  EXPECT_NEAR(score[2], 0.5 * 0.9 + 0.5 * 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(score[0], 0.8);
  // b1 = 0.5 >= 0.5 labels 1: the negative of group 1 is 1 half the time.
  EXPECT_NEAR(fitted.PositiveProbability(data.scores, data.groups)[3], 0.5,
              1e-12);
  // "fpr": costs 0.4 and 0.1, trivial 0.5 for group 1: mu1 = 0.3 / 0.4.
  EXPECT_NEAR(CalibratedEqOdds::Fit(data, CostConstraint::kFalsePositiveRate)
                  .value()
                  .mix_rate(1),
              0.75, 1e-12);
  // Scores equal to the base rates: the cheaper group's cost is already the
  // trivial one (AIF360's 0/0), and nothing is mixed.
  const BinaryData trivial{{0.5, 0.5, 0.5, 0.5}, {1, 0, 1, 0}, {0, 0, 1, 1}};
  const CalibratedEqOdds unmixed =
      CalibratedEqOdds::Fit(trivial, CostConstraint::kWeighted).value();
  EXPECT_EQ(unmixed.mix_rate(0), 0.0);
  EXPECT_EQ(unmixed.mix_rate(1), 0.0);
}

TEST(FairClsTest, InfiniteAlphaIsTheArgmax) {
  const BinaryData data = UnequalGroups(200, 5);
  const FairCls fitted =
      FairCls::Fit(data, std::numeric_limits<double>::infinity(), 1).value();
  const std::vector<double> labels =
      fitted.Predict(data.scores, data.groups, 1);
  for (size_t i = 0; i < data.rows(); ++i) {
    EXPECT_EQ(labels[i], data.scores[i] > 0.5 ? 1.0 : 0.0);
  }
}

TEST(FairClsTest, ModelEstimatedRateGapsShrinkToAlpha) {
  const BinaryData data = UnequalGroups(3000, 11);
  // The method's own rate estimates: E[gamma_ya(x) pi(x)], recomputed here.
  auto estimated_gap = [&](const std::vector<double>& labels, int y) {
    std::array<double, 2> joint{}, rate{};
    for (size_t i = 0; i < data.rows(); ++i) {
      joint[data.groups[i]] += y == 1 ? data.scores[i] : 1 - data.scores[i];
    }
    for (size_t i = 0; i < data.rows(); ++i) {
      const double p = y == 1 ? data.scores[i] : 1 - data.scores[i];
      rate[data.groups[i]] += p / joint[data.groups[i]] * labels[i];
    }
    return std::abs(rate[0] - rate[1]);
  };
  const std::vector<double> argmax =
      FairCls::Fit(data, std::numeric_limits<double>::infinity(), 1)
          .value()
          .Predict(data.scores, data.groups, 1);
  ASSERT_GT(std::max(estimated_gap(argmax, 0), estimated_gap(argmax, 1)), 0.1);
  for (double alpha : {0.1, 0.04, 0.01}) {
    const FairCls fitted = FairCls::Fit(data, alpha, 2).value();
    const std::vector<double> labels =
        fitted.Predict(data.scores, data.groups, 3);
    // Rows the LP randomises are split by fresh noise: a sampling slack.
    EXPECT_LE(estimated_gap(labels, 0), alpha + 0.03) << alpha;
    EXPECT_LE(estimated_gap(labels, 1), alpha + 0.03) << alpha;
    EXPECT_EQ(labels, fitted.Predict(data.scores, data.groups, 3));
  }
}

}  // namespace
}  // namespace amend

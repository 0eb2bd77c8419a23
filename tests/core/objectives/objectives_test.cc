#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/objectives/fairness.h"
#include "core/objectives/preservation.h"
#include "core/objectives/straight_through.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

at::Tensor T(std::vector<double> values) {
  return at::tensor(values, at::kDouble);
}

TEST(PreservationTest, JensenShannonMatchesTheDefinitionAndItsBounds) {
  // Identical distributions: 0. Disjoint ones (logits +-50): ln 2.
  const at::Tensor a = T({0.3, -1.2, 2.0}).view({1, 3});
  EXPECT_NEAR(JensenShannonFromLogits(a, a).item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(JensenShannonFromLogits(T({50, -50}).view({1, 2}),
                                      T({-50, 50}).view({1, 2}))
                  .item<double>(),
              std::log(2.0), 1e-9);
  // By hand for P = (0.8, 0.2), Q = (0.4, 0.6): M = (0.6, 0.4).
  const double expected =
      0.5 * (0.8 * std::log(0.8 / 0.6) + 0.2 * std::log(0.2 / 0.4)) +
      0.5 * (0.4 * std::log(0.4 / 0.6) + 0.6 * std::log(0.6 / 0.4));
  const at::Tensor p = T({std::log(0.8), std::log(0.2)}).view({1, 2});
  const at::Tensor q = T({std::log(0.4), std::log(0.6)}).view({1, 2});
  EXPECT_NEAR(JensenShannonFromLogits(p, q).item<double>(), expected, 1e-12);
  EXPECT_NEAR(JensenShannonFromLogits(q, p).item<double>(), expected,
              1e-12);  // symmetric
}

TEST(PreservationTest, JensenShannonGradientMatchesFiniteDifferences) {
  const at::Tensor p = at::randn(
      {4, 3}, at::make_generator<at::CPUGeneratorImpl>(1), at::kDouble);
  const at::Tensor q =
      at::randn({4, 3}, at::make_generator<at::CPUGeneratorImpl>(2),
                at::kDouble)
          .requires_grad_(true);
  JensenShannonFromLogits(p, q).sum().backward();
  for (int64_t i = 0; i < 12; ++i) {
    const at::Tensor plus = q.detach().clone(), minus = q.detach().clone();
    plus.view({-1})[i] += 1e-6;
    minus.view({-1})[i] -= 1e-6;
    const double numeric =
        (JensenShannonFromLogits(p, plus).sum().item<double>() -
         JensenShannonFromLogits(p, minus).sum().item<double>()) /
        2e-6;
    EXPECT_NEAR(q.grad().view({-1})[i].item<double>(), numeric, 1e-7) << i;
  }
}

TEST(StraightThroughTest, ForwardIsExactlyHardAndGradientIsTheSoftMasks) {
  const at::Tensor logits =
      at::tensor(std::vector<float>{-2.0f, -0.1f, 0.3f, 5.0f})
          .requires_grad_(true);
  const at::Tensor mask = StraightThroughMask(logits, /*temperature=*/0.5);
  EXPECT_TRUE(
      at::equal(mask.detach(), at::tensor(std::vector<float>{0, 0, 1, 1})));
  (mask * at::tensor(std::vector<float>{1, 2, 3, 4})).sum().backward();
  const at::Tensor s = at::sigmoid(logits.detach() / 0.5);
  const at::Tensor expected =
      at::tensor(std::vector<float>{1, 2, 3, 4}) * s * (1 - s) / 0.5;
  EXPECT_TRUE(at::allclose(logits.grad(), expected, 1e-6, 1e-7));
  EXPECT_TRUE(at::equal(HardMask(logits.detach()),
                        at::tensor(std::vector<float>{0, 0, 1, 1})));
}

TEST(StraightThroughTest, NoisyMasksAreBinaryAndFollowTheLogits) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(3);
  const at::Tensor logits = at::full({20000}, 1.0);
  const at::Tensor mask = StraightThroughMask(logits, 1.0, generator).detach();
  EXPECT_TRUE(at::logical_or(mask == 0, mask == 1).all().item<bool>());
  // P(logit + logistic noise > 0) = sigmoid(1) = 0.731.
  EXPECT_NEAR(mask.mean().item<double>(), 1.0 / (1.0 + std::exp(-1.0)), 0.015);
}

TEST(FairnessTest, EqualisedOddsDifferenceMatchesAHandWorkedExample) {
  // Group 0: labels 1 1 0 0, predictions 1 0 0 0 -> TPR 1/2, FPR 0.
  // Group 1: labels 1 1 0 0 0 0, predictions 1 1 1 1 1 0 -> TPR 1, FPR 3/4.
  // EOD = max(|1/2 - 1|, |0 - 3/4|) = 3/4 (fairlearn's
  // equalized_odds_difference).
  const at::Tensor labels =
      at::tensor(std::vector<int64_t>{1, 1, 0, 0, 1, 1, 0, 0, 0, 0});
  const at::Tensor groups =
      at::tensor(std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1, 1, 1});
  const at::Tensor predictions =
      at::tensor(std::vector<int64_t>{1, 0, 0, 0, 1, 1, 1, 1, 1, 0});
  auto eod = EqualisedOddsDifference(predictions, labels, groups);
  ASSERT_TRUE(eod.ok()) << eod.status();
  EXPECT_DOUBLE_EQ(*eod, 0.75);
  // Soft EOD of the same predictions as probabilities equals the hard one.
  EXPECT_NEAR(
      SoftEqualisedOddsDifference(predictions.to(at::kDouble), labels, groups)
          .item<double>(),
      0.75, 1e-12);
  // A group without negatives has no FPR: refused.
  EXPECT_FALSE(EqualisedOddsDifference(at::ones({2}, at::kLong),
                                       at::ones({2}, at::kLong),
                                       at::tensor(std::vector<int64_t>{0, 1}))
                   .ok());
}

TEST(FairnessTest, SoftEqualisedOddsGradientMatchesFiniteDifferences) {
  const at::Tensor labels =
      at::tensor(std::vector<int64_t>{1, 0, 1, 0, 1, 0, 0, 1});
  const at::Tensor groups =
      at::tensor(std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1});
  const at::Tensor p =
      at::tensor(std::vector<double>{0.9, 0.2, 0.7, 0.4, 0.3, 0.6, 0.1, 0.5})
          .requires_grad_(true);
  SoftEqualisedOddsDifference(p, labels, groups).backward();
  for (int64_t i = 0; i < 8; ++i) {
    const at::Tensor plus = p.detach().clone(), minus = p.detach().clone();
    plus[i] += 1e-6;
    minus[i] -= 1e-6;
    const double numeric =
        (SoftEqualisedOddsDifference(plus, labels, groups).item<double>() -
         SoftEqualisedOddsDifference(minus, labels, groups).item<double>()) /
        2e-6;
    EXPECT_NEAR(p.grad()[i].item<double>(), numeric, 1e-6) << i;
  }
}

}  // namespace
}  // namespace amend

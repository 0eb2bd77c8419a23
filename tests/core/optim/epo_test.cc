// EPO's weighting step on hand-worked two-objective cases.
#include "core/optim/epo.h"

#include <cmath>

#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(EpoTest, OffTheRayItDescendsTheLargerWeightedLossOnly) {
  // l = (1, 0.1), r = (1, 1), orthogonal unit gradients (C = I):
  // l_hat = (10/11, 1/11), mu = sum l_hat log(2 l_hat) = 0.3886 > eps;
  // a = log(2 l_hat) - mu = (0.209, -2.093) = Ca; J = {0} = J*, so the
  // constraints are t >= 0 and 1 - t >= -2.093, and the objective
  // 0.209 t - 2.093 (1 - t) grows with t: alpha = (1, 0).
  const Pair losses = {1.0, 0.1};
  EXPECT_NEAR(EpoNonUniformity(losses, {1, 1}),
              10.0 / 11 * std::log(20.0 / 11) + 1.0 / 11 * std::log(2.0 / 11),
              1e-12);
  const Pair alpha = EpoWeights(losses, {{{1, 0}, {0, 1}}}, {1, 1});
  EXPECT_DOUBLE_EQ(alpha[0], 1.0);
  EXPECT_DOUBLE_EQ(alpha[1], 0.0);
  // The preference moves the ray: with r = (1, 20), r l = (1, 2) and the
  // second loss is the one to reduce.
  const Pair other = EpoWeights(losses, {{{1, 0}, {0, 1}}}, {1, 20});
  EXPECT_DOUBLE_EQ(other[0], 0.0);
  EXPECT_DOUBLE_EQ(other[1], 1.0);
}

TEST(EpoTest, OnTheRayItDescendsBothWithinTheCone) {
  // l = (1, 1), r = (1, 1): mu = 0, descent mode, a = 0. With
  // C = [[2, -0.5], [-0.5, 1]]: C alpha >= 0 gives 0.2 <= t <= 2/3; the
  // objective 1^T C alpha = 1.5 t + 0.5 (1 - t) grows with t: t = 2/3.
  const Pair alpha = EpoWeights({1, 1}, {{{2, -0.5}, {-0.5, 1}}}, {1, 1});
  EXPECT_NEAR(alpha[0], 2.0 / 3, 1e-12);
  EXPECT_NEAR(alpha[1], 1.0 / 3, 1e-12);
  // Both losses decrease along alpha^T G: (C alpha)_i >= 0.
  EXPECT_GE(2 * alpha[0] - 0.5 * alpha[1], 0);
  EXPECT_GE(-0.5 * alpha[0] + alpha[1], -1e-12);
}

TEST(EpoTest, AnInfeasibleStepFallsBackToThePreference) {
  // On the ray (r l = (3, 3)); C alpha >= 0 needs t >= 0.75 and t <= 0.25.
  const Pair alpha = EpoWeights({3, 1}, {{{1, -3}, {-3, 1}}}, {1, 3});
  EXPECT_DOUBLE_EQ(alpha[0], 0.25);
  EXPECT_DOUBLE_EQ(alpha[1], 0.75);
}

TEST(EpoTest, AZeroLossStaysFinite) {
  const Pair alpha = EpoWeights({0.5, 0.0}, {{{1, 0}, {0, 1}}}, {1, 1});
  EXPECT_TRUE(std::isfinite(alpha[0]) && std::isfinite(alpha[1]));
  EXPECT_NEAR(alpha[0] + alpha[1], 1.0, 1e-12);
}

}  // namespace
}  // namespace amend

// Pareto fronts and hypervolumes against hand-worked examples.
#include "core/eval/pareto.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;

TEST(ParetoTest, MarksTheNonDominatedPoints) {
  // (0.2, 0.5) and (0.6, 0.1) trade off; (0.7, 0.6) is dominated by both;
  // (0.2, 0.7) by (0.2, 0.5); a duplicate of a front point stays on it.
  EXPECT_THAT(ParetoOptimal(
                  {{0.2, 0.5}, {0.6, 0.1}, {0.7, 0.6}, {0.2, 0.7}, {0.6, 0.1}}),
              ElementsAre(true, true, false, false, true));
  EXPECT_THAT(ParetoOptimal({}), ElementsAre());
}

TEST(ParetoTest, HypervolumeOfAStaircase) {
  // Reference (1, 1). Point (0.2, 0.5) covers 0.8 x 0.5 = 0.4; (0.6, 0.1)
  // adds 0.4 x 0.4 = 0.16 below it. Dominated and outside points add nothing.
  EXPECT_NEAR(
      Hypervolume({{0.6, 0.1}, {0.2, 0.5}, {0.7, 0.6}, {1.5, 0.0}}, {1.0, 1.0}),
      0.56, 1e-12);
  EXPECT_DOUBLE_EQ(Hypervolume({}, {1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(Hypervolume({{0.0, 0.0}}, {2, 3}), 6.0);
}

}  // namespace
}  // namespace amend

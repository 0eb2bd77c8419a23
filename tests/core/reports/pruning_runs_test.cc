// The pruning panel's baselines: every method RunPruningBaselines promises
// (PruningBaselineMethods, which also keys the eval command's cache) is
// reported, and neuron magnitude pruning keeps at least the asked fraction of
// the weights, as its matching to the editors requires.
#include <set>
#include <string>

#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"
#include "core/reports/panel_runs.h"
#include "core/testing/editor_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(PruningRunsTest, EveryPromisedMethodIsReported) {
  const Mlp mlp = InitializeMlp(testing::AdultArchitecture({12, 8}), 3).value();
  PanelData data;
  data.fit = ToTensors(testing::AdultTask().validation, 200);
  data.test = ToTensors(testing::AdultTask().test, 200);
  PruningSweep sweep;
  sweep.keep_fractions = {0.5};
  sweep.lottery.levels = 1;
  sweep.lottery.retraining.epochs = 1;
  auto points = RunPruningBaselines({&mlp}, data, sweep);
  ASSERT_TRUE(points.ok()) << points.status();
  std::set<std::string> reported;
  for (const MethodPoint& point : *points) {
    reported.insert(point.method);
    if (point.method == "neuron_magnitude") {
      EXPECT_GE(point.requirement.mean, 0.5);
    }
  }
  const std::vector<std::string> promised = PruningBaselineMethods();
  EXPECT_EQ(reported, std::set<std::string>(promised.begin(), promised.end()));
}

}  // namespace
}  // namespace amend

// The fairness panel's relaxed ThresholdOptimizer: one point per tolerance,
// each meeting its tolerance on the rows it was fitted on, and trading it for
// accuracy from the exact ThresholdOptimizer's point onwards.
#include <string>
#include <vector>

#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"
#include "core/reports/panel_runs.h"
#include "core/testing/editor_fixtures.h"
#include "core/zoo/fused_trainer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

// A model with informative scores (two epochs on 4,000 training rows): an
// untrained one predicts the majority class, where every tolerance is met
// by the same point.
Mlp TrainedAdultModel() {
  RunConfig run;
  run.seed = 5;
  run.architecture = testing::AdultArchitecture({16});
  run.batch_size = 64;
  run.learning_rate = 3e-3;
  run.epochs = 2;
  const SplitTensors train =
      ToTensors(testing::AdultTask().split(SplitName::kTrain), 4000);
  auto trainer = FusedRunTrainer::Create(run, train).value();
  for (int epoch = 0; epoch < run.epochs; ++epoch) {
    EXPECT_TRUE(trainer->TrainEpoch().ok());
  }
  return trainer->ExtractModel().value();
}

TEST(FairnessRunsTest, TheRelaxedThresholdOptimizerIsACurveOfTolerances) {
  const Mlp mlp = TrainedAdultModel();
  // Tested on the rows it is fitted on: there a tolerance is a guarantee (up
  // to the grid), on other rows only an expectation.
  PanelData data;
  data.fit = ToTensors(testing::AdultTask().validation, 600);
  data.test = data.fit;
  FairnessSweep sweep;
  sweep.relaxed_tolerances = {0.01, 0.05, 0.3};
  sweep.reject_option_bounds = {0.1};
  sweep.fair_cls_alphas = {0.1};
  auto points = RunFairnessBaselines({&mlp}, data, sweep);
  ASSERT_TRUE(points.ok()) << points.status();
  std::vector<MethodPoint> curve;
  for (const MethodPoint& point : *points) {
    if (point.method == "threshold_optimizer")
      curve.insert(curve.begin(), point);
    if (point.method == "relaxed_threshold_optimizer") curve.push_back(point);
  }
  ASSERT_EQ(curve.size(), 4u);
  const std::vector<double> tolerances = {0.0, 0.01, 0.05, 0.3};
  for (size_t i = 0; i < curve.size(); ++i) {
    SCOPED_TRACE(curve[i].setting);
    if (i > 0) {
      EXPECT_EQ(curve[i].setting, i == 1   ? "tolerance=0.01"
                                  : i == 2 ? "tolerance=0.05"
                                           : "tolerance=0.3");
      EXPECT_GE(curve[i].accuracy.mean, curve[i - 1].accuracy.mean - 1e-9);
    }
    EXPECT_LE(curve[i].requirement.mean, tolerances[i] + 4e-3);
  }
  // This model's groups differ: relaxing buys accuracy (0.78 -> 0.82 when
  // written), so the curve is not one point repeated.
  EXPECT_GT(curve.back().accuracy.mean, curve.front().accuracy.mean + 0.01);
  EXPECT_GT(curve.back().requirement.mean, 0.05);
}

}  // namespace
}  // namespace amend

#include "core/zoo/group_trainer.h"

#include <ATen/ATen.h>

#include "core/data/task.h"
#include "core/data_tensors/classifier_metrics.h"
#include "core/mlp/forward.h"
#include "core/zoo/zoo_plan.h"
#include "gtest/gtest.h"
#include "tests/testing/zoo_fixtures.h"

namespace amend {
namespace {

const SplitTensors& SmallTrain() { return testing::SmallAdultTrain(); }

// Runs of one depth and batch size but every other choice different: widths,
// skips, norms, activations and dropouts all vary, so padding, segments and
// masking are all exercised.
std::vector<RunConfig> MixedRuns() {
  std::vector<RunConfig> runs;
  const Activation activations[] = {Activation::kRelu, Activation::kSigmoid,
                                    Activation::kGelu, Activation::kTanh};
  const Norm norms[] = {Norm::kLayerNorm, Norm::kBatchNorm, Norm::kNone,
                        Norm::kLayerNorm};
  const int64_t first_widths[] = {8, 16, 8, 32};
  const int64_t second_widths[] = {8, 32, 16, 64};
  for (int i = 0; i < 4; ++i) {
    RunConfig c;
    c.run = i;
    c.seed = 1000 + static_cast<uint64_t>(i);
    c.batch_size = 32;
    c.learning_rate = 3e-3 * (i + 1);
    c.weight_decay = 1e-4 * (i + 1);
    c.epochs = 2;
    c.architecture.input_dim = 14;
    c.architecture.num_classes = 2;
    const double dropout = i == 2 ? 0.0 : 0.1 * i;
    c.architecture.layers = {
        {first_widths[i], activations[i], norms[i], dropout, {}},
        {second_widths[i], activations[i], norms[i], dropout,
         i % 2 == 0 ? std::vector<int>{0} : std::vector<int>{}}};
    runs.push_back(c);
  }
  return runs;
}

std::map<int64_t, Mlp> Train(const std::vector<RunConfig>& runs,
                             int group_size) {
  std::map<int64_t, Mlp> models;
  for (const auto& group : PlanGroups(runs, group_size)) {
    auto trainer =
        GroupTrainer::Create(group, SmallTrain().features, SmallTrain().labels);
    EXPECT_TRUE(trainer.ok()) << trainer.status();
    for (int e = 0; e < 2; ++e) EXPECT_TRUE((*trainer)->TrainEpoch().ok());
    for (int64_t k = 0; k < (*trainer)->size(); ++k) {
      auto mlp = (*trainer)->ExtractModel(k);
      EXPECT_TRUE(mlp.ok()) << mlp.status();
      models[(*trainer)->run(k).run] = *std::move(mlp);
    }
  }
  return models;
}

TEST(GroupTrainerTest, StackedRunsTrainToTheSameParametersAsSeparateRuns) {
  const std::vector<RunConfig> runs = MixedRuns();
  const auto stacked = Train(runs, /*group_size=*/64);
  const auto separate = Train(runs, /*group_size=*/1);
  ASSERT_EQ(stacked.size(), 4u);
  for (const RunConfig& run : runs) {
    const Mlp& a = stacked.at(run.run);
    const Mlp& b = separate.at(run.run);
    EXPECT_EQ(a.architecture, run.architecture);
    ASSERT_EQ(a.parameters.size(), b.parameters.size());
    for (const auto& [name, tensor] : a.parameters) {
      // A bias feeding batchnorm cancels in (z - batch mean): its true gradient
      // is 0 and what autograd returns is rounding noise, which Adam normalises
      // into +-lr steps. Such biases (and the running means that include them)
      // differ by summation order alone, so they are checked through the
      // model's outputs below instead.
      const int layer =
          name.rfind("layers.", 0) == 0 ? std::stoi(name.substr(7)) : 0;
      const bool batchnorm_bias =
          layer > 0 &&
          a.architecture.layers[static_cast<size_t>(layer - 1)].norm ==
              Norm::kBatchNorm &&
          (name == LayerBiasName(layer) || name == NormRunningMeanName(layer));
      if (batchnorm_bias) continue;
      const at::Tensor& other = b.parameters.at(name);
      EXPECT_TRUE(at::allclose(tensor, other, /*rtol=*/1e-4, /*atol=*/1e-5))
          << "run " << run.run << " " << name << " max diff "
          << (tensor - other).abs().max().item<float>();
    }
    // Eval outputs: batchnorm runs carry the noise above in their running
    // means.
    const at::Tensor x = SmallTrain().features.narrow(0, 0, 64);
    const double difference =
        (at::softmax(*Logits(a.architecture, a.parameters, x), -1) -
         at::softmax(*Logits(b.architecture, b.parameters, x), -1))
            .abs()
            .max()
            .item<double>();
    const bool batchnorm = a.architecture.layers[0].norm == Norm::kBatchNorm;
    EXPECT_LT(difference, batchnorm ? 2e-2 : 1e-4) << "run " << run.run;
  }
}

TEST(GroupTrainerTest, TrainingLowersTheLossAndKeepsModelsFinite) {
  const std::vector<RunConfig> runs = MixedRuns();
  auto trainer =
      GroupTrainer::Create(runs, SmallTrain().features, SmallTrain().labels);
  ASSERT_TRUE(trainer.ok());
  std::vector<double> before;
  for (int64_t k = 0; k < 4; ++k)
    before.push_back(
        MeasureClassifier(*(*trainer)->ExtractModel(k), SmallTrain())->loss);
  for (int e = 0; e < 3; ++e) ASSERT_TRUE((*trainer)->TrainEpoch().ok());
  for (int64_t k = 0; k < 4; ++k) {
    const Mlp mlp = *(*trainer)->ExtractModel(k);
    ASSERT_TRUE(ValidateParameters(mlp.architecture, mlp.parameters).ok());
    EXPECT_LT(MeasureClassifier(mlp, SmallTrain())->loss,
              before[static_cast<size_t>(k)])
        << "run " << k;
  }
}

TEST(GroupTrainerTest, RefusesRunsOfDifferentDepthOrBatchSize) {
  std::vector<RunConfig> runs = MixedRuns();
  runs[1].batch_size = 64;
  EXPECT_EQ(
      GroupTrainer::Create(runs, SmallTrain().features, SmallTrain().labels)
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(PlanGroupsTest, GroupsShareDepthAndBatchSizeAndCoverEveryRunOnce) {
  std::vector<RunConfig> runs;
  for (int64_t r = 0; r < 300; ++r)
    runs.push_back(SampleRunConfig(ZooSearchSpace{}, 2, r, 14, 2));
  const auto groups = PlanGroups(runs, 32);
  std::set<int64_t> seen;
  for (const auto& group : groups) {
    ASSERT_FALSE(group.empty());
    EXPECT_LE(
        static_cast<int64_t>(group.size()),
        std::max<int64_t>(
            1, std::min<int64_t>(32, kRowsPerGroupStep / group[0].batch_size)));
    for (const RunConfig& r : group) {
      EXPECT_EQ(r.batch_size, group[0].batch_size);
      EXPECT_EQ(r.architecture.num_hidden(),
                group[0].architecture.num_hidden());
      EXPECT_TRUE(seen.insert(r.run).second);
    }
  }
  EXPECT_EQ(seen.size(), 300u);
}

}  // namespace
}  // namespace amend

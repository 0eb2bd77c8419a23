#include "core/zoo/fused_trainer.h"

#include <ATen/ATen.h>

#include "core/data/task.h"
#include "core/data_tensors/classifier_metrics.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/zoo/group_trainer.h"
#include "gtest/gtest.h"
#include "tests/testing/zoo_fixtures.h"

namespace amend {
namespace {

const SplitTensors& SmallTrain() { return testing::SmallAdultTrain(); }

RunConfig Config(Activation activation, Norm norm, double dropout, int depth) {
  RunConfig c;
  c.run = 7;
  c.seed = 4242 + static_cast<uint64_t>(activation) * 10 +
           static_cast<uint64_t>(norm);
  c.batch_size = 32;
  c.learning_rate = 4e-3;
  c.weight_decay = 1e-3;
  c.epochs = 2;
  c.architecture.input_dim = 14;
  c.architecture.num_classes = 2;
  const int64_t widths[] = {16, 16, 32, 64};
  for (int k = 1; k <= depth; ++k) {
    std::vector<int> skips;
    if (k >= 3) skips = {0, k - 2};
    c.architecture.layers.push_back(
        {widths[k - 1], activation, norm, dropout, skips});
  }
  return c;
}

class FusedAgainstLibTorchTest
    : public ::testing::TestWithParam<std::tuple<Activation, Norm, double>> {};

// The hand-written trainer against LibTorch autograd (GroupTrainer, one run):
// the same run must train to the same parameters.
TEST_P(FusedAgainstLibTorchTest, TrainsToTheSameParametersAsAutograd) {
  const auto [activation, norm, dropout] = GetParam();
  const RunConfig config = Config(activation, norm, dropout, /*depth=*/4);
  auto fused = FusedRunTrainer::Create(config, SmallTrain());
  ASSERT_TRUE(fused.ok()) << fused.status();
  auto reference = GroupTrainer::Create({config}, SmallTrain().features,
                                        SmallTrain().labels);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (int epoch = 0; epoch < 2; ++epoch) {
    ASSERT_TRUE((*fused)->TrainEpoch().ok());
    ASSERT_TRUE((*reference)->TrainEpoch().ok());
  }
  const Mlp a = *(*fused)->ExtractModel();
  const Mlp b = *(*reference)->ExtractModel(0);
  for (const TensorSpec& spec : ExpectedTensors(config.architecture)) {
    // Biases feeding batchnorm have a true gradient of 0: Adam turns rounding
    // noise into +-lr steps, so they (and running means) are compared through
    // the outputs below.
    if (norm == Norm::kBatchNorm &&
        (spec.role == TensorRole::kLayerBias ||
         spec.role == TensorRole::kNormRunningMean)) {
      continue;
    }
    const at::Tensor& x = a.parameters.at(spec.name);
    const at::Tensor& y = b.parameters.at(spec.name);
    // With batchnorm, that noise also reaches coordinates whose gradient is
    // near 0: early Adam steps are about lr * sign(g) there.
    // BatchnormStepsMatchAutograd below checks the exact agreement over a few
    // steps.
    const double atol = norm == Norm::kBatchNorm ? 5e-2 : 2e-4;
    EXPECT_TRUE(at::allclose(x, y, /*rtol=*/1e-3, atol))
        << spec.name << " max diff " << (x - y).abs().max().item<float>();
  }
  const at::Tensor inputs = SmallTrain().features.narrow(0, 0, 128);
  const double difference =
      (at::softmax(*Logits(a.architecture, a.parameters, inputs), -1) -
       at::softmax(*Logits(b.architecture, b.parameters, inputs), -1))
          .abs()
          .max()
          .item<double>();
  EXPECT_LT(difference, norm == Norm::kBatchNorm ? 5e-2 : 1e-3);
}

INSTANTIATE_TEST_SUITE_P(
    EveryActivationNormAndDropout, FusedAgainstLibTorchTest,
    ::testing::Combine(
        ::testing::Values(Activation::kRelu, Activation::kLeakyRelu,
                          Activation::kGelu, Activation::kTanh,
                          Activation::kSigmoid, Activation::kSilu),
        ::testing::Values(Norm::kNone, Norm::kLayerNorm, Norm::kBatchNorm),
        ::testing::Values(0.0, 0.2)),
    [](const auto& info) {
      return std::string(ActivationName(std::get<0>(info.param))) + "_" +
             std::string(NormName(std::get<1>(info.param))) +
             (std::get<2>(info.param) > 0 ? "_dropout" : "");
    });

TEST(FusedTrainerTest, BatchnormStepsMatchAutograd) {
  // One step per epoch (32 rows, batch 32), three steps: every parameter agrees
  // to float precision except the biases feeding batchnorm, whose true gradient
  // is 0.
  auto task = LoadTask("adult", AMEND_TEST_DATA_DIR);
  const SplitTensors rows = ToTensors(task->train, 32);
  RunConfig config = Config(Activation::kGelu, Norm::kBatchNorm, 0.0, 2);
  auto fused = FusedRunTrainer::Create(config, rows);
  auto reference = GroupTrainer::Create({config}, rows.features, rows.labels);
  ASSERT_TRUE(fused.ok() && reference.ok());
  for (int step = 0; step < 3; ++step) {
    ASSERT_TRUE((*fused)->TrainEpoch().ok());
    ASSERT_TRUE((*reference)->TrainEpoch().ok());
  }
  const Mlp a = *(*fused)->ExtractModel();
  const Mlp b = *(*reference)->ExtractModel(0);
  for (const TensorSpec& spec : ExpectedTensors(config.architecture)) {
    if (spec.role == TensorRole::kLayerBias ||
        spec.role == TensorRole::kNormRunningMean)
      continue;
    EXPECT_TRUE(at::allclose(a.parameters.at(spec.name),
                             b.parameters.at(spec.name), 1e-5, 1e-6))
        << spec.name;
  }
}

TEST(FusedTrainerTest, TrainingLowersTheLoss) {
  const RunConfig config = Config(Activation::kRelu, Norm::kLayerNorm, 0.1, 2);
  auto trainer = FusedRunTrainer::Create(config, SmallTrain());
  ASSERT_TRUE(trainer.ok());
  const double before =
      MeasureClassifier(*(*trainer)->ExtractModel(), SmallTrain())->loss;
  for (int e = 0; e < 5; ++e) ASSERT_TRUE((*trainer)->TrainEpoch().ok());
  EXPECT_LT(MeasureClassifier(*(*trainer)->ExtractModel(), SmallTrain())->loss,
            before - 0.05);
}

TEST(FusedTrainerTest, RefusesLabelsOutsideTheClasses) {
  SplitTensors data = SmallTrain();
  data.labels = data.labels.clone();
  data.labels[3] = 2;
  auto trainer = FusedRunTrainer::Create(
      Config(Activation::kRelu, Norm::kNone, 0.0, 1), data);
  EXPECT_EQ(trainer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(
      trainer.status().message().find("labels must be class indices in 0..1"),
      absl::string_view::npos);
}

TEST(FusedTrainerTest, RefusesDataOfTheWrongWidth) {
  RunConfig config = Config(Activation::kRelu, Norm::kNone, 0.0, 1);
  config.architecture.input_dim = 13;
  EXPECT_EQ(FusedRunTrainer::Create(config, SmallTrain()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace amend

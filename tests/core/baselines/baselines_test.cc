// Magnitude pruning and permutation-importance feature selection on cases
// that can be checked by hand.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/baselines/distillation.h"
#include "core/baselines/feature_selection.h"
#include "core/baselines/lottery_ticket.h"
#include "core/baselines/magnitude_pruning.h"
#include "core/baselines/score_pruning.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/objectives/preservation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

Mlp Tiny() {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{2, Activation::kRelu, Norm::kNone, 0.0, {}}};
  Mlp mlp = InitializeMlp(a, 1).value();
  mlp.parameters["layers.1.weight"] =
      at::tensor({0.5f, -0.1f, 0.0f, -0.9f, 0.3f, 0.0f}).view({2, 3});
  mlp.parameters["head.weight"] =
      at::tensor({0.2f, -0.7f, 0.3f, 0.05f}).view({2, 2});
  return mlp;
}

TEST(MagnitudePruningTest, KeepsTheLargestWeightsAcrossAllTensors) {
  const Mlp mlp = Tiny();
  // |w| sorted: 0.9, 0.7, 0.5, 0.3 (layer), 0.3 (head), 0.2, 0.1, 0.05, 0, 0.
  const Mlp pruned = GlobalMagnitudePrune(mlp, 4).value();
  EXPECT_TRUE(
      at::equal(pruned.masks.at("mask.layers.1.weight"),
                at::tensor({1.f, 0.f, 0.f, 1.f, 1.f, 0.f}).view({2, 3})));
  // The tie at 0.3 goes to the earlier weight (the layer's).
  EXPECT_TRUE(at::equal(pruned.masks.at("mask.head.weight"),
                        at::tensor({0.f, 1.f, 0.f, 0.f}).view({2, 2})));
  EXPECT_TRUE(at::equal(pruned.parameters.at("head.weight"),
                        at::tensor({0.f, -0.7f, 0.f, 0.f}).view({2, 2})));
  EXPECT_TRUE(at::equal(pruned.parameters.at("layers.1.bias"),
                        mlp.parameters.at("layers.1.bias")));
  EXPECT_EQ(GlobalMagnitudePrune(mlp, 11).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GlobalMagnitudePrune(mlp, 0)
                .value()
                .parameters.at("head.weight")
                .abs()
                .sum()
                .item<float>(),
            0.0f);
}

SplitTensors RandomData(int64_t rows) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(3);
  SplitTensors data;
  data.features = at::randn({rows, 3}, g);
  data.labels = at::randint(0, 2, {rows}, g);
  data.groups = at::randint(0, 2, {rows}, g);
  return data;
}

TEST(FeatureSelectionTest, AFeatureTheModelIgnoresHasZeroImportance) {
  // Column 2 of layer 1 is all zero: the model never reads feature 2.
  const Mlp mlp = Tiny();
  SplitTensors data = RandomData(400);
  // Labels from the model itself, so accuracy is 1 and drops when a used
  // feature is shuffled.
  data.labels =
      Logits(mlp.architecture, mlp.parameters, data.features).value().argmax(1);
  const std::vector<double> importance =
      PermutationImportance(mlp, data, 5, 11).value();
  ASSERT_EQ(importance.size(), 3u);
  EXPECT_EQ(importance[2], 0.0);
  EXPECT_GT(importance[0], 0.0);
  // FS keeping 2 features removes the ignored one: the function is unchanged.
  const Mlp fs = SelectFeatures(mlp, importance, 2).value();
  EXPECT_TRUE(
      at::equal(fs.masks.at("mask.input"), at::tensor({1.f, 1.f, 0.f})));
  EXPECT_TRUE(at::allclose(
      Logits(fs.architecture, fs.parameters, data.features).value(),
      Logits(mlp.architecture, mlp.parameters, data.features).value()));
}

TEST(FeatureSelectionTest, MaskingAFeatureEqualsFeedingZero) {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kTanh, Norm::kNone, 0.0, {}},
              {3, Activation::kRelu, Norm::kNone, 0.0, {0}}};
  const Mlp mlp = InitializeMlp(a, 4).value();
  const Mlp masked = MaskInputs(mlp, at::tensor({1.f, 0.f, 1.f})).value();
  const SplitTensors data = RandomData(50);
  at::Tensor zeroed = data.features.clone();
  zeroed.select(1, 1).zero_();
  EXPECT_TRUE(at::allclose(
      Logits(masked.architecture, masked.parameters, data.features).value(),
      Logits(mlp.architecture, mlp.parameters, zeroed).value(), 1e-6, 1e-6));
}

// A smooth two-layer model, so that finite differences are accurate.
Mlp SmoothModel(uint64_t seed) {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kTanh, Norm::kNone, 0.0, {}},
              {3, Activation::kTanh, Norm::kNone, 0.0, {0}}};
  return InitializeMlp(a, seed).value();
}

double MeanCrossEntropy(const Mlp& mlp, const SplitTensors& data) {
  const at::Tensor logits =
      Logits(mlp.architecture, mlp.parameters, data.features).value();
  return at::nll_loss(at::log_softmax(logits, 1), data.labels).item<double>();
}

TEST(ScorePruningTest, SnipAndGradientScoresMatchFiniteDifferences) {
  const Mlp mlp = SmoothModel(8);
  const SplitTensors data = RandomData(100);
  const TensorMap snip = SnipScores(mlp, data).value();
  const TensorMap gradient = GradientScores(mlp, data).value();
  // Central differences, weight by weight (float32: h = 1e-2 balances
  // rounding, about 1e-5 here, against the O(h^2) truncation error).
  Mlp wide = mlp;
  for (auto& [name, tensor] : wide.parameters) tensor = tensor.clone();
  int checked = 0;
  for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
    if (!IsWeightRole(spec.role)) continue;
    ASSERT_EQ(snip.count(spec.name), 1u) << spec.name;
    const at::Tensor flat = wide.parameters.at(spec.name).view(-1);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const float w = flat[i].item<float>();
      const double h = 1e-2;
      flat[i] = w + h;
      const double up = MeanCrossEntropy(wide, data);
      flat[i] = w - h;
      const double down = MeanCrossEntropy(wide, data);
      flat[i] = w;
      const double derivative = (up - down) / (2 * h);
      EXPECT_NEAR(gradient.at(spec.name).view(-1)[i].item<double>(),
                  std::abs(derivative), 2e-4)
          << spec.name << "[" << i << "]";
      EXPECT_NEAR(snip.at(spec.name).view(-1)[i].item<double>(),
                  std::abs(w * derivative), 2e-4)
          << spec.name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, CountWeights(mlp.architecture));
}

TEST(ScorePruningTest, RandomPruningIsSeededAndKeepsTheCount) {
  const Mlp mlp = SmoothModel(2);
  auto mask_of = [&](uint64_t seed) {
    const Mlp pruned =
        PruneByScores(mlp, RandomScores(mlp, seed).value(), 9).value();
    std::vector<at::Tensor> masks;
    int64_t kept = 0;
    for (const auto& [name, mask] : pruned.masks) {
      masks.push_back(mask);
      kept += mask.sum().item<int64_t>();
    }
    EXPECT_EQ(kept, 9);
    return at::cat(masks.empty() ? std::vector<at::Tensor>{} : [&] {
      std::vector<at::Tensor> flat;
      for (const at::Tensor& m : masks) flat.push_back(m.reshape(-1));
      return flat;
    }());
  };
  EXPECT_TRUE(at::equal(mask_of(5), mask_of(5)));
  EXPECT_FALSE(at::equal(mask_of(5), mask_of(6)));
  TensorMap missing = RandomScores(mlp, 1).value();
  missing.erase(kHeadWeightName);
  EXPECT_EQ(PruneByScores(mlp, missing, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  // An input mask survives pruning; weight masks are replaced.
  const Mlp minimised = MaskInputs(mlp, at::tensor({1.f, 0.f, 1.f})).value();
  const Mlp pruned =
      PruneByScores(minimised, MagnitudeScores(minimised).value(), 5).value();
  EXPECT_TRUE(
      at::equal(pruned.masks.at(kInputMaskName), at::tensor({1.f, 0.f, 1.f})));
}

TEST(DistillationTest, StudentLearnsTheTeacherUnderItsMasks) {
  const Mlp teacher = SmoothModel(3);
  const SplitTensors data = RandomData(512);
  auto jsd = [&](const Mlp& model) {
    return JensenShannonFromLogits(
               Logits(teacher.architecture, teacher.parameters, data.features)
                   .value(),
               Logits(model.architecture, model.parameters, data.features)
                   .value())
        .mean()
        .item<double>();
  };
  // A student far from the teacher (another initialisation) learns it.
  const Mlp stranger = SmoothModel(30);
  const DistillationOptions options = {
      .epochs = 40, .batch_size = 64, .learning_rate = 1e-2};
  EXPECT_LT(jsd(DistilStudent(teacher, stranger, data, options).value()),
            0.1 * jsd(stranger));
  // Under masks: feature 0 removed and the smallest half of the weights
  // pruned; what is masked stays exactly 0.
  Mlp student = MaskInputs(stranger, at::tensor({0.f, 1.f, 1.f})).value();
  const Mlp pruned =
      GlobalMagnitudePrune(student, CountWeights(teacher.architecture) / 2)
          .value();
  student.parameters = pruned.parameters;
  for (const auto& [name, mask] : pruned.masks) student.masks[name] = mask;
  const Mlp trained = DistilStudent(teacher, student, data, options).value();
  EXPECT_LT(jsd(trained), 0.5 * jsd(student));
  for (const auto& [name, mask] : student.masks) {
    if (name == kInputMaskName) continue;
    const std::string weight = name.substr(5);
    EXPECT_EQ(trained.parameters.at(weight)
                  .masked_select(mask.eq(0))
                  .abs()
                  .sum()
                  .item<float>(),
              0.0f)
        << weight;
  }
  // Feature 0 no longer moves the output.
  at::Tensor shifted = data.features.clone();
  shifted.select(1, 0).add_(3.0);
  EXPECT_TRUE(at::equal(
      Logits(trained.architecture, trained.parameters, data.features).value(),
      Logits(trained.architecture, trained.parameters, shifted).value()));
  // Zero epochs return the student as it came; other architectures are
  // refused.
  const Mlp untouched =
      DistilStudent(teacher, student, data, {.epochs = 0}).value();
  EXPECT_TRUE(at::equal(untouched.parameters.at(kHeadWeightName),
                        student.parameters.at(kHeadWeightName)));
  EXPECT_EQ(DistilStudent(teacher, Tiny(), data, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(LotteryTicketTest, LevelsPruneAFractionOfWhatRemainsAndNest) {
  // 10 weights, 40% per level: 10 -> 6 -> 3 -> 1 (ceil of 4, 2.4, 1.2).
  EXPECT_EQ(LotteryTicketKeptWeights(10, 0.4, 1), 6);
  EXPECT_EQ(LotteryTicketKeptWeights(10, 0.4, 2), 3);
  EXPECT_EQ(LotteryTicketKeptWeights(10, 0.4, 3), 1);
  const Mlp mlp = SmoothModel(4);
  const SplitTensors data = RandomData(256);
  const std::vector<Mlp> levels =
      LotteryTicketPrune(mlp, data,
                         {.levels = 3,
                          .prune_fraction = 0.4,
                          .retraining = {.epochs = 1, .batch_size = 64}})
          .value();
  ASSERT_EQ(levels.size(), 3u);
  const int64_t total = CountWeights(mlp.architecture);
  for (int level = 0; level < 3; ++level) {
    int64_t kept = 0;
    for (const auto& [name, mask] : levels[level].masks) {
      kept += mask.sum().item<int64_t>();
      const std::string weight = name.substr(5);
      EXPECT_EQ(levels[level]
                    .parameters.at(weight)
                    .masked_select(mask.eq(0))
                    .abs()
                    .sum()
                    .item<float>(),
                0.0f);
      if (level > 0) {
        // A weight pruned at one level stays pruned.
        EXPECT_TRUE(
            at::all(mask <= levels[level - 1].masks.at(name)).item<bool>());
      }
    }
    EXPECT_EQ(kept, LotteryTicketKeptWeights(total, 0.4, level + 1));
  }
}

}  // namespace
}  // namespace amend

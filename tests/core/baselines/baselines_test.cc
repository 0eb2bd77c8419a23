// Magnitude pruning and permutation-importance feature selection on cases
// that can be checked by hand.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "core/baselines/feature_selection.h"
#include "core/baselines/magnitude_pruning.h"
#include "core/mlp/forward.h"
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

}  // namespace
}  // namespace amend

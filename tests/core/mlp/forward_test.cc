#include "core/mlp/forward.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

at::Tensor T(std::vector<float> values, std::vector<int64_t> shape) {
  return at::tensor(values, at::kFloat).reshape(shape);
}

// A network small enough to work out on paper (docs: ARCHITECTURE.md §3
// conventions).
//   x = [1, 2]
//   layer 1 (relu, none):        z1 = [[1,0],[0,1]] x + [0,-3] = [1,-1]     ->
//   h1 = [1, 0] layer 2 (identity, layernorm, skip h0):
//                                z2 = [[2,1],[0,1]] h1 + [[1,1],[0,0]] x +
//                                [0.5, 0.5]
//                                   = [2,0] + [3,0] + [0.5,0.5] = [5.5, 0.5]
//                                LN: mean 3, var 6.25 -> [2.5, -2.5] /
//                                sqrt(6.25 + 1e-5) gamma [2, 1], beta [0, 1] ->
//                                h2 = [2c, 1 - c], c = 2.5/sqrt(6.25+1e-5)
//   layer 3 (tanh, batchnorm eval, skip h1):
//                                z3 = [[1, 0],[0, 0]] h2 + [[0,0],[3,0]] h1 +
//                                [0, 0] = [2c, 3] BN: mean [0, 1], var [4, 1],
//                                gamma [1, 2], beta [0, 0]
//                                  -> [2c/sqrt(4+1e-5), 2 * 2/sqrt(1+1e-5)]
//                                h3 = tanh of that
//   head: logits = [[1, -1],[0, 0]] h3 + [0.25, 0]
TEST(ForwardTest, MatchesAHandWorkedExample) {
  Architecture a;
  a.input_dim = 2;
  a.num_classes = 2;
  a.layers = {{2, Activation::kRelu, Norm::kNone, 0.0, {}},
              {2, Activation::kIdentity, Norm::kLayerNorm, 0.0, {0}},
              {2, Activation::kTanh, Norm::kBatchNorm, 0.0, {1}}};
  ASSERT_TRUE(ValidateArchitecture(a).ok());
  TensorMap p;
  p["layers.1.weight"] = T({1, 0, 0, 1}, {2, 2});
  p["layers.1.bias"] = T({0, -3}, {2});
  p["layers.2.weight"] = T({2, 1, 0, 1}, {2, 2});
  p["layers.2.bias"] = T({0.5, 0.5}, {2});
  p["layers.2.skip.0.weight"] = T({1, 1, 0, 0}, {2, 2});
  p["layers.2.norm.weight"] = T({2, 1}, {2});
  p["layers.2.norm.bias"] = T({0, 1}, {2});
  p["layers.3.weight"] = T({1, 0, 0, 0}, {2, 2});
  p["layers.3.bias"] = T({0, 0}, {2});
  p["layers.3.skip.1.weight"] = T({0, 0, 3, 0}, {2, 2});
  p["layers.3.norm.weight"] = T({1, 2}, {2});
  p["layers.3.norm.bias"] = T({0, 0}, {2});
  p["layers.3.norm.running_mean"] = T({0, 1}, {2});
  p["layers.3.norm.running_var"] = T({4, 1}, {2});
  p["head.weight"] = T({1, -1, 0, 0}, {2, 2});
  p["head.bias"] = T({0.25, 0}, {2});

  auto logits = Logits(a, p, T({1, 2}, {1, 2}));
  ASSERT_TRUE(logits.ok()) << logits.status();
  const double c = 2.5 / std::sqrt(6.25 + 1e-5);
  const double h3_0 = std::tanh(2 * c / std::sqrt(4 + 1e-5));
  const double h3_1 = std::tanh(2 * 2 / std::sqrt(1 + 1e-5));
  EXPECT_NEAR(logits->index({0, 0}).item<float>(), h3_0 - h3_1 + 0.25, 1e-6);
  EXPECT_NEAR(logits->index({0, 1}).item<float>(), 0.0, 1e-7);
}

// A scalar reference forward in double precision, written from ARCHITECTURE.md
// §3 alone.
std::vector<double> ReferenceLogits(const Architecture& a, const TensorMap& p,
                                    const std::vector<double>& x) {
  auto value = [&](const std::string& name, int64_t i) {
    return static_cast<double>(p.at(name).reshape({-1})[i].item<float>());
  };
  auto act = [](Activation f, double v) {
    switch (f) {
      case Activation::kIdentity:
        return v;
      case Activation::kRelu:
        return v > 0 ? v : 0.0;
      case Activation::kLeakyRelu:
        return v > 0 ? v : 0.01 * v;
      case Activation::kGelu:
        return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      case Activation::kTanh:
        return std::tanh(v);
      case Activation::kSigmoid:
        return 1 / (1 + std::exp(-v));
      case Activation::kSilu:
        return v / (1 + std::exp(-v));
    }
    return 0.0;
  };
  auto linear = [&](const std::string& name, const std::vector<double>& in,
                    int64_t out) {
    std::vector<double> y(static_cast<size_t>(out), 0.0);
    for (int64_t o = 0; o < out; ++o) {
      for (size_t i = 0; i < in.size(); ++i) {
        y[static_cast<size_t>(o)] +=
            value(name, o * static_cast<int64_t>(in.size()) +
                            static_cast<int64_t>(i)) *
            in[i];
      }
    }
    return y;
  };
  std::vector<std::vector<double>> h = {x};
  for (int k = 1; k <= a.num_hidden(); ++k) {
    const HiddenLayer& layer = a.layers[static_cast<size_t>(k - 1)];
    std::vector<double> z =
        linear(LayerWeightName(k), h[static_cast<size_t>(k - 1)], layer.width);
    for (int s : layer.skip_from) {
      std::vector<double> add =
          linear(SkipWeightName(k, s), h[static_cast<size_t>(s)], layer.width);
      for (size_t i = 0; i < z.size(); ++i) z[i] += add[i];
    }
    for (size_t i = 0; i < z.size(); ++i)
      z[i] += value(LayerBiasName(k), static_cast<int64_t>(i));
    if (layer.norm == Norm::kLayerNorm) {
      double mean = 0, var = 0;
      for (double v : z) mean += v / static_cast<double>(z.size());
      for (double v : z)
        var += (v - mean) * (v - mean) / static_cast<double>(z.size());
      for (size_t i = 0; i < z.size(); ++i) {
        z[i] = (z[i] - mean) / std::sqrt(var + 1e-5) *
                   value(NormWeightName(k), static_cast<int64_t>(i)) +
               value(NormBiasName(k), static_cast<int64_t>(i));
      }
    } else if (layer.norm == Norm::kBatchNorm) {
      for (size_t i = 0; i < z.size(); ++i) {
        const auto j = static_cast<int64_t>(i);
        z[i] = (z[i] - value(NormRunningMeanName(k), j)) /
                   std::sqrt(value(NormRunningVarName(k), j) + 1e-5) *
                   value(NormWeightName(k), j) +
               value(NormBiasName(k), j);
      }
    }
    for (double& v : z) v = act(layer.activation, v);
    h.push_back(z);
  }
  std::vector<double> logits = linear(kHeadWeightName, h.back(), a.num_classes);
  for (size_t i = 0; i < logits.size(); ++i)
    logits[i] += value(kHeadBiasName, static_cast<int64_t>(i));
  return logits;
}

// Random parameters, with norm statistics moved away from their identity
// defaults.
TensorMap RandomParameters(const Architecture& a, uint64_t seed) {
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  TensorMap p;
  for (const TensorSpec& spec : ExpectedTensors(a)) {
    at::Tensor t = at::randn(spec.shape, generator, at::kFloat) * 0.7;
    if (spec.role == TensorRole::kNormRunningVar) t = t.abs() + 0.5;
    p[spec.name] = t;
  }
  return p;
}

class ForwardAgainstReferenceTest
    : public ::testing::TestWithParam<std::tuple<Activation, Norm>> {};

TEST_P(ForwardAgainstReferenceTest, MatchesTheScalarReference) {
  const auto [activation, norm] = GetParam();
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 3;
  a.layers = {{4, activation, norm, 0.2, {}},
              {5, activation, norm, 0.0, {0}},
              {4, activation, norm, 0.1, {0, 1}}};
  ASSERT_TRUE(ValidateArchitecture(a).ok());
  const TensorMap p = RandomParameters(a, 11);
  const at::Tensor x = at::randn(
      {6, 3}, at::make_generator<at::CPUGeneratorImpl>(5), at::kFloat);
  auto logits = Logits(a, p, x);
  ASSERT_TRUE(logits.ok()) << logits.status();
  for (int64_t row = 0; row < 6; ++row) {
    std::vector<double> input;
    for (int64_t i = 0; i < 3; ++i)
      input.push_back(x.index({row, i}).item<float>());
    const std::vector<double> expected = ReferenceLogits(a, p, input);
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(logits->index({row, c}).item<float>(),
                  expected[static_cast<size_t>(c)], 2e-5)
          << "row " << row << " class " << c;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryActivationAndNorm, ForwardAgainstReferenceTest,
    ::testing::Combine(::testing::ValuesIn(kAllActivations),
                       ::testing::ValuesIn(kAllNorms)),
    [](const auto& info) {
      return std::string(ActivationName(std::get<0>(info.param))) + "_" +
             std::string(NormName(std::get<1>(info.param)));
    });

Architecture SkipArchitecture() {
  Architecture a;
  a.input_dim = 5;
  a.num_classes = 2;
  a.layers = {{8, Activation::kGelu, Norm::kBatchNorm, 0.0, {}},
              {8, Activation::kSilu, Norm::kLayerNorm, 0.0, {0}},
              {16, Activation::kTanh, Norm::kNone, 0.0, {0, 1}}};
  return a;
}

TEST(ForwardTest, StackedForwardEqualsOneModelAtATime) {
  const Architecture a = SkipArchitecture();
  constexpr int kModels = 4;
  std::vector<TensorMap> models;
  for (int k = 0; k < kModels; ++k)
    models.push_back(RandomParameters(a, 100 + k));
  TensorMap stacked;
  for (const auto& [name, tensor] : models[0]) {
    std::vector<at::Tensor> parts;
    for (const TensorMap& m : models) parts.push_back(m.at(name));
    stacked[name] = at::stack(parts);
  }
  const at::Tensor shared = at::randn(
      {7, 5}, at::make_generator<at::CPUGeneratorImpl>(1), at::kFloat);
  const at::Tensor per_model = at::randn(
      {kModels, 7, 5}, at::make_generator<at::CPUGeneratorImpl>(2), at::kFloat);
  auto shared_logits = StackedLogits(a, stacked, shared);
  auto per_model_logits = StackedLogits(a, stacked, per_model);
  ASSERT_TRUE(shared_logits.ok()) << shared_logits.status();
  ASSERT_TRUE(per_model_logits.ok()) << per_model_logits.status();
  ASSERT_EQ(shared_logits->sizes(), (at::IntArrayRef{kModels, 7, 2}));
  for (int k = 0; k < kModels; ++k) {
    EXPECT_TRUE(at::allclose((*shared_logits)[k],
                             *Logits(a, models[static_cast<size_t>(k)], shared),
                             1e-5, 1e-6));
    EXPECT_TRUE(at::allclose(
        (*per_model_logits)[k],
        *Logits(a, models[static_cast<size_t>(k)], per_model[k]), 1e-5, 1e-6));
  }
}

TEST(ForwardTest, GradientsMatchFiniteDifferences) {
  const Architecture a = SkipArchitecture();
  TensorMap p = RandomParameters(a, 7);
  const at::Tensor x = at::randn(
      {5, 5}, at::make_generator<at::CPUGeneratorImpl>(3), at::kFloat);
  // A smooth scalar of the output: sum of log-softmax of class 1.
  auto objective = [&](const TensorMap& params) {
    return at::log_softmax(*Logits(a, params, x), -1).select(1, 1).sum();
  };
  for (const std::string name :
       {"layers.1.weight", "layers.2.skip.0.weight", "layers.2.norm.weight",
        "layers.3.bias", "head.weight"}) {
    TensorMap with_grad = p;
    with_grad[name] = p[name].clone().requires_grad_(true);
    objective(with_grad).backward();
    const at::Tensor analytic = with_grad[name].grad().reshape({-1});
    for (int64_t i = 0; i < std::min<int64_t>(analytic.numel(), 6); ++i) {
      constexpr double kStep = 1e-2;
      TensorMap plus = p, minus = p;
      plus[name] = p[name].clone();
      minus[name] = p[name].clone();
      plus[name].reshape({-1})[i] += kStep;
      minus[name].reshape({-1})[i] -= kStep;
      const double numeric =
          (objective(plus).item<double>() - objective(minus).item<double>()) /
          (2 * kStep);
      EXPECT_NEAR(analytic[i].item<double>(), numeric,
                  2e-3 + 2e-3 * std::abs(numeric))
          << name << "[" << i << "]";
    }
  }
}

TEST(ForwardTest,
     TrainingModeBatchNormUsesBatchStatisticsAndUpdatesRunningOnes) {
  Architecture a;
  a.input_dim = 1;
  a.num_classes = 2;
  a.layers = {{1, Activation::kIdentity, Norm::kBatchNorm, 0.0, {}}};
  TensorMap p;
  p["layers.1.weight"] = T({1}, {1, 1});
  p["layers.1.bias"] = T({0}, {1});
  p["layers.1.norm.weight"] = T({1}, {1});
  p["layers.1.norm.bias"] = T({0}, {1});
  p["layers.1.norm.running_mean"] = T({10}, {1});
  p["layers.1.norm.running_var"] = T({5}, {1});
  p["head.weight"] = T({1, 0}, {2, 1});
  p["head.bias"] = T({0, 0}, {2});
  // Batch [1, 3]: mean 2, biased var 1, unbiased var 2 -> normalised [-1, 1]
  // (up to eps).
  TensorMap updated;
  ForwardOptions training;
  training.training = true;
  training.updated_running_stats = &updated;
  auto logits = Logits(a, p, T({1, 3}, {2, 1}), training);
  ASSERT_TRUE(logits.ok()) << logits.status();
  EXPECT_NEAR(logits->index({0, 0}).item<float>(), -1 / std::sqrt(1 + 1e-5),
              1e-6);
  EXPECT_NEAR(logits->index({1, 0}).item<float>(), 1 / std::sqrt(1 + 1e-5),
              1e-6);
  EXPECT_NEAR(updated.at("layers.1.norm.running_mean").item<float>(),
              0.9 * 10 + 0.1 * 2, 1e-5);
  EXPECT_NEAR(updated.at("layers.1.norm.running_var").item<float>(),
              0.9 * 5 + 0.1 * 2, 1e-5);
  // Eval mode ignores the batch: (x - 10) / sqrt(5 + eps).
  auto eval = Logits(a, p, T({1, 3}, {2, 1}));
  EXPECT_NEAR(eval->index({0, 0}).item<float>(), -9 / std::sqrt(5 + 1e-5),
              1e-5);
}

TEST(ForwardTest, DropoutIsInertInEvalAndScalesKeptUnitsInTraining) {
  Architecture a;
  a.input_dim = 1;
  a.num_classes = 2;
  a.layers = {{256, Activation::kIdentity, Norm::kNone, 0.5, {}}};
  TensorMap p;
  p["layers.1.weight"] = at::ones({256, 1});
  p["layers.1.bias"] = at::zeros({256});
  p["head.weight"] = at::cat({at::ones({1, 256}), at::zeros({1, 256})});
  p["head.bias"] = at::zeros({2});
  const at::Tensor x = T({1}, {1, 1});
  EXPECT_NEAR(Logits(a, p, x)->index({0, 0}).item<float>(), 256.0, 1e-4);
  ForwardOptions training;
  training.training = true;
  training.dropout_generator = at::make_generator<at::CPUGeneratorImpl>(9);
  const float dropped = Logits(a, p, x, training)->index({0, 0}).item<float>();
  // Each unit survives with p = 0.5 and is scaled by 2, so the sum is even and
  // near 256.
  EXPECT_EQ(std::fmod(dropped, 2.0f), 0.0f);
  EXPECT_NE(dropped, 256.0f);
  EXPECT_NEAR(dropped, 256.0, 4 * std::sqrt(256.0));
}

TEST(ForwardTest, RefusesMismatchedTensorsAndInputsWithPreciseMessages) {
  const Architecture a = SkipArchitecture();
  TensorMap p = RandomParameters(a, 1);
  const at::Tensor x = at::zeros({2, 5});
  TensorMap missing = p;
  missing.erase("layers.2.skip.0.weight");
  EXPECT_THAT(std::string(Logits(a, missing, x).status().message()),
              HasSubstr("tensor 'layers.2.skip.0.weight': is missing"));
  TensorMap wrong = p;
  wrong["layers.1.weight"] = at::zeros({8, 4});
  EXPECT_THAT(std::string(Logits(a, wrong, x).status().message()),
              HasSubstr("tensor 'layers.1.weight': must be F32 of shape [8, "
                        "5], got F32 [8, 4]"));
  EXPECT_THAT(
      std::string(Logits(a, p, at::zeros({2, 4})).status().message()),
      HasSubstr("inputs: must have 5 features (the model's input_dim), got 4"));
  EXPECT_THAT(
      std::string(
          Logits(a, p, at::zeros({2, 5}, at::kDouble)).status().message()),
      HasSubstr("inputs: dtype must be F32, got F64"));
}

}  // namespace
}  // namespace amend

#include "core/mlp/compact.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

at::Tensor Floats(std::vector<float> values, std::vector<int64_t> shape) {
  return at::tensor(values).view(shape).clone();
}

TEST(CompactTest, AHandWorkedModelFoldsItsConstantNeuronAndDropsItsUnreadOne) {
  // 2 inputs -> 4 relu neurons -> 2 classes. Neuron 1 reads nothing, so it
  // outputs relu(2) = 2 and adds 2 * head column 1 = (2, 4) to the head bias;
  // nothing reads neuron 3.
  Mlp mlp;
  mlp.architecture.input_dim = 2;
  mlp.architecture.num_classes = 2;
  mlp.architecture.layers = {{4, Activation::kRelu, Norm::kNone, 0.0, {}}};
  mlp.parameters[LayerWeightName(1)] =
      Floats({1, 2, 0, 0, 3, -1, 5, 5}, {4, 2});
  mlp.parameters[LayerBiasName(1)] = Floats({0.5, 2, -1, 7}, {4});
  mlp.parameters[kHeadWeightName] = Floats({1, 1, 1, 0, 0, 2, -1, 0}, {2, 4});
  mlp.parameters[kHeadBiasName] = Floats({0.1f, 0.2f}, {2});

  const CompactedMlp compact = CompactMlp(mlp).value();
  EXPECT_EQ(compact.mlp.architecture.layers[0].width, 2);
  EXPECT_EQ(compact.report.widths_before, std::vector<int64_t>{4});
  EXPECT_EQ(compact.report.widths_after, std::vector<int64_t>{2});
  EXPECT_EQ(compact.report.constant_neurons_folded, 1);
  EXPECT_EQ(compact.report.parameters_before, 4 * 2 + 4 + 2 * 4 + 2);
  EXPECT_EQ(compact.report.parameters_after, 2 * 2 + 2 + 2 * 2 + 2);
  const TensorMap& p = compact.mlp.parameters;
  EXPECT_TRUE(
      at::equal(p.at(LayerWeightName(1)), Floats({1, 2, 3, -1}, {2, 2})));
  EXPECT_TRUE(at::equal(p.at(LayerBiasName(1)), Floats({0.5, -1}, {2})));
  EXPECT_TRUE(at::equal(p.at(kHeadWeightName), Floats({1, 1, 0, -1}, {2, 2})));
  EXPECT_TRUE(at::allclose(p.at(kHeadBiasName), Floats({2.1f, 4.2f}, {2})));
  // Nonzero weights: 6 + 5 before; neuron 3's two inputs (5, 5), neuron 1's
  // head weights (1, 2) and neither's zeros go: 4 + 3 after.
  EXPECT_EQ(CountNonzeroWeights(mlp), 11);
  EXPECT_EQ(CountNonzeroWeights(compact.mlp), 7);
  EXPECT_EQ(compact.report.nonzero_weights, 11);
}

// Zeroes the incoming rows of some neurons and the outgoing columns of
// others in every hidden layer; returns how many of each layer's neurons were
// zeroed either way.
std::vector<int64_t> ZeroSomeNeurons(Mlp& mlp, at::Generator& g) {
  const Architecture& a = mlp.architecture;
  std::vector<int64_t> zeroed;
  for (int k = 1; k <= a.num_hidden(); ++k) {
    const int64_t width = a.layers[static_cast<size_t>(k - 1)].width;
    const at::Tensor draw = at::randint(0, 3, {width}, g);
    const at::Tensor no_in = (draw == 0).nonzero().view(-1);
    const at::Tensor no_out = (draw == 1).nonzero().view(-1);
    zeroed.push_back(no_in.numel() + no_out.numel());
    std::vector<std::string> incoming = {LayerWeightName(k)};
    for (int s : a.layers[static_cast<size_t>(k - 1)].skip_from) {
      incoming.push_back(SkipWeightName(k, s));
    }
    for (const std::string& name : incoming) {
      mlp.parameters[name].index_fill_(0, no_in, 0.0);
    }
    std::vector<std::string> outgoing = {k < a.num_hidden()
                                             ? LayerWeightName(k + 1)
                                             : std::string(kHeadWeightName)};
    for (int m = k + 2; m <= a.num_hidden(); ++m) {
      for (int s : a.layers[static_cast<size_t>(m - 1)].skip_from) {
        if (s == k) outgoing.push_back(SkipWeightName(m, s));
      }
    }
    for (const std::string& name : outgoing) {
      mlp.parameters[name].index_fill_(1, no_out, 0.0);
    }
  }
  return zeroed;
}

TEST(CompactTest, TheCompactModelComputesTheSameLogitsForEveryFamily) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(11);
  uint64_t seed = 1;
  for (Norm norm : kAllNorms) {
    for (Activation activation : kAllActivations) {
      SCOPED_TRACE(
          absl::StrCat(NormName(norm), " ", ActivationName(activation)));
      Architecture a;
      a.input_dim = 6;
      a.num_classes = 3;
      a.layers = {{12, activation, norm, 0.0, {}},
                  {10, activation, norm, 0.0, {0}},
                  {9, activation, norm, 0.0, {0, 1}}};
      Mlp mlp = InitializeMlp(a, seed++).value();
      for (auto& [name, tensor] : mlp.parameters) {
        // Running statistics and norm parameters away from 0 and 1, so
        // that the folded constants depend on them.
        if (name.find("norm.") == std::string::npos) continue;
        tensor = name.find("running_var") != std::string::npos
                     ? 0.5 + at::rand(tensor.sizes(), g)
                     : tensor + 0.3 * at::randn(tensor.sizes(), g);
      }
      const std::vector<int64_t> zeroed = ZeroSomeNeurons(mlp, g);
      const CompactedMlp compact = CompactMlp(mlp).value();
      ASSERT_TRUE(
          ValidateParameters(compact.mlp.architecture, compact.mlp.parameters)
              .ok());
      for (size_t k = 0; k < zeroed.size(); ++k) {
        const int64_t width = a.layers[k].width;
        if (norm == Norm::kLayerNorm) {
          EXPECT_EQ(compact.report.widths_after[k], width);
        } else {
          EXPECT_LE(compact.report.widths_after[k],
                    std::max<int64_t>(1, width - zeroed[k]))
              << "layer " << k + 1;
        }
      }
      const at::Tensor x = 2.0 * at::randn({64, a.input_dim}, g);
      const at::Tensor before = Logits(a, mlp.parameters, x).value();
      const at::Tensor after =
          Logits(compact.mlp.architecture, compact.mlp.parameters, x).value();
      EXPECT_LE(((after - before).abs() / before.abs().clamp_min(1.0))
                    .max()
                    .item<double>(),
                1e-6);
    }
  }
}

// `inputs` -> one hidden layer -> 2 classes.
Architecture OneLayer(int64_t inputs, int64_t width, Activation activation,
                      Norm norm) {
  Architecture a;
  a.input_dim = inputs;
  a.num_classes = 2;
  a.layers = {{width, activation, norm, 0.0, {}}};
  return a;
}

TEST(CompactTest, AModelWithNothingToRemoveIsUnchanged) {
  const Architecture a = OneLayer(4, 5, Activation::kTanh, Norm::kBatchNorm);
  const Mlp mlp = InitializeMlp(a, 3).value();
  const CompactedMlp compact = CompactMlp(mlp).value();
  EXPECT_EQ(compact.mlp.architecture, a);
  EXPECT_EQ(compact.report.constant_neurons_folded, 0);
  for (const auto& [name, tensor] : mlp.parameters) {
    EXPECT_TRUE(at::equal(compact.mlp.parameters.at(name), tensor)) << name;
  }
}

TEST(CompactTest, ALayerThatNothingReadsKeepsOneNeuron) {
  const Architecture a = OneLayer(3, 4, Activation::kRelu, Norm::kNone);
  Mlp mlp = InitializeMlp(a, 5).value();
  mlp.parameters[kHeadWeightName].zero_();
  const CompactedMlp compact = CompactMlp(mlp).value();
  EXPECT_EQ(compact.mlp.architecture.layers[0].width, 1);
  const at::Tensor x = at::randn({8, 3});
  EXPECT_TRUE(at::allclose(
      Logits(compact.mlp.architecture, compact.mlp.parameters, x).value(),
      Logits(a, mlp.parameters, x).value()));
}

TEST(CompactTest, ParametersThatDoNotMatchTheArchitectureAreRefused) {
  Mlp mlp =
      InitializeMlp(OneLayer(3, 4, Activation::kRelu, Norm::kNone), 5).value();
  mlp.parameters.erase(kHeadBiasName);
  const absl::Status status = CompactMlp(mlp).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("head.bias"), std::string::npos)
      << status.message();
}

}  // namespace
}  // namespace amend

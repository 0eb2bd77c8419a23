// The inference kernels against the module's LibTorch forward (the path
// training differentiates), on metanetworks whose every parameter is random so
// that no term of the maths can be dropped unnoticed, over architecture
// families (norms, skips, activations, depths), batches and edge blocks.
#include "core/gmn/metanetwork_inference.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <vector>

#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

// Every parameter drawn at random: norm scales around 1, the rest around 0,
// γ around 1 so the residuals are of the same size as the mask logits.
Metanetwork RandomNetwork(int64_t input_dim, int64_t hidden, int64_t layers,
                          uint64_t seed) {
  MetanetworkOptions options;
  options.hidden = hidden;
  options.layers = layers;
  at::manual_seed(seed);
  Metanetwork network(input_dim, /*num_classes=*/3, options);
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  at::NoGradGuard no_grad;
  for (auto& item : network->named_parameters()) {
    const std::string& name = item.key();
    at::Tensor& parameter = item.value();
    const bool scale = name.find("norm.weight") != std::string::npos ||
                       name.find("_scale") != std::string::npos;
    parameter.copy_((scale ? 1.0 : 0.0) +
                    0.5 * at::randn(parameter.sizes(), g));
  }
  network->eval();
  return network;
}

Mlp RandomMlp(const Architecture& architecture, uint64_t seed) {
  Mlp mlp = InitializeMlp(architecture, seed).value();
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed + 7);
  for (auto& [name, tensor] : mlp.parameters) {
    tensor = tensor + 0.1 * at::randn(tensor.sizes(), g);
    if (name.find("running_var") != std::string::npos) tensor = tensor.abs();
  }
  return mlp;
}

Architecture Family(int family, int64_t input_dim) {
  Architecture a;
  a.input_dim = input_dim;
  a.num_classes = 3;
  switch (family) {
    case 0:
      a.layers = {{7, Activation::kRelu, Norm::kNone, 0.0, {}}};
      break;
    case 1:
      a.layers = {{9, Activation::kGelu, Norm::kLayerNorm, 0.0, {}},
                  {5, Activation::kTanh, Norm::kBatchNorm, 0.0, {0}}};
      break;
    case 2:
      a.layers = {{6, Activation::kSilu, Norm::kBatchNorm, 0.0, {}},
                  {6, Activation::kSigmoid, Norm::kNone, 0.0, {}},
                  {4, Activation::kLeakyRelu, Norm::kLayerNorm, 0.0, {0, 1}}};
      break;
    default:
      // More than one edge block (256 edges) in one graph.
      a.layers = {{40, Activation::kIdentity, Norm::kNone, 0.0, {}},
                  {30, Activation::kRelu, Norm::kLayerNorm, 0.0, {0}}};
      break;
  }
  return a;
}

// Largest |a - b| relative to max(1, |b|).
double MaxScaledDifference(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).abs() / b.abs().clamp_min(1.0)).max().item<double>();
}

void ExpectSameOutputs(const MetanetworkOutput& fast,
                       const MetanetworkOutput& reference) {
  EXPECT_LE(MaxScaledDifference(fast.edge_delta, reference.edge_delta), 1e-5);
  EXPECT_LE(
      MaxScaledDifference(fast.edge_mask_logit, reference.edge_mask_logit),
      1e-5);
  EXPECT_LE(MaxScaledDifference(fast.node_delta, reference.node_delta), 1e-5);
  EXPECT_LE(
      MaxScaledDifference(fast.node_mask_logit, reference.node_mask_logit),
      1e-5);
}

MetanetworkOutput Detached(const MetanetworkOutput& output) {
  return {output.edge_delta.detach(), output.edge_mask_logit.detach(),
          output.node_delta.detach(), output.node_mask_logit.detach()};
}

class InferenceKernelsTest : public ::testing::TestWithParam<int> {};

TEST_P(InferenceKernelsTest, MatchTheAutogradForward) {
  const int family = GetParam();
  Metanetwork network = RandomNetwork(4, /*hidden=*/8, /*layers=*/3, 11);
  const Mlp mlp = RandomMlp(Family(family, 4), 20 + family);
  const ParameterGraph graph = BuildParameterGraph(mlp).value();
  const GraphBatch batch = BatchGraphs({&graph});
  ASSERT_TRUE(CanUseInferenceKernels(*network));
  // The reference records autograd, as in training.
  const MetanetworkOutput reference = network->forward(batch);
  ASSERT_TRUE(reference.edge_delta.requires_grad());
  const MetanetworkOutput fast =
      *InferenceForward(*network, batch, /*edges_per_check=*/64, nullptr);
  ExpectSameOutputs(fast, Detached(reference));
}

INSTANTIATE_TEST_SUITE_P(Families, InferenceKernelsTest,
                         ::testing::Values(0, 1, 2, 3));

TEST(InferenceKernelsTest, MatchOnABatchOfDifferentModelsAndTheDefaultShape) {
  Metanetwork network = RandomNetwork(4, /*hidden=*/32, /*layers=*/3, 5);
  std::vector<Mlp> models;
  for (int family = 0; family < 4; ++family) {
    models.push_back(RandomMlp(Family(family, 4), 40 + family));
  }
  std::vector<ParameterGraph> graphs;
  for (const Mlp& mlp : models) {
    graphs.push_back(BuildParameterGraph(mlp).value());
  }
  std::vector<const ParameterGraph*> pointers;
  for (const ParameterGraph& graph : graphs) pointers.push_back(&graph);
  const GraphBatch batch = BatchGraphs(pointers);
  at::NoGradGuard no_grad;
  ExpectSameOutputs(*InferenceForward(*network, batch, 1 << 20, nullptr),
                    network->forward(batch));
}

TEST(InferenceKernelsTest, AStopCheckThatSaysStopStopsThePass) {
  Metanetwork network = RandomNetwork(4, 8, 2, 3);
  const ParameterGraph graph =
      BuildParameterGraph(RandomMlp(Family(3, 4), 1)).value();
  const GraphBatch batch = BatchGraphs({&graph});
  int checks = 0;
  EXPECT_TRUE(InferenceForward(*network, batch, 256, [&] {
                ++checks;
                return false;
              }).has_value());
  // A check after every 256 edges of each of the two layers and of the edge
  // head, and after each layer.
  const int64_t edges = batch.edge_weight.size(0);
  ASSERT_GT(edges, 2 * 256);
  EXPECT_GE(checks, 3 * (edges / 256) + 2);
  EXPECT_FALSE(
      InferenceForward(*network, batch, 256, [] { return true; }).has_value());
}

TEST(InferenceKernelsTest, RefuseNetworksTheyCannotRun) {
  Metanetwork network = RandomNetwork(4, 8, 1, 3);
  EXPECT_TRUE(CanUseInferenceKernels(*network));
  network->to(at::kDouble);
  EXPECT_FALSE(CanUseInferenceKernels(*network));
  // One weight deep inside, [d, d] but transposed in memory: the kernels
  // would read it wrongly in place.
  Metanetwork strided = RandomNetwork(4, 8, 1, 3);
  ASSERT_TRUE(CanUseInferenceKernels(*strided));
  const at::Tensor skip =
      strided->layers[0]->as<BidirectionalLayer>()->node_skip->weight;
  ASSERT_EQ(skip.size(0), skip.size(1));
  {
    at::NoGradGuard no_grad;
    skip.set_data(skip.detach().t());
  }
  ASSERT_FALSE(skip.is_contiguous());
  EXPECT_FALSE(CanUseInferenceKernels(*strided));
  MetanetworkOptions options;
  options.dropout = 0.1;
  Metanetwork with_dropout(4, 3, options);
  with_dropout->train();
  EXPECT_FALSE(CanUseInferenceKernels(*with_dropout));
  with_dropout->eval();
  EXPECT_TRUE(CanUseInferenceKernels(*with_dropout));
}

}  // namespace
}  // namespace amend

#include "core/graph/parameter_graph.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <tuple>

#include "core/graph/graph_batch.h"
#include "core/mlp/forward.h"
#include "gtest/gtest.h"
#include "tests/testing/permutation.h"

namespace amend {
namespace {

// 2 inputs -> 3 (relu) -> 2 (tanh, layernorm, skip from the input) -> 2
// classes.
Architecture SmallArchitecture() {
  Architecture a;
  a.input_dim = 2;
  a.num_classes = 2;
  a.layers = {{3, Activation::kRelu, Norm::kNone, 0.0, {}},
              {2, Activation::kTanh, Norm::kLayerNorm, 0.0, {0}}};
  return a;
}

Mlp RandomMlp(const Architecture& a, uint64_t seed) {
  Mlp mlp = *InitializeMlp(a, seed);
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed + 1);
  for (auto& [name, tensor] : mlp.parameters) {
    tensor = tensor +
             0.3 * at::randn(tensor.sizes(), generator);  // norms away from 1/0
    if (name.find("running_var") != std::string::npos)
      tensor = tensor.abs() + 0.5;
  }
  return mlp;
}

TEST(ParameterGraphTest, HasOneNodePerNeuronAndOneEdgePerWeight) {
  const Mlp mlp = RandomMlp(SmallArchitecture(), 1);
  auto graph = BuildParameterGraph(mlp);
  ASSERT_TRUE(graph.ok()) << graph.status();
  // Nodes: 2 inputs, 3 + 2 hidden, 2 outputs. Edges: 3x2 + 2x3 + 2x2 (skip) +
  // 2x2 (head).
  EXPECT_EQ(graph->num_nodes, 9);
  EXPECT_EQ(graph->num_edges, 20);
  EXPECT_EQ(graph->layer_node_offset, (std::vector<int64_t>{0, 2, 5, 7, 9}));
  // layers.1.weight[1, 0] is edge 1 * 2 + 0: input node 0 -> hidden node 2 + 1.
  EXPECT_EQ(graph->edge_index[0][2].item<int64_t>(), 0);
  EXPECT_EQ(graph->edge_index[1][2].item<int64_t>(), 3);
  EXPECT_EQ(graph->edge_weight[2].item<float>(),
            mlp.parameters.at("layers.1.weight")[1][0].item<float>());
  // layers.2.skip.0.weight[0, 1] comes after 6 + 6 edges: input node 1 ->
  // layer-2 node 5.
  EXPECT_EQ(graph->edge_index[0][12 + 1].item<int64_t>(), 1);
  EXPECT_EQ(graph->edge_index[1][12 + 1].item<int64_t>(), 5);
  EXPECT_EQ(graph->edge_kind[13].item<int64_t>(),
            static_cast<int64_t>(EdgeKind::kSkipWeight));
  EXPECT_EQ(graph->edge_kind[16].item<int64_t>(),
            static_cast<int64_t>(EdgeKind::kHeadWeight));
  // Types: inputs 0, 1; hidden layer 1 shares type 4, layer 2 type 5; outputs
  // 2, 3.
  EXPECT_EQ(std::vector<int64_t>(graph->node_type.data_ptr<int64_t>(),
                                 graph->node_type.data_ptr<int64_t>() + 9),
            (std::vector<int64_t>{0, 1, 4, 4, 4, 5, 5, 2, 3}));
  // Biases and norm parameters sit on their neurons; inputs have identity
  // defaults.
  EXPECT_EQ(graph->node_features[3][kNodeBias].item<float>(),
            mlp.parameters.at("layers.1.bias")[1].item<float>());
  EXPECT_EQ(graph->node_features[6][kNodeNormWeight].item<float>(),
            mlp.parameters.at("layers.2.norm.weight")[1].item<float>());
  EXPECT_EQ(graph->node_features[8][kNodeBias].item<float>(),
            mlp.parameters.at("head.bias")[1].item<float>());
  EXPECT_EQ(graph->node_features[0][kNodeNormWeight].item<float>(), 1.0f);
  EXPECT_NE(graph->node_function[2].item<int64_t>(),
            graph->node_function[5].item<int64_t>());
}

TEST(ParameterGraphTest,
     TheWayBackGivesTheOriginalParametersAndIsDifferentiable) {
  Architecture a = SmallArchitecture();
  a.layers.push_back({4, Activation::kGelu, Norm::kBatchNorm, 0.0, {0, 1}});
  const Mlp mlp = RandomMlp(a, 2);
  auto graph = BuildParameterGraph(mlp);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const at::Tensor weights = graph->edge_weight.clone().requires_grad_(true);
  auto back = ParametersFromGraph(*graph, weights, graph->node_features);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), mlp.parameters.size());
  for (const auto& [name, tensor] : mlp.parameters) {
    EXPECT_TRUE(at::equal(back->at(name).detach(), tensor)) << name;
  }
  const at::Tensor x =
      at::randn({5, 2}, at::make_generator<at::CPUGeneratorImpl>(3));
  Logits(a, *back, x)->sum().backward();
  ASSERT_TRUE(weights.grad().defined());
  EXPECT_GT(weights.grad().abs().sum().item<float>(), 0.0f);
}

// Permuting the hidden neurons of a layer gives the same function and an
// isomorphic graph: the permuted graph's nodes and edges are the original's
// under the node permutation.
TEST(ParameterGraphTest, PermutingHiddenNeuronsPermutesTheGraph) {
  Architecture a = SmallArchitecture();
  a.layers.push_back({4, Activation::kSilu, Norm::kBatchNorm, 0.0, {1}});
  const Mlp mlp = RandomMlp(a, 4);
  // pi[k - 1][new position] = old neuron of hidden layer k.
  const testing::HiddenPermutation pi = {{2, 0, 1}, {1, 0}, {3, 1, 0, 2}};
  const Mlp permuted = testing::PermuteHiddenNeurons(mlp, pi);
  const at::Tensor x =
      at::randn({7, 2}, at::make_generator<at::CPUGeneratorImpl>(5));
  EXPECT_TRUE(at::allclose(*Logits(a, mlp.parameters, x),
                           *Logits(a, permuted.parameters, x), 1e-5, 1e-6));

  const ParameterGraph g = *BuildParameterGraph(mlp);
  const ParameterGraph h = *BuildParameterGraph(permuted);
  const std::vector<int64_t> to_new = testing::NodePermutation(g, pi);
  for (int64_t n = 0; n < g.num_nodes; ++n) {
    const int64_t m = to_new[static_cast<size_t>(n)];
    EXPECT_TRUE(at::equal(g.node_features[n], h.node_features[m]))
        << "node " << n;
    EXPECT_EQ(g.node_type[n].item<int64_t>(), h.node_type[m].item<int64_t>());
    EXPECT_EQ(g.node_function[n].item<int64_t>(),
              h.node_function[m].item<int64_t>());
  }
  using Edge = std::tuple<int64_t, int64_t, float, int64_t>;
  auto edges = [](const ParameterGraph& graph,
                  const std::vector<int64_t>* map) {
    std::vector<Edge> out;
    for (int64_t e = 0; e < graph.num_edges; ++e) {
      int64_t s = graph.edge_index[0][e].item<int64_t>(),
              d = graph.edge_index[1][e].item<int64_t>();
      if (map != nullptr) {
        s = (*map)[static_cast<size_t>(s)];
        d = (*map)[static_cast<size_t>(d)];
      }
      out.emplace_back(s, d, graph.edge_weight[e].item<float>(),
                       graph.edge_kind[e].item<int64_t>());
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(edges(g, &to_new), edges(h, nullptr));
}

TEST(GraphBatchTest, GraphsOfDifferentArchitecturesBatchAndSliceBack) {
  Architecture deep = SmallArchitecture();
  deep.layers.push_back({4, Activation::kGelu, Norm::kBatchNorm, 0.0, {0, 1}});
  const ParameterGraph g0 =
      *BuildParameterGraph(RandomMlp(SmallArchitecture(), 7));
  const Mlp deep_mlp = RandomMlp(deep, 8);
  const ParameterGraph g1 = *BuildParameterGraph(deep_mlp);
  const GraphBatch batch = BatchGraphs({&g0, &g1});
  EXPECT_EQ(
      batch.node_offset,
      (std::vector<int64_t>{0, g0.num_nodes, g0.num_nodes + g1.num_nodes}));
  EXPECT_EQ(batch.edge_weight.size(0), g0.num_edges + g1.num_edges);
  // The second graph's edges point at its own, shifted nodes.
  EXPECT_TRUE(at::equal(EdgeSlice(batch, batch.edge_index.t(), 1).t(),
                        g1.edge_index + g0.num_nodes));
  EXPECT_TRUE(
      at::equal(NodeSlice(batch, batch.node_features, 1), g1.node_features));
  EXPECT_TRUE(
      at::equal(EdgeSlice(batch, batch.edge_weight, 0), g0.edge_weight));
  EXPECT_EQ(batch.node_graph[g0.num_nodes].item<int64_t>(), 1);
  EXPECT_EQ(batch.edge_graph[g0.num_edges - 1].item<int64_t>(), 0);
  // The way back from a batch slice reproduces each model.
  auto back = ParametersFromGraph(g1, EdgeSlice(batch, batch.edge_weight, 1),
                                  NodeSlice(batch, batch.node_features, 1));
  ASSERT_TRUE(back.ok());
  for (const auto& [name, tensor] : deep_mlp.parameters) {
    EXPECT_TRUE(at::equal(back->at(name), tensor)) << name;
  }
}

TEST(ParameterGraphTest, TheWayBackRefusesMisshapenInputs) {
  const ParameterGraph g =
      *BuildParameterGraph(RandomMlp(SmallArchitecture(), 6));
  EXPECT_EQ(
      ParametersFromGraph(g, at::zeros({19}), g.node_features).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      ParametersFromGraph(g, g.edge_weight, at::zeros({9, 4})).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace amend

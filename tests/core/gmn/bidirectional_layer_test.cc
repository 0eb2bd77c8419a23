#include "core/gmn/bidirectional_layer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <map>

#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "gtest/gtest.h"
#include "tests/testing/permutation.h"

namespace amend {
namespace {

constexpr int64_t kHidden = 16;

Architecture TestArchitecture() {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kRelu, Norm::kLayerNorm, 0.0, {}},
              {5, Activation::kTanh, Norm::kNone, 0.0, {0}},
              {3, Activation::kGelu, Norm::kBatchNorm, 0.0, {0, 1}}};
  return a;
}

// Fixed (seeded) initial embeddings, as an editor's encoder would compute them:
// a table per node type plus a linear map of the node features; edges: weight
// times a vector plus a kind table.
struct Embedder {
  at::Tensor type_table, feature_map, weight_vector, kind_table;
  explicit Embedder(uint64_t seed) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
    type_table = at::randn({64, kHidden}, g);
    feature_map = at::randn({kNodeFeatureCount, kHidden}, g);
    weight_vector = at::randn({1, kHidden}, g);
    kind_table = at::randn({kEdgeKindCount, kHidden}, g);
  }
  at::Tensor Nodes(const GraphBatch& b) const {
    return type_table.index_select(0, b.node_type) +
           at::matmul(b.node_features, feature_map);
  }
  at::Tensor Edges(const GraphBatch& b) const {
    return b.edge_weight.unsqueeze(1) * weight_vector +
           kind_table.index_select(0, b.edge_kind);
  }
};

std::pair<at::Tensor, at::Tensor> RunTwoLayers(const GraphBatch& batch) {
  torch::manual_seed(0);  // the same layer weights for every call
  BidirectionalLayer first{BidirectionalLayerOptions(kHidden)};
  BidirectionalLayer second{BidirectionalLayerOptions(kHidden)};
  first->eval();
  second->eval();
  const Embedder embed(7);
  const at::Tensor z0 = embed.Edges(batch);
  auto [h1, z1] = first(embed.Nodes(batch), z0, z0, batch.edge_index);
  return second(h1, z1, z0, batch.edge_index);
}

TEST(BidirectionalLayerTest, PermutingHiddenNeuronsPermutesNodeAndEdgeStates) {
  const Architecture a = TestArchitecture();
  const Mlp mlp = *InitializeMlp(a, 3);
  const testing::HiddenPermutation pi = {
      {3, 1, 0, 2}, {4, 2, 0, 1, 3}, {1, 2, 0}};
  const Mlp permuted = testing::PermuteHiddenNeurons(mlp, pi);
  const ParameterGraph g = *BuildParameterGraph(mlp);
  const ParameterGraph h = *BuildParameterGraph(permuted);
  torch::NoGradGuard no_grad;
  const auto [g_nodes, g_edges] = RunTwoLayers(BatchGraphs({&g}));
  const auto [h_nodes, h_edges] = RunTwoLayers(BatchGraphs({&h}));

  const std::vector<int64_t> to_new = testing::NodePermutation(g, pi);
  for (int64_t n = 0; n < g.num_nodes; ++n) {
    EXPECT_TRUE(at::allclose(
        g_nodes[n], h_nodes[to_new[static_cast<size_t>(n)]], 1e-4, 1e-5))
        << "node " << n;
  }
  // Edges are unique per (source, destination) pair.
  std::map<std::pair<int64_t, int64_t>, int64_t> h_edge;
  for (int64_t e = 0; e < h.num_edges; ++e) {
    h_edge[{h.edge_index[0][e].item<int64_t>(),
            h.edge_index[1][e].item<int64_t>()}] = e;
  }
  ASSERT_EQ(h_edge.size(), static_cast<size_t>(h.num_edges));
  for (int64_t e = 0; e < g.num_edges; ++e) {
    const int64_t s =
        to_new[static_cast<size_t>(g.edge_index[0][e].item<int64_t>())];
    const int64_t d =
        to_new[static_cast<size_t>(g.edge_index[1][e].item<int64_t>())];
    EXPECT_TRUE(
        at::allclose(g_edges[e], h_edges[h_edge.at({s, d})], 1e-4, 1e-5))
        << "edge " << e;
  }
  // The states are not trivially symmetric: different neurons of a layer
  // differ.
  const int64_t layer1 = g.layer_node_offset[1];
  EXPECT_FALSE(at::allclose(g_nodes[layer1], g_nodes[layer1 + 1]));
}

TEST(BidirectionalLayerTest,
     BatchingGraphsOfDifferentArchitecturesChangesNothing) {
  Architecture small;
  small.input_dim = 3;
  small.num_classes = 2;
  small.layers = {{8, Activation::kSilu, Norm::kNone, 0.0, {}}};
  const ParameterGraph g0 = *BuildParameterGraph(*InitializeMlp(small, 1));
  const ParameterGraph g1 =
      *BuildParameterGraph(*InitializeMlp(TestArchitecture(), 2));
  torch::NoGradGuard no_grad;
  const GraphBatch both = BatchGraphs({&g0, &g1});
  const auto [nodes, edges] = RunTwoLayers(both);
  const auto [alone_nodes, alone_edges] = RunTwoLayers(BatchGraphs({&g1}));
  EXPECT_TRUE(at::allclose(NodeSlice(both, nodes, 1), alone_nodes, 1e-5, 1e-6));
  EXPECT_TRUE(at::allclose(EdgeSlice(both, edges, 1), alone_edges, 1e-5, 1e-6));
}

// Seeded node states [nodes, d], edge and initial edge states [20, d] and
// random edges among the nodes.
struct LayerInputs {
  at::Tensor h, z, z0, index;
};
LayerInputs RandomInputs(uint64_t seed, int64_t nodes) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  const int64_t edges = 20;
  LayerInputs in;
  in.h = at::randn({nodes, kHidden}, g);
  in.z = at::randn({edges, kHidden}, g);
  in.z0 = at::randn({edges, kHidden}, g);
  in.index = at::randint(0, nodes, {2, edges}, g);
  return in;
}

// The layer's documented formula computed literally, on concatenated inputs
// and all edges at once: (H', Z').
std::pair<at::Tensor, at::Tensor> LiteralFormula(BidirectionalLayerImpl& layer,
                                                 const at::Tensor& h,
                                                 const at::Tensor& z,
                                                 const at::Tensor& z0,
                                                 const at::Tensor& index) {
  const at::Tensor src = index[0], dst = index[1];
  const at::Tensor m_fw = at::zeros_like(h).index_add(
      0, dst, layer.forward_message(at::cat({z, h.index_select(0, src)}, 1)));
  const at::Tensor m_bw = at::zeros_like(h).index_add(
      0, src, layer.backward_message(at::cat({z0, h.index_select(0, dst)}, 1)));
  const at::Tensor z_new =
      z + layer.edge_update(
              at::cat({z, h.index_select(0, src), h.index_select(0, dst)}, 1));
  const at::Tensor h_new =
      layer.node_skip(h) + layer.node_update(at::cat({h, m_fw, m_bw}, 1));
  return {h_new, z_new};
}

TEST(BidirectionalLayerTest, MatchesTheFormulaOnConcatenatedInputs) {
  // The layer decomposes each block's first Linear over node and edge parts;
  // the result must be the documented formula computed literally.
  torch::manual_seed(3);
  BidirectionalLayer layer{BidirectionalLayerOptions(kHidden)};
  layer->eval();
  const auto [h, z, z0, index] = RandomInputs(5, /*nodes=*/9);
  const auto [h_new, z_new] = LiteralFormula(*layer, h, z, z0, index);
  auto [h_got, z_got] = layer(h, z, z0, index);
  EXPECT_TRUE(at::allclose(h_got, h_new, 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(z_got, z_new, 1e-5, 1e-5));
}

TEST(BidirectionalLayerTest, ChunksOfEdgesGiveTheFormulaAndStopWhenAsked) {
  // Over chunks of 3 edges (the last one shorter) the layer must compute what
  // the literal formula does on all edges at once.
  torch::manual_seed(4);
  BidirectionalLayer layer{BidirectionalLayerOptions(kHidden)};
  layer->eval();
  at::NoGradGuard no_grad;
  const auto [h, z, z0, index] = RandomInputs(6, /*nodes=*/7);
  const auto [h_new, z_new] = LiteralFormula(*layer, h, z, z0, index);
  int checks = 0;
  auto chunked = layer->ForwardInChunks(h, z, z0, index, 3, [&] {
    ++checks;
    return false;
  });
  ASSERT_TRUE(chunked.has_value());
  EXPECT_TRUE(at::allclose(chunked->first, h_new, 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(chunked->second, z_new, 1e-5, 1e-5));
  EXPECT_EQ(checks, 7);  // ceil(20 / 3) chunks

  int calls = 0;
  auto stopped =
      layer->ForwardInChunks(h, z, z0, index, 3, [&] { return ++calls == 2; });
  EXPECT_FALSE(stopped.has_value());
  EXPECT_EQ(calls, 2);  // it stopped at the first check that said so
}

}  // namespace
}  // namespace amend

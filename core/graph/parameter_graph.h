// File: core/graph/parameter_graph.h
//
// An MLP as a parameter graph (paper §A.3.1, docs/ARCHITECTURE.md): one node
// per neuron, one edge per weight. Nodes are numbered inputs, then hidden layer
// 1, ..., hidden layer L, then outputs. Edges come tensor by tensor in
// ExpectedTensors order (layer weights, skip weights, head weight), each tensor
// row-major over its [out, in] entries, from the source neuron (in) to the
// destination neuron (out); reverse edges for backward messages are the same
// edges with src and dst swapped.
//
// Node features carry the neuron's own parameters: [bias, norm gamma, norm
// beta, running mean, running var] with identity defaults where a neuron has
// none (inputs: 0, 1, 0, 0, 1). Type encodings break exactly the symmetries an
// MLP does not have: every input feature and every output class has its own
// node type, the neurons of one hidden layer share one type, so hidden neurons
// of a layer stay exchangeable and an editor built on these types is
// equivariant to their permutations. Function ids tell activation and norm
// apart, edge kinds layer from skip weights.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(ParameterGraph graph, BuildParameterGraph(mlp));
//   // ... edit graph.edge_weight / graph.node_features ...
//   AMEND_ASSIGN_OR_RETURN(TensorMap edited,
//                          ParametersFromGraph(graph, weights, features));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_GRAPH_PARAMETER_GRAPH_H_
#define AMEND_CORE_GRAPH_PARAMETER_GRAPH_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mlp/mlp.h"
#include "core/mlp/parameter_layout.h"

namespace amend {

// Columns of ParameterGraph::node_features.
enum NodeFeature : int64_t {
  kNodeBias = 0,
  kNodeNormWeight = 1,
  kNodeNormBias = 2,
  kNodeRunningMean = 3,
  kNodeRunningVar = 4,
  kNodeFeatureCount = 5,
};

enum class EdgeKind : int64_t {
  kLayerWeight = 0,
  kSkipWeight = 1,
  kHeadWeight = 2
};
inline constexpr int64_t kEdgeKindCount = 3;

// Function ids: inputs 0, outputs 1, hidden neurons 2 + activation * 3 + norm.
inline constexpr int64_t kFunctionCount = 2 + 7 * 3;

struct ParameterGraph {
  Architecture architecture;
  int64_t num_nodes = 0;
  int64_t num_edges = 0;
  // [L + 2]: inputs, layers 1..L, outputs; + end
  std::vector<int64_t> layer_node_offset;
  at::Tensor node_features;  // [N, kNodeFeatureCount] float32
  at::Tensor node_type;      // [N] int64, see NodeType()
  at::Tensor node_function;  // [N] int64, see the function ids above
  // [2, E] int64: row 0 source node, row 1 destination node
  at::Tensor edge_index;
  at::Tensor edge_weight;  // [E] float32
  at::Tensor edge_kind;    // [E] int64 (EdgeKind)
  // For the way back: each weight tensor's edges are
  // [edge_offset, edge_offset + numel).
  struct WeightSlot {
    TensorSpec spec;
    int64_t edge_offset = 0;
  };
  std::vector<WeightSlot> weight_slots;
  // Each neuron parameter (bias, norm weight and bias, running statistics)
  // lives in one node-feature column of consecutive nodes: values i at
  // node_features[first_node + i, column].
  struct NodeSlot {
    TensorSpec spec;
    int64_t first_node = 0;
    int64_t column = 0;
  };
  std::vector<NodeSlot> node_slots;
};

// Node type of neuron `index` of group `group` (0 = inputs, 1..L hidden layers,
// L+1 = outputs): inputs 0..input_dim-1, outputs
// input_dim..input_dim+num_classes-1, hidden layer k input_dim + num_classes +
// k - 1.
int64_t NodeType(const Architecture& architecture, int group, int64_t index);

// The graph's tensors are float32 CPU copies of the parameters, with no
// autograd link to them (an editor's inputs are data). REQUIRES: the
// parameters are valid for the architecture (ValidateParameters).
absl::StatusOr<ParameterGraph> BuildParameterGraph(const Mlp& mlp);

// The parameters with edge weights from `edge_weight` [E] and neuron parameters
// from `node_features` [N, kNodeFeatureCount] (input nodes' features are
// ignored), with the original names and shapes. Differentiable in both.
absl::StatusOr<TensorMap> ParametersFromGraph(const ParameterGraph& graph,
                                              const at::Tensor& edge_weight,
                                              const at::Tensor& node_features);

}  // namespace amend

#endif  // AMEND_CORE_GRAPH_PARAMETER_GRAPH_H_

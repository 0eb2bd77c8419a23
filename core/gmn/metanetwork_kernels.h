// File: core/gmn/metanetwork_kernels.h
//
// The metanetwork's inference forward pass (metanetwork.h, eval mode) on plain
// float arrays: index loops for the gathers and scatter-adds, LayerNorm and
// SiLU over a block of 256 edges' rows, every Linear a BLAS product over such
// a block (or over the nodes), and no allocation inside the layers. LibTorch's operators
// cost a few microseconds of dispatch and allocation each and an edit of a
// median model runs about a hundred of them: docs/BENCHMARKS.md, "Edit
// latency", measures both paths. Training keeps LibTorch and autograd;
// metanetwork_inference.h adapts a Metanetwork module to this.
//
// The maths is the module's, rearranged where that is exact in real numbers:
// every edge block's first Linear is split into its edge and node parts (node
// parts once per node, gathered per edge), and the backward message's edge
// part reads only the initial edge state, which is linear in the edge's weight
// plus an embedding of its kind, so it is w_k u + v[kind_k] with u and v
// computed once per layer instead of a d x d product per edge; and the two
// message blocks end in a Linear whose outputs are only summed per node, so
// it is applied once per node to the sum of the activations (the sum of
// W h_k + b over a node's edges is W (sum of h_k) + degree b).
//
// Thread-safe (pure functions on caller-owned memory).
#ifndef AMEND_CORE_GMN_METANETWORK_KERNELS_H_
#define AMEND_CORE_GMN_METANETWORK_KERNELS_H_

#include <cstdint>
#include <functional>
#include <vector>

namespace amend::kernels {

// Linear(in, hidden) -> LayerNorm(hidden) -> SiLU -> Linear(hidden, out);
// weights row-major [out, in] as torch::nn::Linear holds them.
struct MlpBlockWeights {
  const float* first_weight = nullptr;  // [hidden, in]
  const float* first_bias = nullptr;    // [hidden]
  const float* norm_weight = nullptr;   // [hidden]
  const float* norm_bias = nullptr;     // [hidden]
  float norm_epsilon = 1e-5f;
  const float* second_weight = nullptr;  // [out, hidden]
  const float* second_bias = nullptr;    // [out]
  int64_t in = 0;
  int64_t hidden = 0;
  int64_t out = 0;
};

struct BidirectionalLayerWeights {
  MlpBlockWeights forward_message;   // in 2d: [edge | source node]
  MlpBlockWeights backward_message;  // in 2d: [initial edge | destination]
  MlpBlockWeights edge_update;       // in 3d: [edge | source | destination]
  MlpBlockWeights node_update;       // in 3d: [node | forward | backward]
  const float* node_skip = nullptr;  // [d, d], no bias
};

struct MetanetworkWeights {
  int64_t hidden = 0;             // d
  int64_t first_hidden_type = 0;  // node type of the first hidden layer
  const float* node_features_encoder = nullptr;  // [d, node_feature_count]
  int64_t node_feature_count = 0;
  const float* edge_weight_encoder = nullptr;      // [d, 1]
  const float* node_type_embedding = nullptr;      // [types, d]
  const float* node_function_embedding = nullptr;  // [functions, d]
  const float* edge_kind_embedding = nullptr;      // [kinds, d]
  int64_t edge_kind_count = 0;
  std::vector<BidirectionalLayerWeights> layers;
  MlpBlockWeights edge_head;  // in 3d: [edge | source | destination], out 2
  MlpBlockWeights node_head;  // in d, out node_delta_count + 1
  const float* edge_scale = nullptr;  // [groups, edge_kind_count]
  const float* node_scale = nullptr;  // [groups, node_delta_count]
  int64_t node_delta_count = 0;
};

// A batch of parameter graphs (core/graph/graph_batch.h) as arrays.
struct GraphArrays {
  int64_t nodes = 0;
  int64_t edges = 0;
  const float* node_features = nullptr;       // [nodes, node_feature_count]
  const int64_t* node_type = nullptr;         // [nodes]
  const int64_t* node_function = nullptr;     // [nodes]
  const float* edge_weight = nullptr;         // [edges]
  const int64_t* edge_kind = nullptr;         // [edges]
  const int64_t* edge_source = nullptr;       // [edges]
  const int64_t* edge_destination = nullptr;  // [edges]
};

// Where the forward pass writes: metanetwork.h's MetanetworkOutput.
struct MetanetworkOutputArrays {
  float* edge_delta = nullptr;       // [edges]
  float* edge_mask_logit = nullptr;  // [edges]
  float* node_delta = nullptr;       // [nodes, node_delta_count]
  float* node_mask_logit = nullptr;  // [nodes]
};

// Runs the forward pass; false as soon as `stop` (checked after every
// `edges_per_check` edges of every layer and after every layer; may be null)
// returns true, with the outputs unspecified. REQUIRES: the weights' shapes
// are consistent (hidden d everywhere, the heads' outputs as above), every
// index in range (as BatchGraphs makes them), edges_per_check >= 1.
bool MetanetworkForward(const MetanetworkWeights& weights,
                        const GraphArrays& graph,
                        const MetanetworkOutputArrays& output,
                        int64_t edges_per_check,
                        const std::function<bool()>& stop);

}  // namespace amend::kernels

#endif  // AMEND_CORE_GMN_METANETWORK_KERNELS_H_

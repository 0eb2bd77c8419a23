// File: core/graph/graph_batch.h
//
// Many parameter graphs, of different architectures, as one disjoint union for
// one metanetwork forward pass: nodes and edges concatenated in graph order,
// each graph's node indices shifted by its node offset, no padding. Per-graph
// slices of node or edge tensors map results back.
//
// Example:
//   GraphBatch batch = BatchGraphs({&g0, &g1});
//   at::Tensor g1_edges = EdgeSlice(batch, edge_outputs /*[E_total, ...]*/, 1);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_GRAPH_GRAPH_BATCH_H_
#define AMEND_CORE_GRAPH_GRAPH_BATCH_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "core/graph/parameter_graph.h"

namespace amend {

struct GraphBatch {
  int64_t num_graphs = 0;
  std::vector<int64_t> node_offset;  // [G + 1]
  std::vector<int64_t> edge_offset;  // [G + 1]
  at::Tensor node_features;          // [N, kNodeFeatureCount]
  at::Tensor node_type;              // [N]
  at::Tensor node_function;          // [N]
  at::Tensor node_graph;             // [N] index of the graph a node belongs to
  at::Tensor edge_index;             // [2, E] into the batch's nodes
  at::Tensor edge_weight;            // [E]
  at::Tensor edge_kind;              // [E]
  at::Tensor edge_graph;             // [E]
};

// REQUIRES: graphs non-empty, none null.
GraphBatch BatchGraphs(const std::vector<const ParameterGraph*>& graphs);

// The batch's tensors on `device` (the same batch when already there).
GraphBatch MoveGraphBatch(const GraphBatch& batch, const c10::Device& device);

// Rows of a per-node ([N, ...]) or per-edge ([E, ...]) tensor that belong to
// graph `index`.
at::Tensor NodeSlice(const GraphBatch& batch, const at::Tensor& per_node,
                     int64_t index);
at::Tensor EdgeSlice(const GraphBatch& batch, const at::Tensor& per_edge,
                     int64_t index);

}  // namespace amend

#endif  // AMEND_CORE_GRAPH_GRAPH_BATCH_H_

#include "core/graph/graph_batch.h"

#include <ATen/ATen.h>

namespace amend {

GraphBatch BatchGraphs(const std::vector<const ParameterGraph*>& graphs) {
  GraphBatch batch;
  batch.num_graphs = static_cast<int64_t>(graphs.size());
  batch.node_offset = {0};
  batch.edge_offset = {0};
  std::vector<at::Tensor> features, types, functions, node_graph, index, weight,
      kind, edge_graph;
  for (size_t g = 0; g < graphs.size(); ++g) {
    const ParameterGraph& graph = *graphs[g];
    const int64_t nodes = batch.node_offset.back();
    features.push_back(graph.node_features);
    types.push_back(graph.node_type);
    functions.push_back(graph.node_function);
    node_graph.push_back(
        at::full({graph.num_nodes}, static_cast<int64_t>(g), at::kLong));
    index.push_back(graph.edge_index + nodes);
    weight.push_back(graph.edge_weight);
    kind.push_back(graph.edge_kind);
    edge_graph.push_back(
        at::full({graph.num_edges}, static_cast<int64_t>(g), at::kLong));
    batch.node_offset.push_back(nodes + graph.num_nodes);
    batch.edge_offset.push_back(batch.edge_offset.back() + graph.num_edges);
  }
  batch.node_features = at::cat(features);
  batch.node_type = at::cat(types);
  batch.node_function = at::cat(functions);
  batch.node_graph = at::cat(node_graph);
  batch.edge_index = at::cat(index, 1);
  batch.edge_weight = at::cat(weight);
  batch.edge_kind = at::cat(kind);
  batch.edge_graph = at::cat(edge_graph);
  return batch;
}

GraphBatch MoveGraphBatch(const GraphBatch& batch, const c10::Device& device) {
  GraphBatch moved = batch;
  for (at::Tensor* tensor :
       {&moved.node_features, &moved.node_type, &moved.node_function,
        &moved.node_graph, &moved.edge_index, &moved.edge_weight,
        &moved.edge_kind, &moved.edge_graph}) {
    *tensor = tensor->to(device);
  }
  return moved;
}

at::Tensor NodeSlice(const GraphBatch& batch, const at::Tensor& per_node,
                     int64_t index) {
  const auto i = static_cast<size_t>(index);
  return per_node.narrow(0, batch.node_offset[i],
                         batch.node_offset[i + 1] - batch.node_offset[i]);
}

at::Tensor EdgeSlice(const GraphBatch& batch, const at::Tensor& per_edge,
                     int64_t index) {
  const auto i = static_cast<size_t>(index);
  return per_edge.narrow(0, batch.edge_offset[i],
                         batch.edge_offset[i + 1] - batch.edge_offset[i]);
}

}  // namespace amend

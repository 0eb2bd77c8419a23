#include "core/gmn/bidirectional_layer.h"

#include <ATen/ATen.h>

#include <algorithm>

namespace amend {

BidirectionalLayerImpl::BidirectionalLayerImpl(
    const BidirectionalLayerOptions& options_)
    : options(options_) {
  const int64_t d = options.hidden();
  const double p = options.dropout();
  forward_message = register_module(
      "forward_message", MlpBlock(MlpBlockOptions(2 * d, d, d).dropout(p)));
  backward_message = register_module(
      "backward_message", MlpBlock(MlpBlockOptions(2 * d, d, d).dropout(p)));
  edge_update = register_module(
      "edge_update", MlpBlock(MlpBlockOptions(3 * d, d, d).dropout(p)));
  node_update = register_module(
      "node_update", MlpBlock(MlpBlockOptions(3 * d, d, d).dropout(p)));
  node_skip = register_module(
      "node_skip",
      torch::nn::Linear(torch::nn::LinearOptions(d, d).bias(false)));
}

std::pair<at::Tensor, at::Tensor> BidirectionalLayerImpl::forward(
    const at::Tensor& nodes, const at::Tensor& edges,
    const at::Tensor& initial_edges, const at::Tensor& edge_index) {
  return *ForwardInChunks(nodes, edges, initial_edges, edge_index,
                          std::max<int64_t>(1, edges.size(0)), nullptr);
}

std::optional<std::pair<at::Tensor, at::Tensor>>
BidirectionalLayerImpl::ForwardInChunks(const at::Tensor& nodes,
                                        const at::Tensor& edges,
                                        const at::Tensor& initial_edges,
                                        const at::Tensor& edge_index,
                                        int64_t edges_per_chunk,
                                        const std::function<bool()>& stop) {
  const at::Tensor source = edge_index[0];
  const at::Tensor destination = edge_index[1];
  const int64_t d = options.hidden();
  const int64_t num_edges = edges.size(0);
  // The first Linear of each edge block reads [edge state | node states];
  // W [e | n] = W_e e + W_n n, so the node parts are computed once per node
  // and gathered per edge instead of multiplied per edge (E >> N): 40% fewer
  // multiply-adds per edge. One matmul serves all four node parts, one the two
  // parts that read `edges`.
  const at::Tensor& wf = forward_message->first->weight;   // [d, 2d]
  const at::Tensor& wb = backward_message->first->weight;  // [d, 2d]
  const at::Tensor& wu = edge_update->first->weight;       // [d, 3d]
  const at::Tensor node_parts =
      at::matmul(nodes, at::cat({wf.narrow(1, d, d), wb.narrow(1, d, d),
                                 wu.narrow(1, d, d), wu.narrow(1, 2 * d, d)},
                                0)
                            .t());  // [N, 4d]
  const at::Tensor edge_weight =
      at::cat({wf.narrow(1, 0, d), wu.narrow(1, 0, d)}, 0);
  const at::Tensor edge_bias =
      at::cat({forward_message->first->bias, edge_update->first->bias});
  const at::Tensor initial_weight = wb.narrow(1, 0, d);
  const bool one_chunk = edges_per_chunk >= num_edges;
  at::Tensor forward_messages = at::zeros_like(nodes);
  at::Tensor backward_messages = at::zeros_like(nodes);
  at::Tensor new_edges = one_chunk ? at::Tensor() : at::empty_like(edges);
  for (int64_t begin = 0; begin < num_edges || begin == 0;
       begin += edges_per_chunk) {
    const int64_t count = std::min(edges_per_chunk, num_edges - begin);
    const at::Tensor chunk_source = source.narrow(0, begin, count);
    const at::Tensor chunk_destination = destination.narrow(0, begin, count);
    const at::Tensor chunk_edges = edges.narrow(0, begin, count);
    const at::Tensor edge_parts =
        at::linear(chunk_edges, edge_weight, edge_bias);  // [count, 2d]
    // Out of place with one chunk: autograd records the same graph as a
    // single expression would.
    const at::Tensor forward_part = forward_message->ForwardFromFirstLinear(
        edge_parts.narrow(1, 0, d) +
        node_parts.narrow(1, 0, d).index_select(0, chunk_source));
    forward_messages =
        one_chunk
            ? forward_messages.index_add(0, chunk_destination, forward_part)
            : forward_messages.index_add_(0, chunk_destination, forward_part);
    const at::Tensor backward_part = backward_message->ForwardFromFirstLinear(
        at::linear(initial_edges.narrow(0, begin, count), initial_weight,
                   backward_message->first->bias) +
        node_parts.narrow(1, d, d).index_select(0, chunk_destination));
    backward_messages =
        one_chunk
            ? backward_messages.index_add(0, chunk_source, backward_part)
            : backward_messages.index_add_(0, chunk_source, backward_part);
    at::Tensor updated =
        chunk_edges +
        edge_update->ForwardFromFirstLinear(
            edge_parts.narrow(1, d, d) +
            (node_parts.narrow(1, 2 * d, d).index_select(0, chunk_source) +
             node_parts.narrow(1, 3 * d, d)
                 .index_select(0, chunk_destination)));
    if (one_chunk) {
      new_edges = std::move(updated);
      break;
    }
    new_edges.narrow(0, begin, count).copy_(updated);
    if (stop && stop()) return std::nullopt;
  }
  at::Tensor new_nodes =
      node_skip(nodes) +
      node_update(at::cat({nodes, forward_messages, backward_messages}, 1));
  if (options.dropout() > 0)
    new_nodes = at::dropout(new_nodes, options.dropout(), is_training());
  return std::make_pair(std::move(new_nodes), std::move(new_edges));
}

}  // namespace amend

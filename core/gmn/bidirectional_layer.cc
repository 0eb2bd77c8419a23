#include "core/gmn/bidirectional_layer.h"

#include <ATen/ATen.h>

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
  const at::Tensor source = edge_index[0];
  const at::Tensor destination = edge_index[1];
  const int64_t d = options.hidden();
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
  const at::Tensor at_source =
      node_parts.narrow(1, 0, d).index_select(0, source);
  const at::Tensor at_destination =
      node_parts.narrow(1, d, d).index_select(0, destination);
  const at::Tensor update_nodes =
      node_parts.narrow(1, 2 * d, d).index_select(0, source) +
      node_parts.narrow(1, 3 * d, d).index_select(0, destination);
  const at::Tensor edge_parts = at::linear(
      edges, at::cat({wf.narrow(1, 0, d), wu.narrow(1, 0, d)}, 0),
      at::cat({forward_message->first->bias, edge_update->first->bias}));
  const at::Tensor forward_messages = at::zeros_like(nodes).index_add(
      0, destination,
      forward_message->ForwardFromFirstLinear(edge_parts.narrow(1, 0, d) +
                                              at_source));
  const at::Tensor backward_messages = at::zeros_like(nodes).index_add(
      0, source,
      backward_message->ForwardFromFirstLinear(
          at::linear(initial_edges, wb.narrow(1, 0, d),
                     backward_message->first->bias) +
          at_destination));
  at::Tensor new_edges = edges + edge_update->ForwardFromFirstLinear(
                                     edge_parts.narrow(1, d, d) + update_nodes);
  at::Tensor new_nodes =
      node_skip(nodes) +
      node_update(at::cat({nodes, forward_messages, backward_messages}, 1));
  if (options.dropout() > 0)
    new_nodes = at::dropout(new_nodes, options.dropout(), is_training());
  return {new_nodes, new_edges};
}

}  // namespace amend

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
  const at::Tensor at_source = nodes.index_select(0, source);  // [E, d]
  const at::Tensor at_destination =
      nodes.index_select(0, destination);  // [E, d]
  const at::Tensor forward_messages = at::zeros_like(nodes).index_add(
      0, destination, forward_message(at::cat({edges, at_source}, 1)));
  const at::Tensor backward_messages = at::zeros_like(nodes).index_add(
      0, source, backward_message(at::cat({initial_edges, at_destination}, 1)));
  at::Tensor new_edges =
      edges + edge_update(at::cat({edges, at_source, at_destination}, 1));
  at::Tensor new_nodes =
      node_skip(nodes) +
      node_update(at::cat({nodes, forward_messages, backward_messages}, 1));
  if (options.dropout() > 0)
    new_nodes = at::dropout(new_nodes, options.dropout(), is_training());
  return {new_nodes, new_edges};
}

}  // namespace amend

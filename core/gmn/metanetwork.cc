#include "core/gmn/metanetwork.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace amend {

MetanetworkImpl::MetanetworkImpl(int64_t input_dim_, int64_t num_classes_,
                                 const MetanetworkOptions& options_)
    : input_dim(input_dim_), num_classes(num_classes_), options(options_) {
  const int64_t d = options.hidden;
  const int64_t node_types =
      input_dim + num_classes + options.max_hidden_layers;
  // Bias-free scalar projections, as ScaleGMN: a neuron with identity
  // parameters maps to its pure type embedding.
  node_features_encoder = register_module(
      "node_features_encoder",
      torch::nn::Linear(
          torch::nn::LinearOptions(kNodeFeatureCount, d).bias(false)));
  edge_weight_encoder = register_module(
      "edge_weight_encoder",
      torch::nn::Linear(torch::nn::LinearOptions(1, d).bias(false)));
  node_type_embedding = register_module("node_type_embedding",
                                        torch::nn::Embedding(node_types, d));
  node_function_embedding = register_module(
      "node_function_embedding", torch::nn::Embedding(kFunctionCount, d));
  edge_kind_embedding = register_module(
      "edge_kind_embedding", torch::nn::Embedding(kEdgeKindCount, d));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t t = 0; t < options.layers; ++t) {
    layers->push_back(BidirectionalLayer(
        BidirectionalLayerOptions(d).dropout(options.dropout)));
  }
  edge_head =
      register_module("edge_head", MlpBlock(MlpBlockOptions(3 * d, d, 2)));
  node_head = register_module(
      "node_head", MlpBlock(MlpBlockOptions(d, d, kNodeDeltaCount + 1)));
  {
    at::NoGradGuard no_grad;
    edge_head->second->bias[1].fill_(options.mask_logit_init);
    node_head->second->bias[kNodeDeltaCount].fill_(options.mask_logit_init);
  }
  const int64_t groups = options.max_hidden_layers + 1;
  edge_scale = register_parameter(
      "edge_scale",
      at::full({groups, kEdgeKindCount}, options.residual_scale_init));
  node_scale = register_parameter(
      "node_scale",
      at::full({groups, kNodeDeltaCount}, options.residual_scale_init));
}

absl::Status MetanetworkImpl::CheckSupports(
    const Architecture& architecture) const {
  if (architecture.input_dim != input_dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("architecture.input_dim: the editor expects ", input_dim,
                     ", got ", architecture.input_dim));
  }
  if (architecture.num_classes != num_classes) {
    return absl::InvalidArgumentError(
        absl::StrCat("architecture.num_classes: the editor expects ",
                     num_classes, ", got ", architecture.num_classes));
  }
  // A model without hidden layers is a linear model, a graph the zoo never
  // holds (docs/API.md): an edit of one would be an extrapolation.
  if (architecture.num_hidden() < 1 ||
      architecture.num_hidden() > options.max_hidden_layers) {
    return absl::InvalidArgumentError(
        absl::StrCat("architecture.layers: the editor supports 1 to ",
                     options.max_hidden_layers, " hidden layers, got ",
                     architecture.num_hidden()));
  }
  return absl::OkStatus();
}

at::Tensor MetanetworkImpl::NodeLayerGroup(const at::Tensor& node_type) const {
  const int64_t first_hidden = input_dim + num_classes;
  return at::clamp_min(node_type - (first_hidden - 1), 0);
}

MetanetworkOutput MetanetworkImpl::forward(const GraphBatch& batch) {
  return *ForwardInChunks(
      batch, std::max<int64_t>(1, batch.edge_weight.size(0)), nullptr);
}

std::optional<MetanetworkOutput> MetanetworkImpl::ForwardInChunks(
    const GraphBatch& batch, int64_t edges_per_chunk,
    const std::function<bool()>& stop) {
  at::Tensor nodes = node_features_encoder(batch.node_features) +
                     node_type_embedding(batch.node_type) +
                     node_function_embedding(batch.node_function);
  at::Tensor initial_edges =
      edge_weight_encoder(batch.edge_weight.unsqueeze(1)) +
      edge_kind_embedding(batch.edge_kind);
  at::Tensor edges = initial_edges;
  for (const auto& module : *layers) {
    std::optional<std::pair<at::Tensor, at::Tensor>> updated =
        module->as<BidirectionalLayer>()->ForwardInChunks(
            nodes, edges, initial_edges, batch.edge_index, edges_per_chunk,
            stop);
    if (!updated.has_value()) return std::nullopt;
    std::tie(nodes, edges) = *std::move(updated);
    if (stop && stop()) return std::nullopt;
  }
  initial_edges = at::Tensor();  // read by the layers only
  const at::Tensor source = batch.edge_index[0];
  const at::Tensor destination = batch.edge_index[1];
  const int64_t num_edges = edges.size(0);
  at::Tensor edge_out;  // [E, 2]
  if (edges_per_chunk >= num_edges) {
    edge_out = edge_head(at::cat({edges, nodes.index_select(0, source),
                                  nodes.index_select(0, destination)},
                                 1));
  } else {
    edge_out = at::empty({num_edges, 2}, edges.options());
    for (int64_t begin = 0; begin < num_edges; begin += edges_per_chunk) {
      const int64_t count = std::min(edges_per_chunk, num_edges - begin);
      edge_out.narrow(0, begin, count)
          .copy_(edge_head(at::cat(
              {edges.narrow(0, begin, count),
               nodes.index_select(0, source.narrow(0, begin, count)),
               nodes.index_select(0, destination.narrow(0, begin, count))},
              1)));
    }
  }
  edges = at::Tensor();  // the largest state, no longer needed
  const at::Tensor node_out = node_head(nodes);

  const at::Tensor node_group = NodeLayerGroup(batch.node_type);
  const at::Tensor edge_group = node_group.index_select(0, destination);
  const at::Tensor edge_gamma = edge_scale.view(-1).index_select(
      0, edge_group * kEdgeKindCount + batch.edge_kind);
  const at::Tensor node_gamma = node_scale.index_select(0, node_group);

  MetanetworkOutput out;
  out.edge_delta = edge_gamma * edge_out.select(1, 0);
  out.edge_mask_logit = edge_out.select(1, 1);
  out.node_delta = node_gamma * node_out.narrow(1, 0, kNodeDeltaCount);
  out.node_mask_logit = node_out.select(1, kNodeDeltaCount);
  return out;
}

}  // namespace amend

#include "core/gmn/metanetwork_inference.h"

#include <ATen/ATen.h>

#include "core/gmn/metanetwork_kernels.h"

namespace amend {
namespace {

const float* Floats(const at::Tensor& tensor) {
  return tensor.data_ptr<float>();
}

kernels::MlpBlockWeights BlockWeights(const MlpBlockImpl& block) {
  kernels::MlpBlockWeights weights;
  weights.first_weight = Floats(block.first->weight);
  weights.first_bias = Floats(block.first->bias);
  weights.norm_weight = Floats(block.norm->weight);
  weights.norm_bias = Floats(block.norm->bias);
  weights.norm_epsilon = static_cast<float>(block.norm->options.eps());
  weights.second_weight = Floats(block.second->weight);
  weights.second_bias = Floats(block.second->bias);
  weights.in = block.options.in();
  weights.hidden = block.options.hidden();
  weights.out = block.options.out();
  return weights;
}

kernels::MetanetworkWeights NetworkWeights(const MetanetworkImpl& network) {
  kernels::MetanetworkWeights weights;
  weights.hidden = network.options.hidden;
  weights.first_hidden_type = network.input_dim + network.num_classes;
  weights.node_features_encoder = Floats(network.node_features_encoder->weight);
  weights.node_feature_count = kNodeFeatureCount;
  weights.edge_weight_encoder = Floats(network.edge_weight_encoder->weight);
  weights.node_type_embedding = Floats(network.node_type_embedding->weight);
  weights.node_function_embedding =
      Floats(network.node_function_embedding->weight);
  weights.edge_kind_embedding = Floats(network.edge_kind_embedding->weight);
  weights.edge_kind_count = kEdgeKindCount;
  for (const auto& module : *network.layers) {
    const BidirectionalLayerImpl& layer = *module->as<BidirectionalLayer>();
    kernels::BidirectionalLayerWeights layer_weights;
    layer_weights.forward_message = BlockWeights(*layer.forward_message);
    layer_weights.backward_message = BlockWeights(*layer.backward_message);
    layer_weights.edge_update = BlockWeights(*layer.edge_update);
    layer_weights.node_update = BlockWeights(*layer.node_update);
    layer_weights.node_skip = Floats(layer.node_skip->weight);
    weights.layers.push_back(layer_weights);
  }
  weights.edge_head = BlockWeights(*network.edge_head);
  weights.node_head = BlockWeights(*network.node_head);
  weights.edge_scale = Floats(network.edge_scale);
  weights.node_scale = Floats(network.node_scale);
  weights.node_delta_count = kNodeDeltaCount;
  return weights;
}

}  // namespace

bool CanUseInferenceKernels(const MetanetworkImpl& network) {
  if (network.is_training() && network.options.dropout > 0) return false;
  for (const at::Tensor& parameter : network.parameters()) {
    if (!parameter.device().is_cpu() || parameter.scalar_type() != at::kFloat ||
        !parameter.is_contiguous()) {
      return false;
    }
  }
  return true;
}

std::optional<MetanetworkOutput> InferenceForward(
    const MetanetworkImpl& network, const GraphBatch& batch,
    int64_t edges_per_check, const std::function<bool()>& stop) {
  const at::Tensor node_features = batch.node_features.contiguous();
  const at::Tensor node_type = batch.node_type.contiguous();
  const at::Tensor node_function = batch.node_function.contiguous();
  const at::Tensor edge_weight = batch.edge_weight.contiguous();
  const at::Tensor edge_kind = batch.edge_kind.contiguous();
  const at::Tensor edge_index = batch.edge_index.contiguous();
  kernels::GraphArrays graph;
  graph.nodes = node_type.size(0);
  graph.edges = edge_weight.size(0);
  graph.node_features = node_features.data_ptr<float>();
  graph.node_type = node_type.data_ptr<int64_t>();
  graph.node_function = node_function.data_ptr<int64_t>();
  graph.edge_weight = edge_weight.data_ptr<float>();
  graph.edge_kind = edge_kind.data_ptr<int64_t>();
  graph.edge_source = edge_index.data_ptr<int64_t>();
  graph.edge_destination = graph.edge_source + graph.edges;

  const at::TensorOptions floats = at::TensorOptions().dtype(at::kFloat);
  MetanetworkOutput out;
  out.edge_delta = at::empty({graph.edges}, floats);
  out.edge_mask_logit = at::empty({graph.edges}, floats);
  out.node_delta = at::empty({graph.nodes, kNodeDeltaCount}, floats);
  out.node_mask_logit = at::empty({graph.nodes}, floats);
  kernels::MetanetworkOutputArrays arrays;
  arrays.edge_delta = out.edge_delta.data_ptr<float>();
  arrays.edge_mask_logit = out.edge_mask_logit.data_ptr<float>();
  arrays.node_delta = out.node_delta.data_ptr<float>();
  arrays.node_mask_logit = out.node_mask_logit.data_ptr<float>();
  if (!kernels::MetanetworkForward(NetworkWeights(network), graph, arrays,
                                   edges_per_check, stop)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace amend

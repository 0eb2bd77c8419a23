#include "core/gmn/metanetwork_inference.h"

#include <ATen/ATen.h>

#include <optional>

#include "core/gmn/metanetwork_kernels.h"

namespace amend {
namespace {

// Reads the kernels' tensors; `usable` turns false at the first one the
// kernels cannot read in place (not float32, not in CPU memory, or not
// contiguous), for which it returns null.
struct TensorReader {
  bool usable = true;
  const float* operator()(const at::Tensor& tensor) {
    if (!tensor.defined() || !tensor.device().is_cpu() ||
        tensor.scalar_type() != at::kFloat || !tensor.is_contiguous()) {
      usable = false;
      return nullptr;
    }
    return tensor.data_ptr<float>();
  }
};

kernels::MlpBlockWeights BlockWeights(const MlpBlockImpl& block,
                                      TensorReader& floats) {
  kernels::MlpBlockWeights weights;
  weights.first_weight = floats(block.first->weight);
  weights.first_bias = floats(block.first->bias);
  weights.norm_weight = floats(block.norm->weight);
  weights.norm_bias = floats(block.norm->bias);
  weights.norm_epsilon = static_cast<float>(block.norm->options.eps());
  weights.second_weight = floats(block.second->weight);
  weights.second_bias = floats(block.second->bias);
  weights.in = block.options.in();
  weights.hidden = block.options.hidden();
  weights.out = block.options.out();
  return weights;
}

// The network's weights as the kernels read them, or nullopt when one of them
// cannot be read in place. Member by member: Module::parameters() builds a
// dictionary of every name (~600 allocations, 30 µs per edit, measured with
// BM_EditStage).
std::optional<kernels::MetanetworkWeights> NetworkWeights(
    const MetanetworkImpl& network) {
  TensorReader floats;
  kernels::MetanetworkWeights weights;
  weights.hidden = network.options.hidden;
  weights.first_hidden_type = network.input_dim + network.num_classes;
  weights.node_features_encoder = floats(network.node_features_encoder->weight);
  weights.node_feature_count = kNodeFeatureCount;
  weights.edge_weight_encoder = floats(network.edge_weight_encoder->weight);
  weights.node_type_embedding = floats(network.node_type_embedding->weight);
  weights.node_function_embedding =
      floats(network.node_function_embedding->weight);
  weights.edge_kind_embedding = floats(network.edge_kind_embedding->weight);
  weights.edge_kind_count = kEdgeKindCount;
  weights.layers.reserve(network.layers->size());
  for (const auto& module : *network.layers) {
    const BidirectionalLayerImpl& layer = *module->as<BidirectionalLayer>();
    kernels::BidirectionalLayerWeights layer_weights;
    layer_weights.forward_message =
        BlockWeights(*layer.forward_message, floats);
    layer_weights.backward_message =
        BlockWeights(*layer.backward_message, floats);
    layer_weights.edge_update = BlockWeights(*layer.edge_update, floats);
    layer_weights.node_update = BlockWeights(*layer.node_update, floats);
    layer_weights.node_skip = floats(layer.node_skip->weight);
    weights.layers.push_back(layer_weights);
  }
  weights.edge_head = BlockWeights(*network.edge_head, floats);
  weights.node_head = BlockWeights(*network.node_head, floats);
  weights.edge_scale = floats(network.edge_scale);
  weights.node_scale = floats(network.node_scale);
  weights.node_delta_count = kNodeDeltaCount;
  if (!floats.usable) return std::nullopt;
  return weights;
}

}  // namespace

bool CanUseInferenceKernels(const MetanetworkImpl& network) {
  if (network.is_training() && network.options.dropout > 0) return false;
  return NetworkWeights(network).has_value();
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
  const std::optional<kernels::MetanetworkWeights> weights =
      NetworkWeights(network);
  // A broken REQUIRES (CanUseInferenceKernels): LibTorch's error, which the
  // caller's boundary turns into a status, as for any tensor it cannot read.
  TORCH_CHECK(weights.has_value(),
              "InferenceForward: the network's weights are not float32, "
              "contiguous CPU tensors (CanUseInferenceKernels is false)");
  if (!kernels::MetanetworkForward(*weights, graph, arrays, edges_per_check,
                                   stop)) {
    return std::nullopt;
  }
  return out;
}

}  // namespace amend

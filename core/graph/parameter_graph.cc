#include "core/graph/parameter_graph.h"

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"
#include "core/mlp/float_values.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// Group of a source index s (h_s): 0 = inputs, k = hidden layer k.
int64_t FirstNode(const ParameterGraph& graph, int group) {
  return graph.layer_node_offset[static_cast<size_t>(group)];
}

// The node-feature column a neuron parameter lives in, or -1 for weights
// (edges).
int64_t NodeColumn(TensorRole role) {
  switch (role) {
    case TensorRole::kLayerBias:
    case TensorRole::kHeadBias:
      return kNodeBias;
    case TensorRole::kNormWeight:
      return kNodeNormWeight;
    case TensorRole::kNormBias:
      return kNodeNormBias;
    case TensorRole::kNormRunningMean:
      return kNodeRunningMean;
    case TensorRole::kNormRunningVar:
      return kNodeRunningVar;
    default:
      return -1;
  }
}

// The node group holding a neuron parameter's neurons: its hidden layer, or the
// outputs.
int NodeGroup(const TensorSpec& spec, int last) {
  return spec.role == TensorRole::kHeadBias ? last : spec.layer;
}

EdgeKind KindOf(TensorRole role) {
  if (role == TensorRole::kSkipWeight) return EdgeKind::kSkipWeight;
  if (role == TensorRole::kHeadWeight) return EdgeKind::kHeadWeight;
  return EdgeKind::kLayerWeight;
}

}  // namespace

int64_t NodeType(const Architecture& architecture, int group, int64_t index) {
  const int last = architecture.num_hidden() + 1;
  if (group == 0) return index;
  if (group == last) return architecture.input_dim + index;
  return architecture.input_dim + architecture.num_classes + group - 1;
}

absl::StatusOr<ParameterGraph> BuildParameterGraph(const Mlp& mlp) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  return CallTorch(
      "BuildParameterGraph", [&]() -> absl::StatusOr<ParameterGraph> {
        const Architecture& a = mlp.architecture;
        ParameterGraph graph;
        graph.architecture = a;
        const int last = a.num_hidden() + 1;
        std::vector<int64_t> group_sizes = {a.input_dim};
        for (const HiddenLayer& layer : a.layers)
          group_sizes.push_back(layer.width);
        group_sizes.push_back(a.num_classes);
        int64_t offset = 0;
        for (int64_t size : group_sizes) {
          graph.layer_node_offset.push_back(offset);
          offset += size;
        }
        graph.layer_node_offset.push_back(offset);
        graph.num_nodes = offset;

        // Index loops over plain arrays: an edit builds a graph per model,
        // and tensor operators per weight tensor (arange, expand, cat) cost
        // more in dispatch than the copies themselves.
        const int64_t num_nodes = graph.num_nodes;
        at::Tensor features = at::zeros({num_nodes, kNodeFeatureCount});
        at::Tensor node_type = at::empty({num_nodes}, at::kLong);
        at::Tensor node_function = at::empty({num_nodes}, at::kLong);
        float* feature = features.data_ptr<float>();
        int64_t* type = node_type.data_ptr<int64_t>();
        int64_t* function_id = node_function.data_ptr<int64_t>();
        for (int64_t v = 0; v < num_nodes; ++v) {
          feature[v * kNodeFeatureCount + kNodeNormWeight] = 1.0f;
          feature[v * kNodeFeatureCount + kNodeRunningVar] = 1.0f;
        }
        for (int group = 0; group <= last; ++group) {
          const int64_t size = group_sizes[static_cast<size_t>(group)];
          int64_t function = group == 0 ? 0 : 1;
          if (group >= 1 && group < last) {
            const HiddenLayer& layer = a.layers[static_cast<size_t>(group - 1)];
            function = 2 + static_cast<int64_t>(layer.activation) * 3 +
                       static_cast<int64_t>(layer.norm);
          }
          const int64_t first = FirstNode(graph, group);
          for (int64_t i = 0; i < size; ++i) {
            type[first + i] = NodeType(a, group, i);
            function_id[first + i] = function;
          }
        }
        const std::vector<TensorSpec> specs = ExpectedTensors(a);
        int64_t num_edges = 0;
        for (const TensorSpec& spec : specs) {
          if (NodeColumn(spec.role) < 0) num_edges += spec.numel();
        }
        at::Tensor edge_index = at::empty({2, num_edges}, at::kLong);
        at::Tensor edge_weight = at::empty({num_edges});
        at::Tensor edge_kind = at::empty({num_edges}, at::kLong);
        int64_t* source = edge_index.data_ptr<int64_t>();
        int64_t* destination = source + num_edges;
        float* weight = edge_weight.data_ptr<float>();
        int64_t* kind = edge_kind.data_ptr<int64_t>();
        // Edges, and the neuron parameters onto their nodes.
        for (const TensorSpec& spec : specs) {
          const at::Tensor value = CpuFloatValues(mlp.parameters.at(spec.name));
          const float* data = value.data_ptr<float>();
          if (const int64_t column = NodeColumn(spec.role); column >= 0) {
            const int64_t first = FirstNode(graph, NodeGroup(spec, last));
            graph.node_slots.push_back({spec, first, column});
            for (int64_t i = 0; i < value.numel(); ++i) {
              feature[(first + i) * kNodeFeatureCount + column] = data[i];
            }
            continue;
          }
          // A weight [out, in]: edge (out j, in i) at j * in + i.
          const int64_t out = spec.shape[0], in = spec.shape[1];
          const int destination_group =
              spec.role == TensorRole::kHeadWeight ? last : spec.layer;
          const int64_t first_source = FirstNode(graph, spec.source);
          const int64_t first_destination = FirstNode(graph, destination_group);
          const int64_t edge_kind_id = static_cast<int64_t>(KindOf(spec.role));
          graph.weight_slots.push_back({spec, graph.num_edges});
          for (int64_t j = 0; j < out; ++j) {
            for (int64_t i = 0; i < in; ++i) {
              const int64_t k = graph.num_edges + j * in + i;
              source[k] = first_source + i;
              destination[k] = first_destination + j;
              kind[k] = edge_kind_id;
              weight[k] = data[j * in + i];
            }
          }
          graph.num_edges += out * in;
        }
        graph.node_features = features;
        graph.node_type = node_type;
        graph.node_function = node_function;
        graph.edge_index = edge_index;
        graph.edge_weight = edge_weight;
        graph.edge_kind = edge_kind;
        return graph;
      });
}

absl::StatusOr<TensorMap> ParametersFromGraph(const ParameterGraph& graph,
                                              const at::Tensor& edge_weight,
                                              const at::Tensor& node_features) {
  return CallTorch("ParametersFromGraph", [&]() -> absl::StatusOr<TensorMap> {
    if (!edge_weight.defined() || edge_weight.dim() != 1 ||
        edge_weight.size(0) != graph.num_edges) {
      return absl::InvalidArgumentError(absl::StrCat(
          "edge_weight: must be [", graph.num_edges, "] (one per edge)"));
    }
    if (!node_features.defined() || node_features.dim() != 2 ||
        node_features.size(0) != graph.num_nodes ||
        node_features.size(1) != kNodeFeatureCount) {
      return absl::InvalidArgumentError(absl::StrCat("node_features: must be [",
                                                     graph.num_nodes, ", ",
                                                     kNodeFeatureCount, "]"));
    }
    TensorMap parameters;
    for (const auto& slot : graph.weight_slots) {
      parameters[slot.spec.name] =
          edge_weight.narrow(0, slot.edge_offset, slot.spec.numel())
              .view(slot.spec.shape);
    }
    for (const auto& slot : graph.node_slots) {
      parameters[slot.spec.name] =
          node_features.narrow(0, slot.first_node, slot.spec.numel())
              .select(1, slot.column);
    }
    return parameters;
  });
}

}  // namespace amend

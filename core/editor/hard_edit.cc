#include "core/editor/hard_edit.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// The batch's and the forward pass's arrays, read in place.
struct BatchArrays {
  const float* edge_weight;
  const float* node_features;
  const int64_t* node_type;
  const int64_t* edge_source;
  const int64_t* edge_destination;
  const float* edge_delta;
  const float* edge_mask_logit;
  const float* node_delta;
  const float* node_mask_logit;
};

// HardMask (core/objectives/straight_through.h) of one logit.
float Hard(float logit) { return logit > 0.0f ? 1.0f : 0.0f; }

// Per node of one graph: 1 where its outgoing weights stay, else 0. Pruning
// by neurons decides hidden neurons; data minimisation decides inputs (one
// decision per attribute when several inputs form one). Empty when no node
// masks a weight. Sets `kept` to the fraction of kept features (data
// minimisation).
std::vector<float> NodeMasks(const ParameterGraph& graph, int64_t first_node,
                             const BatchArrays& in, const EditSpec& spec,
                             float& kept) {
  const Architecture& a = graph.architecture;
  std::vector<float> mask;
  if (spec.requirement == Requirement::kPruning && MasksNeurons(spec.variant)) {
    mask.assign(static_cast<size_t>(graph.num_nodes), 1.0f);
    const int64_t first_hidden = a.input_dim + a.num_classes;
    for (int64_t v = 0; v < graph.num_nodes; ++v) {
      if (in.node_type[first_node + v] >= first_hidden) {
        mask[v] = Hard(in.node_mask_logit[first_node + v]);
      }
    }
    return mask;
  }
  if (spec.requirement != Requirement::kDataMinimisation) return mask;
  // Input nodes come first in every graph, input i's type is i.
  mask.assign(static_cast<size_t>(graph.num_nodes), 1.0f);
  const float* logit = in.node_mask_logit + first_node;
  if (spec.input_attribute.empty()) {
    float sum = 0.0f;
    for (int64_t i = 0; i < a.input_dim; ++i) {
      mask[i] = Hard(logit[i]);
      sum += mask[i];
    }
    kept = sum / static_cast<float>(a.input_dim);
    return mask;
  }
  // The mean logit of each attribute's inputs, summed in input order as
  // ApplyEdit's index_add does; an attribute without inputs is removed (its
  // mean is 0 / 0).
  int64_t attributes = 0;
  for (const int64_t attribute : spec.input_attribute)
    attributes = std::max(attributes, attribute + 1);
  std::vector<float> sums(static_cast<size_t>(attributes), 0.0f);
  std::vector<float> counts(static_cast<size_t>(attributes), 0.0f);
  for (int64_t i = 0; i < a.input_dim; ++i) {
    sums[spec.input_attribute[i]] += logit[i];
    counts[spec.input_attribute[i]] += 1.0f;
  }
  float kept_attributes = 0.0f;
  for (int64_t c = 0; c < attributes; ++c) {
    sums[c] = counts[c] > 0.0f ? Hard(sums[c] / counts[c]) : 0.0f;
    kept_attributes += sums[c];
  }
  for (int64_t i = 0; i < a.input_dim; ++i) {
    mask[i] = sums[spec.input_attribute[i]];
  }
  kept = kept_attributes / static_cast<float>(attributes);
  return mask;
}

}  // namespace

absl::StatusOr<EditedBatch> ApplyHardEdit(
    const std::vector<const ParameterGraph*>& graphs, const GraphBatch& batch,
    const MetanetworkOutput& output, const EditSpec& spec) {
  AMEND_RETURN_IF_ERROR(CheckEditSpec(spec, graphs.front()->architecture));
  if (spec.straight_through) {
    return absl::InvalidArgumentError(
        "spec.straight_through: hard edits only; ApplyEdit samples masks");
  }
  auto apply = [&]() -> absl::StatusOr<EditedBatch> {
    const at::Tensor edge_weight = batch.edge_weight.contiguous();
    const at::Tensor node_features = batch.node_features.contiguous();
    const at::Tensor node_type = batch.node_type.contiguous();
    const at::Tensor edge_index = batch.edge_index.contiguous();
    const at::Tensor edge_delta = output.edge_delta.contiguous();
    const at::Tensor edge_mask_logit = output.edge_mask_logit.contiguous();
    const at::Tensor node_delta = output.node_delta.contiguous();
    const at::Tensor node_mask_logit = output.node_mask_logit.contiguous();
    const BatchArrays in{edge_weight.data_ptr<float>(),
                         node_features.data_ptr<float>(),
                         node_type.data_ptr<int64_t>(),
                         edge_index.data_ptr<int64_t>(),
                         edge_index.data_ptr<int64_t>() + edge_index.size(1),
                         edge_delta.data_ptr<float>(),
                         edge_mask_logit.data_ptr<float>(),
                         node_delta.data_ptr<float>(),
                         node_mask_logit.data_ptr<float>()};
    const bool edits = EditsWeights(spec.variant);
    const bool prunes = spec.requirement == Requirement::kPruning;
    const bool by_neurons = prunes && MasksNeurons(spec.variant);
    const int64_t num_graphs = batch.num_graphs;
    EditedBatch edited;
    edited.parameters.resize(num_graphs);
    edited.masks.resize(num_graphs);
    at::Tensor kept_fraction = at::ones({num_graphs});
    float* kept = kept_fraction.data_ptr<float>();
    for (int64_t g = 0; g < num_graphs; ++g) {
      const ParameterGraph& graph = *graphs[g];
      const int64_t first_node = batch.node_offset[g];
      const int64_t first_edge = batch.edge_offset[g];
      const std::vector<float> node_mask =
          NodeMasks(graph, first_node, in, spec, kept[g]);
      int64_t edges_kept = 0;
      for (const ParameterGraph::WeightSlot& slot : graph.weight_slots) {
        const int64_t numel = slot.spec.numel();
        at::Tensor values = at::empty(slot.spec.shape);
        float* value = values.data_ptr<float>();
        float* mask = nullptr;
        if (prunes) {
          at::Tensor masks = at::empty(slot.spec.shape);
          mask = masks.data_ptr<float>();
          edited.masks[g][MaskName(slot.spec.name)] = std::move(masks);
        }
        for (int64_t j = 0; j < numel; ++j) {
          const int64_t k = first_edge + slot.edge_offset + j;
          float v = in.edge_weight[k];
          if (edits) v = v + in.edge_delta[k];
          if (prunes) {
            // A weight stays when both its neurons do.
            const float m =
                by_neurons ? node_mask[in.edge_source[k] - first_node] *
                                 node_mask[in.edge_destination[k] - first_node]
                           : Hard(in.edge_mask_logit[k]);
            mask[j] = m;
            edges_kept += m > 0.5f;
            v = v * m;
          } else if (!node_mask.empty()) {
            const int64_t source = in.edge_source[k] - first_node;
            if (source < graph.architecture.input_dim)
              v = v * node_mask[source];
          }
          value[j] = v;
        }
        edited.parameters[g][slot.spec.name] = std::move(values);
      }
      if (prunes) {
        kept[g] = static_cast<float>(edges_kept) /
                  static_cast<float>(std::max<int64_t>(graph.num_edges, 1));
      }
      for (const ParameterGraph::NodeSlot& slot : graph.node_slots) {
        const int64_t numel = slot.spec.numel();
        at::Tensor values = at::empty(slot.spec.shape);
        float* value = values.data_ptr<float>();
        for (int64_t i = 0; i < numel; ++i) {
          const int64_t v = first_node + slot.first_node + i;
          float x = in.node_features[v * kNodeFeatureCount + slot.column];
          // ApplyEdit adds zeros past the deltas' columns: x + 0 turns -0
          // into +0, so this does too.
          if (edits) {
            x = x + (slot.column < kNodeDeltaCount
                         ? in.node_delta[v * kNodeDeltaCount + slot.column]
                         : 0.0f);
          }
          value[i] = x;
        }
        edited.parameters[g][slot.spec.name] = std::move(values);
      }
      if (spec.requirement == Requirement::kDataMinimisation) {
        at::Tensor input_mask = at::empty({graph.architecture.input_dim});
        std::copy_n(node_mask.data(), graph.architecture.input_dim,
                    input_mask.data_ptr<float>());
        edited.masks[g][kInputMaskName] = std::move(input_mask);
      }
    }
    edited.kept_fraction = kept_fraction;
    return edited;
  };
  return CallTorch("applying the edit", TorchInputs::kValidated, apply);
}

}  // namespace amend

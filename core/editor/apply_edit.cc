#include "core/editor/apply_edit.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/mlp/parameter_layout.h"
#include "core/objectives/straight_through.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

at::Tensor Masks(const at::Tensor& logits, const EditSpec& spec) {
  if (!spec.straight_through) return HardMask(logits);
  return StraightThroughMask(logits, spec.mask_temperature, spec.mask_noise);
}

// Mean of `values` [rows] over the rows of each graph, [G]; `owner` [rows]
// gives each row's graph.
at::Tensor MeanPerGraph(const at::Tensor& values, const at::Tensor& owner,
                        int64_t graphs) {
  const at::Tensor sums =
      at::zeros({graphs}, values.options()).index_add(0, owner, values);
  const at::Tensor counts = at::zeros({graphs}, values.options())
                                .index_add(0, owner, at::ones_like(values));
  return sums / counts;
}

// Data minimisation with attributes of several inputs: one mask per
// (graph, attribute) from the mean logit of the attribute's inputs, copied to
// each of them. Returns the mask over all N nodes (1 off the inputs) and sets
// `kept_fraction` to the fraction of attributes kept per graph.
at::Tensor AttributeMasks(const GraphBatch& batch, const at::Tensor& is_input,
                          const at::Tensor& node_mask_logit,
                          const EditSpec& spec, at::Tensor& kept_fraction) {
  int64_t attributes = 0;
  for (const int64_t a : spec.input_attribute)
    attributes = std::max(attributes, a + 1);
  const at::Tensor input_rows = at::nonzero(is_input).squeeze(1);
  const at::Tensor attribute_of_input =
      at::tensor(spec.input_attribute, at::kLong);
  const at::Tensor key =
      batch.node_graph.index_select(0, input_rows) * attributes +
      attribute_of_input.index_select(
          0, batch.node_type.index_select(0, input_rows));
  const at::Tensor logits = node_mask_logit.index_select(0, input_rows);
  const int64_t cells = batch.num_graphs * attributes;
  const at::Tensor sums =
      at::zeros({cells}, logits.options()).index_add(0, key, logits);
  const at::Tensor counts = at::zeros({cells}, logits.options())
                                .index_add(0, key, at::ones_like(logits));
  const at::Tensor attribute_mask = Masks(sums / counts, spec);
  kept_fraction = attribute_mask.view({batch.num_graphs, attributes}).mean(1);
  return at::ones_like(node_mask_logit)
      .index_copy(0, input_rows, attribute_mask.index_select(0, key));
}

// Pruning by neurons: one mask per hidden neuron, from its node mask logit;
// an edge is kept when both its ends are (inputs and outputs always are), so a
// removed neuron's incoming and outgoing weights go together. [E].
at::Tensor NeuronEdgeMasks(const Architecture& architecture,
                           const GraphBatch& batch,
                           const at::Tensor& node_mask_logit,
                           const EditSpec& spec) {
  const at::Tensor is_hidden = at::ge(
      batch.node_type, architecture.input_dim + architecture.num_classes);
  const at::Tensor node_mask = at::where(
      is_hidden, Masks(node_mask_logit, spec), at::ones_like(node_mask_logit));
  return node_mask.index_select(0, batch.edge_index[0]) *
         node_mask.index_select(0, batch.edge_index[1]);
}

}  // namespace

absl::Status CheckEditSpec(const EditSpec& spec,
                           const Architecture& architecture) {
  if (spec.requirement == Requirement::kFairness &&
      spec.variant != EditVariant::kWeightsAndMasks) {
    return absl::InvalidArgumentError(
        "variant: fairness has no masks, so it must edit weights");
  }
  if (MasksNeurons(spec.variant) && spec.requirement != Requirement::kPruning) {
    return absl::InvalidArgumentError(
        "variant: only pruning removes whole neurons");
  }
  if (spec.requirement == Requirement::kDataMinimisation &&
      !spec.input_attribute.empty() &&
      static_cast<int64_t>(spec.input_attribute.size()) !=
          architecture.input_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec.input_attribute: must have one entry per input (",
        architecture.input_dim, "), got ", spec.input_attribute.size()));
  }
  for (const int64_t attribute : spec.input_attribute) {
    if (attribute < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "spec.input_attribute: attributes are numbered from 0, got ",
          attribute));
    }
  }
  return absl::OkStatus();
}

// Kept whole (~85 lines): residuals, the requirement's masks and the split back
// into models read and write the same batch tensors inside one CallTorch.
absl::StatusOr<EditedBatch> ApplyEdit(
    const std::vector<const ParameterGraph*>& graphs, const GraphBatch& batch,
    const MetanetworkOutput& output, const EditSpec& spec) {
  AMEND_RETURN_IF_ERROR(CheckEditSpec(spec, graphs.front()->architecture));
  auto apply = [&]() -> absl::StatusOr<EditedBatch> {
    const int64_t num_graphs = batch.num_graphs;
    at::Tensor edge_weight = batch.edge_weight;
    at::Tensor node_features = batch.node_features;
    if (EditsWeights(spec.variant)) {
      edge_weight = edge_weight + output.edge_delta;
      const at::Tensor padding =
          at::zeros({batch.node_features.size(0),
                     int64_t{kNodeFeatureCount} - int64_t{kNodeDeltaCount}},
                    output.node_delta.options());
      // Node feature columns 0..2 are bias, norm weight, norm bias: the same
      // order as the node deltas.
      node_features = node_features + at::cat({output.node_delta, padding}, 1);
    }

    EditedBatch edited;
    at::Tensor edge_mask;   // [E], pruning
    at::Tensor input_mask;  // [N] over all nodes, data minimisation
    at::Tensor is_input;    // [N] bool
    switch (spec.requirement) {
      case Requirement::kPruning:
        edge_mask = MasksNeurons(spec.variant)
                        ? NeuronEdgeMasks(graphs.front()->architecture, batch,
                                          output.node_mask_logit, spec)
                        : Masks(output.edge_mask_logit, spec);
        edge_weight = edge_weight * edge_mask;
        edited.kept_fraction =
            MeanPerGraph(edge_mask, batch.edge_graph, num_graphs);
        break;
      case Requirement::kDataMinimisation: {
        const int64_t input_dim = graphs.front()->architecture.input_dim;
        is_input = at::lt(batch.node_type, input_dim);
        if (!spec.input_attribute.empty()) {
          input_mask = AttributeMasks(batch, is_input, output.node_mask_logit,
                                      spec, edited.kept_fraction);
          edge_weight =
              edge_weight *
              at::where(is_input.index_select(0, batch.edge_index[0]),
                        input_mask.index_select(0, batch.edge_index[0]),
                        at::ones_like(edge_weight));
          break;
        }
        input_mask = Masks(output.node_mask_logit, spec);
        const at::Tensor source = batch.edge_index[0];
        const at::Tensor per_edge = at::where(
            is_input.index_select(0, source),
            input_mask.index_select(0, source), at::ones_like(edge_weight));
        edge_weight = edge_weight * per_edge;
        const at::Tensor input_rows = at::nonzero(is_input).squeeze(1);
        edited.kept_fraction = MeanPerGraph(
            input_mask.index_select(0, input_rows),
            batch.node_graph.index_select(0, input_rows), num_graphs);
        break;
      }
      case Requirement::kFairness:
        edited.kept_fraction = at::ones({num_graphs});
        break;
    }

    edited.parameters.reserve(num_graphs);
    edited.masks.resize(num_graphs);
    for (int64_t g = 0; g < num_graphs; ++g) {
      const ParameterGraph& graph = *graphs[g];
      AMEND_ASSIGN_OR_RETURN(
          TensorMap parameters,
          ParametersFromGraph(graph, EdgeSlice(batch, edge_weight, g),
                              NodeSlice(batch, node_features, g)));
      edited.parameters.push_back(std::move(parameters));
      if (edge_mask.defined()) {
        const at::Tensor masks = EdgeSlice(batch, edge_mask, g);
        for (const ParameterGraph::WeightSlot& slot : graph.weight_slots) {
          int64_t numel = 1;
          for (int64_t extent : slot.spec.shape) numel *= extent;
          edited.masks[g][MaskName(slot.spec.name)] =
              masks.narrow(0, slot.edge_offset, numel).view(slot.spec.shape);
        }
      }
      if (input_mask.defined()) {
        // Input nodes come first in every graph.
        edited.masks[g][kInputMaskName] =
            NodeSlice(batch, input_mask, g)
                .narrow(0, 0, graph.architecture.input_dim);
      }
    }
    return edited;
  };
  // The graphs, batch and output are ours (see REQUIRES): a LibTorch error is
  // a broken invariant.
  return CallTorch("applying the edit", TorchInputs::kValidated, apply);
}

}  // namespace amend

// File: core/editor/apply_edit.h
//
// From the metanetwork's outputs to edited MLPs (docs/ARCHITECTURE.md §3-§5):
// new = old + γ·Δ for every weight, bias and norm parameter (when the variant
// edits weights), then the requirement's masks:
//   data minimisation: one mask per input feature; a masked feature's outgoing
//     weights (hidden layer 1 and every skip from the input) become zero, so
//     the edited model no longer reads it;
//   pruning: one mask per weight (layer, skip and head weights); a masked
//     weight becomes zero. The neuron variants decide per hidden neuron (from
//     the node mask logit) and mask every weight into and out of a removed
//     neuron, so the masks are per weight all the same;
//   fairness: no masks.
// At edit time masks are hard (logit > 0). At training time they are
// straight-through samples: the forward value is the hard 0/1 mask of the
// logistic-noised logits, the gradient that of their tempered sigmoid.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(EditedBatch edited,
//       ApplyEdit(graphs, batch, network(batch), {.requirement = r}));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_APPLY_EDIT_H_
#define AMEND_CORE_EDITOR_APPLY_EDIT_H_

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/requirement.h"
#include "core/gmn/metanetwork.h"
#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/mlp.h"

namespace amend {

struct EditSpec {
  Requirement requirement = Requirement::kPruning;
  // kMasksOnly, kNeuronsOnly: the kept parameters stay as they were.
  EditVariant variant = EditVariant::kWeightsAndMasks;
  // false: hard masks (edit time). true: straight-through masks.
  bool straight_through = false;
  // Temperature of the straight-through masks' sigmoid.
  double mask_temperature = 1.0;
  // Logistic noise on mask logits when straight_through; none when unset.
  std::optional<at::Generator> mask_noise;
  // Data minimisation over attributes of several inputs: each input's
  // attribute (InputAttributes::of_input). One mask decision per attribute,
  // from the mean of its inputs' mask logits; kept_fraction is the fraction
  // of attributes kept. Empty: every input is its own attribute.
  std::vector<int64_t> input_attribute;
};

struct EditedBatch {
  // Per graph, in batch order: the edited parameters (original names and
  // shapes) and the masks (mask.input, or mask.<weight name>; empty for
  // fairness). Differentiable when the inputs require grad.
  std::vector<TensorMap> parameters;
  std::vector<TensorMap> masks;
  // [G]: fraction of masked units kept per graph (features for data
  // minimisation, weights for pruning; 1 for fairness). Its value is the hard
  // fraction; in straight-through mode its gradient is the soft one.
  at::Tensor kept_fraction;
};

// InvalidArgument naming the field when `spec` cannot edit models of
// `architecture`: fairness without weight edits, neurons removed for another
// requirement than pruning, attributes not one per input.
absl::Status CheckEditSpec(const EditSpec& spec,
                           const Architecture& architecture);

// REQUIRES: batch == BatchGraphs(graphs); output from a metanetwork run on it.
absl::StatusOr<EditedBatch> ApplyEdit(
    const std::vector<const ParameterGraph*>& graphs, const GraphBatch& batch,
    const MetanetworkOutput& output, const EditSpec& spec);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_APPLY_EDIT_H_

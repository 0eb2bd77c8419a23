// File: core/baselines/neuron_pruning.h
//
// Structured magnitude pruning: whole hidden neurons go, smallest first, as
// torch.nn.utils.prune.ln_structured does per layer, but in one ranking over
// every hidden layer so that it can be matched to a number of weights kept.
// A neuron's score is ||incoming weights||_2 x ||outgoing weights||_2 (layer,
// skip and head weights; the product is invariant to moving a positive scale
// through a ReLU). A removed neuron's incoming and outgoing weights are
// masked, as the pruning editor's neuron variants do, so compaction
// (core/mlp/compact.h) removes it. No fine-tuning follows. The baseline the
// neuron editors are compared with at the same number of weights kept.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Mlp pruned, NeuronMagnitudePrune(mlp, 500));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_BASELINES_NEURON_PRUNING_H_
#define AMEND_CORE_BASELINES_NEURON_PRUNING_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/mlp/mlp.h"

namespace amend {

// Removes neurons in ascending score order (ties: the neuron that comes
// first, in graph order) while at least `min_weights_kept` weights stay
// unmasked: a neuron whose removal would go below it is skipped and the next
// one tried, and every hidden layer keeps one neuron. So the result keeps at
// least `min_weights_kept` weights and, being coarser than single weights,
// usually a few more. Existing weight masks are honoured (a masked weight
// stays masked and is not counted) and replaced by the result's; mask.input
// stays. When earlier masks already keep fewer than `min_weights_kept`,
// nothing more is removed. InvalidArgument unless 0 <= min_weights_kept <=
// number of weights, or when the parameters or masks do not match the
// architecture.
absl::StatusOr<Mlp> NeuronMagnitudePrune(const Mlp& mlp,
                                         int64_t min_weights_kept);

}  // namespace amend

#endif  // AMEND_CORE_BASELINES_NEURON_PRUNING_H_

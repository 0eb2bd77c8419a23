// File: core/baselines/score_pruning.h
//
// Pruning baselines that rank weights by a score and keep the highest
// (../shared/research/baselines.md §3): every weight tensor (layer, skip and
// head weights) competes in one global ranking, as
// torch.nn.utils.prune.global_unstructured does; biases and norm parameters
// are never pruned. No fine-tuning follows (Lottery Ticket, which retrains,
// is in lottery_ticket.h).
//   Random:    uniform scores from a seeded generator.
//   Magnitude: |w| (magnitude_pruning.h).
//   Gradient:  |dL/dw| of the mean cross-entropy against the true labels over
//              the given rows (the gradient summed over the data, then its
//              magnitude: Intel Neural Compressor's GradientCriterion).
//   SNIP:      |w * dL/dw| over one mini-batch (Lee et al. 2019; the
//              reference code's global normalisation does not change the
//              ranking). Deviation: the reference also scores and prunes
//              biases; here, as for every pruning method, only weights.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(TensorMap scores, SnipScores(mlp, batch));
//   AMEND_ASSIGN_OR_RETURN(Mlp pruned, PruneByScores(mlp, scores, 500));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_BASELINES_SCORE_PRUNING_H_
#define AMEND_CORE_BASELINES_SCORE_PRUNING_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"

namespace amend {

// Keeps the `keep_count` weights of highest score over all weight tensors
// and zeroes the rest; ties go to the weight that comes first (tensor order
// of ExpectedTensors, row-major). Weight masks are replaced, other masks
// (mask.input) kept. `scores` holds one tensor per weight name,
// shaped like the weight. Returns the pruned model with mask.<weight> masks.
// InvalidArgument unless 0 <= keep_count <= number of weights and every
// weight has a score of its shape.
absl::StatusOr<Mlp> PruneByScores(const Mlp& mlp, const TensorMap& scores,
                                  int64_t keep_count);

// Uniform [0, 1) scores, one per weight, drawn in weight order.
absl::StatusOr<TensorMap> RandomScores(const Mlp& mlp, uint64_t seed);

// |w| per weight.
absl::StatusOr<TensorMap> MagnitudeScores(const Mlp& mlp);

// |dL/dw|, L = mean cross-entropy of the model (eval mode) on `data`.
absl::StatusOr<TensorMap> GradientScores(const Mlp& mlp,
                                         const SplitTensors& data);

// |w * dL/dw| on `data` (pass one mini-batch, 100 rows in the reference).
absl::StatusOr<TensorMap> SnipScores(const Mlp& mlp, const SplitTensors& data);

}  // namespace amend

#endif  // AMEND_CORE_BASELINES_SCORE_PRUNING_H_

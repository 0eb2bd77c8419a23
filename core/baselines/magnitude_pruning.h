// File: core/baselines/magnitude_pruning.h
//
// Global magnitude pruning (torch.nn.utils.prune.global_unstructured with
// L1Unstructured over every weight tensor: layer, skip and head weights;
// biases and norm parameters are never pruned), without fine-tuning. The
// baseline the pruning editor must beat at the same number of weights kept
// (../shared/research/baselines.md §3.2).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Mlp pruned,
//                          GlobalMagnitudePrune(mlp, /*keep=*/500));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_BASELINES_MAGNITUDE_PRUNING_H_
#define AMEND_CORE_BASELINES_MAGNITUDE_PRUNING_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/mlp/mlp.h"

namespace amend {

// Keeps the `keep_count` weights of largest |w| over all weight tensors and
// zeroes the rest; ties go to the weight that comes first (tensor order of
// ExpectedTensors, row-major). Returns the pruned model with mask.<weight>
// masks. InvalidArgument unless 0 <= keep_count <= number of weights.
absl::StatusOr<Mlp> GlobalMagnitudePrune(const Mlp& mlp, int64_t keep_count);

}  // namespace amend

#endif  // AMEND_CORE_BASELINES_MAGNITUDE_PRUNING_H_

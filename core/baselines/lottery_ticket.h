// File: core/baselines/lottery_ticket.h
//
// Lottery Ticket pruning, the "simpler version with fewer iterations" the
// paper compares with (../shared/research/baselines.md §3.5): iterative
// global magnitude pruning with rewinding, after open_lth, adapted to a
// model that is already trained. Level l removes exactly ceil(f * remaining)
// of the still-unpruned weights (open_lth's threshold removes one more),
// those of smallest magnitude in the level l-1
// model; the kept weights rewind to the original's values (the trained model
// is our theta_0), and the model is retrained by distillation to the
// original (distillation.h). Weight tensors of every layer, skip and the head
// are prunable; biases and norm parameters are not.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<Mlp> levels,
//       LotteryTicketPrune(mlp, fit_data, {.levels = 5}));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_BASELINES_LOTTERY_TICKET_H_
#define AMEND_CORE_BASELINES_LOTTERY_TICKET_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/baselines/distillation.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"

namespace amend {

struct LotteryTicketOptions {
  int levels = 5;
  // Fraction of the remaining weights each level removes (open_lth: 0.2;
  // 0.4 reaches the sparsities the editors are compared at in 5 levels).
  double prune_fraction = 0.4;
  DistillationOptions retraining = {.epochs = 2};
};

// One pruned and retrained model per level, in order of increasing sparsity.
absl::StatusOr<std::vector<Mlp>> LotteryTicketPrune(
    const Mlp& mlp, const SplitTensors& data,
    const LotteryTicketOptions& options);

// Weights level `level` keeps out of `total`: each level removes
// ceil(fraction * remaining).
int64_t LotteryTicketKeptWeights(int64_t total, double prune_fraction,
                                 int level);

}  // namespace amend

#endif  // AMEND_CORE_BASELINES_LOTTERY_TICKET_H_

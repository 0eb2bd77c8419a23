#include "core/baselines/magnitude_pruning.h"

#include "core/baselines/score_pruning.h"
#include "core/util/status_macros.h"

namespace amend {

absl::StatusOr<Mlp> GlobalMagnitudePrune(const Mlp& mlp, int64_t keep_count) {
  AMEND_ASSIGN_OR_RETURN(const TensorMap scores, MagnitudeScores(mlp));
  return PruneByScores(mlp, scores, keep_count);
}

}  // namespace amend

#include "core/baselines/lottery_ticket.h"

#include <ATen/ATen.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/baselines/score_pruning.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

int64_t LotteryTicketKeptWeights(int64_t total, double prune_fraction,
                                 int level) {
  int64_t remaining = total;
  for (int l = 0; l < level; ++l) {
    remaining -= static_cast<int64_t>(
        std::ceil(prune_fraction * static_cast<double>(remaining)));
  }
  return remaining;
}

absl::StatusOr<std::vector<Mlp>> LotteryTicketPrune(
    const Mlp& mlp, const SplitTensors& data,
    const LotteryTicketOptions& options) {
  if (options.levels < 1 ||
      !(options.prune_fraction > 0 && options.prune_fraction < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options: need levels >= 1 and 0 < prune_fraction < 1, got ",
        options.levels, " and ", options.prune_fraction));
  }
  const int64_t total = CountWeights(mlp.architecture);
  std::vector<Mlp> levels;
  Mlp current = mlp;
  for (int level = 1; level <= options.levels; ++level) {
    // Scores: |w| of the current model, with already pruned weights below
    // every unpruned one so that they stay pruned.
    AMEND_ASSIGN_OR_RETURN(TensorMap scores, MagnitudeScores(current));
    AMEND_RETURN_IF_ERROR(CallTorch("lottery ticket scores", [&]() {
      for (auto& [name, score] : scores) {
        if (auto it = current.masks.find(MaskName(name));
            it != current.masks.end()) {
          score = at::where(it->second > 0, score.to(at::kDouble),
                            at::full_like(score, -1.0, at::kDouble));
        }
      }
      return absl::OkStatus();
    }));
    AMEND_ASSIGN_OR_RETURN(
        Mlp pruned, PruneByScores(current, scores,
                                  LotteryTicketKeptWeights(
                                      total, options.prune_fraction, level)));
    // Rewind: the original's values under the new mask.
    Mlp rewound = mlp;
    rewound.masks = pruned.masks;
    for (const auto& [mask_name, mask] : pruned.masks) {
      const std::string name = mask_name.substr(sizeof(kMaskPrefix) - 1);
      rewound.parameters[name] = mlp.parameters.at(name) * mask;
    }
    DistillationOptions retraining = options.retraining;
    retraining.seed = options.retraining.seed + static_cast<uint64_t>(level);
    AMEND_ASSIGN_OR_RETURN(current,
                           DistilStudent(mlp, rewound, data, retraining));
    levels.push_back(current);
  }
  return levels;
}

}  // namespace amend

// RunPruningBaselines (panel_runs.h).
#include <ATen/ATen.h>

#include <cmath>
#include <map>

#include "absl/strings/str_format.h"
#include "core/baselines/lottery_ticket.h"
#include "core/baselines/neuron_pruning.h"
#include "core/baselines/score_pruning.h"
#include "core/mlp/parameter_layout.h"
#include "core/reports/panel_runs.h"
#include "core/reports/run_helpers.h"
#include "core/util/status_macros.h"

namespace amend {

namespace {

// Method names as the points report them; PruningBaselineMethods lists them.
const std::vector<std::string>& ScoredMethods() {
  static const auto* methods =
      new std::vector<std::string>{"random", "magnitude", "gradient", "snip"};
  return *methods;
}
constexpr char kNeuronMethod[] = "neuron_magnitude";
constexpr char kLotteryMethod[] = "lottery_ticket";

}  // namespace

std::vector<std::string> PruningBaselineMethods() {
  std::vector<std::string> methods = ScoredMethods();
  methods.push_back(kNeuronMethod);
  methods.push_back(kLotteryMethod);
  return methods;
}

absl::StatusOr<std::vector<MethodPoint>> RunPruningBaselines(
    const std::vector<const Mlp*>& models, const PanelData& data,
    const PruningSweep& sweep, const PanelProgress& progress) {
  for (double fraction : sweep.keep_fractions) {
    if (!(fraction >= 0 && fraction <= 1)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "keep_fractions: each must be in [0, 1], got %g", fraction));
    }
  }
  const SplitTensors snip_batch = FirstRows(data.fit, sweep.snip_batch_rows);
  // [method][fraction index] -> outcomes
  const std::vector<std::string>& scored = ScoredMethods();
  std::map<std::string, std::vector<std::vector<EditOutcome>>> outcomes;
  for (const std::string& method : scored) {
    outcomes[method].resize(sweep.keep_fractions.size());
  }
  // Whole neurons by ||in|| x ||out||: the baseline of the neuron editors.
  std::vector<std::vector<EditOutcome>> neurons(sweep.keep_fractions.size());
  std::vector<std::vector<EditOutcome>> lottery(sweep.lottery.levels);
  for (size_t m = 0; m < models.size(); ++m) {
    const Mlp& model = *models[m];
    const int64_t total = CountWeights(model.architecture);
    for (const std::string& method : scored) {
      const Stopwatch score_watch;
      absl::StatusOr<TensorMap> scores =
          method == "random"      ? RandomScores(model, sweep.seed + m)
          : method == "magnitude" ? MagnitudeScores(model)
          : method == "gradient"  ? GradientScores(model, data.fit)
                                  : SnipScores(model, snip_batch);
      if (!scores.ok()) return scores.status();
      const double score_seconds = score_watch.Seconds();
      for (size_t f = 0; f < sweep.keep_fractions.size(); ++f) {
        const Stopwatch prune_watch;
        const int64_t keep = KeptCount(sweep.keep_fractions[f], total);
        AMEND_ASSIGN_OR_RETURN(Mlp pruned, PruneByScores(model, *scores, keep));
        AMEND_ASSIGN_OR_RETURN(
            EditOutcome outcome,
            WeightEditOutcome(Requirement::kPruning, model, pruned, data.test,
                              score_seconds + prune_watch.Seconds()));
        outcomes[method][f].push_back(outcome);
      }
    }
    for (size_t f = 0; f < sweep.keep_fractions.size(); ++f) {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(
          Mlp pruned, NeuronMagnitudePrune(
                          model, KeptCount(sweep.keep_fractions[f], total)));
      AMEND_ASSIGN_OR_RETURN(
          EditOutcome outcome,
          WeightEditOutcome(Requirement::kPruning, model, pruned, data.test,
                            watch.Seconds()));
      neurons[f].push_back(outcome);
    }
    // Lottery Ticket: level l's time is the time to reach it (levels are
    // sequential).
    LotteryTicketOptions options = sweep.lottery;
    options.retraining.seed = sweep.seed + 1000 * m;
    const Stopwatch lottery_watch;
    AMEND_ASSIGN_OR_RETURN(std::vector<Mlp> levels,
                           LotteryTicketPrune(model, data.fit, options));
    const double lottery_seconds = lottery_watch.Seconds();
    for (size_t l = 0; l < levels.size(); ++l) {
      AMEND_ASSIGN_OR_RETURN(
          EditOutcome outcome,
          WeightEditOutcome(Requirement::kPruning, model, levels[l], data.test,
                            lottery_seconds * static_cast<double>(l + 1) /
                                static_cast<double>(levels.size())));
      lottery[l].push_back(outcome);
    }
    if (progress) progress("pruning baselines", m + 1, models.size());
  }
  std::vector<MethodPoint> points;
  for (const std::string& method : scored) {
    for (size_t f = 0; f < sweep.keep_fractions.size(); ++f) {
      points.push_back(SummarisePoint(method,
                                      Setting("keep", sweep.keep_fractions[f]),
                                      outcomes[method][f]));
    }
  }
  for (size_t f = 0; f < sweep.keep_fractions.size(); ++f) {
    points.push_back(SummarisePoint(
        kNeuronMethod, Setting("keep", sweep.keep_fractions[f]), neurons[f]));
  }
  for (size_t l = 0; l < lottery.size(); ++l) {
    points.push_back(SummarisePoint(
        kLotteryMethod, Setting("level", static_cast<double>(l + 1)),
        lottery[l]));
  }
  return points;
}

}  // namespace amend

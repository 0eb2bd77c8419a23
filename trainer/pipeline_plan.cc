#include "trainer/pipeline_plan.h"

#include "absl/strings/str_cat.h"

namespace amend::trainer {

const std::vector<double>& PipelinePlan::Lambdas(
    Requirement requirement) const {
  switch (requirement) {
    case Requirement::kDataMinimisation:
      return data_minimisation_lambdas;
    case Requirement::kPruning:
      return pruning_lambdas;
    case Requirement::kFairness:
      break;
  }
  return fairness_lambdas;
}

absl::StatusOr<PipelinePlan> PlanForSize(const std::string& size) {
  PipelinePlan plan;
  plan.size = size;
  plan.zoo_epochs = ZooSearchSpace().epochs;
  if (size == "quick") {
    // scripts/reproduce.sh --quick's sizes: every step runs, nothing is good.
    plan.zoo_runs = 40;
    plan.zoo_epochs = 5;
    plan.zoo_max_rows = 2000;
    EditorTrainingOptions& options = plan.training.options;
    options.steps = 40;
    options.eval_every = 20;
    options.models_per_step = 4;
    options.points_per_step = 128;
    options.optimizer.learning_rate = 3e-3;
    options.max_validation_models = 6;
    options.max_test_models = 6;
    options.max_test_rows = 1000;
    plan.training.network.hidden = 16;
    plan.training.network.layers = 2;
    plan.training.network.mask_logit_init = 1;
    plan.data_minimisation_lambdas = {0.01, 0.1};
    plan.pruning_lambdas = {0.03, 0.3};
    plan.fairness_lambdas = {0.1, 1};
    plan.eval_max_models = 6;
    plan.eval_max_test_rows = 1000;
    plan.eval_max_fit_rows = 1000;
    plan.eval_retrain_epochs = 3;
    plan.eval_lottery_levels = 3;
    plan.eval_lottery_epochs = 1;
    return plan;
  }
  if (size == "standard" || size == "full") {
    const bool full = size == "full";
    plan.zoo_runs = full ? 3000 : 1000;
    plan.data_minimisation_lambdas =
        full ? std::vector<double>{0.003, 0.01, 0.03, 0.1, 0.3, 1}
             : std::vector<double>{0.003, 0.01, 0.03, 0.1};
    plan.pruning_lambdas =
        full ? std::vector<double>{0.003, 0.01, 0.03, 0.1, 0.3, 1}
             : std::vector<double>{0.01, 0.03, 0.1, 0.3};
    plan.fairness_lambdas =
        full ? std::vector<double>{0.01, 0.03, 0.1, 0.3, 1, 3}
             : std::vector<double>{0.03, 0.1, 0.3, 1};
    plan.eval_retrain_models = 100;  // FS & Retrain retrains every model
    return plan;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--size: must be quick, standard or full, got \"", size, "\""));
}

}  // namespace amend::trainer

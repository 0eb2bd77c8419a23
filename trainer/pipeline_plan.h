// File: trainer/pipeline_plan.h
//
// What `amend-trainer pipeline` runs at each size: how big the zoo is, how
// long each editor trains, which λs each requirement sweeps, and how much of
// the held-out zoo the report evaluates.
//   quick     a smoke run of the whole chain in a few minutes (CI); its
//             editors are demo-size and lose to baselines
//   standard  the paper's protocol at our scale: 1,000 zoo runs, 1,500 steps
//             per editor, four λs per requirement (hours on 2 cores)
//   full      3,000 zoo runs, six λs per requirement
//
// Thread-safe (pure functions).
#ifndef AMEND_TRAINER_PIPELINE_PLAN_H_
#define AMEND_TRAINER_PIPELINE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/requirement.h"
#include "trainer/commands.h"

namespace amend::trainer {

struct PipelinePlan {
  std::string size;
  int64_t zoo_runs = 0;
  int zoo_epochs = 0;
  int64_t zoo_max_rows = 0;  // 0: every row
  // Settings of every editor (task, zoo and requirement are set per step).
  EditorTrainingCommandOptions training;
  // The λs of each requirement.
  std::vector<double> data_minimisation_lambdas;
  std::vector<double> pruning_lambdas;
  std::vector<double> fairness_lambdas;
  // Report sizes (EvalCommandOptions' fields of the same names; 0 = all).
  int64_t eval_max_models = 0;
  int64_t eval_max_test_rows = 0;
  int64_t eval_max_fit_rows = 0;
  int64_t eval_retrain_models = 0;
  int eval_retrain_epochs = 0;  // 0: the baseline's default
  int eval_lottery_levels = 0;  // 0: the baseline's default
  int eval_lottery_epochs = 0;  // 0: the baseline's default

  const std::vector<double>& Lambdas(Requirement requirement) const;
};

// "quick", "standard" or "full"; InvalidArgument otherwise.
absl::StatusOr<PipelinePlan> PlanForSize(const std::string& size);

}  // namespace amend::trainer

#endif  // AMEND_TRAINER_PIPELINE_PLAN_H_

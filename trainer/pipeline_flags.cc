// The flags of amend-trainer pipeline. The baselines' defaults come from
// their core options (LibTorch headers), as in eval_flags.cc.
#include "absl/flags/flag.h"
#include "core/baselines/distillation.h"
#include "core/baselines/lottery_ticket.h"
#include "core/util/status_macros.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

ABSL_FLAG(std::string, size, "quick",
          "pipeline: quick (a few minutes, demo-size editors), standard "
          "(1,000 zoo runs, four lambdas per requirement) or full (3,000 "
          "runs, six lambdas).");
ABSL_FLAG(std::string, editors_out, "",
          "pipeline: where the editors go, as <dir>/<task>/<requirement>/"
          "<lambda> (default <out>/editors); e.g. the folder amend-server "
          "polls.");
ABSL_FLAG(std::vector<std::string>, requirements, {},
          "pipeline: comma-separated requirements (default: "
          "data_minimisation, pruning, and fairness when the task has a "
          "sensitive attribute).");

namespace amend::trainer {
namespace {

absl::StatusOr<PipelineCommandOptions> PipelineOptionsFromFlags() {
  PipelineCommandOptions options;
  options.task = absl::GetFlag(FLAGS_task);
  options.data_dir = DataDirFromFlags();
  options.tasks_dir = TasksDirFromFlags();
  options.output_dir = OutFromFlags();
  options.size = absl::GetFlag(FLAGS_size);
  options.requirements = absl::GetFlag(FLAGS_requirements);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.workers = absl::GetFlag(FLAGS_workers);
  options.editors_dir = absl::GetFlag(FLAGS_editors_out);
  AMEND_ASSIGN_OR_RETURN(options.space, SearchSpaceFromFlags());
  options.retrain_epochs = DistillationOptions().epochs;
  options.lottery_levels = LotteryTicketOptions().levels;
  options.lottery_epochs = LotteryTicketOptions().retraining.epochs;
  AMEND_RETURN_IF_ERROR(RequireFlag(options.task, "task"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_dir, "out"));
  return options;
}

}  // namespace

Subcommand PipelineSubcommand() {
  return {"pipeline",
          "--task T --out DIR [--size quick|standard|full] [--requirements "
          "R1,R2]   zoo, editors, reports and a served editors folder in one "
          "resumable command",
          {"task", "data_dir", "tasks_dir", "out", "o", "size", "requirements",
           "seed", "workers", "editors_out", "depths", "widths", "activations",
           "norms", "max_skips"},
          [] {
            return RunWithOptions("pipeline", PipelineOptionsFromFlags(),
                                  RunPipelineCommand);
          }};
}

}  // namespace amend::trainer

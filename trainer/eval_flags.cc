// The flags of amend-trainer eval. Baseline defaults come from the core
// baseline options, so they are written once.
#include "absl/flags/flag.h"
#include "core/baselines/distillation.h"
#include "core/baselines/lottery_ticket.h"
#include "core/util/status_macros.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

ABSL_FLAG(std::vector<std::string>, editors, {},
          "eval: comma-separated editor folders, each DIR or NAME=DIR; a "
          "folder of editors (one per lambda, as sweep writes) gives one "
          "point each.");
ABSL_FLAG(bool, baselines, true,
          "eval: also run every baseline of the requirement (false: editors "
          "only).");
ABSL_FLAG(std::string, compose_after, "",
          "eval: a data-minimisation editor folder; with --requirement "
          "pruning, every model is minimised by it first and the pruning "
          "editors are compared with FS followed by magnitude or SNIP "
          "pruning (the paper's fig. 8).");
ABSL_FLAG(int64_t, max_fit_rows, 0,
          "eval: > 0 uses only the first max_fit_rows validation rows to fit "
          "the baselines.");
ABSL_FLAG(int64_t, retrain_models, 0,
          "eval: > 0 runs FS & Retrain on only the first retrain_models "
          "models.");
ABSL_FLAG(int, retrain_epochs, amend::DistillationOptions().epochs,
          "eval: FS & Retrain distillation epochs.");
ABSL_FLAG(int, lottery_levels, amend::LotteryTicketOptions().levels,
          "eval: Lottery Ticket pruning levels (40% of what remains each).");
ABSL_FLAG(int, lottery_epochs, amend::LotteryTicketOptions().retraining.epochs,
          "eval: Lottery Ticket retraining epochs per level.");

namespace amend::trainer {
namespace {

absl::StatusOr<EvalCommandOptions> EvalOptionsFromFlags() {
  AMEND_ASSIGN_OR_RETURN(const ZooRunFlags run, ZooRunFromFlags());
  EvalCommandOptions options;
  options.task = run.task;
  options.data_dir = run.data_dir;
  options.tasks_dir = run.tasks_dir;
  options.zoo_dir = run.zoo_dir;
  options.requirement = run.requirement;
  options.output_dir = run.output_dir;
  options.editors = absl::GetFlag(FLAGS_editors);
  options.max_models = absl::GetFlag(FLAGS_max_test_models);
  options.max_test_rows = absl::GetFlag(FLAGS_max_test_rows);
  options.max_fit_rows = absl::GetFlag(FLAGS_max_fit_rows);
  options.baselines = absl::GetFlag(FLAGS_baselines);
  options.compose_after = absl::GetFlag(FLAGS_compose_after);
  options.retrain_models = absl::GetFlag(FLAGS_retrain_models);
  options.retrain_epochs = absl::GetFlag(FLAGS_retrain_epochs);
  options.lottery_levels = absl::GetFlag(FLAGS_lottery_levels);
  options.lottery_epochs = absl::GetFlag(FLAGS_lottery_epochs);
  options.seed = absl::GetFlag(FLAGS_seed);
  if (options.editors.empty() && !options.baselines) {
    return absl::InvalidArgumentError(
        "nothing to run: give --editors or keep --baselines");
  }
  if (options.retrain_epochs < 0 || options.lottery_levels < 1 ||
      options.lottery_epochs < 0) {
    return absl::InvalidArgumentError(
        "--retrain_epochs and --lottery_epochs must be >= 0, "
        "--lottery_levels >= 1");
  }
  return options;
}

}  // namespace

Subcommand EvalSubcommand() {
  return {"eval",
          "--task T --requirement R --zoo DIR --editors DIR --out DIR   "
          "editors against every baseline",
          {"task", "data_dir", "tasks_dir", "zoo", "requirement", "editors",
           "out", "o", "max_test_models", "max_test_rows", "max_fit_rows",
           "baselines", "compose_after", "retrain_models", "retrain_epochs",
           "lottery_levels", "lottery_epochs", "seed"},
          [] {
            return RunWithOptions("eval", EvalOptionsFromFlags(),
                                  RunEvalCommand);
          }};
}

}  // namespace amend::trainer

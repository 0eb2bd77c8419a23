// The flags of amend-trainer train, sweep and edit. Defaults come from the
// core options structs, so they are written once.
#include <optional>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/editor/editor_config.h"
#include "core/gmn/metanetwork_options.h"
#include "core/training/editor_trainer_options.h"
#include "core/util/status_macros.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

namespace {
const amend::EditorTrainingOptions kTraining;
const amend::MetanetworkOptions kNetwork;
const amend::EditorConfig kConfig;
}  // namespace

ABSL_FLAG(std::string, variant, "",
          "train, sweep: mask_and_edit | mask_only (data_minimisation), "
          "prune_and_edit | prune_only | prune_neurons_and_edit | "
          "prune_neurons_only (pruning; the neuron variants remove whole "
          "neurons), edit (fairness). Default: the editing variant.");
ABSL_FLAG(std::optional<std::string>, lambda, std::nullopt,
          "train: weight of the requirement term in JSD + lambda * R; a "
          "finite number >= 0, read as each of --lambdas is.");
ABSL_FLAG(std::vector<std::string>, lambdas, {},
          "sweep: comma-separated lambdas, one editor each.");
ABSL_FLAG(int64_t, steps, kTraining.steps, "train, sweep: optimisation steps.");
ABSL_FLAG(int64_t, models_per_step, kTraining.models_per_step,
          "train, sweep: zoo models per minibatch.");
ABSL_FLAG(int64_t, points_per_step, kTraining.points_per_step,
          "train, sweep: data points per minibatch (from half the task's "
          "validation split).");
ABSL_FLAG(double, learning_rate, kTraining.optimizer.learning_rate,
          "train, sweep: AdamW learning rate.");
ABSL_FLAG(int64_t, warmup_steps, kTraining.optimizer.warmup_steps,
          "train, sweep: linear learning-rate warm-up steps.");
ABSL_FLAG(int64_t, hidden, kNetwork.hidden,
          "train, sweep: metanetwork width d.");
ABSL_FLAG(int64_t, layers, kNetwork.layers,
          "train, sweep: bidirectional message-passing layers.");
ABSL_FLAG(double, mask_logit_init, kNetwork.mask_logit_init,
          "train, sweep: initial mask logit (> 0 starts with everything "
          "kept; lower starts pruning sooner).");
ABSL_FLAG(double, mask_temperature, kConfig.mask_temperature,
          "train, sweep: temperature of the straight-through masks.");
ABSL_FLAG(double, fairness_temperature, kConfig.fairness_temperature,
          "train, sweep: temperature of the softmax the soft EOD reads.");
ABSL_FLAG(
    std::string, scalarisation,
    amend::ScalarisationName(amend::EditorTrainingOptions().scalarisation),
    "train, sweep: linear (minimise JSD + lambda R) or epo (Exact "
    "Pareto Optimal search towards JSD = lambda R).");
ABSL_FLAG(int64_t, eval_every, kTraining.eval_every,
          "train, sweep: steps between model-selection evaluations.");
ABSL_FLAG(int64_t, checkpoint_every, kTraining.checkpoint_every,
          "train, sweep: steps between saved training states (resume).");
ABSL_FLAG(int64_t, max_train_models, kTraining.max_train_models,
          "train, sweep: use at most this many training-split zoo models "
          "(0 = all).");
ABSL_FLAG(int64_t, max_validation_models, kTraining.max_validation_models,
          "train, sweep: at most this many validation-split zoo models "
          "(0 = all).");
ABSL_FLAG(std::string, editor, "",
          "edit: the editor folder (editor.json and editor.safetensors).");

namespace amend::trainer {
namespace {

// The flags train and sweep share (TrainSubcommand and SweepSubcommand add
// their λ flags).
std::vector<std::string> TrainingFlags() {
  return {"task",
          "data_dir",
          "tasks_dir",
          "zoo",
          "requirement",
          "variant",
          "out",
          "o",
          "seed",
          "steps",
          "models_per_step",
          "points_per_step",
          "learning_rate",
          "warmup_steps",
          "hidden",
          "layers",
          "mask_logit_init",
          "mask_temperature",
          "fairness_temperature",
          "scalarisation",
          "eval_every",
          "checkpoint_every",
          "max_train_models",
          "max_validation_models",
          "max_test_models",
          "max_test_rows"};
}

EditorTrainingOptions TrainingOptionsFromFlags() {
  EditorTrainingOptions options;
  options.steps = absl::GetFlag(FLAGS_steps);
  options.models_per_step = absl::GetFlag(FLAGS_models_per_step);
  options.points_per_step = absl::GetFlag(FLAGS_points_per_step);
  options.optimizer.learning_rate = absl::GetFlag(FLAGS_learning_rate);
  options.optimizer.warmup_steps = absl::GetFlag(FLAGS_warmup_steps);
  options.eval_every = absl::GetFlag(FLAGS_eval_every);
  options.checkpoint_every = absl::GetFlag(FLAGS_checkpoint_every);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.max_train_models = absl::GetFlag(FLAGS_max_train_models);
  options.max_validation_models = absl::GetFlag(FLAGS_max_validation_models);
  options.max_test_models = absl::GetFlag(FLAGS_max_test_models);
  options.max_test_rows = absl::GetFlag(FLAGS_max_test_rows);
  return options;
}

// What train and sweep share; their output folder is --out.
absl::StatusOr<EditorTrainingCommandOptions> EditorTrainingFromFlags() {
  AMEND_ASSIGN_OR_RETURN(const ZooRunFlags run, ZooRunFromFlags());
  EditorTrainingCommandOptions training;
  training.task = run.task;
  training.data_dir = run.data_dir;
  training.tasks_dir = run.tasks_dir;
  training.zoo_dir = run.zoo_dir;
  training.requirement = run.requirement;
  training.variant = absl::GetFlag(FLAGS_variant);
  training.network.hidden = absl::GetFlag(FLAGS_hidden);
  training.network.layers = absl::GetFlag(FLAGS_layers);
  training.network.mask_logit_init = absl::GetFlag(FLAGS_mask_logit_init);
  training.mask_temperature = absl::GetFlag(FLAGS_mask_temperature);
  training.fairness_temperature = absl::GetFlag(FLAGS_fairness_temperature);
  training.options = TrainingOptionsFromFlags();
  const std::string scalarisation = absl::GetFlag(FLAGS_scalarisation);
  absl::StatusOr<Scalarisation> parsed = ParseScalarisation(scalarisation);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--scalarisation must be linear or epo, got \"", scalarisation, "\""));
  }
  training.options.scalarisation = *parsed;
  return training;
}

absl::StatusOr<TrainCommandOptions> TrainOptionsFromFlags() {
  AMEND_ASSIGN_OR_RETURN(EditorTrainingCommandOptions training,
                         EditorTrainingFromFlags());
  const std::optional<std::string> lambda = absl::GetFlag(FLAGS_lambda);
  if (!lambda.has_value()) {
    return absl::InvalidArgumentError("--lambda is required");
  }
  TrainCommandOptions options{std::move(training), 0.0, OutFromFlags()};
  AMEND_ASSIGN_OR_RETURN(options.lambda, ParseLambda(*lambda, "lambda"));
  return options;
}

absl::StatusOr<SweepCommandOptions> SweepOptionsFromFlags() {
  AMEND_ASSIGN_OR_RETURN(EditorTrainingCommandOptions training,
                         EditorTrainingFromFlags());
  SweepCommandOptions options{
      std::move(training), {}, OutFromFlags(), absl::GetFlag(FLAGS_workers)};
  for (const std::string& text : absl::GetFlag(FLAGS_lambdas)) {
    AMEND_ASSIGN_OR_RETURN(const double lambda, ParseLambda(text, "lambdas"));
    options.lambdas.push_back(lambda);
  }
  if (options.lambdas.empty()) {
    return absl::InvalidArgumentError("--lambdas is required");
  }
  return options;
}

absl::StatusOr<EditCommandOptions> EditOptionsFromFlags() {
  EditCommandOptions options{absl::GetFlag(FLAGS_editor),
                             absl::GetFlag(FLAGS_model), OutFromFlags()};
  AMEND_RETURN_IF_ERROR(RequireFlag(options.editor_dir, "editor"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.model_path, "model"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_path, "out"));
  return options;
}

}  // namespace

Subcommand TrainSubcommand() {
  std::vector<std::string> flags = TrainingFlags();
  flags.push_back("lambda");
  return {"train",
          "--task T --requirement R --lambda L --zoo DIR --out DIR   train "
          "(or resume) one editor",
          flags, [] {
            return RunWithOptions("train", TrainOptionsFromFlags(),
                                  RunTrainCommand);
          }};
}

Subcommand SweepSubcommand() {
  std::vector<std::string> flags = TrainingFlags();
  flags.push_back("lambdas");
  flags.push_back("workers");
  return {"sweep",
          "--task T --requirement R --lambdas L1,L2,... --zoo DIR --out DIR   "
          "one editor per lambda, and their Pareto front",
          flags, [] {
            return RunWithOptions("sweep", SweepOptionsFromFlags(),
                                  RunSweepCommand);
          }};
}

Subcommand EditSubcommand() {
  return {"edit",
          "--editor DIR --model IN.safetensors -o OUT.safetensors   edit a "
          "model file offline",
          {"editor", "model", "out", "o"},
          [] {
            return RunWithOptions("edit", EditOptionsFromFlags(),
                                  RunEditCommand);
          }};
}

}  // namespace amend::trainer

// amend-trainer: builds the data views, the MLP zoo and the editors.
//
//   amend-trainer data    --task adult|bank            JSON summary of a task
//   amend-trainer forward --model M --input X.csv --out P.csv
//   amend-trainer init    --architecture JSON --seed S --out M
//   amend-trainer zoo     --task T --runs N --seed S --out DIR [--epochs E]
//   [--shard i/n] amend-trainer zoo-merge --zoo DIR
//
// Flags live here and only here; each subcommand receives a plain options
// struct.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/util/allocator.h"
#include "core/util/threads.h"
#include "trainer/commands.h"

ABSL_FLAG(std::string, task, "", "Task name: adult or bank.");
ABSL_FLAG(std::string, data_dir, "",
          "Folder with the bundled datasets and their SHA256SUMS. Default: "
          "$AMEND_DATA_DIR, else "
          "the data/ folder of the source tree this binary was built from.");
ABSL_FLAG(std::string, format, "json", "data: output format, json or text.");
ABSL_FLAG(std::string, architecture, "",
          "init: the architecture JSON (docs/MODEL_FORMAT.md).");
ABSL_FLAG(uint64_t, seed, 0,
          "Seed of every random choice; the same seed gives the same result.");
ABSL_FLAG(int64_t, runs, 1000,
          "zoo: number of training runs (3 checkpoints each).");
ABSL_FLAG(int, epochs, 60, "zoo: epochs per run.");
ABSL_FLAG(std::string, shard, "0/1",
          "zoo: i/n trains runs i, i+n, ... (e.g. a Kubernetes Indexed Job's "
          "completion index).");
ABSL_FLAG(int, group_size, 32,
          "zoo: at most this many runs are trained together as one stacked "
          "model (fewer for "
          "large batch sizes); 1 trains one run at a time.");
ABSL_FLAG(std::string, trainer, "fused",
          "zoo: fused (hand-written passes, fastest) or libtorch (autograd, "
          "runs stacked in "
          "groups of --group_size); both compute the same training.");
ABSL_FLAG(int, workers, 0,
          "zoo: groups trained in parallel; sweep: editors trained in "
          "parallel; 0 = one per core.");
ABSL_FLAG(int64_t, max_rows, 0,
          "zoo: > 0 uses only the first max_rows rows of every data split "
          "(tests, quick demos).");
ABSL_FLAG(int, threads, 0,
          "Intra-op threads of LibTorch; 0 = one per core. OpenBLAS is kept to "
          "one thread.");
ABSL_FLAG(std::string, model, "",
          "forward: model file (.safetensors, Amend MLP contract).");
ABSL_FLAG(std::string, input, "",
          "forward: CSV of numeric inputs, one row per example.");
ABSL_FLAG(std::string, out, "",
          "forward: output CSV of class probabilities; init: the model file to "
          "write; zoo: the "
          "zoo folder; train: the editor folder; sweep: the folder of one "
          "folder per lambda; edit: the edited model file.");
ABSL_FLAG(std::string, zoo, "",
          "zoo-merge: the zoo folder whose shard manifests to join; train, "
          "sweep: the zoo to train on.");
ABSL_FLAG(std::string, o, "", "Short for --out.");
ABSL_FLAG(std::string, requirement, "",
          "train, sweep: data_minimisation, fairness or pruning.");
ABSL_FLAG(std::string, variant, "",
          "train, sweep: mask_and_edit | mask_only (data_minimisation), "
          "prune_and_edit | prune_only (pruning), edit (fairness). Default: "
          "the editing variant.");
ABSL_FLAG(double, lambda, -1.0,
          "train: weight of the requirement term in JSD + lambda * R.");
ABSL_FLAG(std::vector<std::string>, lambdas, {},
          "sweep: comma-separated lambdas, one editor each.");
ABSL_FLAG(int64_t, steps, 1500, "train, sweep: optimisation steps.");
ABSL_FLAG(int64_t, models_per_step, 8,
          "train, sweep: zoo models per minibatch.");
ABSL_FLAG(int64_t, points_per_step, 256,
          "train, sweep: data points per minibatch (from half the task's "
          "validation split).");
ABSL_FLAG(double, learning_rate, 1e-3, "train, sweep: AdamW learning rate.");
ABSL_FLAG(int64_t, warmup_steps, 100,
          "train, sweep: linear learning-rate warm-up steps.");
ABSL_FLAG(int64_t, hidden, 32, "train, sweep: metanetwork width d.");
ABSL_FLAG(int64_t, layers, 3,
          "train, sweep: bidirectional message-passing layers.");
ABSL_FLAG(double, mask_logit_init, 3.0,
          "train, sweep: initial mask logit (> 0 starts with everything "
          "kept; lower starts pruning sooner).");
ABSL_FLAG(double, mask_temperature, 1.0,
          "train, sweep: temperature of the straight-through masks.");
ABSL_FLAG(double, fairness_temperature, 1.0,
          "train, sweep: temperature of the softmax the soft EOD reads.");
ABSL_FLAG(std::string, scalarisation, "linear",
          "train, sweep: linear (minimise JSD + lambda R) or epo (Exact "
          "Pareto Optimal search towards JSD = lambda R).");
ABSL_FLAG(int64_t, eval_every, 250,
          "train, sweep: steps between model-selection evaluations.");
ABSL_FLAG(int64_t, checkpoint_every, 50,
          "train, sweep: steps between saved training states (resume).");
ABSL_FLAG(int64_t, max_train_models, 0,
          "train, sweep: use at most this many training-split zoo models "
          "(0 = all).");
ABSL_FLAG(int64_t, max_validation_models, 0,
          "train, sweep: at most this many validation-split zoo models "
          "(0 = all).");
ABSL_FLAG(int64_t, max_test_models, 0,
          "train, sweep, eval: at most this many test-split zoo models for "
          "the final figures (0 = all).");
ABSL_FLAG(int64_t, max_test_rows, 0,
          "train, sweep, eval: at most this many rows of the task's test "
          "split for the final figures (0 = all).");
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
ABSL_FLAG(int, retrain_epochs, 100, "eval: FS & Retrain distillation epochs.");
ABSL_FLAG(int, lottery_levels, 5,
          "eval: Lottery Ticket pruning levels (40% of what remains each).");
ABSL_FLAG(int, lottery_epochs, 2,
          "eval: Lottery Ticket retraining epochs per level.");
ABSL_FLAG(std::string, editor, "",
          "edit: the editor folder (editor.json and editor.safetensors).");

namespace {

constexpr char kUsage[] =
    "amend-trainer SUBCOMMAND [flags]\n"
    "\n"
    "Subcommands:\n"
    "  data     --task adult|bank                  print a JSON summary of a "
    "task's data\n"
    "  forward  --model M --input X.csv --out P.csv  class probabilities of a "
    "model\n"
    "  init     --architecture JSON --seed S --out M   a freshly initialised "
    "model\n"
    "  zoo      --task T --runs N --seed S --out DIR    build (or resume) a "
    "zoo\n"
    "  zoo-merge --zoo DIR                             join shard manifests\n"
    "  train    --task T --requirement R --lambda L --zoo DIR --out DIR\n"
    "  sweep    --task T --requirement R --lambdas L1,L2,... --zoo DIR --out "
    "DIR\n"
    "  edit     --editor DIR --model IN.safetensors -o OUT.safetensors\n"
    "  eval     --task T --requirement R --zoo DIR --editors DIR --out DIR\n"
    "\n"
    "Run with --help for every flag.";

std::string DataDir() {
  std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("AMEND_DATA_DIR");
      env != nullptr && *env != '\0')
    return env;
  return AMEND_DEFAULT_DATA_DIR;
}

// --out, or its short form -o.
std::string OutFlag() {
  const std::string out = absl::GetFlag(FLAGS_out);
  return out.empty() ? absl::GetFlag(FLAGS_o) : out;
}

bool RequireFlag(const std::string& value, const char* flag,
                 const char* subcommand) {
  if (!value.empty()) return true;
  std::cerr << "amend-trainer " << subcommand << ": --" << flag
            << " is required\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  namespace trainer = amend::trainer;
  absl::SetProgramUsageMessage(kUsage);
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() != 2) {
    std::cerr << kUsage << "\n";
    return trainer::kExitUsage;
  }
  const std::string subcommand = positional[1];
  amend::TuneAllocatorForTensors();
  amend::ConfigureThreads(absl::GetFlag(FLAGS_threads));
  if (subcommand == "data") {
    const std::string format = absl::GetFlag(FLAGS_format);
    trainer::DataCommandOptions options{absl::GetFlag(FLAGS_task), DataDir(),
                                        format == "text"};
    if (!RequireFlag(options.task, "task", "data")) return trainer::kExitUsage;
    if (format != "json" && format != "text") {
      std::cerr << "amend-trainer data: --format must be json or text, got \""
                << format << "\"\n";
      return trainer::kExitUsage;
    }
    return trainer::RunDataCommand(options);
  }
  if (subcommand == "forward") {
    trainer::ForwardCommandOptions options{absl::GetFlag(FLAGS_model),
                                           absl::GetFlag(FLAGS_input),
                                           absl::GetFlag(FLAGS_out)};
    if (!RequireFlag(options.model_path, "model", "forward") ||
        !RequireFlag(options.input_path, "input", "forward") ||
        !RequireFlag(options.output_path, "out", "forward")) {
      return trainer::kExitUsage;
    }
    return trainer::RunForwardCommand(options);
  }
  if (subcommand == "init") {
    trainer::InitCommandOptions options{absl::GetFlag(FLAGS_architecture),
                                        absl::GetFlag(FLAGS_seed),
                                        absl::GetFlag(FLAGS_out)};
    if (!RequireFlag(options.architecture_json, "architecture", "init") ||
        !RequireFlag(options.output_path, "out", "init")) {
      return trainer::kExitUsage;
    }
    return trainer::RunInitCommand(options);
  }
  if (subcommand == "zoo") {
    trainer::ZooCommandOptions options;
    options.task = absl::GetFlag(FLAGS_task);
    options.data_dir = DataDir();
    options.output_dir = OutFlag();
    options.runs = absl::GetFlag(FLAGS_runs);
    options.seed = absl::GetFlag(FLAGS_seed);
    options.epochs = absl::GetFlag(FLAGS_epochs);
    options.group_size = absl::GetFlag(FLAGS_group_size);
    options.max_rows = absl::GetFlag(FLAGS_max_rows);
    options.workers = absl::GetFlag(FLAGS_workers);
    options.trainer = absl::GetFlag(FLAGS_trainer);
    if (!RequireFlag(options.task, "task", "zoo") ||
        !RequireFlag(options.output_dir, "out", "zoo")) {
      return trainer::kExitUsage;
    }
    const std::string shard = absl::GetFlag(FLAGS_shard);
    if (std::sscanf(shard.c_str(), "%d/%d", &options.shard_index,
                    &options.shard_count) != 2 ||
        options.shard_count < 1 || options.shard_index < 0 ||
        options.shard_index >= options.shard_count) {
      std::cerr
          << "amend-trainer zoo: --shard must be i/n with 0 <= i < n, got \""
          << shard << "\"\n";
      return trainer::kExitUsage;
    }
    if (options.runs < 1 || options.epochs < 1 || options.group_size < 1) {
      std::cerr << "amend-trainer zoo: --runs, --epochs and --group_size must "
                   "be >= 1\n";
      return trainer::kExitUsage;
    }
    return trainer::RunZooCommand(options);
  }
  if (subcommand == "train" || subcommand == "sweep") {
    trainer::EditorTrainingCommandOptions training;
    training.task = absl::GetFlag(FLAGS_task);
    training.data_dir = DataDir();
    training.zoo_dir = absl::GetFlag(FLAGS_zoo);
    training.requirement = absl::GetFlag(FLAGS_requirement);
    training.variant = absl::GetFlag(FLAGS_variant);
    training.options.steps = absl::GetFlag(FLAGS_steps);
    training.options.models_per_step = absl::GetFlag(FLAGS_models_per_step);
    training.options.points_per_step = absl::GetFlag(FLAGS_points_per_step);
    training.options.optimizer.learning_rate =
        absl::GetFlag(FLAGS_learning_rate);
    training.options.optimizer.warmup_steps = absl::GetFlag(FLAGS_warmup_steps);
    training.hidden = absl::GetFlag(FLAGS_hidden);
    training.layers = absl::GetFlag(FLAGS_layers);
    training.mask_temperature = absl::GetFlag(FLAGS_mask_temperature);
    training.mask_logit_init = absl::GetFlag(FLAGS_mask_logit_init);
    training.fairness_temperature = absl::GetFlag(FLAGS_fairness_temperature);
    training.options.eval_every = absl::GetFlag(FLAGS_eval_every);
    training.options.checkpoint_every = absl::GetFlag(FLAGS_checkpoint_every);
    training.options.seed = absl::GetFlag(FLAGS_seed);
    training.options.max_train_models = absl::GetFlag(FLAGS_max_train_models);
    training.options.max_validation_models =
        absl::GetFlag(FLAGS_max_validation_models);
    training.options.max_test_models = absl::GetFlag(FLAGS_max_test_models);
    training.options.max_test_rows = absl::GetFlag(FLAGS_max_test_rows);
    const std::string scalarisation = absl::GetFlag(FLAGS_scalarisation);
    if (scalarisation != "linear" && scalarisation != "epo") {
      std::cerr << "amend-trainer " << subcommand
                << ": --scalarisation must be linear or epo, got \""
                << scalarisation << "\"\n";
      return trainer::kExitUsage;
    }
    training.options.scalarisation = scalarisation == "epo"
                                         ? amend::Scalarisation::kEpo
                                         : amend::Scalarisation::kLinear;
    const std::string out = OutFlag();
    const char* name = subcommand.c_str();
    if (!RequireFlag(training.task, "task", name) ||
        !RequireFlag(training.zoo_dir, "zoo", name) ||
        !RequireFlag(training.requirement, "requirement", name) ||
        !RequireFlag(out, "out", name)) {
      return trainer::kExitUsage;
    }
    if (subcommand == "train") {
      const double lambda = absl::GetFlag(FLAGS_lambda);
      if (!(lambda >= 0)) {
        std::cerr << "amend-trainer train: --lambda is required and must be "
                     ">= 0\n";
        return trainer::kExitUsage;
      }
      return trainer::RunTrainCommand({training, lambda, out});
    }
    trainer::SweepCommandOptions sweep{
        training, {}, out, absl::GetFlag(FLAGS_workers)};
    for (const std::string& text : absl::GetFlag(FLAGS_lambdas)) {
      double lambda = 0;
      if (!absl::SimpleAtod(text, &lambda) || !(lambda >= 0)) {
        std::cerr << "amend-trainer sweep: --lambdas must be numbers >= 0, "
                     "got \""
                  << text << "\"\n";
        return trainer::kExitUsage;
      }
      sweep.lambdas.push_back(lambda);
    }
    if (sweep.lambdas.empty()) {
      std::cerr << "amend-trainer sweep: --lambdas is required\n";
      return trainer::kExitUsage;
    }
    return trainer::RunSweepCommand(sweep);
  }
  if (subcommand == "edit") {
    trainer::EditCommandOptions options{absl::GetFlag(FLAGS_editor),
                                        absl::GetFlag(FLAGS_model), OutFlag()};
    if (!RequireFlag(options.editor_dir, "editor", "edit") ||
        !RequireFlag(options.model_path, "model", "edit") ||
        !RequireFlag(options.output_path, "out", "edit")) {
      return trainer::kExitUsage;
    }
    return trainer::RunEditCommand(options);
  }
  if (subcommand == "eval") {
    trainer::EvalCommandOptions options;
    options.task = absl::GetFlag(FLAGS_task);
    options.data_dir = DataDir();
    options.zoo_dir = absl::GetFlag(FLAGS_zoo);
    options.requirement = absl::GetFlag(FLAGS_requirement);
    options.editors = absl::GetFlag(FLAGS_editors);
    options.output_dir = OutFlag();
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
    if (!RequireFlag(options.task, "task", "eval") ||
        !RequireFlag(options.zoo_dir, "zoo", "eval") ||
        !RequireFlag(options.requirement, "requirement", "eval") ||
        !RequireFlag(options.output_dir, "out", "eval")) {
      return trainer::kExitUsage;
    }
    if (options.editors.empty() && !options.baselines) {
      std::cerr << "amend-trainer eval: nothing to run: give --editors or "
                   "keep --baselines\n";
      return trainer::kExitUsage;
    }
    if (options.retrain_epochs < 0 || options.lottery_levels < 1 ||
        options.lottery_epochs < 0) {
      std::cerr << "amend-trainer eval: --retrain_epochs and "
                   "--lottery_epochs must be >= 0, --lottery_levels >= 1\n";
      return trainer::kExitUsage;
    }
    return trainer::RunEvalCommand(options);
  }
  if (subcommand == "zoo-merge") {
    const std::string zoo = absl::GetFlag(FLAGS_zoo);
    if (!RequireFlag(zoo, "zoo", "zoo-merge")) return trainer::kExitUsage;
    return trainer::RunZooMergeCommand(zoo);
  }
  std::cerr << "amend-trainer: unknown subcommand \"" << subcommand << "\"\n\n"
            << kUsage << "\n";
  return trainer::kExitUsage;
}

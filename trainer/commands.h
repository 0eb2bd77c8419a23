// File: trainer/commands.h
//
// The subcommands of amend-trainer. Each takes its options as a plain struct
// (its builder in trainer/{data,zoo,editor,eval}_flags.cc fills every field from the flags,
// whose defaults come from the core options structs) and returns a process
// exit code; errors are printed to stderr.
//
// Not thread-safe (writes to stdout/stderr).
#ifndef AMEND_TRAINER_COMMANDS_H_
#define AMEND_TRAINER_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/synthetic_task.h"
#include "core/data/task_create.h"
#include "core/editor/editor_config.h"
#include "core/gmn/metanetwork_options.h"
#include "core/training/editor_trainer_options.h"
#include "core/zoo/search_space.h"
#include "core/zoo/zoo_builder.h"

namespace amend::trainer {

// Exit codes shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure =
    1;  // the command ran and failed (bad input, I/O)
inline constexpr int kExitUsage = 2;  // wrong flags or arguments

struct DataCommandOptions {
  std::string task;       // "adult", "bank", a task folder or name
  std::string data_dir;   // folder with SHA256SUMS and the raw files
  std::string tasks_dir;  // where task names are looked up
  bool text = false;      // a few lines for people instead of JSON
  // Non-empty features_out: also write this split's model inputs (standardised), label and
  // group to features_out as CSV, exactly what the zoo and editors see.
  std::string split;
  std::string features_out;
};
// Prints the task's summary (core/data/task_summary.h).
int RunDataCommand(const DataCommandOptions& options);

struct TaskCreateCommandOptions {
  TaskCreateOptions task;
  std::string output_dir;  // the task folder to create
};
// Makes a task folder from the user's CSV (core/data/task_create.h), says what
// it inferred, and prints the task's summary.
int RunTaskCreateCommand(const TaskCreateCommandOptions& options);

struct TaskSynthCommandOptions {
  SyntheticTaskOptions synthetic;
  std::string output_path;  // the CSV file to write
};
// Writes the synthetic data set of core/data/synthetic_task.h.
int RunTaskSynthCommand(const TaskSynthCommandOptions& options);

struct ForwardCommandOptions {
  std::string model_path;  // MODEL.safetensors
  std::string input_path;  // CSV of already-numeric inputs, one row per example
  std::string output_path;  // CSV of class probabilities, one row per input row
};
int RunForwardCommand(const ForwardCommandOptions& options);

struct InitCommandOptions {
  // The architecture, as in docs/MODEL_FORMAT.md.
  std::string architecture_json;
  uint64_t seed = 0;
  std::string output_path;
};
// Writes a freshly initialised model (PyTorch's default initialisation) in the
// MLP contract.
int RunInitCommand(const InitCommandOptions& options);

struct ZooCommandOptions {
  std::string task;
  std::string data_dir;
  std::string tasks_dir;
  std::string output_dir;
  int64_t runs = 0;
  uint64_t seed = 0;
  int epochs = ZooSearchSpace().epochs;
  // Depths, widths, activations, norms and skips to sample from (epochs is
  // the field above).
  ZooSearchSpace space;
  int shard_index = 0;
  int shard_count = 1;
  ZooTrainer trainer = ZooOptions().trainer;
  int group_size = ZooOptions().max_group_size;
  int workers = 0;  // 0 = one per core
  int64_t max_rows = 0;
};
// Builds (or resumes) a zoo; see core/zoo/zoo_builder.h.
int RunZooCommand(const ZooCommandOptions& options);
// Joins the shard manifests of a zoo folder into manifest.jsonl.
int RunZooMergeCommand(const std::string& zoo_dir);

// Settings shared by train and sweep (see core/training/editor_trainer.h).
struct EditorTrainingCommandOptions {
  std::string task;
  std::string data_dir;
  std::string tasks_dir;
  std::string zoo_dir;
  std::string requirement;
  std::string variant;  // empty: the requirement's editing variant
  // Of every editor trained (EditorConfig's fields of the same names).
  MetanetworkOptions network;
  double mask_temperature = EditorConfig().mask_temperature;
  double fairness_temperature = EditorConfig().fairness_temperature;
  EditorTrainingOptions options;
};

struct TrainCommandOptions {
  EditorTrainingCommandOptions training;
  double lambda = 0.0;
  std::string output_dir;  // editors/<task>/<requirement>/<lambda>
};
// Trains (or resumes, or finds finished) one editor.
int RunTrainCommand(const TrainCommandOptions& options);

struct SweepCommandOptions {
  EditorTrainingCommandOptions training;
  std::vector<double> lambdas;
  std::string output_dir;  // editors/<task>/<requirement>: one folder per λ
  int workers = 0;         // editors trained in parallel; 0 = one per core
};
// Trains one editor per λ and writes <out>/sweep.json marking the λs whose
// validation points lie on the Pareto front.
int RunSweepCommand(const SweepCommandOptions& options);

struct EditCommandOptions {
  std::string editor_dir;
  std::string model_path;
  std::string output_path;
};
// Edits one model file offline with the same code the server uses.
int RunEditCommand(const EditCommandOptions& options);

struct EvalCommandOptions {
  std::string task;
  std::string data_dir;
  std::string tasks_dir;
  std::string zoo_dir;
  std::string requirement;
  // "DIR" or "NAME=DIR": an editor, or a folder of editors (one per lambda).
  std::vector<std::string> editors;
  std::string output_dir;  // reports/<task>/<requirement>
  int64_t max_models = 0;  // test-split zoo models; 0 = all
  int64_t max_test_rows = 0;
  int64_t max_fit_rows = 0;  // validation rows the baselines fit on
  bool baselines = true;     // false: editors only (ablations)
  // Non-empty: the composition panel (requirement pruning): models are
  // first minimised by this data-minimisation editor.
  std::string compose_after;
  // 0 = all. The three below are always set by EvalOptionsFromFlags, from
  // DistillationOptions and LotteryTicketOptions (their headers need
  // LibTorch, which this header keeps out of the flag files).
  int64_t retrain_models = 0;
  int retrain_epochs = 0;
  int lottery_levels = 0;
  int lottery_epochs = 0;
  uint64_t seed = 0;
};
// Runs the editors and every baseline of the requirement on the zoo's test
// models and writes points.csv, report.json, summary.md and plot.svg.
int RunEvalCommand(const EvalCommandOptions& options);

struct PipelineCommandOptions {
  std::string task;
  std::string data_dir;
  std::string tasks_dir;
  std::string output_dir;
  std::string size = "quick";  // trainer/pipeline_plan.h
  // Requirement names; empty: data minimisation, pruning, and fairness when
  // the task has a sensitive attribute.
  std::vector<std::string> requirements;
  uint64_t seed = 0;
  int workers = 0;       // zoo groups and editors trained in parallel
  ZooSearchSpace space;  // the zoo's architectures (--depths, --widths, ...)
  // Where the editors go, as <editors_dir>/<task>/<requirement>/<lambda>;
  // empty: <output_dir>/editors. A serving folder (what amend-server polls)
  // takes a pipeline's editors directly.
  std::string editors_dir;
  // The baselines' own defaults, for where the plan leaves them (set by the
  // flag builder, which may include LibTorch headers).
  int retrain_epochs = 0;
  int lottery_levels = 0;
  int lottery_epochs = 0;
};
// zoo -> one editor sweep per requirement -> one report per requirement ->
// an editors folder amend-server serves; every step resumable, finished
// steps skipped on a rerun (<out>/pipeline.json).
int RunPipelineCommand(const PipelineCommandOptions& options);

}  // namespace amend::trainer

#endif  // AMEND_TRAINER_COMMANDS_H_

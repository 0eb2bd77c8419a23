#include "core/training/editor_trainer.h"

#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/optim/adamw.h"
#include "core/training/edit_comparison.h"
#include "core/training/editor_training_state.h"
#include "core/training/sanity_baselines.h"
#include "core/training/training_objective.h"
#include "core/training/zoo_models.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"
#include "core/zoo/zoo_resume.h"

namespace amend {
namespace {

// What a run is identified by: a saved state or a finished editor with other
// settings is not resumed.
nlohmann::json RunSettings(const EditorConfig& config,
                           const EditorTrainingOptions& options) {
  return {{"config", EditorConfigToJson(config)},
          {"options", TrainingOptionsToJson(options)}};
}

// The finished editor in out_dir when it was trained with these settings,
// nullopt when there is none, AlreadyExists when there is another.
absl::StatusOr<std::optional<EditorManifest>> FinishedEditor(
    const std::string& out_dir, const EditorConfig& config,
    const nlohmann::json& settings) {
  if (!std::filesystem::exists(std::filesystem::path(out_dir) /
                               kEditorManifestFile)) {
    return std::nullopt;
  }
  AMEND_ASSIGN_OR_RETURN(EditorManifest existing, ReadEditorManifest(out_dir));
  if (existing.config == config &&
      existing.training.value("options", nlohmann::json()) ==
          settings["options"]) {
    return existing;
  }
  return absl::AlreadyExistsError(absl::StrCat(
      out_dir, ": already holds an editor trained with other settings"));
}

// Everything one run reads, and its mutable state.
struct TrainingRun {
  TrainingRun(const Task& task, const std::string& zoo_dir,
              const EditorConfig& config, const EditorTrainingOptions& options,
              const std::string& out_dir, nlohmann::json settings)
      : task(task),
        zoo_dir(zoo_dir),
        config(config),
        options(options),
        out_dir(out_dir),
        settings(std::move(settings)) {}

  const Task& task;
  const std::string& zoo_dir;
  const EditorConfig& config;
  const EditorTrainingOptions& options;
  const std::string& out_dir;
  nlohmann::json settings;
  std::vector<ZooModel> train, validation;
  std::vector<const Mlp*> selection_models;
  TrainingData data;
  std::unique_ptr<Editor> editor;
  std::vector<at::Tensor> parameters;
  std::unique_ptr<AdamW> optimizer;
  TrainingState state;
  bool resumed = false;
};

absl::Status LoadZooAndData(TrainingRun& run) {
  const EditorTrainingOptions& options = run.options;
  AMEND_ASSIGN_OR_RETURN(
      run.train, LoadZooModels(run.zoo_dir, "train", options.max_train_models));
  AMEND_ASSIGN_OR_RETURN(
      run.validation,
      LoadZooModels(run.zoo_dir, "validation", options.max_validation_models));
  run.data = HalveValidation(run.task);
  run.selection_models = MlpPointers(run.validation);
  if (options.selection_models > 0 &&
      static_cast<int64_t>(run.selection_models.size()) >
          options.selection_models) {
    run.selection_models.resize(options.selection_models);
  }
  return absl::OkStatus();
}

// Builds the editor and its optimizer, checks the zoo fits it, and restores a
// saved state.
absl::Status CreateEditor(TrainingRun& run) {
  AMEND_ASSIGN_OR_RETURN(run.editor,
                         Editor::Create(run.config, run.options.seed));
  for (const std::vector<ZooModel>* split : {&run.train, &run.validation}) {
    for (const ZooModel& model : *split) {
      absl::Status supported =
          run.editor->CheckSupports(model.mlp.architecture);
      if (!supported.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            run.zoo_dir, "/", model.entry.file, ": ", supported.message()));
      }
    }
  }
  for (const auto& [name, tensor] : NamedParameters(*run.editor)) {
    run.parameters.push_back(tensor);
  }
  run.optimizer =
      std::make_unique<AdamW>(run.parameters, run.options.optimizer);
  AMEND_ASSIGN_OR_RETURN(run.resumed,
                         LoadState(run.out_dir, *run.editor, *run.optimizer,
                                   run.state, run.settings));
  return absl::OkStatus();
}

absl::StatusOr<EditorFigures> FiguresOn(Editor& editor,
                                        const std::vector<const Mlp*>& models,
                                        const SplitTensors& on,
                                        absl::string_view name) {
  editor.network()->eval();
  AMEND_ASSIGN_OR_RETURN(const std::vector<EditOutcome> records,
                         CompareEditor(editor, models, on));
  return Summarise(records, name);
}

// One optimisation step.
absl::StatusOr<StepLosses> Step(TrainingRun& run) {
  run.editor->network()->train();
  return CallTorch("training step", [&]() -> absl::StatusOr<StepLosses> {
    AMEND_ASSIGN_OR_RETURN(StepLosses losses,
                           TrainingObjective(*run.editor, run.train, run.data,
                                             run.options, run.state.step));
    if (run.options.scalarisation == Scalarisation::kEpo) {
      EpoBackward(losses, run.parameters, run.config.lambda);
    } else {
      losses.loss.backward();
    }
    run.optimizer->Step();
    return losses;
  });
}

// Scores the editor on the selection half and keeps it if it is the best yet.
absl::StatusOr<double> Select(TrainingRun& run) {
  AMEND_ASSIGN_OR_RETURN(const EditorFigures figures,
                         FiguresOn(*run.editor, run.selection_models,
                                   run.data.selection, "validation"));
  const double score =
      SelectionScore(figures, run.config.lambda, run.options.scalarisation);
  TrainingState& state = run.state;
  state.history.push_back({{"step", state.step},
                           {"score", score},
                           {"jsd", figures.jsd.mean},
                           {"requirement", figures.requirement.mean}});
  if (score < state.best_score) {
    state.best_score = score;
    state.best_step = state.step;
    state.best = CloneParameters(*run.editor);
  }
  return score;
}

// Exponential moving averages of the step losses, for progress reports.
struct LossAverages {
  double loss = 0.0, jsd = 0.0, requirement = 0.0;
  void Add(const StepLosses& losses, bool first) {
    const double smoothing = first ? 0.0 : 0.95;
    loss = smoothing * loss + (1 - smoothing) * losses.loss.item<double>();
    jsd = smoothing * jsd + (1 - smoothing) * losses.jsd.item<double>();
    requirement = smoothing * requirement +
                  (1 - smoothing) * losses.requirement.item<double>();
  }
};

absl::Status RunSteps(TrainingRun& run,
                      const TrainingProgressCallback& progress) {
  TrainingState& state = run.state;
  const int64_t steps = run.options.steps;
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = state.step;
  const double seconds_before = state.seconds;
  LossAverages averages;
  bool first_report = true;
  while (state.step < steps) {
    AMEND_ASSIGN_OR_RETURN(const StepLosses losses, Step(run));
    ++state.step;
    averages.Add(losses, first_report);
    TrainingProgress report;
    if (state.step % run.options.eval_every == 0 || state.step == steps) {
      AMEND_ASSIGN_OR_RETURN(report.selection_score, Select(run));
    }
    const double seconds = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - started)
                               .count();
    state.seconds = seconds_before + seconds;
    if (state.step % run.options.checkpoint_every == 0 && state.step < steps) {
      AMEND_RETURN_IF_ERROR(SaveState(run.out_dir, *run.editor, *run.optimizer,
                                      state, run.settings));
    }
    if (progress) {
      report.step = state.step;
      report.steps = steps;
      report.loss = averages.loss;
      report.jsd = averages.jsd;
      report.requirement = averages.requirement;
      report.seconds = seconds;
      report.eta_seconds = seconds /
                           static_cast<double>(state.step - first_step) *
                           static_cast<double>(steps - state.step);
      report.resumed = run.resumed && first_report;
      if (!progress(report)) {
        AMEND_RETURN_IF_ERROR(SaveState(run.out_dir, *run.editor,
                                        *run.optimizer, state, run.settings));
        return absl::CancelledError(absl::StrCat(
            "training stopped at step ", state.step, "; rerun to resume"));
      }
    }
    first_report = false;
  }
  return absl::OkStatus();
}

// The best editor's figures on the zoo's validation and test splits, with the
// matched sanity baseline on the test split.
absl::StatusOr<EditorManifest> FinalManifest(TrainingRun& run) {
  Editor& editor = *run.editor;
  if (!run.state.best.empty()) RestoreParameters(editor, run.state.best);
  editor.network()->eval();
  EditorManifest manifest;
  manifest.config = run.config;
  AMEND_ASSIGN_OR_RETURN(manifest.validation,
                         FiguresOn(editor, MlpPointers(run.validation),
                                   run.data.selection, "validation"));
  AMEND_ASSIGN_OR_RETURN(
      const std::vector<ZooModel> test,
      LoadZooModels(run.zoo_dir, "test", run.options.max_test_models));
  const SplitTensors test_data =
      ToTensors(run.task, SplitName::kTest, run.options.max_test_rows);
  const std::vector<const Mlp*> test_models = MlpPointers(test);
  AMEND_ASSIGN_OR_RETURN(const std::vector<EditOutcome> records,
                         CompareEditor(editor, test_models, test_data));
  manifest.test = Summarise(records, "test");
  AMEND_ASSIGN_OR_RETURN(
      const std::optional<MatchedBaseline> baseline,
      CompareMatchedBaseline(run.config.requirement, run.config.variant,
                             test_models, records, test_data,
                             run.data.selection, "test"));
  if (baseline) {
    manifest.test_baseline = {
        {"name", baseline->name},
        {"figures", EditorFiguresToJson(baseline->figures)},
        {"editor_wins", baseline->editor_wins}};
  }
  ArchitectureRange trained_on;
  for (const ZooModel& model : run.train)
    trained_on.Include(model.mlp.architecture);
  if (!trained_on.empty()) manifest.trained_architectures = trained_on;
  manifest.training = {{"options", run.settings["options"]},
                       {"zoo",
                        {{"dir", run.zoo_dir},
                         {"train_models", run.train.size()},
                         {"validation_models", run.validation.size()}}},
                       {"best_step", run.state.best_step},
                       {"selection_history", run.state.history},
                       {"seconds", run.state.seconds}};
  return manifest;
}

}  // namespace

absl::Status CheckTaskSupports(const Task& task, Requirement requirement) {
  if (requirement != Requirement::kFairness) return absl::OkStatus();
  if (task.num_classes() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "requirement fairness: task ", task.name, " has ", task.num_classes(),
        " classes; equalised odds needs a binary label (make the task with "
        "task create --positive V --binarize_label)"));
  }
  if (!task.group_attribute.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "requirement fairness: task ", task.name,
      " has no sensitive attribute (make the task with task create "
      "--sensitive COL --privileged RULE)"));
}

absl::StatusOr<EditorManifest> TrainEditor(
    const Task& task, const std::string& zoo_dir, const EditorConfig& config,
    const EditorTrainingOptions& options, const std::string& out_dir,
    const TrainingProgressCallback& progress) {
  AMEND_RETURN_IF_ERROR(ValidateEditorConfig(config));
  AMEND_RETURN_IF_ERROR(ValidateEditorTrainingOptions(options));
  if (config.task != task.name || config.input_dim() != task.num_features()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.task: the editor is for \"", config.task,
                     "\" but the data is \"", task.name, "\""));
  }
  AMEND_RETURN_IF_ERROR(CheckTaskSupports(task, config.requirement));
  AMEND_RETURN_IF_ERROR(CheckZooIsOfTask(zoo_dir, task));
  TrainingRun run(task, zoo_dir, config, options, out_dir,
                  RunSettings(config, options));
  AMEND_ASSIGN_OR_RETURN(std::optional<EditorManifest> finished,
                         FinishedEditor(out_dir, config, run.settings));
  if (finished) return *std::move(finished);
  AMEND_RETURN_IF_ERROR(CreateDirectories(out_dir));
  AMEND_RETURN_IF_ERROR(LoadZooAndData(run));
  AMEND_RETURN_IF_ERROR(CreateEditor(run));
  AMEND_RETURN_IF_ERROR(RunSteps(run, progress));
  AMEND_ASSIGN_OR_RETURN(const EditorManifest manifest, FinalManifest(run));
  AMEND_RETURN_IF_ERROR(WriteEditorCheckpoint(out_dir, *run.editor, manifest));
  RemoveState(out_dir);
  return ReadEditorManifest(out_dir);
}

}  // namespace amend

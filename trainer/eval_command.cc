// amend-trainer eval: the editors and every baseline of one panel on the
// zoo's held-out test models (core/reports/panel_runs.h), written as a
// report (core/eval/panel_files.h). Each family's points are kept in
// <out>/runs/<family>.json with the settings that made them, so a rerun
// with the same settings resumes after the last finished family.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/data/task.h"
#include "core/editor/editor_checkpoint.h"
#include "core/eval/panel_files.h"
#include "core/eval/panel_summary.h"
#include "core/eval/point_cache.h"
#include "core/reports/panel_runs.h"
#include "core/training/editor_trainer.h"
#include "core/training/zoo_models.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"
#include "core/zoo/zoo_resume.h"
#include "trainer/commands.h"
#include "trainer/progress_bar.h"

namespace amend::trainer {
namespace {

namespace fs = std::filesystem;

// A family's points: read from <out>/runs/<family>.json when its settings
// match (core/eval/point_cache.h), otherwise computed and saved.
absl::StatusOr<std::vector<MethodPoint>> CachedFamily(
    const std::string& out_dir, const std::string& family,
    const nlohmann::json& settings,
    const std::function<absl::StatusOr<std::vector<MethodPoint>>()>& run) {
  const std::string path = absl::StrCat(out_dir, "/runs/", family, ".json");
  AMEND_ASSIGN_OR_RETURN(std::optional<std::vector<MethodPoint>> cached,
                         ReadCachedPoints(path, settings));
  if (cached) {
    std::cerr << "[eval] " << family << ": reusing " << path << "\n";
    return *std::move(cached);
  }
  AMEND_ASSIGN_OR_RETURN(std::vector<MethodPoint> points, run());
  AMEND_RETURN_IF_ERROR(WriteCachedPoints(path, settings, points));
  return points;
}

// "DIR" or "NAME=DIR"; DIR is one editor or a folder of editors (one per
// lambda, as `sweep` writes them).
absl::StatusOr<std::vector<NamedEditor>> ExpandEditors(
    const std::vector<std::string>& entries) {
  std::vector<NamedEditor> editors;
  for (const std::string& entry : entries) {
    std::string name = "editor", dir = entry;
    if (const size_t eq = entry.find('='); eq != std::string::npos) {
      name = entry.substr(0, eq);
      dir = entry.substr(eq + 1);
    }
    if (name.rfind("editor", 0) != 0) name = "editor_" + name;
    std::vector<std::string> dirs;
    if (fs::exists(fs::path(dir) / "editor.json")) {
      dirs.push_back(dir);
    } else if (fs::is_directory(dir)) {
      for (const auto& child : fs::directory_iterator(dir)) {
        if (fs::exists(child.path() / "editor.json")) {
          dirs.push_back(child.path().string());
        }
      }
    }
    if (dirs.empty()) {
      return absl::NotFoundError(absl::StrCat("--editors: no editor.json in ",
                                              dir, " or in its subfolders"));
    }
    std::vector<std::pair<double, std::string>> by_lambda;
    for (const std::string& d : dirs) {
      AMEND_ASSIGN_OR_RETURN(const EditorManifest manifest,
                             ReadEditorManifest(d));
      by_lambda.emplace_back(manifest.config.lambda, d);
    }
    std::sort(by_lambda.begin(), by_lambda.end());
    for (const auto& [lambda, d] : by_lambda) {
      editors.push_back({name, absl::StrFormat("lambda=%g", lambda), d});
    }
  }
  return editors;
}

// The panel, and the same panel with the fraction of labels changed on y: a
// view that does not depend on how a hard-label method's output enters the
// JSD.
absl::Status WriteReports(const std::string& dir, const PanelSpec& spec,
                          const std::vector<MethodPoint>& points) {
  const PanelReport report = BuildPanelReport(spec, points);
  AMEND_RETURN_IF_ERROR(WritePanelReport(dir, report));
  PanelSpec labels_spec = spec;
  labels_spec.y_label = "fraction of test labels changed";
  AMEND_RETURN_IF_ERROR(WritePanelReport(
      dir + "/labels_changed",
      BuildPanelReport(labels_spec, UseDisagreementAsY(points))));
  std::cout << PanelSummaryMarkdown(report);
  std::cerr
      << "[eval] wrote " << dir
      << "/{points.csv,report.json,summary.md,plot.svg,labels_changed/}\n";
  return absl::OkStatus();
}

// What every family of the panel is computed from, loaded once.
struct EvalInputs {
  Requirement requirement;
  PanelData data;
  std::vector<ZooModel> zoo;
  std::vector<const Mlp*> models;  // into `zoo`
  std::vector<NamedEditor> editors;
  // The settings every family's cached points depend on.
  nlohmann::json common;
  std::string task_name;  // the task's own name, also for a --task path
};

absl::StatusOr<EvalInputs> LoadEvalInputs(const EvalCommandOptions& options) {
  AMEND_ASSIGN_OR_RETURN(const Requirement requirement,
                         ParseRequirement(options.requirement));
  AMEND_ASSIGN_OR_RETURN(
      const Task task,
      LoadTask(options.task, options.data_dir, options.tasks_dir));
  AMEND_RETURN_IF_ERROR(CheckTaskSupports(task, requirement));
  EvalInputs in;
  in.task_name = task.name;
  in.requirement = requirement;
  in.data = {ToTensors(task, SplitName::kValidation, options.max_fit_rows),
             ToTensors(task, SplitName::kTest, options.max_test_rows)};
  AMEND_RETURN_IF_ERROR(CheckZooIsOfTask(options.zoo_dir, task));
  AMEND_ASSIGN_OR_RETURN(
      in.zoo, LoadZooModels(options.zoo_dir, "test", options.max_models));
  in.models = MlpPointers(in.zoo);
  AMEND_ASSIGN_OR_RETURN(in.editors, ExpandEditors(options.editors));
  std::cerr << absl::StrFormat(
      "[eval] %s %s: %d test models, %d fit rows (validation), %d test rows, "
      "%d editors\n",
      in.task_name, options.requirement, in.models.size(), in.data.fit.rows(),
      in.data.test.rows(), in.editors.size());
  in.common = {{"task", in.task_name},
               {"zoo", options.zoo_dir},
               {"models", in.models.size()},
               {"fit_rows", in.data.fit.rows()},
               {"test_rows", in.data.test.rows()},
               {"seed", options.seed}};
  return in;
}

// The composition's cache settings: the weights of the minimiser and of every
// pruning editor, so retraining any of them invalidates the cached points.
absl::StatusOr<nlohmann::json> CompositionSettings(
    const EvalCommandOptions& options, const EvalInputs& in) {
  nlohmann::json settings = in.common;
  nlohmann::json editor_hashes = nlohmann::json::array();
  std::vector<std::string> dirs = {options.compose_after};
  for (const NamedEditor& e : in.editors) dirs.push_back(e.dir);
  for (const std::string& dir : dirs) {
    AMEND_ASSIGN_OR_RETURN(const EditorManifest manifest,
                           ReadEditorManifest(dir));
    editor_hashes.push_back({dir, manifest.weights_sha256});
  }
  settings["editors"] = editor_hashes;
  return settings;
}

// --compose_after: the minimiser then each pruning editor, against
// feature selection then pruning; a panel of its own.
absl::Status ComposeAfter(const EvalCommandOptions& options,
                          const EvalInputs& in, const PanelProgress& progress,
                          ProgressBar& bar, std::vector<MethodPoint> points) {
  if (in.requirement != Requirement::kPruning || in.editors.empty()) {
    return absl::InvalidArgumentError(
        "--compose_after: needs --requirement pruning and pruning "
        "--editors");
  }
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json settings,
                         CompositionSettings(options, in));
  AMEND_ASSIGN_OR_RETURN(const EditorManifest minimiser,
                         ReadEditorManifest(options.compose_after));
  AMEND_ASSIGN_OR_RETURN(
      std::vector<MethodPoint> composed,
      CachedFamily(options.output_dir, "composition", settings,
                   [&]() -> absl::StatusOr<std::vector<MethodPoint>> {
                     CompositionSweep sweep;
                     sweep.seed = options.seed;
                     return RunComposition(
                         {"minimiser",
                          absl::StrFormat("lambda=%g", minimiser.config.lambda),
                          options.compose_after},
                         in.editors, in.models, in.data, sweep, progress);
                   }));
  points.insert(points.end(), composed.begin(), composed.end());
  bar.Finish();
  return WriteReports(
      options.output_dir,
      {.title = absl::StrFormat(
           "%s: data minimisation (lambda %g) then pruning (%d held-out "
           "models)",
           in.task_name, minimiser.config.lambda, in.models.size()),
       .requirement_label = RequirementMetricName(in.requirement),
       .reference_x = 1.0},
      points);
}

// One family per editor, each cached against the editor's weights.
absl::StatusOr<std::vector<MethodPoint>> EditorFamilies(
    const EvalCommandOptions& options, const EvalInputs& in,
    const PanelProgress& progress) {
  std::vector<MethodPoint> points;
  for (size_t e = 0; e < in.editors.size(); ++e) {
    const NamedEditor& editor = in.editors[e];
    nlohmann::json settings = in.common;
    settings["editor"] = editor.dir;
    AMEND_ASSIGN_OR_RETURN(const EditorManifest manifest,
                           ReadEditorManifest(editor.dir));
    settings["editor_sha256"] = manifest.weights_sha256;
    AMEND_ASSIGN_OR_RETURN(
        std::vector<MethodPoint> editor_points,
        CachedFamily(options.output_dir,
                     absl::StrCat(editor.method, "-", editor.setting), settings,
                     [&]() -> absl::StatusOr<std::vector<MethodPoint>> {
                       AMEND_ASSIGN_OR_RETURN(
                           MethodPoint point,
                           EditorPoint(editor, in.requirement, in.models,
                                       in.data.test));
                       progress("editors", e + 1, in.editors.size());
                       return std::vector<MethodPoint>{point};
                     }));
    points.insert(points.end(), editor_points.begin(), editor_points.end());
  }
  return points;
}

// The requirement's baselines as one family; the sweep options they read are
// part of its cache settings.
absl::StatusOr<std::vector<MethodPoint>> BaselineFamily(
    const EvalCommandOptions& options, const EvalInputs& in,
    const PanelProgress& progress) {
  nlohmann::json settings = in.common;
  std::function<absl::StatusOr<std::vector<MethodPoint>>()> run;
  switch (in.requirement) {
    case Requirement::kPruning: {
      PruningSweep sweep;
      sweep.seed = options.seed;
      sweep.lottery.levels = options.lottery_levels;
      sweep.lottery.retraining.epochs = options.lottery_epochs;
      settings["lottery_levels"] = options.lottery_levels;
      settings["lottery_epochs"] = options.lottery_epochs;
      // A cache made before a method joined the family lacks its points.
      settings["methods"] = PruningBaselineMethods();
      run = [sweep, &in, &progress]() {
        return RunPruningBaselines(in.models, in.data, sweep, progress);
      };
      break;
    }
    case Requirement::kDataMinimisation: {
      MinimisationSweep sweep;
      sweep.seed = options.seed;
      sweep.retrain_models = options.retrain_models;
      sweep.retraining.epochs = options.retrain_epochs;
      settings["retrain_models"] = options.retrain_models;
      settings["retrain_epochs"] = options.retrain_epochs;
      run = [sweep, &in, &progress]() {
        return RunMinimisationBaselines(in.models, in.data, sweep, progress);
      };
      break;
    }
    case Requirement::kFairness: {
      FairnessSweep sweep;
      sweep.seed = options.seed;
      // A cache made before the relaxed ThresholdOptimizer joined lacks it.
      settings["relaxed_tolerances"] = sweep.relaxed_tolerances;
      run = [sweep, &in, &progress]() {
        return RunFairnessBaselines(in.models, in.data, sweep, progress);
      };
      break;
    }
  }
  return CachedFamily(options.output_dir, "baselines", settings, run);
}

absl::Status RunEval(const EvalCommandOptions& options) {
  AMEND_ASSIGN_OR_RETURN(const EvalInputs in, LoadEvalInputs(options));
  const auto start = std::chrono::steady_clock::now();
  ProgressBar bar("eval", std::cerr);
  const PanelProgress progress = [&](const std::string& family, size_t done,
                                     size_t total) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    bar.Update(static_cast<double>(done), static_cast<double>(total), elapsed,
               family);
  };
  std::vector<MethodPoint> points;
  AMEND_ASSIGN_OR_RETURN(
      MethodPoint original,
      OriginalPoint(in.requirement, in.models, in.data.test));
  points.push_back(original);
  if (!options.compose_after.empty()) {
    return ComposeAfter(options, in, progress, bar, std::move(points));
  }
  AMEND_ASSIGN_OR_RETURN(std::vector<MethodPoint> editor_points,
                         EditorFamilies(options, in, progress));
  points.insert(points.end(), editor_points.begin(), editor_points.end());
  if (options.baselines) {
    AMEND_ASSIGN_OR_RETURN(std::vector<MethodPoint> baseline_points,
                           BaselineFamily(options, in, progress));
    points.insert(points.end(), baseline_points.begin(), baseline_points.end());
  }
  bar.Finish();
  const double reference_x = in.requirement == Requirement::kFairness
                                 ? original.requirement.mean
                                 : 1.0;
  return WriteReports(
      options.output_dir,
      {.title =
           absl::StrCat(in.task_name, ": ", RequirementName(in.requirement),
                        " (", in.models.size(), " held-out models)"),
       .requirement_label = RequirementMetricName(in.requirement),
       .reference_x = reference_x},
      points);
}

}  // namespace

int RunEvalCommand(const EvalCommandOptions& options) {
  const absl::Status status = RunEval(options);
  if (!status.ok()) {
    std::cerr << "amend-trainer eval: " << status << "\n";
    // Bad input (as train): a usage exit code.
    return status.code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                               : kExitFailure;
  }
  return kExitOk;
}

}  // namespace amend::trainer

// amend-trainer train, sweep and edit.
#include <ATen/Parallel.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/data/task.h"
#include "core/editor/editor_checkpoint.h"
#include "core/editor/editor_front.h"
#include "core/editor/extrapolation.h"
#include "core/mlp/model_file.h"
#include "core/training/editor_trainer.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "trainer/commands.h"
#include "trainer/progress_bar.h"
#include "trainer/stop_signal.h"

namespace amend::trainer {
namespace {

absl::StatusOr<EditorConfig> ConfigFor(const EditorTrainingCommandOptions& o,
                                       const Task& task, double lambda) {
  AMEND_ASSIGN_OR_RETURN(const Requirement requirement,
                         ParseRequirement(o.requirement));
  EditVariant variant = EditVariant::kWeightsAndMasks;
  if (!o.variant.empty()) {
    AMEND_ASSIGN_OR_RETURN(variant, ParseVariant(requirement, o.variant));
  }
  EditorConfig config = MakeEditorConfig(task, requirement, variant, lambda);
  config.network = o.network;
  config.mask_temperature = o.mask_temperature;
  config.fairness_temperature = o.fairness_temperature;
  AMEND_RETURN_IF_ERROR(ValidateEditorConfig(config));
  return config;
}

std::string FormatFigures(const EditorFigures& f, Requirement requirement) {
  return absl::StrFormat(
      "%d models (%s data): JSD %.5f ± %.5f nats; %s %.4f ± %.4f; "
      "features kept %.2f; weights kept %.3f; accuracy %.4f -> %.4f; "
      "EOD %.4f -> %.4f",
      f.models, f.data, f.jsd.mean, f.jsd.sd,
      RequirementMetricName(requirement), f.requirement.mean, f.requirement.sd,
      f.features_kept.mean, f.weights_kept.mean, f.accuracy_before.mean,
      f.accuracy_after.mean, f.eod_before.mean, f.eod_after.mean);
}

absl::StatusOr<EditorManifest> TrainOne(const EditorTrainingCommandOptions& o,
                                        const Task& task, double lambda,
                                        const std::string& out_dir,
                                        const std::string& label,
                                        std::mutex* output_mutex) {
  AMEND_ASSIGN_OR_RETURN(const EditorConfig config, ConfigFor(o, task, lambda));
  ProgressBar bar(label, std::cerr);
  auto report = [&](const TrainingProgress& p) {
    std::unique_lock<std::mutex> lock;
    if (output_mutex != nullptr) lock = std::unique_lock(*output_mutex);
    if (p.resumed) {
      std::cerr << label << ": resumed at step " << p.step - 1 << "\n";
    }
    std::string status =
        absl::StrFormat("step %d/%d loss %.5f jsd %.5f req %.4f", p.step,
                        p.steps, p.loss, p.jsd, p.requirement);
    if (p.selection_score) {
      absl::StrAppendFormat(&status, " | selection %.5f", *p.selection_score);
    }
    bar.Update(static_cast<double>(p.step), static_cast<double>(p.steps),
               p.seconds, status);
    return !StopRequested();
  };
  absl::StatusOr<EditorManifest> manifest =
      TrainEditor(task, o.zoo_dir, config, o.options, out_dir, report);
  if (manifest.status().code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(
        absl::StrCat(manifest.status().message(),
                     "; use another --out or delete the folder"));
  }
  if (manifest.ok()) bar.Finish();
  return manifest;
}

void PrintManifest(const std::string& dir, const EditorManifest& m) {
  std::string baseline;
  if (m.test_baseline.is_object()) {
    absl::StatusOr<EditorFigures> figures =
        EditorFiguresFromJson(m.test_baseline["figures"], "test_baseline");
    if (figures.ok()) {
      baseline = absl::StrFormat(
          "  %s (matched per model): %s\n  editor JSD lower on %.1f%% of "
          "test models\n",
          m.test_baseline["name"].get<std::string>(),
          FormatFigures(*figures, m.config.requirement),
          100.0 * m.test_baseline["editor_wins"].get<double>());
    }
  }
  std::cout << absl::StrFormat(
      "editor %s: %s / %s (%s), lambda %s, best step %s, %.0f s\n"
      "  validation: %s\n  test:       %s\n%s",
      dir, m.config.task, RequirementName(m.config.requirement),
      VariantName(m.config.requirement, m.config.variant),
      LambdaLabel(m.config.lambda),
      m.training.value("best_step", -1) >= 0
          ? absl::StrCat(m.training["best_step"].get<int64_t>())
          : "-",
      m.training.value("seconds", 0.0),
      FormatFigures(m.validation, m.config.requirement),
      FormatFigures(m.test, m.config.requirement), baseline);
}

// The editors a sweep trained, in lambda order, next to the index of each
// one's lambda.
struct SweepOutcome {
  std::vector<const EditorManifest*> manifests;
  std::vector<size_t> trained;
  bool failed = false;
};

std::vector<std::string> LambdaDirs(const SweepCommandOptions& options) {
  std::vector<std::string> dirs(options.lambdas.size());
  for (size_t i = 0; i < dirs.size(); ++i) {
    dirs[i] = (std::filesystem::path(options.output_dir) /
               LambdaLabel(options.lambdas[i]))
                  .string();
  }
  return dirs;
}

// --workers, or one per hardware thread; never more than there are editors.
int WorkerCount(int requested, size_t count) {
  return std::max(
      1, std::min<int>(requested > 0
                           ? requested
                           : static_cast<int>(std::max(
                                 1u, std::thread::hardware_concurrency())),
                       static_cast<int>(count)));
}

std::vector<absl::StatusOr<EditorManifest>> TrainSweep(
    const SweepCommandOptions& options, const Task& task,
    const std::vector<std::string>& dirs) {
  const size_t count = options.lambdas.size();
  std::vector<absl::StatusOr<EditorManifest>> results(
      count, absl::UnknownError("not trained"));
  const int workers = WorkerCount(options.workers, count);
  // Editors train in parallel, one LibTorch thread each: the graphs are too
  // small for intra-op threads to pay (docs/BENCHMARKS.md).
  if (workers > 1) at::set_num_threads(1);
  std::mutex output_mutex;
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < count; i = next++) {
        results[i] =
            TrainOne(options.training, task, options.lambdas[i], dirs[i],
                     absl::StrCat("lambda ", LambdaLabel(options.lambdas[i])),
                     &output_mutex);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return results;
}

// Reports each editor that failed; the sweep goes on with the others.
SweepOutcome CollectTrained(
    const SweepCommandOptions& options,
    const std::vector<absl::StatusOr<EditorManifest>>& results) {
  SweepOutcome outcome;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      std::cerr << "amend-trainer sweep: lambda "
                << LambdaLabel(options.lambdas[i]) << ": "
                << results[i].status().message() << "\n";
      outcome.failed = true;
      continue;
    }
    outcome.manifests.push_back(&*results[i]);
    outcome.trained.push_back(i);
  }
  return outcome;
}

nlohmann::json SweepJson(const SweepCommandOptions& options,
                         const SweepOutcome& outcome,
                         const std::vector<bool>& front) {
  nlohmann::json sweep = nlohmann::json::array();
  for (size_t k = 0; k < outcome.trained.size(); ++k) {
    const size_t i = outcome.trained[k];
    const EditorManifest& manifest = *outcome.manifests[k];
    sweep.push_back(
        {{"lambda", options.lambdas[i]},
         {"dir", LambdaLabel(options.lambdas[i])},
         {"validation_requirement", manifest.validation.requirement.mean},
         {"validation_jsd", manifest.validation.jsd.mean},
         {"on_front", static_cast<bool>(front[k])}});
  }
  return nlohmann::json{{"editors", sweep}};
}

void PrintFront(const SweepCommandOptions& options, const SweepOutcome& outcome,
                const std::vector<bool>& front) {
  std::cout << "Pareto front on the validation split (requirement, JSD):\n";
  for (size_t k = 0; k < outcome.trained.size(); ++k) {
    std::cout << absl::StrFormat(
        "  lambda %-8s %.4f  %.5f  %s\n",
        LambdaLabel(options.lambdas[outcome.trained[k]]),
        outcome.manifests[k]->validation.requirement.mean,
        outcome.manifests[k]->validation.jsd.mean,
        front[k] ? "on the front" : "dominated");
  }
}

}  // namespace

int RunTrainCommand(const TrainCommandOptions& options) {
  InstallStopHandler();
  absl::StatusOr<Task> task =
      LoadTask(options.training.task, options.training.data_dir,
               options.training.tasks_dir);
  if (!task.ok()) {
    std::cerr << "amend-trainer train: " << task.status().message() << "\n";
    return kExitFailure;
  }
  absl::StatusOr<EditorManifest> manifest =
      TrainOne(options.training, *task, options.lambda, options.output_dir,
               "train", nullptr);
  if (!manifest.ok()) {
    std::cerr << "amend-trainer train: " << manifest.status().message() << "\n";
    return manifest.status().code() == absl::StatusCode::kInvalidArgument
               ? kExitUsage
               : kExitFailure;
  }
  PrintManifest(options.output_dir, *manifest);
  return kExitOk;
}

int RunSweepCommand(const SweepCommandOptions& options) {
  InstallStopHandler();
  absl::StatusOr<Task> task =
      LoadTask(options.training.task, options.training.data_dir,
               options.training.tasks_dir);
  if (!task.ok()) {
    std::cerr << "amend-trainer sweep: " << task.status().message() << "\n";
    return kExitFailure;
  }
  const std::vector<std::string> dirs = LambdaDirs(options);
  const std::vector<absl::StatusOr<EditorManifest>> results =
      TrainSweep(options, *task, dirs);
  const SweepOutcome outcome = CollectTrained(options, results);
  const std::vector<bool> front = ParetoOptimalEditors(outcome.manifests);
  for (size_t k = 0; k < outcome.trained.size(); ++k) {
    PrintManifest(dirs[outcome.trained[k]], *outcome.manifests[k]);
  }
  const std::string path =
      (std::filesystem::path(options.output_dir) / "sweep.json").string();
  if (absl::Status status = WriteFileAtomically(
          path, SweepJson(options, outcome, front).dump(2) + "\n");
      !status.ok()) {
    std::cerr << "amend-trainer sweep: " << status.message() << "\n";
    return kExitFailure;
  }
  PrintFront(options, outcome, front);
  std::cout << "wrote " << path << "\n";
  return outcome.failed ? kExitFailure : kExitOk;
}

int RunEditCommand(const EditCommandOptions& options) {
  auto fail = [](const absl::Status& status) {
    std::cerr << "amend-trainer edit: " << status.message() << "\n";
    return status.code() == absl::StatusCode::kInvalidArgument ? kExitUsage
                                                               : kExitFailure;
  };
  absl::StatusOr<LoadedEditor> loaded =
      ReadEditorCheckpoint(options.editor_dir);
  if (!loaded.ok()) return fail(loaded.status());
  absl::StatusOr<std::string> bytes =
      ReadFileToString(options.model_path, kMaxModelFileBytes);
  if (!bytes.ok()) return fail(bytes.status());
  absl::StatusOr<Mlp> mlp = ParseModelFile(*bytes);
  if (!mlp.ok()) {
    return fail(absl::Status(
        mlp.status().code(),
        absl::StrCat(options.model_path, ": ", mlp.status().message())));
  }
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<EditResult>> results =
      loaded->editor->Edit({&*mlp});
  if (!results.ok()) return fail(results.status());
  const double milliseconds = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - started)
                                  .count();
  const EditResult& result = results->front();
  const EditorManifest& m = loaded->manifest;
  const std::map<std::string, std::string> metadata{
      {"amend.editor.task", m.config.task},
      {"amend.editor.requirement", RequirementName(m.config.requirement)},
      {"amend.editor.lambda", LambdaLabel(m.config.lambda)},
      {"amend.editor.sha256", m.weights_sha256},
      {"amend.input.sha256", Sha256Hex(*bytes)}};
  absl::StatusOr<std::string> out = SerializeModel(result.edited, metadata);
  if (!out.ok()) return fail(out.status());
  if (absl::Status status = WriteFileAtomically(options.output_path, *out);
      !status.ok()) {
    return fail(status);
  }
  const EditStatistics& s = result.statistics;
  std::cout << absl::StrFormat(
      "edited %s with %s (%s, %s, lambda %s) in %.2f ms\n"
      "  features kept: %d of %d (%s)\n"
      "  weights kept:  %d of %d (%.4f)\n"
      "  editor validation point: JSD %.5f nats, %s %.4f\n"
      "  input sha256:  %s\n  editor sha256: %s\n  output sha256: %s\n"
      "wrote %s\n",
      options.model_path, options.editor_dir, m.config.task,
      RequirementName(m.config.requirement), LambdaLabel(m.config.lambda),
      milliseconds, s.features_kept, s.features_total,
      absl::StrJoin(s.kept_feature_names, ", "), s.weights_kept,
      s.weights_total, s.weights_kept_fraction(), m.validation.jsd.mean,
      RequirementMetricName(m.config.requirement),
      m.validation.requirement.mean, Sha256Hex(*bytes), m.weights_sha256,
      Sha256Hex(*out), options.output_path);
  for (const std::string& reason : ExtrapolationReasons(m, mlp->architecture)) {
    std::cout << "  EXTRAPOLATION: " << reason << "\n";
  }
  return kExitOk;
}

}  // namespace amend::trainer

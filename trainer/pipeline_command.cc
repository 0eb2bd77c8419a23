#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/data/task.h"
#include "core/editor/editor_config.h"
#include "core/editor/requirement.h"
#include "core/eval/panel_report.h"
#include "core/training/editor_trainer.h"
#include "core/util/file_io.h"
#include "core/util/strict_json.h"
#include "trainer/commands.h"
#include "trainer/pipeline_plan.h"

namespace amend::trainer {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kStateFile[] = "pipeline.json";

struct Step {
  std::string name;    // also its key in pipeline.json's "done"
  std::string detail;  // printed under its name
  double weight;       // share of the pipeline's time, for the ETA
  std::function<int()> run;
};

std::string Seconds(double seconds) {
  const int s = static_cast<int>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, s / 60 % 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

std::string LambdaList(const std::vector<double>& lambdas) {
  std::vector<std::string> labels;
  for (const double lambda : lambdas) labels.push_back(LambdaLabel(lambda));
  return absl::StrJoin(labels, ",");
}

// "editor: hypervolume H against the best baseline's B (smaller | at least as
// large)" for each editor method of a report's report.json; "" when there is
// no report or no baseline in it.
std::string HypervolumeLine(const std::string& report_dir) {
  auto text = ReadFileToString(report_dir + "/report.json", 256 << 20);
  if (!text.ok()) return "";
  const nlohmann::json report = nlohmann::json::parse(*text, nullptr, false);
  if (!report.is_object() || !report.contains("fronts") ||
      !report["fronts"].is_array()) {
    return "";
  }
  double best_baseline = 0.0;
  bool any_baseline = false;
  std::vector<std::pair<std::string, double>> editors;
  for (const nlohmann::json& front : report["fronts"]) {
    if (!front.is_object() || !front.contains("method") ||
        !front["method"].is_string() || !front.contains("hypervolume") ||
        !front["hypervolume"].is_number()) {
      continue;
    }
    const std::string method = front["method"].get<std::string>();
    const double hypervolume = front["hypervolume"].get<double>();
    if (IsBaselineMethod(method)) {
      best_baseline =
          any_baseline ? std::max(best_baseline, hypervolume) : hypervolume;
      any_baseline = true;
    } else if (IsEditorMethod(method)) {
      editors.emplace_back(method, hypervolume);
    }
  }
  if (!any_baseline) return "";
  std::vector<std::string> lines;
  for (const auto& [method, hypervolume] : editors) {
    lines.push_back(absl::StrFormat(
        "%s: hypervolume %.5g against the best baseline's %.5g (%s).", method,
        hypervolume, best_baseline,
        hypervolume >= best_baseline ? "at least as large" : "smaller"));
  }
  return absl::StrJoin(lines, " ");
}

}  // namespace

int RunPipelineCommand(const PipelineCommandOptions& options) {
  constexpr char kName[] = "amend-trainer pipeline";
  absl::StatusOr<PipelinePlan> plan = PlanForSize(options.size);
  if (!plan.ok()) {
    std::cerr << kName << ": " << plan.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<Task> task =
      LoadTask(options.task, options.data_dir, options.tasks_dir);
  if (!task.ok()) {
    std::cerr << kName << ": " << task.status().message() << "\n";
    return kExitFailure;
  }
  std::vector<Requirement> requirements;
  if (options.requirements.empty()) {
    requirements = {Requirement::kDataMinimisation, Requirement::kPruning};
    if (CheckTaskSupports(*task, Requirement::kFairness).ok())
      requirements.push_back(Requirement::kFairness);
  }
  for (const std::string& name : options.requirements) {
    absl::StatusOr<Requirement> requirement = ParseRequirement(name);
    if (!requirement.ok()) {
      std::cerr << kName
                << ": --requirements: " << requirement.status().message()
                << "\n";
      return kExitUsage;
    }
    if (absl::Status fits = CheckTaskSupports(*task, *requirement);
        !fits.ok()) {
      std::cerr << kName << ": --requirements: " << fits.message() << "\n";
      return kExitUsage;
    }
    requirements.push_back(*requirement);
  }

  const std::string out = options.output_dir;
  const std::string zoo_dir = out + "/zoo";
  const std::string editors_root =
      options.editors_dir.empty() ? out + "/editors" : options.editors_dir;
  // The settings a rerun must share to resume: the same task, size, seed,
  // requirements, search space and editors folder (a rerun with other
  // settings would mix two pipelines in one folder, or skip editors it
  // trained elsewhere).
  std::vector<std::string> requirement_names;
  for (const Requirement r : requirements)
    requirement_names.push_back(RequirementName(r));
  const nlohmann::json settings = {
      {"task", task->name},
      {"size", plan->size},
      {"seed", options.seed},
      {"requirements", requirement_names},
      {"editors", editors_root},
      {"search_space",
       nlohmann::json::parse(ArchitectureSpaceJson(options.space))}};
  const std::string state_path =
      (fs::path(options.output_dir) / kStateFile).string();
  nlohmann::json state = {{"settings", settings},
                          {"done", nlohmann::json::array()}};
  if (auto text = ReadFileToString(state_path, 1 << 20); text.ok()) {
    StrictJson parsed = ParseStrictJson(*text);
    if (!parsed.error.ok() || !parsed.value.contains("settings") ||
        !parsed.value.contains("done") || !parsed.value["done"].is_array()) {
      std::cerr << kName << ": " << state_path
                << ": is not a pipeline state file; use another --out\n";
      return kExitFailure;
    }
    if (parsed.value["settings"] != settings) {
      std::cerr << kName << ": " << options.output_dir
                << " holds a pipeline with other settings ("
                << parsed.value["settings"].dump()
                << "); use another --out or delete the folder\n";
      return kExitFailure;
    }
    state = parsed.value;
  }

  std::vector<Step> steps;
  steps.push_back({"zoo", absl::StrCat(plan->zoo_runs, " runs"), 0.3, [&] {
                     ZooCommandOptions zoo;
                     zoo.task = options.task;
                     zoo.data_dir = options.data_dir;
                     zoo.tasks_dir = options.tasks_dir;
                     zoo.output_dir = zoo_dir;
                     zoo.runs = plan->zoo_runs;
                     zoo.seed = options.seed + 1;
                     zoo.epochs = plan->zoo_epochs;
                     zoo.space = options.space;
                     zoo.max_rows = plan->zoo_max_rows;
                     zoo.workers = options.workers;
                     return RunZooCommand(zoo);
                   }});
  const double per_requirement = 0.7 / static_cast<double>(requirements.size());
  for (const Requirement requirement : requirements) {
    const std::string name = RequirementName(requirement);
    const std::string editors_dir =
        absl::StrCat(editors_root, "/", task->name, "/", name);
    steps.push_back(
        {absl::StrCat("editors ", name),
         absl::StrCat("lambdas ", LambdaList(plan->Lambdas(requirement))),
         0.7 * per_requirement, [&, name, requirement, editors_dir] {
           SweepCommandOptions sweep;
           sweep.training = plan->training;
           sweep.training.task = options.task;
           sweep.training.data_dir = options.data_dir;
           sweep.training.tasks_dir = options.tasks_dir;
           sweep.training.zoo_dir = zoo_dir;
           sweep.training.requirement = name;
           sweep.training.options.seed = options.seed;
           sweep.lambdas = plan->Lambdas(requirement);
           sweep.output_dir = editors_dir;
           sweep.workers = options.workers;
           return RunSweepCommand(sweep);
         }});
    steps.push_back({absl::StrCat("report ", name),
                     "the editors and every baseline on the held-out models",
                     0.3 * per_requirement, [&, name, editors_dir] {
                       EvalCommandOptions eval;
                       eval.task = options.task;
                       eval.data_dir = options.data_dir;
                       eval.tasks_dir = options.tasks_dir;
                       eval.zoo_dir = zoo_dir;
                       eval.requirement = name;
                       eval.editors = {editors_dir};
                       eval.output_dir = absl::StrCat(out, "/reports/", name);
                       eval.max_models = plan->eval_max_models;
                       eval.max_test_rows = plan->eval_max_test_rows;
                       eval.max_fit_rows = plan->eval_max_fit_rows;
                       eval.retrain_models = plan->eval_retrain_models;
                       eval.retrain_epochs = plan->eval_retrain_epochs > 0
                                                 ? plan->eval_retrain_epochs
                                                 : options.retrain_epochs;
                       eval.lottery_levels = plan->eval_lottery_levels > 0
                                                 ? plan->eval_lottery_levels
                                                 : options.lottery_levels;
                       eval.lottery_epochs = plan->eval_lottery_epochs > 0
                                                 ? plan->eval_lottery_epochs
                                                 : options.lottery_epochs;
                       eval.seed = options.seed;
                       return RunEvalCommand(eval);
                     }});
  }

  std::cerr << absl::StrFormat(
      "[pipeline] %s, size %s: zoo of %d runs, editors for %s, reports; in "
      "%s\n",
      task->name, plan->size, plan->zoo_runs,
      absl::StrJoin(requirement_names, ", "), out);
  const Clock::time_point start = Clock::now();
  double done_weight = 0.0, run_weight = 0.0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const bool done_before =
        std::find(state["done"].begin(), state["done"].end(), step.name) !=
        state["done"].end();
    if (done_before) {
      std::cerr << absl::StrFormat("[pipeline] step %d/%d %s: done earlier\n",
                                   i + 1, steps.size(), step.name);
      done_weight += step.weight;
      continue;
    }
    std::cerr << absl::StrFormat("[pipeline] step %d/%d %s\n", i + 1,
                                 steps.size(), step.name);
    std::cerr << "[pipeline]   " << step.detail << "\n";
    const int code = step.run();
    if (code != kExitOk) {
      std::cerr << kName << ": step " << step.name << " failed (exit " << code
                << "); run the same command again to resume\n";
      return code;
    }
    state["done"].push_back(step.name);
    if (absl::Status saved =
            WriteFileAtomically(state_path, state.dump(2) + "\n");
        !saved.ok()) {
      std::cerr << kName << ": " << saved.message() << "\n";
      return kExitFailure;
    }
    done_weight += step.weight;
    run_weight += step.weight;
    const double elapsed =
        std::chrono::duration<double>(Clock::now() - start).count();
    const double left = 1.0 - done_weight;
    std::cerr << absl::StrFormat(
        "[pipeline] %d/%d steps done, elapsed %s, ETA %s\n", i + 1,
        steps.size(), Seconds(elapsed),
        left <= 1e-9 ? "-" : Seconds(elapsed / run_weight * left));
  }

  std::cout << "pipeline " << task->name << " (" << plan->size << ") in " << out
            << "\n";
  for (const std::string& name : requirement_names) {
    const std::string line =
        HypervolumeLine(absl::StrCat(out, "/reports/", name));
    std::cout << "  " << name << ": "
              << (line.empty() ? std::string("(no hypervolume line)") : line)
              << "\n";
  }
  std::cout << "  reports: " << out << "/reports/<requirement>/summary.md\n"
            << "  serve the editors: amend-server --editors " << editors_root
            << "\n";
  return kExitOk;
}

}  // namespace amend::trainer

#include "server/editor_registry.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/editor/editor_front.h"

namespace amend::server {
namespace {

namespace fs = std::filesystem;

std::tuple<std::string, std::string, std::string, double> SortKey(
    const ServedEditor& editor) {
  return {editor.task(), editor.requirement(), editor.variant(),
          editor.manifest.config.lambda};
}

void MarkFronts(std::vector<std::shared_ptr<ServedEditor>>& editors) {
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < editors.size(); ++i) {
    groups[absl::StrCat(editors[i]->task(), "/", editors[i]->requirement(), "/",
                        editors[i]->variant())]
        .push_back(i);
  }
  for (const auto& [key, members] : groups) {
    std::vector<const EditorManifest*> manifests;
    for (size_t i : members) manifests.push_back(&editors[i]->manifest);
    const std::vector<bool> front = ParetoOptimalEditors(manifests);
    for (size_t k = 0; k < members.size(); ++k) {
      editors[members[k]]->on_front = front[k];
    }
  }
}

bool SameLambda(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

}  // namespace

LoadReport LoadEditorsDirectory(const std::string& root) {
  LoadReport report;
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    report.errors.push_back(
        absl::StrCat(root, ": is not a directory of editors"));
    return report;
  }
  std::vector<std::string> dirs;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (it->is_regular_file() && it->path().filename() == kEditorManifestFile) {
      dirs.push_back(it->path().parent_path().string());
    }
  }
  if (error) {
    report.errors.push_back(absl::StrCat(root, ": ", error.message()));
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<std::shared_ptr<ServedEditor>> editors;
  std::set<std::tuple<std::string, std::string, std::string, double>> seen;
  for (const std::string& dir : dirs) {
    absl::StatusOr<LoadedEditor> loaded = ReadEditorCheckpoint(dir);
    if (!loaded.ok()) {
      report.errors.push_back(std::string(loaded.status().message()));
      continue;
    }
    auto served = std::make_shared<ServedEditor>();
    served->dir = dir;
    served->manifest = std::move(loaded->manifest);
    served->editor = std::move(loaded->editor);
    if (!seen.insert(SortKey(*served)).second) {
      report.errors.push_back(absl::StrCat(
          dir,
          ": another editor has the same task, requirement, variant and "
          "lambda"));
      continue;
    }
    editors.push_back(std::move(served));
  }
  MarkFronts(editors);
  std::sort(editors.begin(), editors.end(), [](const auto& a, const auto& b) {
    return SortKey(*a) < SortKey(*b);
  });
  auto snapshot = std::make_shared<EditorSnapshot>();
  snapshot->editors.assign(editors.begin(), editors.end());
  report.snapshot = std::move(snapshot);
  return report;
}

EditorRegistry::EditorRegistry(std::string root)
    : root_(std::move(root)),
      current_(std::make_shared<const EditorSnapshot>()) {}

std::shared_ptr<const EditorSnapshot> EditorRegistry::Current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

LoadReport EditorRegistry::Reload() {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  LoadReport report = LoadEditorsDirectory(root_);
  if (!report.errors.empty()) {
    report.snapshot = nullptr;
    return report;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = report.snapshot;
  return report;
}

LoadReport EditorRegistry::LoadInitial() {
  std::lock_guard<std::mutex> reload_lock(reload_mutex_);
  LoadReport report = LoadEditorsDirectory(root_);
  if (report.snapshot != nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = report.snapshot;
  }
  return report;
}

absl::StatusOr<Selection> SelectEditor(const EditorSnapshot& snapshot,
                                       const std::string& task,
                                       const std::string& requirement,
                                       const std::string& variant,
                                       const TradeoffRequest& tradeoff) {
  std::set<std::string> tasks, requirements;
  std::vector<std::shared_ptr<const ServedEditor>> candidates;
  for (const auto& editor : snapshot.editors) {
    tasks.insert(editor->task());
    if (editor->task() != task) continue;
    requirements.insert(
        absl::StrCat(editor->requirement(), "/", editor->variant()));
    if (editor->requirement() == requirement && editor->variant() == variant) {
      candidates.push_back(editor);
    }
  }
  if (!tasks.count(task)) {
    return absl::NotFoundError(
        absl::StrCat("task: no editors loaded for \"", task, "\" (loaded: ",
                     tasks.empty() ? "none" : absl::StrJoin(tasks, ", "), ")"));
  }
  if (candidates.empty()) {
    return absl::NotFoundError(
        absl::StrCat("requirement: no editors loaded for ", task, " ",
                     requirement, "/", variant, " (loaded for ", task, ": ",
                     absl::StrJoin(requirements, ", "), ")"));
  }
  auto lambdas = [&] {
    std::vector<std::string> labels;
    for (const auto& c : candidates) {
      labels.push_back(LambdaLabel(c->manifest.config.lambda));
    }
    return absl::StrJoin(labels, ", ");
  };
  using Kind = TradeoffRequest::Kind;
  if (tradeoff.kind == Kind::kNone) {
    return absl::InvalidArgumentError(
        "tradeoff: set lambda, max_weight_fraction (pruning), max_features "
        "(data_minimisation) or max_eod (fairness)");
  }
  if (!std::isfinite(tradeoff.value)) {
    return absl::InvalidArgumentError("tradeoff: must be a finite number");
  }
  if (tradeoff.kind == Kind::kLambda) {
    for (const auto& c : candidates) {
      if (SameLambda(c->manifest.config.lambda, tradeoff.value)) {
        return Selection{
            c, absl::StrCat("lambda ", LambdaLabel(tradeoff.value), ": exact")};
      }
    }
    return absl::NotFoundError(
        absl::StrCat("lambda: no ", task, " ", requirement, "/", variant,
                     " editor with lambda ", LambdaLabel(tradeoff.value),
                     " (loaded: ", lambdas(), ")"));
  }
  const char* name = "";
  Requirement needed = Requirement::kPruning;
  std::function<double(const EditorFigures&)> metric;
  switch (tradeoff.kind) {
    case Kind::kMaxWeightFraction:
      name = "max_weight_fraction";
      needed = Requirement::kPruning;
      metric = [](const EditorFigures& f) { return f.weights_kept.mean; };
      if (!(tradeoff.value > 0 && tradeoff.value <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "max_weight_fraction: must be in (0, 1], got ", tradeoff.value));
      }
      break;
    case Kind::kMaxFeatures:
      name = "max_features";
      needed = Requirement::kDataMinimisation;
      metric = [](const EditorFigures& f) { return f.features_kept.mean; };
      if (tradeoff.value < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("max_features: must be >= 0, got ", tradeoff.value));
      }
      break;
    default:
      name = "max_eod";
      needed = Requirement::kFairness;
      metric = [](const EditorFigures& f) { return f.eod_after.mean; };
      if (!(tradeoff.value >= 0 && tradeoff.value <= 1)) {
        return absl::InvalidArgumentError(
            absl::StrCat("max_eod: must be in [0, 1], got ", tradeoff.value));
      }
      break;
  }
  if (requirement != RequirementName(needed)) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": is a target for ",
                                                   RequirementName(needed),
                                                   ", not ", requirement));
  }
  std::shared_ptr<const ServedEditor> best;
  int meeting = 0;
  for (const auto& c : candidates) {
    if (metric(c->manifest.validation) > tradeoff.value) continue;
    ++meeting;
    if (best == nullptr ||
        c->manifest.validation.jsd.mean < best->manifest.validation.jsd.mean) {
      best = c;
    }
  }
  if (best == nullptr) {
    const auto tightest =
        *std::min_element(candidates.begin(), candidates.end(),
                          [&](const auto& a, const auto& b) {
                            return metric(a->manifest.validation) <
                                   metric(b->manifest.validation);
                          });
    return absl::NotFoundError(absl::StrFormat(
        "%s: no loaded editor meets %g on validation; the closest, lambda "
        "%s, reaches %.4g",
        name, tradeoff.value, LambdaLabel(tightest->manifest.config.lambda),
        metric(tightest->manifest.validation)));
  }
  return Selection{
      best, absl::StrFormat("%s %g: lambda %s reaches %.4g on validation "
                            "(least JSD of %d editors that meet it)",
                            name, tradeoff.value,
                            LambdaLabel(best->manifest.config.lambda),
                            metric(best->manifest.validation), meeting)};
}

}  // namespace amend::server

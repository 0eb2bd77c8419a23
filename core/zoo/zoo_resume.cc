#include "core/zoo/zoo_resume.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

// Settings that must match for a rerun to resume an existing zoo.
std::string SettingsJson(const Task& task, const ZooOptions& options) {
  nlohmann::ordered_json json;
  json["format"] = "amend-zoo-1";
  json["task"] = task.name;
  json["task_card_sha256"] = task.card_sha256;
  json["runs"] = options.runs;
  json["seed"] = options.seed;
  json["epochs"] = options.space.epochs;
  json["max_rows"] = options.max_rows;
  json["trainer"] =
      options.trainer == ZooTrainer::kFused ? "fused" : "libtorch-stacked";
  json["feature_names"] = task.feature_names();
  // Only a widened space is written, so zoos of the default space resume.
  if (!IsDefaultArchitectureSpace(options.space)) {
    json["search_space"] =
        nlohmann::ordered_json::parse(ArchitectureSpaceJson(options.space));
  }
  json["search_space_sample_run_0"] =
      nlohmann::ordered_json::parse(RunConfigToJson(
          SampleRunConfig(options.space, options.seed, 0, task.num_features(),
                          task.num_classes())));
  return json.dump(2) + "\n";
}

// Zoos written before zoo.json recorded the task card's sha256 resume when
// everything else matches; CheckZooIsOfTask then has no hash to compare.
bool IsLegacySettings(const std::string& existing, const std::string& wanted) {
  nlohmann::ordered_json old =
      nlohmann::ordered_json::parse(existing, nullptr, false);
  if (old.is_discarded() || !old.is_object() ||
      old.contains("task_card_sha256")) {
    return false;
  }
  nlohmann::ordered_json current = nlohmann::ordered_json::parse(wanted);
  current.erase("task_card_sha256");
  return old == current;
}

}  // namespace

absl::Status CheckZooIsOfTask(const std::string& zoo_dir, const Task& task) {
  const std::string path = absl::StrCat(zoo_dir, "/", kZooSettingsFile);
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(path, 1 << 20));
  const nlohmann::json settings = ParseStrictJson(text).value;
  if (settings.is_discarded() || !settings.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is not valid"));
  }
  const auto name = settings.find("task");
  if (name != settings.end() && name->is_string() &&
      name->get<std::string>() != task.name) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": the zoo is of task \"", name->get<std::string>(),
                     "\", not \"", task.name, "\""));
  }
  const auto card = settings.find("task_card_sha256");
  if (card != settings.end() && card->is_string() &&
      card->get<std::string>() != task.card_sha256) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the zoo was built from task card sha256 ",
        card->get<std::string>(), " but task ", task.name, "'s card is ",
        task.card_sha256,
        " (the task was made again since): build the zoo again for it"));
  }
  return absl::OkStatus();
}

absl::Status CheckOrWriteSettings(const Task& task, const ZooOptions& options) {
  const std::string path =
      absl::StrCat(options.output_dir, "/", kZooSettingsFile);
  const std::string wanted = SettingsJson(task, options);
  if (std::filesystem::exists(path)) {
    AMEND_ASSIGN_OR_RETURN(const std::string existing,
                           ReadFileToString(path, 1 << 20));
    if (existing != wanted && !IsLegacySettings(existing, wanted)) {
      // AlreadyExists: the caller may name another folder (the trainer says
      // which flag).
      return absl::AlreadyExistsError(
          absl::StrCat(path, ": the zoo in ", options.output_dir,
                       " was built with other settings (task, runs, seed, "
                       "epochs, max_rows or search space); the same settings "
                       "resume it"));
    }
    return absl::OkStatus();
  }
  return WriteFileAtomically(path, wanted);
}

absl::StatusOr<RunEntries> FinishedRuns(const std::string& zoo_dir,
                                        const std::string& manifest_path,
                                        size_t checkpoints_per_run) {
  RunEntries finished;
  if (!std::filesystem::exists(manifest_path)) return finished;
  AMEND_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                         ReadManifest(manifest_path));
  for (ManifestEntry& entry : entries)
    finished[entry.run].push_back(std::move(entry));
  for (auto it = finished.begin(); it != finished.end();) {
    bool complete = it->second.size() == checkpoints_per_run;
    for (const ManifestEntry& entry : it->second) {
      if (!complete) break;
      auto digest = Sha256OfFile(absl::StrCat(zoo_dir, "/", entry.file));
      complete = digest.ok() && *digest == entry.sha256;
    }
    it = complete ? std::next(it) : finished.erase(it);
  }
  return finished;
}

// A changed search space (or code) must not mix two populations in one zoo.
absl::Status CheckFinishedRunsMatch(const RunEntries& finished,
                                    const std::vector<RunConfig>& shard_runs,
                                    const std::string& manifest_path) {
  for (const RunConfig& run : shard_runs) {
    auto it = finished.find(run.run);
    if (it == finished.end()) continue;
    for (const ManifestEntry& entry : it->second) {
      if (entry.config != run) {
        return absl::AlreadyExistsError(absl::StrCat(
            manifest_path, ": checkpoint ", entry.id,
            " was trained with another configuration than this command samples "
            "for run ",
            run.run, " (did the search space change?)"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace amend

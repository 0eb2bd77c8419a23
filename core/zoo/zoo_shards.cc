// MergeZooShards (declared in zoo_builder.h): joins the manifests that sharded
// builds of one zoo wrote side by side.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"
#include "core/zoo/accuracy_histogram.h"
#include "core/zoo/manifest.h"
#include "core/zoo/zoo_builder.h"
#include "core/zoo/zoo_resume.h"

namespace amend {
namespace {

// What merging needs of zoo.json.
struct ShardedZoo {
  std::string task;
  int64_t runs = 0;
  int epochs = 0;
};

absl::StatusOr<ShardedZoo> ReadSettings(const std::string& zoo_dir) {
  const std::string settings_path =
      absl::StrCat(zoo_dir, "/", kZooSettingsFile);
  AMEND_ASSIGN_OR_RETURN(const std::string settings_text,
                         ReadFileToString(settings_path, 1 << 20));
  const nlohmann::json settings = ParseStrictJson(settings_text).value;
  if (settings.is_discarded() || !settings.contains("runs") ||
      !settings.contains("epochs")) {
    return absl::InvalidArgumentError(
        absl::StrCat(settings_path, ": is not valid"));
  }
  ShardedZoo zoo;
  AMEND_ASSIGN_OR_RETURN(zoo.runs,
                         JsonField<int64_t>(settings, "runs", settings_path));
  AMEND_ASSIGN_OR_RETURN(zoo.epochs,
                         JsonField<int>(settings, "epochs", settings_path));
  if (zoo.runs < 1 || zoo.epochs < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(settings_path, ": runs and epochs must be >= 1"));
  }
  zoo.task = settings.value("task", std::string("zoo"));
  return zoo;
}

// Every entry of every manifest.shard-*.jsonl in `zoo_dir`.
absl::StatusOr<std::vector<ManifestEntry>> ReadShardManifests(
    const std::string& zoo_dir) {
  std::vector<ManifestEntry> all;
  int shard_files = 0;
  for (const auto& file : std::filesystem::directory_iterator(zoo_dir)) {
    const std::string name = file.path().filename().string();
    if (!absl::StartsWith(name, "manifest.shard-") ||
        !absl::EndsWith(name, ".jsonl"))
      continue;
    AMEND_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                           ReadManifest(file.path().string()));
    all.insert(all.end(), entries.begin(), entries.end());
    ++shard_files;
  }
  if (shard_files == 0) {
    return absl::NotFoundError(
        absl::StrCat(zoo_dir, ": has no manifest.shard-*.jsonl to merge"));
  }
  return all;
}

// FailedPrecondition unless every run 0..runs-1 has exactly its checkpoints,
// each listed once.
absl::Status CheckEveryRunOnce(const std::vector<ManifestEntry>& all,
                               const ShardedZoo& zoo,
                               const std::string& settings_path) {
  const size_t checkpoints = CheckpointEpochs(zoo.epochs).size();
  std::map<int64_t, size_t> per_run;
  std::set<std::string> ids;
  for (const ManifestEntry& entry : all) {
    if (entry.run < 0 || entry.run >= zoo.runs) {
      return absl::FailedPreconditionError(absl::StrCat(
          "checkpoint ", entry.id, ": run ", entry.run, " is outside 0..",
          zoo.runs - 1, " (", settings_path, ")"));
    }
    ++per_run[entry.run];
    if (!ids.insert(entry.id).second) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint ", entry.id,
                       ": appears in more than one shard manifest"));
    }
  }
  for (int64_t run = 0; run < zoo.runs; ++run) {
    if (per_run[run] != checkpoints) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run, ": has ", per_run[run],
                       " checkpoints in the shard manifests, ", "must have ",
                       checkpoints, " (is a shard unfinished?)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> MergeZooShards(const std::string& zoo_dir) {
  AMEND_ASSIGN_OR_RETURN(const ShardedZoo zoo, ReadSettings(zoo_dir));
  AMEND_ASSIGN_OR_RETURN(std::vector<ManifestEntry> all,
                         ReadShardManifests(zoo_dir));
  SortManifest(all);
  AMEND_RETURN_IF_ERROR(CheckEveryRunOnce(
      all, zoo, absl::StrCat(zoo_dir, "/", kZooSettingsFile)));
  AMEND_RETURN_IF_ERROR(
      WriteManifest(absl::StrCat(zoo_dir, "/manifest.jsonl"), all));
  std::map<std::string, std::vector<double>> by_stage;
  for (const ManifestEntry& entry : all)
    by_stage[entry.stage].push_back(entry.test.accuracy);
  AMEND_RETURN_IF_ERROR(WriteZooHistogram(
      zoo_dir, by_stage,
      absl::StrCat(zoo.task, " zoo: test accuracy of ", zoo.runs, " runs")));
  return static_cast<int64_t>(all.size());
}

}  // namespace amend

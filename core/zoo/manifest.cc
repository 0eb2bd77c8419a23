#include "core/zoo/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/data/delimited_text.h"
#include "core/util/file_io.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson MetricsJson(const ClassifierMetrics& metrics) {
  return {{"accuracy", metrics.accuracy}, {"loss", metrics.loss}};
}

}  // namespace

std::string ManifestEntryToJson(const ManifestEntry& entry) {
  OrderedJson json;
  json["id"] = entry.id;
  json["run"] = entry.run;
  json["epoch"] = entry.epoch;
  json["stage"] = entry.stage;
  json["split"] = entry.split;
  json["config"] = OrderedJson::parse(RunConfigToJson(entry.config));
  json["train"] = MetricsJson(entry.train);
  json["validation"] = MetricsJson(entry.validation);
  json["test"] = MetricsJson(entry.test);
  json["file"] = entry.file;
  json["sha256"] = entry.sha256;
  return json.dump();
}

absl::StatusOr<ManifestEntry> ManifestEntryFromJson(absl::string_view line) {
  const nlohmann::json json = ParseStrictJson(line).value;
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("must be a JSON object");
  }
  ManifestEntry entry;
  AMEND_ASSIGN_OR_RETURN(entry.id, JsonField<std::string>(json, "id", ""));
  AMEND_ASSIGN_OR_RETURN(entry.run, JsonField<int64_t>(json, "run", ""));
  AMEND_ASSIGN_OR_RETURN(entry.epoch, JsonField<int>(json, "epoch", ""));
  AMEND_ASSIGN_OR_RETURN(entry.stage,
                         JsonField<std::string>(json, "stage", ""));
  AMEND_ASSIGN_OR_RETURN(entry.split,
                         JsonField<std::string>(json, "split", ""));
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json config,
                         JsonField<nlohmann::json>(json, "config", ""));
  AMEND_ASSIGN_OR_RETURN(entry.config, RunConfigFromJson(config.dump()));
  for (auto [key, metrics] : {std::pair{"train", &entry.train},
                              std::pair{"validation", &entry.validation},
                              std::pair{"test", &entry.test}}) {
    AMEND_ASSIGN_OR_RETURN(const nlohmann::json object,
                           JsonField<nlohmann::json>(json, key, ""));
    AMEND_ASSIGN_OR_RETURN(metrics->accuracy,
                           JsonField<double>(object, "accuracy", key));
    AMEND_ASSIGN_OR_RETURN(metrics->loss,
                           JsonField<double>(object, "loss", key));
  }
  AMEND_ASSIGN_OR_RETURN(entry.file, JsonField<std::string>(json, "file", ""));
  AMEND_ASSIGN_OR_RETURN(entry.sha256,
                         JsonField<std::string>(json, "sha256", ""));
  if (entry.sha256.size() != 64)
    return absl::InvalidArgumentError("sha256: must be 64 hex digits");
  return entry;
}

std::string ManifestToText(const std::vector<ManifestEntry>& entries) {
  std::string text;
  for (const ManifestEntry& entry : entries)
    absl::StrAppend(&text, ManifestEntryToJson(entry), "\n");
  return text;
}

absl::StatusOr<std::vector<ManifestEntry>> ParseManifest(
    absl::string_view text, absl::string_view what) {
  std::vector<ManifestEntry> entries;
  const std::vector<absl::string_view> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto entry = ManifestEntryFromJson(lines[i]);
    if (!entry.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ":", i + 1, ": ", entry.status().message()));
    }
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<ManifestEntry>> ReadManifest(
    const std::string& path) {
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(path, uint64_t{1} << 30));
  return ParseManifest(text, path);
}

absl::Status WriteManifest(const std::string& path,
                           const std::vector<ManifestEntry>& entries) {
  return WriteFileAtomically(path, ManifestToText(entries));
}

void SortManifest(std::vector<ManifestEntry>& entries) {
  std::sort(entries.begin(), entries.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) {
              return a.run != b.run ? a.run < b.run : a.epoch < b.epoch;
            });
}

std::string ManifestFileName(int shard_index, int shard_count) {
  if (shard_count <= 1) return "manifest.jsonl";
  return absl::StrCat("manifest.shard-", shard_index, "-of-", shard_count,
                      ".jsonl");
}

}  // namespace amend

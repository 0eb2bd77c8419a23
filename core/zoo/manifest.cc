#include "core/zoo/manifest.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/data/delimited_text.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson MetricsJson(const SplitMetrics& metrics) {
  return {{"accuracy", metrics.accuracy}, {"loss", metrics.loss}};
}

SplitMetrics MetricsFromJson(const nlohmann::json& json) {
  return {json.at("accuracy").get<double>(), json.at("loss").get<double>()};
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
  const nlohmann::json json =
      nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("must be a JSON object");
  }
  ManifestEntry entry;
  try {
    entry.id = json.at("id").get<std::string>();
    entry.run = json.at("run").get<int64_t>();
    entry.epoch = json.at("epoch").get<int>();
    entry.stage = json.at("stage").get<std::string>();
    entry.split = json.at("split").get<std::string>();
    AMEND_ASSIGN_OR_RETURN(entry.config,
                           RunConfigFromJson(json.at("config").dump()));
    entry.train = MetricsFromJson(json.at("train"));
    entry.validation = MetricsFromJson(json.at("validation"));
    entry.test = MetricsFromJson(json.at("test"));
    entry.file = json.at("file").get<std::string>();
    entry.sha256 = json.at("sha256").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
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

}  // namespace amend

#include "core/editor/editor_manifest_json.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

constexpr uint64_t kMaxEditorManifestBytes = uint64_t{16} << 20;

}  // namespace

nlohmann::json EditorManifestToJson(const EditorManifest& manifest) {
  nlohmann::json json{
      {"format", kEditorFormat},
      {"config", EditorConfigToJson(manifest.config)},
      {"weights",
       {{"file", kEditorWeightsFile}, {"sha256", manifest.weights_sha256}}},
      {"training", manifest.training},
      {"validation", EditorFiguresToJson(manifest.validation)},
      {"test", EditorFiguresToJson(manifest.test)},
      {"test_baseline", manifest.test_baseline},
      {"created_at", manifest.created_at},
      {"trainer_version", manifest.trainer_version},
  };
  if (manifest.trained_architectures) {
    json["trained_architectures"] =
        ArchitectureRangeToJson(*manifest.trained_architectures);
  }
  return json;
}

absl::StatusOr<EditorManifest> ParseEditorManifest(absl::string_view text) {
  StrictJson parsed = ParseStrictJson(text);
  if (!parsed.error.ok()) return parsed.error;
  const nlohmann::json json = std::move(parsed.value);
  if (!json.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  absl::StatusOr<std::string> format =
      JsonField<std::string>(json, "format", "");
  if (!format.ok()) return format.status();
  if (*format != kEditorFormat) {
    return absl::InvalidArgumentError(absl::StrCat(
        "format: expected \"", kEditorFormat, "\", got \"", *format, "\""));
  }
  EditorManifest manifest;
  auto config_json = JsonField<nlohmann::json>(json, "config", "");
  if (!config_json.ok()) return config_json.status();
  auto config = EditorConfigFromJson(*config_json);
  if (!config.ok()) return config.status();
  manifest.config = *std::move(config);
  auto weights = JsonField<nlohmann::json>(json, "weights", "");
  if (!weights.ok()) return weights.status();
  auto sha = JsonField<std::string>(*weights, "sha256", "weights");
  if (!sha.ok()) return sha.status();
  manifest.weights_sha256 = *sha;
  for (auto [key, target] : {std::pair{"validation", &manifest.validation},
                             std::pair{"test", &manifest.test}}) {
    auto object = JsonField<nlohmann::json>(json, key, "");
    if (!object.ok()) return object.status();
    auto figures = EditorFiguresFromJson(*object, key);
    if (!figures.ok()) return figures.status();
    *target = *std::move(figures);
  }
  manifest.test_baseline = json.value("test_baseline", nlohmann::json());
  auto training = JsonField<nlohmann::json>(json, "training", "");
  if (!training.ok()) return training.status();
  manifest.training = *training;
  auto created = JsonField<std::string>(json, "created_at", "");
  if (!created.ok()) return created.status();
  manifest.created_at = *created;
  auto version = JsonField<std::string>(json, "trainer_version", "");
  if (!version.ok()) return version.status();
  manifest.trainer_version = *version;
  if (auto range = json.find("trained_architectures"); range != json.end()) {
    auto parsed_range =
        ArchitectureRangeFromJson(*range, "trained_architectures");
    if (!parsed_range.ok()) return parsed_range.status();
    manifest.trained_architectures = *std::move(parsed_range);
  }
  return manifest;
}

absl::StatusOr<EditorManifest> ReadEditorManifest(const std::string& dir) {
  const std::string path =
      (std::filesystem::path(dir) / kEditorManifestFile).string();
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(path, kMaxEditorManifestBytes));
  absl::StatusOr<EditorManifest> manifest = ParseEditorManifest(text);
  if (!manifest.ok()) {
    return absl::Status(manifest.status().code(),
                        absl::StrCat(path, ": ", manifest.status().message()));
  }
  return manifest;
}

}  // namespace amend

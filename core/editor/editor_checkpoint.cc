#include "core/editor/editor_checkpoint.h"

#include <ATen/ATen.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/mlp/model_file.h"
#include "core/mlp/safetensors.h"
#include "core/util/file_io.h"
#include "core/util/json_field.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"
#include "core/util/torch_boundary.h"
#include "core/util/version.h"

namespace amend {
namespace {

// An editor's weights are a few MiB at most; refuse anything far larger.
constexpr uint64_t kMaxEditorWeightsBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxEditorManifestBytes = uint64_t{16} << 20;

std::string Join(const std::string& dir, const char* file) {
  return (std::filesystem::path(dir) / file).string();
}

}  // namespace

std::string SerializeEditorWeights(const Editor& editor) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : editor.network()->named_parameters(true)) {
    tensors.emplace_back(item.key(), item.value());
  }
  return SerializeFloat32Tensors(tensors, {{"amend.format", kEditorFormat}});
}

absl::Status LoadEditorWeights(absl::string_view bytes, Editor& editor) {
  AMEND_ASSIGN_OR_RETURN(const SafetensorsFile file, ParseSafetensors(bytes));
  std::set<std::string> expected;
  for (const auto& item : editor.network()->named_parameters(true)) {
    expected.insert(item.key());
  }
  for (const SafetensorsTensor& tensor : file.tensors) {
    if (!expected.count(tensor.name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "editor weights: unexpected tensor \"", tensor.name, "\""));
    }
  }
  return CallTorch("loading editor weights", [&]() -> absl::Status {
    at::NoGradGuard no_grad;
    for (auto& item : editor.network()->named_parameters(true)) {
      const SafetensorsTensor* tensor = file.Find(item.key());
      if (tensor == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "editor weights: tensor \"", item.key(), "\" is missing"));
      }
      at::Tensor& parameter = item.value();
      const std::vector<int64_t> shape(parameter.sizes().begin(),
                                       parameter.sizes().end());
      if (tensor->shape != shape) {
        return absl::InvalidArgumentError(
            absl::StrCat("editor weights: tensor \"", item.key(),
                         "\" has shape [", absl::StrJoin(tensor->shape, ", "),
                         "], expected [", absl::StrJoin(shape, ", "), "]"));
      }
      AMEND_ASSIGN_OR_RETURN(const std::vector<float> values,
                             DecodeFloat32(*tensor));
      parameter.copy_(
          at::from_blob(const_cast<float*>(values.data()), shape, at::kFloat));
    }
    return absl::OkStatus();
  });
}

absl::Status WriteEditorCheckpoint(const std::string& dir, const Editor& editor,
                                   EditorManifest manifest) {
  AMEND_RETURN_IF_ERROR(CreateDirectories(dir));
  const std::string weights = SerializeEditorWeights(editor);
  manifest.weights_sha256 = Sha256Hex(weights);
  if (manifest.created_at.empty()) {
    manifest.created_at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                                           absl::UTCTimeZone());
  }
  if (manifest.trainer_version.empty()) {
    manifest.trainer_version = kAmendVersion;
  }
  nlohmann::json json{
      {"format", kEditorFormat},
      {"config", EditorConfigToJson(editor.config())},
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
  AMEND_RETURN_IF_ERROR(
      WriteFileAtomically(Join(dir, kEditorWeightsFile), weights));
  return WriteFileAtomically(Join(dir, kEditorManifestFile),
                             json.dump(2) + "\n");
}

absl::StatusOr<EditorManifest> ReadEditorManifest(const std::string& dir) {
  const std::string path = Join(dir, kEditorManifestFile);
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(path, kMaxEditorManifestBytes));
  StrictJson parsed = ParseStrictJson(text);
  auto fail = [&](const absl::Status& status) {
    return absl::Status(status.code(),
                        absl::StrCat(path, ": ", status.message()));
  };
  if (!parsed.error.ok()) return fail(parsed.error);
  const nlohmann::json json = std::move(parsed.value);
  if (!json.is_object()) {
    return fail(absl::InvalidArgumentError("not a JSON object"));
  }
  absl::StatusOr<std::string> format =
      JsonField<std::string>(json, "format", "");
  if (!format.ok()) return fail(format.status());
  if (*format != kEditorFormat) {
    return fail(absl::InvalidArgumentError(absl::StrCat(
        "format: expected \"", kEditorFormat, "\", got \"", *format, "\"")));
  }
  EditorManifest manifest;
  auto config_json = JsonField<nlohmann::json>(json, "config", "");
  if (!config_json.ok()) return fail(config_json.status());
  auto config = EditorConfigFromJson(*config_json);
  if (!config.ok()) return fail(config.status());
  manifest.config = *std::move(config);
  auto weights = JsonField<nlohmann::json>(json, "weights", "");
  if (!weights.ok()) return fail(weights.status());
  auto sha = JsonField<std::string>(*weights, "sha256", "weights");
  if (!sha.ok()) return fail(sha.status());
  manifest.weights_sha256 = *sha;
  for (auto [key, target] : {std::pair{"validation", &manifest.validation},
                             std::pair{"test", &manifest.test}}) {
    auto object = JsonField<nlohmann::json>(json, key, "");
    if (!object.ok()) return fail(object.status());
    auto figures = EditorFiguresFromJson(*object, key);
    if (!figures.ok()) return fail(figures.status());
    *target = *std::move(figures);
  }
  manifest.test_baseline = json.value("test_baseline", nlohmann::json());
  auto training = JsonField<nlohmann::json>(json, "training", "");
  if (!training.ok()) return fail(training.status());
  manifest.training = *training;
  auto created = JsonField<std::string>(json, "created_at", "");
  if (!created.ok()) return fail(created.status());
  manifest.created_at = *created;
  auto version = JsonField<std::string>(json, "trainer_version", "");
  if (!version.ok()) return fail(version.status());
  manifest.trainer_version = *version;
  if (auto range = json.find("trained_architectures"); range != json.end()) {
    auto parsed_range =
        ArchitectureRangeFromJson(*range, "trained_architectures");
    if (!parsed_range.ok()) return fail(parsed_range.status());
    manifest.trained_architectures = *std::move(parsed_range);
  }
  return manifest;
}

absl::StatusOr<LoadedEditor> ReadEditorCheckpoint(const std::string& dir) {
  LoadedEditor loaded;
  AMEND_ASSIGN_OR_RETURN(loaded.manifest, ReadEditorManifest(dir));
  const std::string path = Join(dir, kEditorWeightsFile);
  AMEND_ASSIGN_OR_RETURN(const std::string bytes,
                         ReadFileToString(path, kMaxEditorWeightsBytes));
  const std::string sha = Sha256Hex(bytes);
  if (sha != loaded.manifest.weights_sha256) {
    return absl::DataLossError(absl::StrCat(path, ": sha256 is ", sha,
                                            ", the manifest says ",
                                            loaded.manifest.weights_sha256));
  }
  AMEND_ASSIGN_OR_RETURN(loaded.editor,
                         Editor::Create(loaded.manifest.config, /*seed=*/0));
  absl::Status status = LoadEditorWeights(bytes, *loaded.editor);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(path, ": ", status.message()));
  }
  return loaded;
}

}  // namespace amend

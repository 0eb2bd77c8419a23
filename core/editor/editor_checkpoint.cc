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
#include "core/editor/editor_manifest_json.h"
#include "core/mlp/model_file.h"
#include "core/mlp/safetensors.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"
#include "core/util/version.h"

namespace amend {
namespace {

// An editor's weights are a few MiB at most; refuse anything far larger.
constexpr uint64_t kMaxEditorWeightsBytes = uint64_t{1} << 30;

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
  manifest.config = editor.config();
  AMEND_RETURN_IF_ERROR(
      WriteFileAtomically(Join(dir, kEditorWeightsFile), weights));
  return WriteFileAtomically(Join(dir, kEditorManifestFile),
                             EditorManifestToJson(manifest).dump(2) + "\n");
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

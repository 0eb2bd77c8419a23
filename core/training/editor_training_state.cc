#include "core/training/editor_training_state.h"

#include <ATen/ATen.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/mlp/model_file.h"
#include "core/mlp/safetensors.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

constexpr char kStateTensorsFile[] = "training_state.safetensors";
constexpr char kStateJsonFile[] = "training_state.json";
constexpr uint64_t kMaxStateBytes = uint64_t{1} << 30;

std::string StatePath(const std::string& dir, const char* file) {
  return (std::filesystem::path(dir) / file).string();
}

}  // namespace

std::vector<std::pair<std::string, at::Tensor>> NamedParameters(
    Editor& editor) {
  std::vector<std::pair<std::string, at::Tensor>> named;
  for (auto& item : editor.network()->named_parameters(true)) {
    named.emplace_back(item.key(), item.value());
  }
  return named;
}

std::vector<at::Tensor> CloneParameters(Editor& editor) {
  std::vector<at::Tensor> copies;
  for (const auto& [name, tensor] : NamedParameters(editor)) {
    copies.push_back(tensor.detach().clone());
  }
  return copies;
}

void RestoreParameters(Editor& editor, const std::vector<at::Tensor>& values) {
  at::NoGradGuard no_grad;
  const auto named = NamedParameters(editor);
  for (size_t i = 0; i < named.size(); ++i) {
    at::Tensor parameter = named[i].second;
    parameter.copy_(values[i]);
  }
}

absl::Status SaveState(const std::string& dir, Editor& editor, AdamW& optimizer,
                       const TrainingState& state,
                       const nlohmann::json& settings) {
  const auto named = NamedParameters(editor);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (size_t i = 0; i < named.size(); ++i) {
    tensors.emplace_back("parameter/" + named[i].first, named[i].second);
    tensors.emplace_back("first_moment/" + named[i].first,
                         optimizer.first_moments()[i]);
    tensors.emplace_back("second_moment/" + named[i].first,
                         optimizer.second_moments()[i]);
    if (!state.best.empty()) {
      tensors.emplace_back("best/" + named[i].first, state.best[i]);
    }
  }
  const std::string bytes = SerializeFloat32Tensors(tensors, {});
  const nlohmann::json json{{"settings", settings},
                            {"step", state.step},
                            {"best_score", state.best_score},
                            {"best_step", state.best_step},
                            {"history", state.history},
                            {"seconds", state.seconds},
                            {"tensors_sha256", Sha256Hex(bytes)}};
  AMEND_RETURN_IF_ERROR(
      WriteFileAtomically(StatePath(dir, kStateTensorsFile), bytes));
  return WriteFileAtomically(StatePath(dir, kStateJsonFile), json.dump());
}

absl::StatusOr<bool> LoadState(const std::string& dir, Editor& editor,
                               AdamW& optimizer, TrainingState& state,
                               const nlohmann::json& settings) {
  const std::string json_path = StatePath(dir, kStateJsonFile);
  if (!std::filesystem::exists(json_path)) return false;
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(json_path, kMaxStateBytes));
  const nlohmann::json json = ParseStrictJson(text).value;
  if (json.is_discarded() || !json.is_object() || !json.contains("settings") ||
      !json.value("step", nlohmann::json()).is_number_integer() ||
      !json.value("best_step", nlohmann::json()).is_number_integer()) {
    return absl::DataLossError(
        absl::StrCat(json_path, ": not a training state"));
  }
  if (json["settings"] != settings) {
    return absl::AlreadyExistsError(absl::StrCat(
        dir, ": holds the training state of an editor with other settings"));
  }
  const std::string tensors_path = StatePath(dir, kStateTensorsFile);
  AMEND_ASSIGN_OR_RETURN(const std::string bytes,
                         ReadFileToString(tensors_path, kMaxStateBytes));
  if (Sha256Hex(bytes) != json.value("tensors_sha256", "")) {
    return absl::DataLossError(
        absl::StrCat(tensors_path, ": sha256 does not match ", kStateJsonFile));
  }
  AMEND_ASSIGN_OR_RETURN(const SafetensorsFile file, ParseSafetensors(bytes));
  const auto named = NamedParameters(editor);
  const bool has_best = json.value("best_step", int64_t{-1}) >= 0;
  auto read = [&](const std::string& name, at::Tensor& target) -> absl::Status {
    const SafetensorsTensor* tensor = file.Find(name);
    if (tensor == nullptr) {
      return absl::DataLossError(
          absl::StrCat(tensors_path, ": tensor ", name, " is missing"));
    }
    AMEND_ASSIGN_OR_RETURN(const std::vector<float> values,
                           DecodeFloat32(*tensor));
    if (static_cast<int64_t>(values.size()) != target.numel()) {
      return absl::DataLossError(
          absl::StrCat(tensors_path, ": tensor ", name, " has the wrong size"));
    }
    at::NoGradGuard no_grad;
    target.copy_(at::from_blob(const_cast<float*>(values.data()),
                               target.sizes(), at::kFloat));
    return absl::OkStatus();
  };
  state.best.clear();
  for (size_t i = 0; i < named.size(); ++i) {
    at::Tensor parameter = named[i].second;
    AMEND_RETURN_IF_ERROR(read("parameter/" + named[i].first, parameter));
    AMEND_RETURN_IF_ERROR(
        read("first_moment/" + named[i].first, optimizer.first_moments()[i]));
    AMEND_RETURN_IF_ERROR(
        read("second_moment/" + named[i].first, optimizer.second_moments()[i]));
    if (has_best) {
      at::Tensor best = at::empty_like(parameter).detach();
      AMEND_RETURN_IF_ERROR(read("best/" + named[i].first, best));
      state.best.push_back(best);
    }
  }
  // JSON has no infinity: a state saved before the first selection stores
  // best_score as null.
  state.step = json.value("step", int64_t{0});
  state.best_score = json["best_score"].is_number()
                         ? json["best_score"].get<double>()
                         : std::numeric_limits<double>::infinity();
  state.best_step = json.value("best_step", int64_t{-1});
  state.history = json.value("history", nlohmann::json::array());
  state.seconds = json.value("seconds", 0.0);
  optimizer.set_step(state.step);
  return true;
}

void RemoveState(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove(StatePath(dir, kStateTensorsFile), ignored);
  std::filesystem::remove(StatePath(dir, kStateJsonFile), ignored);
}

}  // namespace amend

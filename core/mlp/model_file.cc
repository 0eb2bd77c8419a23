#include "core/mlp/model_file.h"

#include <ATen/ATen.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/parameter_layout.h"
#include "core/mlp/safetensors.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::StatusOr<Mlp> ParseModelFile(
    absl::string_view bytes, const ModelFileOptions& options,
    std::map<std::string, std::string>* metadata) {
  AMEND_ASSIGN_OR_RETURN(SafetensorsFile file, ParseSafetensors(bytes));
  auto architecture_json = file.metadata.find(kArchitectureMetadataKey);
  if (architecture_json == file.metadata.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "__metadata__.", kArchitectureMetadataKey,
        ": is missing; a model file must carry its architecture JSON there"));
  }
  auto architecture =
      ParseArchitectureJson(architecture_json->second, options.limits);
  if (!architecture.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("__metadata__.", kArchitectureMetadataKey, ": ",
                     architecture.status().message()));
  }
  return CallTorch("ParseModelFile", [&]() -> absl::StatusOr<Mlp> {
    Mlp mlp;
    mlp.architecture = *std::move(architecture);
    std::map<std::string, std::vector<int64_t>> expected;
    for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
      expected[spec.name] = spec.shape;
    }
    for (const SafetensorsTensor& tensor : file.tensors) {
      const bool is_mask = absl::StartsWith(tensor.name, kMaskPrefix);
      if (!is_mask && !expected.contains(tensor.name)) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor '", tensor.name,
                         "': is not a parameter of this architecture (",
                         DescribeArchitecture(mlp.architecture), ")"));
      }
      if (!is_mask && tensor.shape != expected[tensor.name]) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor '", tensor.name, "': shape must be [",
                         absl::StrJoin(expected[tensor.name], ", "), "], got [",
                         absl::StrJoin(tensor.shape, ", "), "]"));
      }
      AMEND_ASSIGN_OR_RETURN(std::vector<float> values, DecodeFloat32(tensor));
      at::Tensor value = at::from_blob(values.data(), tensor.shape, at::kFloat)
                             .clone();  // owns its memory
      (is_mask ? mlp.masks : mlp.parameters)
          .emplace(tensor.name, std::move(value));
    }
    AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
    AMEND_RETURN_IF_ERROR(ValidateMasks(mlp.architecture, mlp.masks));
    if (metadata != nullptr) {
      *metadata = std::move(file.metadata);
      metadata->erase(kArchitectureMetadataKey);
    }
    return mlp;
  });
}

absl::StatusOr<Mlp> ReadModelFile(const std::string& path,
                                  const ModelFileOptions& options) {
  AMEND_ASSIGN_OR_RETURN(std::string bytes,
                         ReadFileToString(path, kMaxModelFileBytes));
  auto mlp = ParseModelFile(bytes, options);
  if (!mlp.ok()) {
    return absl::Status(mlp.status().code(),
                        absl::StrCat(path, ": ", mlp.status().message()));
  }
  return mlp;
}

absl::StatusOr<std::string> SerializeModel(
    const Mlp& mlp, const std::map<std::string, std::string>& metadata) {
  AMEND_RETURN_IF_ERROR(ValidateArchitecture(mlp.architecture));
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  AMEND_RETURN_IF_ERROR(ValidateMasks(mlp.architecture, mlp.masks));
  return CallTorch("SerializeModel", [&]() -> absl::StatusOr<std::string> {
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const TensorMap* map : {&mlp.parameters, &mlp.masks}) {
      for (const auto& [name, tensor] : *map)
        tensors.emplace_back(name, tensor);
    }
    std::map<std::string, std::string> all_metadata = metadata;
    all_metadata[kArchitectureMetadataKey] =
        ArchitectureToJson(mlp.architecture);
    return SerializeFloat32Tensors(tensors, all_metadata);
  });
}

std::string SerializeFloat32Tensors(
    const std::vector<std::pair<std::string, at::Tensor>>& tensors,
    const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> keep_alive;  // contiguous CPU copies behind the views
  std::vector<Float32TensorView> views;
  for (const auto& [name, tensor] : tensors) {
    at::Tensor cpu = tensor.detach().to(at::kCPU).contiguous();
    views.push_back(
        {name, std::vector<int64_t>(cpu.sizes().begin(), cpu.sizes().end()),
         std::span<const float>(cpu.data_ptr<float>(),
                                static_cast<size_t>(cpu.numel()))});
    keep_alive.push_back(std::move(cpu));
  }
  return SerializeSafetensors(metadata, std::move(views));
}

absl::Status WriteModelFile(
    const std::string& path, const Mlp& mlp,
    const std::map<std::string, std::string>& metadata) {
  AMEND_ASSIGN_OR_RETURN(std::string bytes, SerializeModel(mlp, metadata));
  return WriteFileAtomically(path, bytes);
}

}  // namespace amend

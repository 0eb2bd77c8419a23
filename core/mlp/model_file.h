// File: core/mlp/model_file.h
//
// Model files of the Amend contract: safetensors whose metadata holds the
// architecture JSON under "amend.architecture", with exactly the architecture's
// float32 tensors (parameter_layout.h) and, for an edited model, its masks. See
// docs/MODEL_FORMAT.md.
//
// Reading is strict: everything ParseSafetensors refuses, plus a missing or
// invalid architecture, missing, unknown or misshapen tensors, non-finite
// values and non-binary masks. Each refusal is InvalidArgument and names the
// tensor or field and what was expected.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Mlp mlp, ReadModelFile("model.safetensors"));
//   AMEND_RETURN_IF_ERROR(WriteModelFile("copy.safetensors", mlp));
//
// Thread-safe (pure functions; file writes are atomic, see
// core/util/file_io.h).
#ifndef AMEND_CORE_MLP_MODEL_FILE_H_
#define AMEND_CORE_MLP_MODEL_FILE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/mlp/architecture.h"
#include "core/mlp/mlp.h"

namespace amend {

inline constexpr char kArchitectureMetadataKey[] = "amend.architecture";
// A model file is bounded by the architecture limits; this caps what we read
// before parsing.
inline constexpr uint64_t kMaxModelFileBytes = uint64_t{1} << 30;

struct ModelFileOptions {
  ArchitectureLimits limits;
};

// Parses model-file bytes. Extra metadata entries are kept in `metadata` when
// it is not null.
absl::StatusOr<Mlp> ParseModelFile(
    absl::string_view bytes, const ModelFileOptions& options = {},
    std::map<std::string, std::string>* metadata = nullptr);

absl::StatusOr<Mlp> ReadModelFile(const std::string& path,
                                  const ModelFileOptions& options = {});

// Serialises `mlp` (parameters and masks, moved to the CPU) with the
// architecture and any extra `metadata`. Validates first: an invalid model is
// never written.
absl::StatusOr<std::string> SerializeModel(
    const Mlp& mlp, const std::map<std::string, std::string>& metadata = {});

// Safetensors bytes of float32 tensors (moved to the CPU, made contiguous) in
// the order given, with `metadata`. The one place tensors become safetensors:
// model files, editor weights and training states all use it.
// REQUIRES: every tensor is float32.
std::string SerializeFloat32Tensors(
    const std::vector<std::pair<std::string, at::Tensor>>& tensors,
    const std::map<std::string, std::string>& metadata);

absl::Status WriteModelFile(
    const std::string& path, const Mlp& mlp,
    const std::map<std::string, std::string>& metadata = {});

}  // namespace amend

#endif  // AMEND_CORE_MLP_MODEL_FILE_H_

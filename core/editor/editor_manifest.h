// File: core/editor/editor_manifest.h
//
// An editor checkpoint's manifest (editor.json, docs/EDITOR_FORMAT.md) without
// the metanetwork: what selecting editors and drawing fronts read. Kept apart
// from editor_checkpoint.h so that code which never runs an editor does not
// compile LibTorch's module headers.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(EditorManifest manifest,
//                          ReadEditorManifest("editors/adult/pruning/0.01"));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_EDITOR_MANIFEST_H_
#define AMEND_CORE_EDITOR_EDITOR_MANIFEST_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/editor/editor_config.h"
#include "core/mlp/architecture_range.h"
#include "core/results/editor_figures.h"

namespace amend {

inline constexpr char kEditorWeightsFile[] = "editor.safetensors";
inline constexpr char kEditorManifestFile[] = "editor.json";
inline constexpr char kEditorFormat[] = "amend.editor/1";

struct EditorManifest {
  EditorConfig config;
  std::string weights_sha256;
  std::string created_at;  // RFC 3339, UTC
  std::string trainer_version;
  nlohmann::json training = nlohmann::json::object();  // settings and history
  EditorFigures validation;
  EditorFigures test;
  // The matched sanity baseline on the test split (sanity_baselines.h):
  // {"name", "figures", "editor_wins"}, or null.
  nlohmann::json test_baseline = nullptr;
  // The architectures of the zoo models it was trained on; absent in editors
  // written before this was recorded (their edits cannot be checked).
  std::optional<ArchitectureRange> trained_architectures;
};

// The manifest alone (no weights read), verified for form only. Defined in
// editor_checkpoint.cc beside the writer, which shares its checks.
absl::StatusOr<EditorManifest> ReadEditorManifest(const std::string& dir);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDITOR_MANIFEST_H_

// File: core/editor/editor_checkpoint.h
//
// Editor checkpoints on disk (docs/ARCHITECTURE.md §6, docs/EDITOR_FORMAT.md):
//   <dir>/editor.safetensors   the metanetwork's parameters (float32)
//   <dir>/editor.json          the manifest: config, sha256 of the weights,
//                              training settings, validation and test figures,
//                              created_at, trainer version
// Both are written to a temporary name and renamed; the weights first, so a
// manifest never names weights that are not there. Readers verify the sha256
// (DataLoss on mismatch) and the tensor names and shapes.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(LoadedEditor loaded,
//                          ReadEditorCheckpoint("editors/adult/pruning/0.01"));
//
// Thread-safe (pure functions; writes are atomic).
#ifndef AMEND_CORE_EDITOR_EDITOR_CHECKPOINT_H_
#define AMEND_CORE_EDITOR_EDITOR_CHECKPOINT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "core/editor/editor.h"
#include "core/editor/editor_manifest.h"

namespace amend {

struct LoadedEditor {
  EditorManifest manifest;
  std::unique_ptr<Editor> editor;
};

// The metanetwork parameters as safetensors bytes (names from the module).
std::string SerializeEditorWeights(const Editor& editor);
// Copies parameters from safetensors bytes; every parameter must be present
// with its shape, and nothing else.
absl::Status LoadEditorWeights(absl::string_view bytes, Editor& editor);

// Writes both files into `dir` (created if needed); fills
// manifest.weights_sha256 and, when empty, manifest.created_at.
absl::Status WriteEditorCheckpoint(const std::string& dir, const Editor& editor,
                                   EditorManifest manifest);

absl::StatusOr<LoadedEditor> ReadEditorCheckpoint(const std::string& dir);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDITOR_CHECKPOINT_H_

// File: core/editor/editor_manifest_json.h
//
// An editor's manifest (editor.json, docs/EDITOR_FORMAT.md) to and from its
// JSON, without LibTorch: the server reads manifests of every editor it
// loads, and the fuzz target tests/fuzz/editor_manifest_fuzz.cc reads them
// from any bytes. ReadEditorManifest (editor_manifest.h) is the file form.
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_EDITOR_MANIFEST_JSON_H_
#define AMEND_CORE_EDITOR_EDITOR_MANIFEST_JSON_H_

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/editor/editor_manifest.h"

namespace amend {

nlohmann::json EditorManifestToJson(const EditorManifest& manifest);

// Strict JSON (core/util/strict_json.h); every field is checked, statuses
// name it.
absl::StatusOr<EditorManifest> ParseEditorManifest(absl::string_view text);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDITOR_MANIFEST_JSON_H_

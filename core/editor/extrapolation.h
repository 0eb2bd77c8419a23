// File: core/editor/extrapolation.h
//
// Whether editing a model with an editor is an extrapolation: the model's
// architecture lies outside the range of the zoo the editor was trained on
// (deeper, wider, an activation or norm the zoo never had, more skips). Such
// an edit still runs, but the caller is told why it is outside, and a caller
// that asks for strict mode gets a refusal instead.
//
// Example:
//   std::vector<std::string> reasons =
//       ExtrapolationReasons(served.manifest, mlp.architecture);
//
// Thread-safe (pure function).
#ifndef AMEND_CORE_EDITOR_EXTRAPOLATION_H_
#define AMEND_CORE_EDITOR_EXTRAPOLATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/editor/editor_manifest.h"
#include "core/mlp/architecture.h"

namespace amend {

// Empty when the architecture is inside the editor's training range. An
// editor that does not record its range (written before it was recorded)
// gives one reason saying so: its edits cannot be checked.
std::vector<std::string> ExtrapolationReasons(const EditorManifest& manifest,
                                              const Architecture& architecture);

// FailedPrecondition for strict callers, naming the editor's task and (at most
// the first few) reasons; OK when `reasons` is empty.
absl::Status RefuseExtrapolation(const EditorManifest& manifest,
                                 const std::vector<std::string>& reasons);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EXTRAPOLATION_H_

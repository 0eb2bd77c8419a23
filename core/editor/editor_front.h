// File: core/editor/editor_front.h
//
// Which editors of a set are Pareto-optimal by their validation figures
// (requirement metric and JSD, both minimised): what `amend-trainer sweep`
// reports and what the server marks as on the front. One definition, so the
// two never disagree about which lambdas are worth serving.
//
// Example:
//   std::vector<bool> front = ParetoOptimalEditors({&a.manifest, &b.manifest});
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_EDITOR_FRONT_H_
#define AMEND_CORE_EDITOR_EDITOR_FRONT_H_

#include <vector>

#include "core/editor/editor_manifest.h"

namespace amend {

// One entry per manifest, in order. Equal points are all optimal.
std::vector<bool> ParetoOptimalEditors(
    const std::vector<const EditorManifest*>& manifests);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDITOR_FRONT_H_

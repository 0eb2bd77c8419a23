#include "core/editor/editor_front.h"

#include "core/eval/pareto.h"

namespace amend {

std::vector<bool> ParetoOptimalEditors(
    const std::vector<const EditorManifest*>& manifests) {
  std::vector<ParetoPoint> points;
  points.reserve(manifests.size());
  for (const EditorManifest* manifest : manifests) {
    points.push_back(
        {manifest->validation.requirement.mean, manifest->validation.jsd.mean});
  }
  return ParetoOptimal(points);
}

}  // namespace amend

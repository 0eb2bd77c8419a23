#include "core/editor/extrapolation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace amend {
namespace {

// A 64-layer model could give a reason per layer; a message needs a few.
constexpr size_t kReasonsInMessage = 4;

}  // namespace

std::vector<std::string> ExtrapolationReasons(
    const EditorManifest& manifest, const Architecture& architecture) {
  if (!manifest.trained_architectures) {
    return {absl::StrCat(
        "the editor does not record the architectures it was trained on "
        "(written by amend ",
        manifest.trainer_version, "); retrain it to have its edits checked")};
  }
  return manifest.trained_architectures->Outside(architecture);
}

absl::Status RefuseExtrapolation(const EditorManifest& manifest,
                                 const std::vector<std::string>& reasons) {
  if (reasons.empty()) return absl::OkStatus();
  std::vector<std::string> shown(
      reasons.begin(),
      reasons.begin() + static_cast<std::ptrdiff_t>(
                            std::min(reasons.size(), kReasonsInMessage)));
  // An editor without a recorded range cannot say the model is outside it.
  std::string message = absl::StrCat(
      manifest.trained_architectures
          ? absl::StrCat("model: outside the architectures the ",
                         manifest.config.task, " editor was trained on")
          : absl::StrCat("model: the ", manifest.config.task,
                         " editor cannot vouch for any architecture"),
      ", refused in strict mode: ", absl::StrJoin(shown, "; "));
  if (reasons.size() > shown.size())
    absl::StrAppend(&message, "; and ", reasons.size() - shown.size(), " more");
  return absl::FailedPreconditionError(message);
}

}  // namespace amend

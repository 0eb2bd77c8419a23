#include "server/editor_snapshot.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/editor/editor_checkpoint.h"
#include "core/editor/editor_front.h"

namespace amend::server {
namespace {

namespace fs = std::filesystem;

using EditorKey = std::tuple<std::string, Requirement, EditVariant, double>;

// The enums are declared in their names' alphabetical order, so this sorts as
// the wire names do.
EditorKey SortKey(const ServedEditor& editor) {
  return {editor.task(), editor.requirement(), editor.variant(),
          editor.manifest.config.lambda};
}

// Every folder under `root` holding an editor manifest, sorted. A walk that
// fails part way reports it and returns what it found.
std::vector<std::string> ManifestDirs(const std::string& root,
                                      std::vector<std::string>& errors) {
  std::vector<std::string> dirs;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (it->is_regular_file() && it->path().filename() == kEditorManifestFile) {
      dirs.push_back(it->path().parent_path().string());
    }
  }
  if (error) errors.push_back(absl::StrCat(root, ": ", error.message()));
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// Sets on_front of every editor: Pareto-optimal within its task, requirement
// and variant (validation requirement metric vs validation JSD, both lower is
// better). The whole front computation lives here, so replacing it touches
// one function.
void MarkParetoFronts(
    const std::vector<std::shared_ptr<ServedEditor>>& editors) {
  std::map<std::tuple<std::string, Requirement, EditVariant>,
           std::vector<size_t>>
      groups;
  for (size_t i = 0; i < editors.size(); ++i) {
    groups[{editors[i]->task(), editors[i]->requirement(),
            editors[i]->variant()}]
        .push_back(i);
  }
  for (const auto& [key, members] : groups) {
    std::vector<const EditorManifest*> manifests;
    for (size_t i : members) manifests.push_back(&editors[i]->manifest);
    const std::vector<bool> front = ParetoOptimalEditors(manifests);
    for (size_t k = 0; k < members.size(); ++k) {
      editors[members[k]]->on_front = front[k];
    }
  }
}

}  // namespace

LoadReport LoadEditorsDirectory(const std::string& root,
                                const c10::Device& device) {
  LoadReport report;
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    report.errors.push_back(
        absl::StrCat(root, ": is not a directory of editors"));
    return report;
  }
  std::vector<std::shared_ptr<ServedEditor>> editors;
  std::set<EditorKey> seen;
  for (const std::string& dir : ManifestDirs(root, report.errors)) {
    absl::StatusOr<LoadedEditor> loaded = ReadEditorCheckpoint(dir);
    if (!loaded.ok()) {
      report.errors.push_back(std::string(loaded.status().message()));
      continue;
    }
    if (absl::Status moved = loaded->editor->MoveTo(device); !moved.ok()) {
      report.errors.push_back(absl::StrCat(dir, ": ", moved.message()));
      continue;
    }
    auto served = std::make_shared<ServedEditor>();
    served->dir = dir;
    served->manifest = std::move(loaded->manifest);
    served->editor = std::move(loaded->editor);
    if (!seen.insert(SortKey(*served)).second) {
      report.errors.push_back(absl::StrCat(
          dir,
          ": another editor has the same task, requirement, variant and "
          "lambda"));
      continue;
    }
    editors.push_back(std::move(served));
  }
  MarkParetoFronts(editors);
  std::sort(editors.begin(), editors.end(), [](const auto& a, const auto& b) {
    return SortKey(*a) < SortKey(*b);
  });
  auto snapshot = std::make_shared<EditorSnapshot>();
  snapshot->editors.assign(editors.begin(), editors.end());
  report.snapshot = std::move(snapshot);
  return report;
}

}  // namespace amend::server

// File: server/editor_registry.h
//
// The editors the server serves: an immutable snapshot loaded from an editors
// directory (every <dir>/**/editor.json with its weights,
// docs/EDITOR_FORMAT.md), and the registry that swaps snapshots. A reload
// builds a complete new snapshot beside the serving one and swaps a pointer,
// so a request holds the snapshot it started with and never sees a
// half-loaded set; a reload that meets any unreadable or corrupt checkpoint is
// refused and the previous snapshot keeps serving.
//
// Example:
//   EditorRegistry registry("editors");
//   LoadReport report = registry.Reload();
//   std::shared_ptr<const EditorSnapshot> snapshot = registry.Current();
//
// Thread-safe.
#ifndef AMEND_SERVER_EDITOR_REGISTRY_H_
#define AMEND_SERVER_EDITOR_REGISTRY_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/editor_checkpoint.h"

namespace amend::server {

struct ServedEditor {
  std::string dir;
  EditorManifest manifest;
  std::shared_ptr<const Editor> editor;
  // On the Pareto front of the loaded editors of its task, requirement and
  // variant (validation requirement metric vs validation JSD).
  bool on_front = false;

  std::string task() const { return manifest.config.task; }
  std::string requirement() const {
    return RequirementName(manifest.config.requirement);
  }
  std::string variant() const {
    return VariantName(manifest.config.requirement,
                       manifest.config.edit_weights);
  }
};

struct EditorSnapshot {
  // Sorted by task, requirement, variant, λ.
  std::vector<std::shared_ptr<const ServedEditor>> editors;
};

struct LoadReport {
  std::shared_ptr<const EditorSnapshot> snapshot;  // null when refused
  std::vector<std::string> errors;                 // one per bad checkpoint
};

// Loads every editor under `root`. Errors name the folder; two editors with
// the same task, requirement, variant and λ are an error.
LoadReport LoadEditorsDirectory(const std::string& root);

class EditorRegistry {
 public:
  explicit EditorRegistry(std::string root);

  // The serving snapshot (empty before the first successful load).
  std::shared_ptr<const EditorSnapshot> Current() const;

  // Loads `root` again; swaps the result in only if every checkpoint loaded.
  // Returns the report (its snapshot is the new one, or null when refused).
  LoadReport Reload();

  // The first load of a server: serves whatever loaded, reporting the rest.
  LoadReport LoadInitial();

  const std::string& root() const { return root_; }

 private:
  const std::string root_;
  mutable std::mutex mutex_;
  std::mutex reload_mutex_;  // one reload at a time
  std::shared_ptr<const EditorSnapshot> current_;
};

// The editor a request asks for. `tradeoff` is one of the request's oneof
// cases. Errors: NotFound (no such task, requirement, variant or λ; no editor
// meets the target; the message lists what is loaded), InvalidArgument (a
// target that does not fit the requirement, or none given).
struct TradeoffRequest {
  enum class Kind { kNone, kLambda, kMaxWeightFraction, kMaxFeatures, kMaxEod };
  Kind kind = Kind::kNone;
  double value = 0.0;
};
struct Selection {
  std::shared_ptr<const ServedEditor> editor;
  std::string resolution;
};
absl::StatusOr<Selection> SelectEditor(const EditorSnapshot& snapshot,
                                       const std::string& task,
                                       const std::string& requirement,
                                       const std::string& variant,
                                       const TradeoffRequest& tradeoff);

}  // namespace amend::server

#endif  // AMEND_SERVER_EDITOR_REGISTRY_H_

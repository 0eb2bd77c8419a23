// File: server/editor_snapshot.h
//
// The editors a server serves at one moment: an immutable snapshot loaded
// from an editors directory (every <dir>/**/editor.json with its weights,
// docs/EDITOR_FORMAT.md). Requests hold the snapshot they started with, so a
// reload never changes the editors under a running request.
//
// Example:
//   LoadReport report = LoadEditorsDirectory("editors");
//   for (const auto& editor : report.snapshot->editors) ...
//
// Thread-safe (a snapshot is immutable once loaded).
#ifndef AMEND_SERVER_EDITOR_SNAPSHOT_H_
#define AMEND_SERVER_EDITOR_SNAPSHOT_H_

#include <memory>
#include <string>
#include <vector>

#include "core/editor/compute_device.h"
#include "core/editor/editor_manifest.h"

namespace amend {
// Only this snapshot's loader and the code that runs edits need the
// metanetwork's (LibTorch) headers.
class Editor;
}  // namespace amend

namespace amend::server {

struct ServedEditor {
  std::string dir;
  EditorManifest manifest;
  std::shared_ptr<const Editor> editor;
  // On the Pareto front of the loaded editors of its task, requirement and
  // variant (validation requirement metric vs validation JSD).
  bool on_front = false;

  const std::string& task() const { return manifest.config.task; }
  Requirement requirement() const { return manifest.config.requirement; }
  EditVariant variant() const { return manifest.config.variant; }
};

struct EditorSnapshot {
  // Sorted by task, requirement, variant, λ.
  std::vector<std::shared_ptr<const ServedEditor>> editors;
};

struct LoadReport {
  std::shared_ptr<const EditorSnapshot> snapshot;  // null when refused
  std::vector<std::string> errors;                 // one per bad checkpoint
};

// Loads every editor under `root` onto `device`. Errors name the folder; two
// editors with the same task, requirement, variant and λ are an error.
LoadReport LoadEditorsDirectory(const std::string& root,
                                const c10::Device& device = c10::kCPU);

}  // namespace amend::server

#endif  // AMEND_SERVER_EDITOR_SNAPSHOT_H_

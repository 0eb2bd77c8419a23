// File: server/editor_registry.h
//
// The registry that swaps editor snapshots (server/editor_snapshot.h). A
// reload builds a complete new snapshot beside the serving one and swaps a
// pointer, so a request holds the snapshot it started with and never sees a
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
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/editor/compute_device.h"
#include "server/editor_snapshot.h"

namespace amend::server {

class EditorRegistry {
 public:
  // Editors are loaded onto `device` (from ParseComputeDevice).
  explicit EditorRegistry(std::string root,
                          const c10::Device& device = c10::kCPU);

  // The serving snapshot (empty before the first successful load).
  std::shared_ptr<const EditorSnapshot> Current() const
      ABSL_LOCKS_EXCLUDED(mu_);

  // Loads `root` again; swaps the result in only if every checkpoint loaded.
  // Returns the report (its snapshot is the new one, or null when refused).
  LoadReport Reload() ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  // The first load of a server: serves whatever loaded, reporting the rest.
  LoadReport LoadInitial() ABSL_LOCKS_EXCLUDED(reload_mu_, mu_);

  const std::string& root() const { return root_; }

 private:
  void Swap(std::shared_ptr<const EditorSnapshot> snapshot)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Constant after construction.
  const std::string root_;
  const c10::Device device_;

  // One load at a time, so two reloads cannot finish out of order and swap
  // in the older directory state. Held across the (slow) load, unlike mu_.
  absl::Mutex reload_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  // Guarded by mu_, held only to copy or swap the pointer.
  mutable absl::Mutex mu_;
  std::shared_ptr<const EditorSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace amend::server

#endif  // AMEND_SERVER_EDITOR_REGISTRY_H_

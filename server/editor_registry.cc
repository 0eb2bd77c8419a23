#include "server/editor_registry.h"

#include <utility>

namespace amend::server {

EditorRegistry::EditorRegistry(std::string root, const c10::Device& device)
    : root_(std::move(root)),
      device_(device),
      current_(std::make_shared<const EditorSnapshot>()) {}

std::shared_ptr<const EditorSnapshot> EditorRegistry::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void EditorRegistry::Swap(std::shared_ptr<const EditorSnapshot> snapshot) {
  absl::MutexLock lock(&mu_);
  current_ = std::move(snapshot);
}

LoadReport EditorRegistry::Reload() {
  absl::MutexLock reload_lock(&reload_mu_);
  LoadReport report = LoadEditorsDirectory(root_, device_);
  if (!report.errors.empty()) {
    report.snapshot = nullptr;
    return report;
  }
  Swap(report.snapshot);
  return report;
}

LoadReport EditorRegistry::LoadInitial() {
  absl::MutexLock reload_lock(&reload_mu_);
  LoadReport report = LoadEditorsDirectory(root_, device_);
  if (report.snapshot != nullptr) Swap(report.snapshot);
  return report;
}

}  // namespace amend::server

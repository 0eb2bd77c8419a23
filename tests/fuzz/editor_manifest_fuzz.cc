// Fuzz target: an editor's manifest (editor.json), which amend-server reads
// for every editor it loads and on every reload. A manifest it accepts must
// round-trip: written back to JSON and read again, it gives the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/editor/editor_manifest_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<amend::EditorManifest> manifest =
      amend::ParseEditorManifest(text);
  if (!manifest.ok()) {
    if (manifest.status().message().empty()) std::abort();
    return 0;
  }
  const nlohmann::json written = amend::EditorManifestToJson(*manifest);
  const absl::StatusOr<amend::EditorManifest> again =
      amend::ParseEditorManifest(written.dump());
  if (!again.ok()) std::abort();
  if (amend::EditorManifestToJson(*again) != written) std::abort();
  return 0;
}

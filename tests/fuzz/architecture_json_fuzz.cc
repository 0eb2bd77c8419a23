// Fuzz target: the architecture JSON parser (EditModel's architecture_json
// and every model file's metadata), on any text. An accepted architecture
// must lay out its tensors and round-trip through its own JSON exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/mlp/architecture.h"
#include "core/mlp/parameter_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  amend::ArchitectureLimits limits;
  limits.max_parameters = 1 << 20;  // keep layouts small
  const absl::StatusOr<amend::Architecture> parsed =
      amend::ParseArchitectureJson(text, limits);
  if (!parsed.ok()) return 0;
  const int64_t parameters = amend::CountParameters(*parsed);
  if (parameters < 0 || parameters > limits.max_parameters) std::abort();
  const std::string json = amend::ArchitectureToJson(*parsed);
  const absl::StatusOr<amend::Architecture> again =
      amend::ParseArchitectureJson(json, limits);
  if (!again.ok() || amend::ArchitectureToJson(*again) != json) std::abort();
  return 0;
}

// Fuzz target: the safetensors container parser, on any bytes. Beyond "no
// crash, no sanitizer report", a file it accepts must decode or be refused
// cleanly, and a decoded file must survive a write and a re-read unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/mlp/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<amend::SafetensorsFile> file =
      amend::ParseSafetensors(bytes);
  if (!file.ok()) return 0;
  std::vector<std::vector<float>> decoded;
  std::vector<amend::Float32TensorView> views;
  for (const amend::SafetensorsTensor& tensor : file->tensors) {
    absl::StatusOr<std::vector<float>> values = amend::DecodeFloat32(tensor);
    if (!values.ok()) return 0;
    decoded.push_back(*std::move(values));
  }
  for (size_t i = 0; i < decoded.size(); ++i) {
    views.push_back(
        {file->tensors[i].name, file->tensors[i].shape, decoded[i]});
  }
  const std::string written =
      amend::SerializeSafetensors(file->metadata, views);
  const absl::StatusOr<amend::SafetensorsFile> again =
      amend::ParseSafetensors(written);
  if (!again.ok() || again->tensors.size() != file->tensors.size() ||
      again->metadata != file->metadata) {
    std::abort();  // what we wrote we must read back
  }
  return 0;
}

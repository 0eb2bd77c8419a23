#include "server/wire_floats.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/util/client_text.h"

namespace amend::server {

absl::StatusOr<size_t> WireElementSize(const amend::v1::Tensor& tensor,
                                       absl::string_view field) {
  if (tensor.datatype() == "FP32") return 4;
  if (tensor.datatype() == "FP64") return 8;
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": datatype must be FP32 or FP64, got \"",
                   ClientText(tensor.datatype()), "\""));
}

absl::Status CheckWireSize(const amend::v1::Tensor& tensor, size_t element_size,
                           absl::Span<const int64_t> shape,
                           absl::string_view field) {
  uint64_t count = 1;
  for (const int64_t extent : shape) count *= static_cast<uint64_t>(extent);
  const uint64_t expected = count * element_size;
  if (tensor.raw().size() == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": raw has ", tensor.raw().size(), " bytes, expected ", expected,
      " for ", tensor.datatype(), " [", absl::StrJoin(shape, ", "), "]"));
}

void CopyWireFloats(const amend::v1::Tensor& tensor, size_t element_size,
                    float* out) {
  const std::string& raw = tensor.raw();
  if (element_size == 4) {
    if (!raw.empty()) std::memcpy(out, raw.data(), raw.size());
    return;
  }
  const size_t count = raw.size() / 8;
  for (size_t i = 0; i < count; ++i) {
    double value;
    std::memcpy(&value, raw.data() + 8 * i, 8);
    out[i] = static_cast<float>(value);
  }
}

}  // namespace amend::server

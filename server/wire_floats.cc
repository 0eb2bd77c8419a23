#include "server/wire_floats.h"

#include <cstring>

#include "absl/strings/str_cat.h"
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

absl::Status ReadWireFloats(const amend::v1::Tensor& tensor,
                            size_t element_size, uint64_t count,
                            absl::string_view field,
                            absl::string_view shape_text, float* out) {
  const uint64_t expected = count * element_size;
  const std::string& raw = tensor.raw();
  if (raw.size() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": raw has ", raw.size(), " bytes, expected ",
                     expected, " for ", tensor.datatype(), " ", shape_text));
  }
  if (element_size == 4) {
    if (expected > 0) std::memcpy(out, raw.data(), expected);
    return absl::OkStatus();
  }
  for (uint64_t i = 0; i < count; ++i) {
    double value;
    std::memcpy(&value, raw.data() + 8 * i, 8);
    out[i] = static_cast<float>(value);
  }
  return absl::OkStatus();
}

}  // namespace amend::server

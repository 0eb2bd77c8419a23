#include "core/editor/compute_device.h"

#include <ATen/Context.h>

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/util/client_text.h"

namespace amend {

absl::StatusOr<c10::Device> ParseComputeDevice(absl::string_view text,
                                               absl::string_view field) {
  if (text == "cpu") return c10::Device(c10::kCPU);
  int index = 0;
  absl::string_view number = text;
  const bool cuda = text == "cuda";
  const bool numbered =
      absl::ConsumePrefix(&number, "cuda:") && !number.empty() &&
      std::isdigit(static_cast<unsigned char>(number.front())) &&
      absl::SimpleAtoi(number, &index) && index < 128;
  if (!cuda && !numbered) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": expected cpu, cuda or cuda:N, got \"",
                     ClientText(text), "\""));
  }
  if (!at::hasCUDA()) {
    return absl::FailedPreconditionError(absl::StrCat(
        field,
        ": this build's LibTorch has no CUDA (Debian's is CPU-only); build "
        "with -DAMEND_CUDA=ON against a CUDA-enabled LibTorch "
        "(docs/OPERATIONS.md, \"GPU\"), or use cpu"));
  }
  const int count = static_cast<int>(at::getNumGPUs());
  if (index >= count) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": cuda:", index,
                     " does not exist, this machine has ", count, " GPU(s)"));
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string ComputeDeviceName(const c10::Device& device) {
  if (device.is_cpu()) return "cpu";
  return absl::StrCat(c10::DeviceTypeName(device.type(), /*lower_case=*/true),
                      ":", device.has_index() ? device.index() : 0);
}

}  // namespace amend

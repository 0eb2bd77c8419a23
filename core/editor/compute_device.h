// File: core/editor/compute_device.h
//
// Where an editor's forward pass runs: "cpu" (the default, through the
// inference kernels), or "cuda" / "cuda:N" in a build against a CUDA-enabled
// LibTorch (docs/OPERATIONS.md, "GPU"). Debian's LibTorch is CPU-only, so a
// CUDA device is refused there with a message saying how to build for one,
// never accepted and silently run on the CPU.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(c10::Device device, ParseComputeDevice("cuda:1"));
//   AMEND_RETURN_IF_ERROR(editor->MoveTo(device));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_COMPUTE_DEVICE_H_
#define AMEND_CORE_EDITOR_COMPUTE_DEVICE_H_

#include <c10/core/Device.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// "cpu", "cuda" (device 0) or "cuda:N". InvalidArgument naming `field` for
// any other text; FailedPrecondition when this build's LibTorch has no CUDA
// or the machine has no GPU N.
absl::StatusOr<c10::Device> ParseComputeDevice(absl::string_view text,
                                               absl::string_view field);

// The canonical name: "cpu" or "cuda:N".
std::string ComputeDeviceName(const c10::Device& device);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_COMPUTE_DEVICE_H_

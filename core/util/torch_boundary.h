// File: core/util/torch_boundary.h
//
// The one place where LibTorch exceptions become absl::Status. Core functions
// that call LibTorch wrap the call, so no c10::Error escapes a core API.
//
// Whose fault a c10::Error is cannot be told from its type: LibTorch reports
// most shape and dtype mismatches as a plain c10::Error (TORCH_CHECK), the
// same type as its internal failures. So the caller says what the tensors
// are:
//   TorchInputs::kUnchecked  the caller's tensors, not validated before:
//                            every c10::Error is InvalidArgument.
//   TorchInputs::kValidated  tensors already validated (or built by our own
//                            code): a c10::Error is a broken invariant, so
//                            Internal, whatever its subtype.
// In both, std::bad_alloc is ResourceExhausted and any other std::exception
// Internal. Every message starts with `context`.
//
// Example:
//   return CallTorch("forward", [&]() -> absl::StatusOr<at::Tensor> {
//     return at::relu(x);
//   });
//   return CallTorch("editing", TorchInputs::kValidated,
//                    [&]() -> absl::Status { ... });
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_TORCH_BOUNDARY_H_
#define AMEND_CORE_UTIL_TORCH_BOUNDARY_H_

#include <c10/util/Exception.h>

#include <exception>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace amend {

// What the tensors of a CallTorch are, deciding the status of a c10::Error.
enum class TorchInputs { kUnchecked, kValidated };

// Runs `fn` (returning absl::Status or absl::StatusOr<T>), converting
// exceptions as the file comment says.
template <typename Fn>
auto CallTorch(absl::string_view context, TorchInputs inputs, Fn&& fn)
    -> std::invoke_result_t<Fn> {
  try {
    return std::forward<Fn>(fn)();
  } catch (const c10::Error& e) {
    const std::string message =
        absl::StrCat(context, ": ", e.what_without_backtrace());
    return inputs == TorchInputs::kUnchecked
               ? absl::InvalidArgumentError(message)
               : absl::InternalError(message);
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat(context, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", e.what()));
  }
}

// The caller's tensors, unchecked: a c10::Error is InvalidArgument.
template <typename Fn>
auto CallTorch(absl::string_view context, Fn&& fn) -> std::invoke_result_t<Fn> {
  return CallTorch(context, TorchInputs::kUnchecked, std::forward<Fn>(fn));
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_TORCH_BOUNDARY_H_

// File: core/util/torch_boundary.h
//
// The one place where LibTorch exceptions become absl::Status. Core functions
// that call LibTorch wrap the call, so no c10::Error escapes a core API.
//
// Example:
//   return CallTorch("forward", [&]() -> absl::StatusOr<at::Tensor> { return
//   at::relu(x); });
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_TORCH_BOUNDARY_H_
#define AMEND_CORE_UTIL_TORCH_BOUNDARY_H_

#include <c10/util/Exception.h>

#include <exception>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace amend {

// Runs `fn` (returning absl::Status or absl::StatusOr<T>) and converts a
// LibTorch error into InvalidArgument (shape, dtype or index errors: the caller
// passed bad tensors) and any other std::exception into Internal, each prefixed
// with `context`.
template <typename Fn>
auto CallTorch(absl::string_view context, Fn&& fn) -> std::invoke_result_t<Fn> {
  try {
    return fn();
  } catch (const c10::IndexError& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", e.what_without_backtrace()));
  } catch (const c10::TypeError& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", e.what_without_backtrace()));
  } catch (const c10::ValueError& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", e.what_without_backtrace()));
  } catch (const c10::Error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(context, ": ", e.what_without_backtrace()));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError(
        absl::StrCat(context, ": out of memory"));
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(context, ": ", e.what()));
  }
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_TORCH_BOUNDARY_H_

// File: core/util/status_macros.h
//
// AMEND_RETURN_IF_ERROR and AMEND_ASSIGN_OR_RETURN: early-return helpers for
// absl::Status and absl::StatusOr, which Debian 12's Abseil (20220623) does not
// ship.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Architecture arch, ParseArchitectureJson(text));
//   AMEND_RETURN_IF_ERROR(ValidateArchitecture(arch));
//
// Thread-safe (macros only).
#ifndef AMEND_CORE_UTIL_STATUS_MACROS_H_
#define AMEND_CORE_UTIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function
// if it is not OK.
#define AMEND_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status amend_status_ = (expr);         \
    if (!amend_status_.ok()) return amend_status_; \
  } while (false)

#define AMEND_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define AMEND_STATUS_MACROS_CONCAT_(a, b) \
  AMEND_STATUS_MACROS_CONCAT_INNER_(a, b)

#define AMEND_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise assigns the value to `lhs`, which may be a declaration
// (`AMEND_ASSIGN_OR_RETURN(auto x, F())`).
#define AMEND_ASSIGN_OR_RETURN(lhs, rexpr) \
  AMEND_ASSIGN_OR_RETURN_IMPL_(            \
      AMEND_STATUS_MACROS_CONCAT_(amend_statusor_, __LINE__), lhs, rexpr)

#endif  // AMEND_CORE_UTIL_STATUS_MACROS_H_

// File: core/util/range_error.h
//
// The one wording of a setting outside its allowed range, so that every
// validator's message reads the same:
//   "config.network.dropout: must be in [0, 1), got 1".
//
// Example:
//   if (dropout >= 1) return OutOfRangeError("dropout", "in [0, 1)", dropout);
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_RANGE_ERROR_H_
#define AMEND_CORE_UTIL_RANGE_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace amend {

// InvalidArgument "<field>: must be <expected>, got <got>".
inline absl::Status OutOfRangeError(absl::string_view field,
                                    absl::string_view expected, double got) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be ", expected, ", got ", got));
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_RANGE_ERROR_H_

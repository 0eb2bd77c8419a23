// File: core/util/gzip.h
//
// Decompression of a whole gzip member held in memory (RFC 1952), with a bound
// on the output so a hostile or corrupt file cannot make us allocate without
// limit.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(
//       std::string text, GunzipToString(gz_bytes, /*max_output=*/64 << 20));
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_GZIP_H_
#define AMEND_CORE_UTIL_GZIP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// Inflates `compressed`. InvalidArgument if it is not valid gzip (named by
// `what`, e.g. a path), ResourceExhausted if the output would exceed
// `max_output` bytes.
absl::StatusOr<std::string> GunzipToString(absl::string_view compressed,
                                           absl::string_view what,
                                           uint64_t max_output);

}  // namespace amend

#endif  // AMEND_CORE_UTIL_GZIP_H_

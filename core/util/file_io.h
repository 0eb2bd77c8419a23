// File: core/util/file_io.h
//
// Whole-file reads with a size bound, and crash-safe writes: a file is written
// to a temporary name in the same folder, flushed to disk, and renamed over its
// final name, so a reader never sees a half-written file under the final name
// (the rename is atomic on POSIX file systems).
//
// Example:
//   AMEND_RETURN_IF_ERROR(
//       WriteFileAtomically("zoo/adult/manifest.jsonl", text));
//   AMEND_ASSIGN_OR_RETURN(std::string bytes,
//                          ReadFileToString(path, /*max_bytes=*/1 << 30));
//
// Thread-safe (no shared state); concurrent writers to one path: the last
// rename wins.
#ifndef AMEND_CORE_UTIL_FILE_IO_H_
#define AMEND_CORE_UTIL_FILE_IO_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// Default cap on ReadFileToString: 2 GiB.
inline constexpr uint64_t kDefaultMaxFileBytes = uint64_t{2} << 30;

// Reads the whole file. NotFound if it does not exist, ResourceExhausted if it
// is larger than `max_bytes` (checked before anything is allocated),
// Unavailable on an I/O error.
absl::StatusOr<std::string> ReadFileToString(
    const std::string& path, uint64_t max_bytes = kDefaultMaxFileBytes);

// Writes `contents` to `path` through `path` + ".tmp.<pid>.<n>", fsyncs it,
// renames it into place and fsyncs the folder. Creates missing parent folders.
// On failure the temporary file is removed and `path` is untouched. After a
// success it also removes "<path>.tmp.<pid>.<n>" files whose process no
// longer exists: what a writer killed mid-write left behind.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents);

// Creates `path` and its missing parents (like `mkdir -p`).
absl::Status CreateDirectories(const std::string& path);

}  // namespace amend

#endif  // AMEND_CORE_UTIL_FILE_IO_H_

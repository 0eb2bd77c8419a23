// File: core/data/dataset_files.h
//
// Access to the bundled raw dataset files under a data folder (data/ in the
// repository): every file is verified against the folder's SHA256SUMS before
// use, and `.gz` files are decompressed in memory. A missing entry, a checksum
// mismatch or a corrupt archive is an error, never a silent fallback.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(
//       std::string text, ReadVerifiedDataFile("data", "adult/adult.data.gz"));
//
// Thread-safe.
#ifndef AMEND_CORE_DATA_DATASET_FILES_H_
#define AMEND_CORE_DATA_DATASET_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace amend {

// Name of the checksum list inside a data folder, in `sha256sum` format.
inline constexpr char kChecksumFileName[] = "SHA256SUMS";

// Reads `<data_dir>/<relative_path>`, checks its sha256 against
// `<data_dir>/SHA256SUMS` (FailedPrecondition when the list has no entry,
// DataLoss on a mismatch) and returns its contents, gunzipped when the name
// ends in ".gz".
absl::StatusOr<std::string> ReadVerifiedDataFile(
    const std::string& data_dir, const std::string& relative_path);

}  // namespace amend

#endif  // AMEND_CORE_DATA_DATASET_FILES_H_

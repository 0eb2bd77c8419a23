#include "core/data/dataset_files.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/util/file_io.h"
#include "core/util/gzip.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// Raw UCI files are a few MB; anything far larger is not one of ours.
constexpr uint64_t kMaxDataFileBytes = 256 << 20;

absl::StatusOr<std::string> ExpectedSha256(const std::string& data_dir,
                                           const std::string& relative_path) {
  const std::string list_path = absl::StrCat(data_dir, "/", kChecksumFileName);
  AMEND_ASSIGN_OR_RETURN(std::string list,
                         ReadFileToString(list_path, 1 << 20));
  for (absl::string_view line : absl::StrSplit(list, '\n')) {
    // "<64 hex>  <path>" (text mode) or "<64 hex> *<path>" (binary mode).
    if (line.size() < 66) continue;
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(65));
    if (absl::StartsWith(name, "*")) name.remove_prefix(1);
    if (name == relative_path) return std::string(line.substr(0, 64));
  }
  return absl::FailedPreconditionError(
      absl::StrCat(list_path, ": has no checksum for ", relative_path));
}

}  // namespace

absl::StatusOr<std::string> ReadVerifiedDataFile(
    const std::string& data_dir, const std::string& relative_path) {
  AMEND_ASSIGN_OR_RETURN(const std::string expected,
                         ExpectedSha256(data_dir, relative_path));
  const std::string path = absl::StrCat(data_dir, "/", relative_path);
  AMEND_ASSIGN_OR_RETURN(std::string bytes,
                         ReadFileToString(path, kMaxDataFileBytes));
  const std::string actual = Sha256Hex(bytes);
  if (actual != expected) {
    return absl::DataLossError(
        absl::StrCat(path, ": sha256 must be ", expected, " (", data_dir, "/",
                     kChecksumFileName, "), got ", actual));
  }
  if (!absl::EndsWith(relative_path, ".gz")) return bytes;
  return GunzipToString(bytes, path, kMaxDataFileBytes);
}

}  // namespace amend

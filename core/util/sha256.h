// File: core/util/sha256.h
//
// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex, computed by
// OpenSSL's libcrypto (its assembly runs at about 1.7 GB/s here, several times
// a portable C loop; every edit hashes its input and output for the receipt).
// Used to pin bundled datasets, zoo checkpoints and editor checkpoints, and for
// the audit receipts of an edit.
//
// Example:
//   Sha256 hasher;
//   hasher.Update(bytes);
//   std::string hex = hasher.HexDigest();   // or Sha256Hex(bytes)
//
// Thread-compatible.
#ifndef AMEND_CORE_UTIL_SHA256_H_
#define AMEND_CORE_UTIL_SHA256_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// An incremental SHA-256 hasher. Update() may be called any number of times;
// HexDigest() ends it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view bytes);

  // Returns the 64-character lowercase hex digest, or "" if libcrypto failed
  // (it allocates its context; "" then matches no checksum, so a check fails
  // rather than passes). REQUIRES: called once, after the last Update().
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::string Sha256Hex(absl::string_view bytes);

// SHA-256 of the file at `path`, read in chunks; NotFound or Unavailable when
// it cannot be read.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace amend

#endif  // AMEND_CORE_UTIL_SHA256_H_

// File: core/util/sha256.h
//
// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex. Used to pin bundled
// datasets, zoo checkpoints and editor checkpoints, and for the audit receipts
// of an edit.
//
// Example:
//   Sha256 hasher;
//   hasher.Update(bytes);
//   std::string hex = hasher.HexDigest();   // or Sha256Hex(bytes)
//
// Thread-compatible.
#ifndef AMEND_CORE_UTIL_SHA256_H_
#define AMEND_CORE_UTIL_SHA256_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// An incremental SHA-256 hasher. Update() may be called any number of times;
// HexDigest() ends it.
class Sha256 {
 public:
  Sha256();

  void Update(absl::string_view bytes);

  // Returns the 64-character lowercase hex digest. REQUIRES: called once, after
  // the last Update().
  std::string HexDigest();

 private:
  void ProcessBlock(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_;
  size_t buffered_ = 0;       // bytes waiting in buffer_
  uint64_t total_bytes_ = 0;  // message length so far
};

// SHA-256 of `bytes` as lowercase hex.
std::string Sha256Hex(absl::string_view bytes);

// SHA-256 of the file at `path`, read in chunks; NotFound or Unavailable when
// it cannot be read.
absl::StatusOr<std::string> Sha256OfFile(const std::string& path);

}  // namespace amend

#endif  // AMEND_CORE_UTIL_SHA256_H_

#include "server/receipt_keys.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

namespace amend::server {
namespace {

// A key file larger than this is not a key (a PEM Ed25519 key is ~120 bytes).
constexpr uint64_t kMaxKeyFileBytes = 1 << 20;

absl::StatusOr<std::string> ReadKeyFile(const std::string& path,
                                        absl::string_view flag) {
  absl::StatusOr<std::string> text = ReadFileToString(path, kMaxKeyFileBytes);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", text.status().message()));
  }
  return text;
}

}  // namespace

absl::StatusOr<ReceiptKeys> ReceiptKeys::Load(
    const ReceiptKeyOptions& options) {
  std::optional<ReceiptKeys> keys;
  if (options.signing_key_path.empty()) {
    AMEND_ASSIGN_OR_RETURN(Ed25519PrivateKey made,
                           Ed25519PrivateKey::Generate());
    keys.emplace(ReceiptKeys(std::move(made), true));
  } else {
    const std::string flag =
        absl::StrCat("--receipt_key ", options.signing_key_path);
    AMEND_ASSIGN_OR_RETURN(const std::string pem,
                           ReadKeyFile(options.signing_key_path, flag));
    AMEND_ASSIGN_OR_RETURN(Ed25519PrivateKey loaded,
                           Ed25519PrivateKey::FromPem(pem, flag));
    keys.emplace(ReceiptKeys(std::move(loaded), false));
  }
  keys->published_.push_back(keys->signing_.public_key());
  for (const std::string& path : options.public_key_paths) {
    const std::string flag = absl::StrCat("--receipt_public_keys ", path);
    AMEND_ASSIGN_OR_RETURN(const std::string pem, ReadKeyFile(path, flag));
    AMEND_ASSIGN_OR_RETURN(std::vector<Ed25519PublicKey> more,
                           Ed25519PublicKey::AllFromPem(pem, flag));
    for (Ed25519PublicKey& key : more) {
      bool known = false;
      for (const Ed25519PublicKey& have : keys->published_) {
        known = known || have.id() == key.id();
      }
      if (!known) keys->published_.push_back(std::move(key));
    }
  }
  if (!options.public_keys_out.empty()) {
    if (absl::Status written =
            WriteFileAtomically(options.public_keys_out, keys->PublishedPem());
        !written.ok()) {
      return absl::UnavailableError(
          absl::StrCat("--receipt_public_keys_out: ", written.message()));
    }
  }
  return *std::move(keys);
}

std::string ReceiptKeys::PublishedPem() const {
  std::string pem;
  for (const Ed25519PublicKey& key : published_) pem += key.Pem();
  return pem;
}

}  // namespace amend::server

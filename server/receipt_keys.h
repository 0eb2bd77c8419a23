// File: server/receipt_keys.h
//
// The keys of amend-server's signed receipts: the Ed25519 key it signs with
// (--receipt_key), the public keys it still vouches for (--receipt_public_keys:
// keys it signed with before a rotation, so receipts already handed out keep
// verifying), and the published set that GetReceiptKeys returns and
// --receipt_public_keys_out writes. Without --receipt_key the server makes a
// key at start: receipts are still signed, but by a key that lives only as
// long as the process (it warns).
//
// Thread-safe once loaded (immutable).
#ifndef AMEND_SERVER_RECEIPT_KEYS_H_
#define AMEND_SERVER_RECEIPT_KEYS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/receipts/ed25519.h"

namespace amend::server {

struct ReceiptKeyOptions {
  // PEM Ed25519 private key; empty: a key made at start.
  std::string signing_key_path;
  // PEM files of further public keys to publish (several keys per file).
  std::vector<std::string> public_key_paths;
  // Where to write the published public keys (PEM, written atomically);
  // empty: nowhere.
  std::string public_keys_out;
};

class ReceiptKeys {
 public:
  // InvalidArgument naming the flag for an unreadable or unusable key file;
  // Unavailable when public_keys_out cannot be written.
  static absl::StatusOr<ReceiptKeys> Load(const ReceiptKeyOptions& options);

  const Ed25519PrivateKey& signing() const { return signing_; }
  // The signing key's public half first, then the others, each id once.
  const std::vector<Ed25519PublicKey>& published() const { return published_; }
  // True when the signing key was made at start (no --receipt_key).
  bool ephemeral() const { return ephemeral_; }
  // The published keys as one PEM text.
  std::string PublishedPem() const;

 private:
  ReceiptKeys(Ed25519PrivateKey signing, bool ephemeral)
      : signing_(std::move(signing)), ephemeral_(ephemeral) {}

  Ed25519PrivateKey signing_;
  std::vector<Ed25519PublicKey> published_;
  bool ephemeral_;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_RECEIPT_KEYS_H_

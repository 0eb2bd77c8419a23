// File: core/receipts/ed25519.h
//
// Ed25519 keys (RFC 8032) through OpenSSL's libcrypto, read and written as
// PEM: PKCS#8 private keys and SubjectPublicKeyInfo public keys, exactly what
// `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write, so
// operators make and rotate keys with the tools they already trust.
//
// A key's id is the first 16 hex digits of the sha256 of its raw 32-byte
// public key. A receipt names the key that signed it, so a verifier holding
// several keys (the current one and those it replaced) picks the right one.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Ed25519PrivateKey key,
//                          Ed25519PrivateKey::FromPem(pem, "--receipt_key"));
//   AMEND_ASSIGN_OR_RETURN(std::string signature, key.Sign(message));
//   bool valid = key.public_key().Verify(message, signature);
//
// Thread-safe: keys are immutable once made; copies share the key.
#ifndef AMEND_CORE_RECEIPTS_ED25519_H_
#define AMEND_CORE_RECEIPTS_ED25519_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of every includer

namespace amend {

inline constexpr size_t kEd25519SignatureBytes = 64;

class Ed25519PublicKey {
 public:
  // One PEM public key. Errors are InvalidArgument and start with `field`
  // (the flag or file the text came from).
  static absl::StatusOr<Ed25519PublicKey> FromPem(absl::string_view pem,
                                                  absl::string_view field);
  // Every "PUBLIC KEY" block of `pem`, in order (a file may hold a rotation
  // set); at least one.
  static absl::StatusOr<std::vector<Ed25519PublicKey>> AllFromPem(
      absl::string_view pem, absl::string_view field);

  const std::string& id() const { return id_; }
  // SubjectPublicKeyInfo PEM.
  std::string Pem() const;
  // Whether `signature` is this key's signature of `message`; false for a
  // signature of the wrong length.
  bool Verify(absl::string_view message, absl::string_view signature) const;

 private:
  friend class Ed25519PrivateKey;
  explicit Ed25519PublicKey(std::shared_ptr<evp_pkey_st> key);

  std::shared_ptr<evp_pkey_st> key_;
  std::string id_;
};

class Ed25519PrivateKey {
 public:
  // A new key from the operating system's random source.
  static absl::StatusOr<Ed25519PrivateKey> Generate();
  // An unencrypted PKCS#8 PEM private key. An encrypted key, a key of
  // another algorithm or text that is not PEM is refused with an error that
  // starts with `field` and says how to make a usable one (never a prompt
  // for a passphrase).
  static absl::StatusOr<Ed25519PrivateKey> FromPem(absl::string_view pem,
                                                   absl::string_view field);
  // From the 32-byte secret seed of RFC 8032 (its test vectors use these).
  static absl::StatusOr<Ed25519PrivateKey> FromSeed(absl::string_view seed);

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // Unencrypted PKCS#8 PEM: handle it as a secret.
  std::string Pem() const;
  // The 64-byte signature of `message`; Internal only if libcrypto fails.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

 private:
  Ed25519PrivateKey(std::shared_ptr<evp_pkey_st> key,
                    Ed25519PublicKey public_key);

  std::shared_ptr<evp_pkey_st> key_;
  Ed25519PublicKey public_key_;
};

}  // namespace amend

#endif  // AMEND_CORE_RECEIPTS_ED25519_H_

#include "core/receipts/ed25519.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/util/sha256.h"

namespace amend {
namespace {

constexpr size_t kRawKeyBytes = 32;
constexpr size_t kKeyIdHexDigits = 16;
constexpr absl::string_view kPublicKeyBegin = "-----BEGIN PUBLIC KEY-----";
constexpr absl::string_view kHowToMakeAKey =
    "make one with `openssl genpkey -algorithm ed25519 -out receipt.pem`";

std::shared_ptr<evp_pkey_st> Own(EVP_PKEY* key) {
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

// libcrypto reports through a per-thread queue: read its newest reason and
// empty it, so the next operation on this thread starts clean.
std::string TakeOpensslError() {
  const char* text = ERR_reason_error_string(ERR_peek_last_error());
  std::string reason = text == nullptr ? "no detail" : text;
  ERR_clear_error();
  return reason;
}

// Never prompts: an encrypted key fails to load instead of waiting on a
// terminal a server does not have.
int RefusePassphrase(char*, int, int, void*) { return -1; }

std::unique_ptr<BIO, decltype(&BIO_free)> ReadOnlyBio(absl::string_view text) {
  return {BIO_new_mem_buf(text.data(), static_cast<int>(text.size())),
          BIO_free};
}

std::string WritePem(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (bio == nullptr) return "";
  const int written =
      private_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr,
                                             0, nullptr, nullptr)
                  : PEM_write_bio_PUBKEY(bio.get(), key);
  if (written != 1) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

absl::Status RequireEd25519(EVP_PKEY* key, absl::string_view field) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) return absl::OkStatus();
  const char* type = EVP_PKEY_get0_type_name(key);
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": is a ", type == nullptr ? "non-Ed25519" : type,
      " key; receipts are signed with Ed25519 keys (", kHowToMakeAKey, ")"));
}

}  // namespace

Ed25519PublicKey::Ed25519PublicKey(std::shared_ptr<evp_pkey_st> key)
    : key_(std::move(key)) {
  unsigned char raw[kRawKeyBytes];
  size_t length = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &length) == 1 &&
      length == kRawKeyBytes) {
    id_ =
        Sha256Hex(absl::string_view(reinterpret_cast<const char*>(raw), length))
            .substr(0, kKeyIdHexDigits);
  } else {
    ERR_clear_error();
  }
}

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromPem(
    absl::string_view pem, absl::string_view field) {
  auto bio = ReadOnlyBio(pem);
  EVP_PKEY* key =
      bio == nullptr
          ? nullptr
          : PEM_read_bio_PUBKEY(bio.get(), nullptr, RefusePassphrase, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": is not a PEM public key (", TakeOpensslError(),
        "); write one with `openssl pkey -in receipt.pem -pubout`"));
  }
  std::shared_ptr<evp_pkey_st> owned = Own(key);
  if (absl::Status status = RequireEd25519(key, field); !status.ok()) {
    return status;
  }
  Ed25519PublicKey public_key(std::move(owned));
  if (public_key.id_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": the key's raw bytes cannot be read"));
  }
  return public_key;
}

absl::StatusOr<std::vector<Ed25519PublicKey>> Ed25519PublicKey::AllFromPem(
    absl::string_view pem, absl::string_view field) {
  std::vector<Ed25519PublicKey> keys;
  size_t begin = pem.find(kPublicKeyBegin);
  while (begin != absl::string_view::npos) {
    const size_t next = pem.find(kPublicKeyBegin, begin + 1);
    absl::StatusOr<Ed25519PublicKey> key = FromPem(
        pem.substr(begin, next == absl::string_view::npos ? pem.size() - begin
                                                          : next - begin),
        absl::StrCat(field, " (key ", keys.size() + 1, ")"));
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
    begin = next;
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": holds no \"", kPublicKeyBegin,
        "\" block; write one with `openssl pkey -in receipt.pem -pubout`"));
  }
  return keys;
}

std::string Ed25519PublicKey::Pem() const {
  return WritePem(key_.get(), false);
}

bool Ed25519PublicKey::Verify(absl::string_view message,
                              absl::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Ed25519 hashes internally: no digest is named.
  const bool valid =
      context != nullptr &&
      EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr,
                           key_.get()) == 1 &&
      EVP_DigestVerify(context.get(),
                       reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  return valid;
}

Ed25519PrivateKey::Ed25519PrivateKey(std::shared_ptr<evp_pkey_st> key,
                                     Ed25519PublicKey public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) {
    return absl::InternalError(
        absl::StrCat("generating an Ed25519 key: ", TakeOpensslError()));
  }
  std::shared_ptr<evp_pkey_st> owned = Own(key);
  Ed25519PublicKey public_key(owned);
  return Ed25519PrivateKey(std::move(owned), std::move(public_key));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPem(
    absl::string_view pem, absl::string_view field) {
  if (pem.find("ENCRYPTED PRIVATE KEY") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        field,
        ": is an encrypted private key; the server reads it without a "
        "passphrase (decrypt it with `openssl pkey -in KEY -out PLAIN`, and "
        "keep the plain key in a secret store)"));
  }
  auto bio = ReadOnlyBio(pem);
  EVP_PKEY* key = bio == nullptr
                      ? nullptr
                      : PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                                RefusePassphrase, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": is not a PEM private key (", TakeOpensslError(),
                     "); ", kHowToMakeAKey));
  }
  std::shared_ptr<evp_pkey_st> owned = Own(key);
  if (absl::Status status = RequireEd25519(key, field); !status.ok()) {
    return status;
  }
  Ed25519PublicKey public_key(owned);
  return Ed25519PrivateKey(std::move(owned), std::move(public_key));
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(
    absl::string_view seed) {
  if (seed.size() != kRawKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("seed: must be 32 bytes, got ", seed.size()));
  }
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (key == nullptr) {
    return absl::InternalError(
        absl::StrCat("seed: libcrypto refused it: ", TakeOpensslError()));
  }
  std::shared_ptr<evp_pkey_st> owned = Own(key);
  Ed25519PublicKey public_key(owned);
  return Ed25519PrivateKey(std::move(owned), std::move(public_key));
}

std::string Ed25519PrivateKey::Pem() const {
  return WritePem(key_.get(), true);
}

absl::StatusOr<std::string> Ed25519PrivateKey::Sign(
    absl::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t length = signature.size();
  if (context == nullptr ||
      EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr,
                         key_.get()) != 1 ||
      EVP_DigestSign(
          context.get(), reinterpret_cast<unsigned char*>(signature.data()),
          &length, reinterpret_cast<const unsigned char*>(message.data()),
          message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    return absl::InternalError(
        absl::StrCat("signing a receipt: ", TakeOpensslError()));
  }
  return signature;
}

}  // namespace amend

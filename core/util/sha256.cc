#include "core/util/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace amend {

struct Sha256::Context {
  EVP_MD_CTX* digest = nullptr;
  bool ok = false;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  context_->digest = EVP_MD_CTX_new();
  context_->ok =
      context_->digest != nullptr &&
      EVP_DigestInit_ex(context_->digest, EVP_sha256(), nullptr) == 1;
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_->digest); }

void Sha256::Update(absl::string_view bytes) {
  if (!context_->ok || bytes.empty()) return;
  context_->ok =
      EVP_DigestUpdate(context_->digest, bytes.data(), bytes.size()) == 1;
}

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!context_->ok ||
      EVP_DigestFinal_ex(context_->digest, digest, &length) != 1 ||
      length != 32) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

std::string Sha256Hex(absl::string_view bytes) {
  Sha256 hasher;
  hasher.Update(bytes);
  return hasher.HexDigest();
}

absl::StatusOr<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  Sha256 hasher;
  std::string chunk(1 << 16, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    hasher.Update(
        absl::string_view(chunk.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad())
    return absl::UnavailableError(absl::StrCat(path, ": read failed"));
  return hasher.HexDigest();
}

}  // namespace amend

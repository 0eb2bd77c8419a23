#include "core/receipts/ed25519.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

std::string Bytes(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// The SubjectPublicKeyInfo PEM of a raw Ed25519 public key, assembled by hand
// from RFC 8410's fixed DER prefix.
std::string PublicKeyPemOf(absl::string_view raw_hex) {
  const std::string der =
      Bytes(absl::StrCat("302a300506032b6570032100", raw_hex));
  return absl::StrCat("-----BEGIN PUBLIC KEY-----\n", absl::Base64Escape(der),
                      "\n-----END PUBLIC KEY-----\n");
}

struct Rfc8032Vector {
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, tests 1 and 2.
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Ed25519Test, SignsTheRfc8032TestVectors) {
  for (const Rfc8032Vector& vector : kVectors) {
    absl::StatusOr<Ed25519PrivateKey> key =
        Ed25519PrivateKey::FromSeed(Bytes(vector.secret));
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->public_key().Pem(), PublicKeyPemOf(vector.public_key));
    absl::StatusOr<std::string> signature = key->Sign(Bytes(vector.message));
    ASSERT_TRUE(signature.ok()) << signature.status();
    EXPECT_EQ(absl::BytesToHexString(*signature), vector.signature);
    EXPECT_TRUE(key->public_key().Verify(Bytes(vector.message), *signature));
  }
}

TEST(Ed25519Test, KeyIdIsTheSha256OfTheRawPublicKey) {
  absl::StatusOr<Ed25519PublicKey> key = Ed25519PublicKey::FromPem(
      PublicKeyPemOf(kVectors[0].public_key), "key.pem");
  ASSERT_TRUE(key.ok()) << key.status();
  // python3 -c "import hashlib; print(hashlib.sha256(bytes.fromhex(
  //   'd75a98...511a')).hexdigest()[:16])"
  EXPECT_EQ(key->id(), "21fe31dfa154a261");
}

TEST(Ed25519Test, ChangedMessagesAndSignaturesDoNotVerify) {
  absl::StatusOr<Ed25519PrivateKey> key =
      Ed25519PrivateKey::FromSeed(Bytes(kVectors[1].secret));
  ASSERT_TRUE(key.ok());
  const std::string message = "amend receipt";
  const std::string signature = *key->Sign(message);
  for (size_t i = 0; i < message.size(); ++i) {
    std::string changed = message;
    changed[i] ^= 0x01;
    EXPECT_FALSE(key->public_key().Verify(changed, signature)) << i;
  }
  for (size_t i = 0; i < signature.size(); ++i) {
    std::string changed = signature;
    changed[i] ^= 0x40;
    EXPECT_FALSE(key->public_key().Verify(message, changed)) << i;
  }
  EXPECT_FALSE(key->public_key().Verify(message, signature.substr(1)));
  EXPECT_FALSE(key->public_key().Verify(message, ""));
}

TEST(Ed25519Test, PemRoundTripsKeepTheKey) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<Ed25519PrivateKey> reread =
      Ed25519PrivateKey::FromPem(key->Pem(), "key.pem");
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_EQ(reread->public_key().id(), key->public_key().id());
  absl::StatusOr<Ed25519PublicKey> public_key =
      Ed25519PublicKey::FromPem(key->public_key().Pem(), "key.pub.pem");
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_TRUE(public_key->Verify("m", *reread->Sign("m")));
  EXPECT_NE(Ed25519PrivateKey::Generate()->public_key().id(),
            key->public_key().id());
}

TEST(Ed25519Test, AllFromPemReadsEveryKeyInOrder) {
  const std::string both = PublicKeyPemOf(kVectors[0].public_key) +
                           PublicKeyPemOf(kVectors[1].public_key);
  absl::StatusOr<std::vector<Ed25519PublicKey>> keys =
      Ed25519PublicKey::AllFromPem(both, "keys.pem");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id(), "21fe31dfa154a261");
  EXPECT_EQ((*keys)[1].Pem(), PublicKeyPemOf(kVectors[1].public_key));

  absl::StatusOr<std::vector<Ed25519PublicKey>> none =
      Ed25519PublicKey::AllFromPem("not a key\n", "keys.pem");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("keys.pem: holds no"));

  const std::string broken =
      PublicKeyPemOf(kVectors[0].public_key) +
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  absl::StatusOr<std::vector<Ed25519PublicKey>> second =
      Ed25519PublicKey::AllFromPem(broken, "keys.pem");
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("keys.pem (key 2)"));
}

// Made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.
constexpr char kEcPrivateKey[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgI+Qz3+HJ1Ca6dM+6\n"
    "ivMcDKRZKIFCJHob7UpzEkpV/GyhRANCAAT52IqUFIb0zf2xrNzdANhwSEhGqXsz\n"
    "Nq9wM69eoTuBbhd3U37uBWHXBospHeKQKZvKhN7l6Jf4tS8/BTxtNBqg\n"
    "-----END PRIVATE KEY-----\n";
// `openssl genpkey -algorithm ed25519 -aes256 -pass pass:s`.
constexpr char kEncryptedKey[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjUh9hFtZZB4gICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEGEEmYAq/VGVphZNEx20BtEEQAub\n"
    "dYxNnvGkrmv/zgZ/yTBtryXy1pmTDhyE0nIasnB7FYPOoM+S8Hoq9Xfiz7015rdc\n"
    "c4bLR+zcxt9e7zNLGfw=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

TEST(Ed25519Test, RefusesKeysThatCannotSignReceipts) {
  absl::StatusOr<Ed25519PrivateKey> ec =
      Ed25519PrivateKey::FromPem(kEcPrivateKey, "--receipt_key");
  ASSERT_FALSE(ec.ok());
  EXPECT_EQ(ec.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ec.status().message(), HasSubstr("--receipt_key: is a EC key"));
  EXPECT_THAT(ec.status().message(), HasSubstr("openssl genpkey"));

  absl::StatusOr<Ed25519PrivateKey> encrypted =
      Ed25519PrivateKey::FromPem(kEncryptedKey, "--receipt_key");
  ASSERT_FALSE(encrypted.ok());
  EXPECT_THAT(encrypted.status().message(),
              HasSubstr("--receipt_key: is an encrypted private key"));

  for (absl::string_view text :
       {"", "garbage", "-----BEGIN PRIVATE KEY-----"}) {
    absl::StatusOr<Ed25519PrivateKey> bad =
        Ed25519PrivateKey::FromPem(text, "--receipt_key");
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_THAT(bad.status().message(),
                HasSubstr("--receipt_key: is not a PEM private key"));
  }
  // A private key is not a public key, and public keys of other curves
  // (P-256; X25519, Ed25519's Diffie-Hellman sibling) cannot verify receipts.
  EXPECT_FALSE(Ed25519PublicKey::FromPem(kEcPrivateKey, "k").ok());
  for (const char* pem :
       {"-----BEGIN PUBLIC KEY-----\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+diKlBSG9M39sazc3QDYcEhIRql7\n"
        "MzavcDOvXqE7gW4Xd1N+7gVh1waLKR3ikCmbyoTe5eiX+LUvPwU8bTQaoA==\n"
        "-----END PUBLIC KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\n"
        "MCowBQYDK2VuAyEA+Uoji5iBhOmrZPSNKgIOl3Sh6JWxTpWii7zns9e7cUc=\n"
        "-----END PUBLIC KEY-----\n"}) {
    absl::StatusOr<Ed25519PublicKey> other =
        Ed25519PublicKey::FromPem(pem, "keys.pem");
    ASSERT_FALSE(other.ok()) << pem;
    EXPECT_THAT(other.status().message(),
                HasSubstr("receipts are signed with Ed25519 keys"));
  }
  EXPECT_FALSE(Ed25519PrivateKey::FromSeed("short").ok());
}

}  // namespace
}  // namespace amend

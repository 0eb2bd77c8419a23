#include "core/receipts/receipt.h"

#include <fstream>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

const std::string kInput(64, 'a');
const std::string kOutput(64, 'b');
const std::string kEditor(64, 'c');

ReceiptBody Body() {
  ReceiptBody body;
  body.input_sha256 = kInput;
  body.output_sha256 = kOutput;
  ReceiptStep step;
  step.task = "adult";
  step.requirement = "pruning";
  step.variant = "prune_and_edit";
  step.lambda = 0.25;
  step.editor_sha256 = kEditor;
  step.features_kept = 14;
  step.features_total = 14;
  step.weights_kept = 700;
  step.weights_total = 3520;
  body.steps.push_back(step);
  body.server_version = "1.2.3";
  body.issued_at = "2026-11-30T23:59:01Z";
  return body;
}

Ed25519PrivateKey Key(char seed) {
  return *Ed25519PrivateKey::FromSeed(std::string(32, seed));
}

TEST(ReceiptTest, PayloadIsCanonicalJson) {
  ReceiptBody body = Body();
  body.key_id = "0123456789abcdef";
  // Written by hand: keys sorted at every level, no spaces.
  const std::string expected = absl::StrCat(
      R"({"format":"amend.receipt.v1","input_sha256":")", kInput,
      R"(","issued_at":"2026-11-30T23:59:01Z","key_id":"0123456789abcdef",)",
      R"("output_sha256":")", kOutput, R"(","server_version":"1.2.3",)",
      R"("steps":[{"editor_sha256":")", kEditor,
      R"(","features_kept":14,"features_total":14,"lambda":0.25,)",
      R"("requirement":"pruning","task":"adult","variant":"prune_and_edit",)",
      R"("weights_kept":700,"weights_total":3520}]})");
  EXPECT_EQ(ReceiptPayload(body), expected);
}

TEST(ReceiptTest, ASignedReceiptVerifiesAndReadsBack) {
  const Ed25519PrivateKey key = Key(1);
  absl::StatusOr<SignedReceipt> receipt = SignReceipt(Body(), key);
  ASSERT_TRUE(receipt.ok()) << receipt.status();
  EXPECT_EQ(receipt->key_id, key.public_key().id());
  absl::StatusOr<SignedReceipt> file =
      ParseReceiptFile(ReceiptFileJson(*receipt));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->payload, receipt->payload);
  EXPECT_EQ(file->signature, receipt->signature);
  absl::StatusOr<ReceiptBody> body = VerifyReceipt(*file, {key.public_key()});
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->input_sha256, kInput);
  EXPECT_EQ(body->output_sha256, kOutput);
  EXPECT_EQ(body->key_id, key.public_key().id());
  ASSERT_EQ(body->steps.size(), 1u);
  EXPECT_EQ(body->steps[0].requirement, "pruning");
  EXPECT_EQ(body->steps[0].lambda, 0.25);
  EXPECT_EQ(body->steps[0].weights_kept, 700);
  EXPECT_EQ(body->issued_at, "2026-11-30T23:59:01Z");
}

TEST(ReceiptTest, MeasuredFiguresAreSignedAndReadBack) {
  const Ed25519PrivateKey key = Key(8);
  ReceiptBody body = Body();
  ReceiptMeasurement measured;
  measured.rows = 120;
  measured.accuracy_before = 0.75;
  measured.accuracy_after = 0.5;
  measured.eod_before = 0.125;
  measured.jsd = 0.0625;
  measured.labels_changed = 0.25;
  body.measured = measured;
  const SignedReceipt receipt = *SignReceipt(body, key);
  EXPECT_THAT(receipt.payload,
              HasSubstr(R"("measured":{"accuracy_after":0.5,)"
                        R"("accuracy_before":0.75,"eod_after":null,)"
                        R"("eod_before":0.125,"jsd":0.0625,)"
                        R"("labels_changed":0.25,"rows":120})"));
  absl::StatusOr<ReceiptBody> back = VerifyReceipt(receipt, {key.public_key()});
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->measured.has_value());
  EXPECT_EQ(back->measured->rows, 120);
  EXPECT_EQ(back->measured->eod_before, 0.125);
  EXPECT_FALSE(back->measured->eod_after.has_value());
  EXPECT_EQ(back->measured->labels_changed, 0.25);
  // A receipt without audit rows has no "measured" key at all.
  EXPECT_THAT(SignReceipt(Body(), key)->payload,
              ::testing::Not(HasSubstr("measured")));
}

TEST(ReceiptTest, EveryChangedByteIsRefused) {
  const Ed25519PrivateKey key = Key(2);
  const SignedReceipt receipt = *SignReceipt(Body(), key);
  for (size_t i = 0; i < receipt.payload.size(); ++i) {
    SignedReceipt changed = receipt;
    changed.payload[i] ^= 0x01;
    absl::StatusOr<ReceiptBody> body =
        VerifyReceipt(changed, {key.public_key()});
    ASSERT_FALSE(body.ok()) << "payload byte " << i;
    EXPECT_EQ(body.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(body.status().message(), HasSubstr("receipt.signature"));
  }
  for (size_t i = 0; i < receipt.signature.size(); ++i) {
    SignedReceipt changed = receipt;
    changed.signature[i] ^= 0x10;
    EXPECT_FALSE(VerifyReceipt(changed, {key.public_key()}).ok())
        << "signature byte " << i;
  }
  SignedReceipt truncated = receipt;
  truncated.signature.pop_back();
  absl::StatusOr<ReceiptBody> short_signature =
      VerifyReceipt(truncated, {key.public_key()});
  ASSERT_FALSE(short_signature.ok());
  EXPECT_THAT(short_signature.status().message(),
              HasSubstr("must be 64 bytes, got 63"));
  SignedReceipt other_algorithm = receipt;
  other_algorithm.algorithm = "rsa";
  EXPECT_THAT(
      VerifyReceipt(other_algorithm, {key.public_key()}).status().message(),
      HasSubstr("receipt.algorithm"));
}

TEST(ReceiptTest, RotationTrustsEveryListedKeyAndNoOther) {
  const Ed25519PrivateKey old_key = Key(3);
  const Ed25519PrivateKey new_key = Key(4);
  const SignedReceipt old_receipt = *SignReceipt(Body(), old_key);
  const SignedReceipt new_receipt = *SignReceipt(Body(), new_key);
  const std::vector<Ed25519PublicKey> both = {new_key.public_key(),
                                              old_key.public_key()};
  EXPECT_TRUE(VerifyReceipt(old_receipt, both).ok());
  EXPECT_TRUE(VerifyReceipt(new_receipt, both).ok());

  absl::StatusOr<ReceiptBody> retired =
      VerifyReceipt(old_receipt, {new_key.public_key()});
  ASSERT_FALSE(retired.ok());
  EXPECT_THAT(
      retired.status().message(),
      HasSubstr(absl::StrCat("receipt.key_id: ", old_key.public_key().id(),
                             " is not among the trusted public keys (",
                             new_key.public_key().id(), ")")));
  // Naming another trusted key does not make a signature valid.
  SignedReceipt relabelled = old_receipt;
  relabelled.key_id = new_key.public_key().id();
  EXPECT_FALSE(VerifyReceipt(relabelled, both).ok());
}

TEST(ReceiptTest, PayloadMustNameTheKeyThatSignedIt) {
  const Ed25519PrivateKey key = Key(5);
  ReceiptBody body = Body();
  body.key_id = "ffffffffffffffff";
  SignedReceipt receipt;
  receipt.key_id = key.public_key().id();
  receipt.payload = ReceiptPayload(body);
  receipt.signature = *key.Sign(receipt.payload);
  absl::StatusOr<ReceiptBody> verified =
      VerifyReceipt(receipt, {key.public_key()});
  ASSERT_FALSE(verified.ok());
  EXPECT_THAT(verified.status().message(),
              HasSubstr("receipt.payload.key_id: ffffffffffffffff differs"));
}

TEST(ReceiptTest, SignedPayloadsThatAreNotReceiptsAreRefused) {
  const Ed25519PrivateKey key = Key(6);
  const std::string id = key.public_key().id();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[]", "receipt.payload: must be a JSON object"},
      {R"({"format":"other"})", "receipt.payload.format"},
      {absl::StrCat(R"({"format":"amend.receipt.v1","input_sha256":"AB"})"),
       "receipt.payload.input_sha256: must be 64 lowercase hex digits"},
      {absl::StrCat(R"({"format":"amend.receipt.v1","input_sha256":")", kInput,
                    R"(","output_sha256":")", kOutput, R"(","steps":[]})"),
       "receipt.payload.steps: must be a non-empty array"},
      {absl::StrCat(R"({"format":"amend.receipt.v1","input_sha256":")", kInput,
                    R"(","output_sha256":")", kOutput,
                    R"(","steps":[{"task":"adult"}]})"),
       "receipt.payload.steps[0].requirement: is required"},
  };
  for (const auto& [payload, error] : cases) {
    SignedReceipt receipt;
    receipt.key_id = id;
    receipt.payload = payload;
    receipt.signature = *key.Sign(payload);
    absl::StatusOr<ReceiptBody> body =
        VerifyReceipt(receipt, {key.public_key()});
    ASSERT_FALSE(body.ok()) << payload;
    EXPECT_THAT(body.status().message(), HasSubstr(error)) << payload;
  }
}

TEST(ReceiptTest, ReceiptFilesNameTheirBadField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "receipt: "},
      {"[]", "receipt: must be a JSON object"},
      {R"({"key_id":"k","payload":"p","signature":""})",
       "receipt.algorithm: is required"},
      {R"({"algorithm":"ed25519","key_id":"k","payload":"p"})",
       "receipt.signature: is required"},
      {R"({"algorithm":"ed25519","key_id":"k","payload":"p","signature":"%%"})",
       "receipt.signature: must be base64"},
      {R"({"algorithm":"ed25519","key_id":"k","payload":7,"signature":""})",
       "receipt.payload: must be a string"},
  };
  for (const auto& [text, error] : cases) {
    absl::StatusOr<SignedReceipt> receipt = ParseReceiptFile(text);
    ASSERT_FALSE(receipt.ok()) << text;
    EXPECT_THAT(receipt.status().message(), HasSubstr(error)) << text;
  }
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The documented third-party check: the openssl command line verifies the
// payload's bytes with the published key, without Amend's code.
TEST(ReceiptTest, OpensslCommandLineVerifiesAReceipt) {
  const Ed25519PrivateKey key = Key(7);
  const SignedReceipt receipt = *SignReceipt(Body(), key);
  testing::ScopedTempDir dir;
  WriteFile(dir.file("key.pub.pem"), key.public_key().Pem());
  WriteFile(dir.file("payload.json"), receipt.payload);
  WriteFile(dir.file("signature.bin"), receipt.signature);
  const std::string verify = absl::StrCat(
      "openssl pkeyutl -verify -pubin -inkey ", dir.file("key.pub.pem"),
      " -rawin -in ", dir.file("payload.json"), " -sigfile ",
      dir.file("signature.bin"), " 2>&1");
  testing::CommandResult accepted = testing::RunCommand(verify);
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
  EXPECT_THAT(accepted.output, HasSubstr("Signature Verified Successfully"));

  std::string changed = receipt.payload;
  changed[changed.find("700")] = '9';
  WriteFile(dir.file("payload.json"), changed);
  testing::CommandResult refused = testing::RunCommand(verify);
  EXPECT_NE(refused.exit_code, 0) << refused.output;
}

TEST(ReceiptTest, TimesAreRfc3339InUtc) {
  EXPECT_EQ(ReceiptTime(absl::FromUnixSeconds(1796083141)),
            "2026-11-30T23:59:01Z");
}

}  // namespace
}  // namespace amend

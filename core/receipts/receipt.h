// File: core/receipts/receipt.h
//
// Signed receipts of edits. A receipt says which model went in, which came
// out, and which editors made the edit with what effect, and it is signed
// with the server's Ed25519 key, so a third party holding the public key can
// check offline that this server produced this output from this input.
//
// What is signed is the payload: canonical JSON (sorted keys, no spaces,
// ASCII only) that names its own format, "amend.receipt.v1". The envelope
// carries the payload as the exact bytes signed instead of re-serialising a
// parsed form, so verification never depends on anyone's JSON formatting:
// `openssl pkeyutl -verify -rawin` checks it as well as VerifyReceipt does
// (docs/API.md, "Receipts").
//
// Example (server):
//   AMEND_ASSIGN_OR_RETURN(SignedReceipt signed_receipt,
//                          SignReceipt(body, key));
// Example (auditor):
//   AMEND_ASSIGN_OR_RETURN(SignedReceipt receipt, ParseReceiptFile(text));
//   AMEND_ASSIGN_OR_RETURN(ReceiptBody body, VerifyReceipt(receipt, keys));
//
// Thread-safe.
#ifndef AMEND_CORE_RECEIPTS_RECEIPT_H_
#define AMEND_CORE_RECEIPTS_RECEIPT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/receipts/ed25519.h"

namespace amend {

inline constexpr char kReceiptFormat[] = "amend.receipt.v1";
inline constexpr char kReceiptAlgorithm[] = "ed25519";

// One editor's pass over the model.
struct ReceiptStep {
  std::string task;
  std::string requirement;
  std::string variant;
  double lambda = 0;
  std::string editor_sha256;
  int64_t features_kept = 0;
  int64_t features_total = 0;
  int64_t weights_kept = 0;
  int64_t weights_total = 0;
};

// The edit measured on the caller's audit rows (core/audit/certify.h).
struct ReceiptMeasurement {
  int64_t rows = 0;
  double accuracy_before = 0;
  double accuracy_after = 0;
  // Unset when EOD was not measured (no groups, more than two classes).
  std::optional<double> eod_before;
  std::optional<double> eod_after;
  double jsd = 0;  // nats, mean over the rows
  double labels_changed = 0;
};

struct ReceiptBody {
  // sha256 of the model as sent and of the edited model file
  // (docs/API.md says which bytes).
  std::string input_sha256;
  std::string output_sha256;
  std::vector<ReceiptStep> steps;  // at least one
  // Present when the request carried audit rows.
  std::optional<ReceiptMeasurement> measured;
  std::string server_version;
  // When the server signed it, RFC 3339 in UTC to the second.
  std::string issued_at;
  // The signing key (Ed25519PublicKey::id()).
  std::string key_id;
};

struct SignedReceipt {
  std::string algorithm = kReceiptAlgorithm;
  std::string key_id;
  // The exact bytes signed: ReceiptPayload(body).
  std::string payload;
  // 64 raw bytes.
  std::string signature;
};

// RFC 3339 UTC to the second, e.g. "2026-11-30T23:59:01Z".
std::string ReceiptTime(absl::Time time);

// The canonical JSON of `body`.
std::string ReceiptPayload(const ReceiptBody& body);

// Parses a payload strictly: every field present with its type, sha256
// values as 64 lowercase hex digits, the format kReceiptFormat. Errors name
// the field ("receipt.payload.steps[0].lambda: ...").
absl::StatusOr<ReceiptBody> ParseReceiptPayload(absl::string_view payload);

// Signs `body` with `key`; sets body.key_id to the key's id first.
absl::StatusOr<SignedReceipt> SignReceipt(ReceiptBody body,
                                          const Ed25519PrivateKey& key);

// The receipt file `amend edit --receipt` writes and `amend verify` reads:
// {"algorithm","key_id","payload","signature"} with the signature in base64.
std::string ReceiptFileJson(const SignedReceipt& receipt);
absl::StatusOr<SignedReceipt> ParseReceiptFile(absl::string_view text);

// Checks `receipt` against the trusted `keys`: the algorithm, a key with its
// id among `keys`, the signature over the payload, a payload that parses and
// names the same key. Returns the payload's body, or FailedPrecondition
// saying which check failed ("receipt.signature: does not verify with key
// ...: the payload or the signature was changed").
absl::StatusOr<ReceiptBody> VerifyReceipt(
    const SignedReceipt& receipt, absl::Span<const Ed25519PublicKey> keys);

}  // namespace amend

#endif  // AMEND_CORE_RECEIPTS_RECEIPT_H_

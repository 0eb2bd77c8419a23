// Fuzz target: what `amend verify` reads from an auditor's files: the receipt
// file, the signed payload inside it, and PEM public keys. Any bytes must give
// a status, never a crash. Invariants: a receipt file that parses writes back
// to a file that parses to the same receipt; a payload that parses writes
// back (canonically) to a payload that parses to the same body; and no
// receipt verifies with a key that did not sign it (the key below signed
// nothing, so VerifyReceipt must refuse every input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/receipts/ed25519.h"
#include "core/receipts/receipt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const amend::Ed25519PublicKey* const trusted = [] {
    auto key = amend::Ed25519PrivateKey::FromSeed(std::string(32, '\x5a'));
    if (!key.ok()) std::abort();
    return new amend::Ed25519PublicKey(key->public_key());
  }();
  const absl::string_view text(reinterpret_cast<const char*>(data), size);

  const absl::StatusOr<amend::SignedReceipt> receipt =
      amend::ParseReceiptFile(text);
  if (receipt.ok()) {
    const absl::StatusOr<amend::SignedReceipt> again =
        amend::ParseReceiptFile(amend::ReceiptFileJson(*receipt));
    if (!again.ok() || again->payload != receipt->payload ||
        again->signature != receipt->signature ||
        again->key_id != receipt->key_id) {
      std::abort();
    }
    amend::SignedReceipt claimed = *receipt;
    claimed.key_id = trusted->id();
    if (amend::VerifyReceipt(claimed, {*trusted}).ok()) std::abort();
  }

  const absl::StatusOr<amend::ReceiptBody> body =
      amend::ParseReceiptPayload(text);
  if (body.ok()) {
    const absl::StatusOr<amend::ReceiptBody> again =
        amend::ParseReceiptPayload(amend::ReceiptPayload(*body));
    if (!again.ok() ||
        amend::ReceiptPayload(*again) != amend::ReceiptPayload(*body)) {
      std::abort();
    }
  }

  (void)amend::Ed25519PublicKey::AllFromPem(text, "fuzz.pem");
  return 0;
}

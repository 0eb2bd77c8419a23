// File: client/verify_command.h
//
// `amend verify RECEIPT --public-key KEYS.pem [--model EDITED.safetensors]
// [--input ORIGINAL.safetensors]`: offline, whether a receipt was signed by
// one of the trusted keys (core/receipts/receipt.h), and whether the model
// files are the ones it names. Needs no server: an auditor checks a receipt
// with the public keys alone.
//
// Not thread-safe (writes to the given streams).
#ifndef AMEND_CLIENT_VERIFY_COMMAND_H_
#define AMEND_CLIENT_VERIFY_COMMAND_H_

#include <ostream>
#include <string>

#include "client/output_format.h"

namespace amend::client {

struct VerifyCommandOptions {
  std::string receipt_path;
  // PEM public keys, several per file (amend keys -o writes one).
  std::string public_keys_path;
  // Optional: the files whose sha256 must be the receipt's output and input.
  std::string model_path;
  std::string input_path;
};

// 0 when the receipt verifies and every given file matches it; 1 when it is
// refused (changed, signed by an untrusted key, another model); 2 when a file
// cannot be read. With OutputFormat::kJson: {"valid", "key_id", "receipt"
// (the signed payload as JSON), "model_matches", "input_matches"}; a refusal
// is an error object on `err`.
int RunVerify(const VerifyCommandOptions& options, std::ostream& out,
              std::ostream& err, OutputFormat format = OutputFormat::kTable);

}  // namespace amend::client

#endif  // AMEND_CLIENT_VERIFY_COMMAND_H_

#include "client/verify_command.h"

#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/receipts/receipt.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"

namespace amend::client {
namespace {

constexpr int kExitRefused = 1;
constexpr int kExitUnreadable = 2;
// Receipts and key files are a few KB; a larger file is not one.
constexpr uint64_t kMaxReceiptFileBytes = 16 << 20;

// FailedPrecondition when the file's sha256 is not `expected`.
absl::Status CheckFileHash(const std::string& path, const std::string& expected,
                           absl::string_view role) {
  absl::StatusOr<std::string> actual = Sha256OfFile(path);
  if (!actual.ok()) return actual.status();
  if (*actual == expected) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      path, ": its sha256 is ", *actual, ", but the receipt's ", role, " is ",
      expected, ": not the model this receipt is for"));
}

}  // namespace

int RunVerify(const VerifyCommandOptions& options, std::ostream& out,
              std::ostream& err, OutputFormat format) {
  absl::StatusOr<std::string> receipt_text =
      ReadFileToString(options.receipt_path, kMaxReceiptFileBytes);
  if (!receipt_text.ok()) {
    return ReportFailure("verify", receipt_text.status(), err, format,
                         kExitUnreadable);
  }
  absl::StatusOr<std::string> keys_text =
      ReadFileToString(options.public_keys_path, kMaxReceiptFileBytes);
  if (!keys_text.ok()) {
    return ReportFailure("verify", keys_text.status(), err, format,
                         kExitUnreadable);
  }
  absl::StatusOr<std::vector<Ed25519PublicKey>> keys =
      Ed25519PublicKey::AllFromPem(*keys_text,
                                   "--public-key " + options.public_keys_path);
  if (!keys.ok())
    return ReportFailure("verify", keys.status(), err, format, kExitUnreadable);
  absl::StatusOr<SignedReceipt> receipt = ParseReceiptFile(*receipt_text);
  if (!receipt.ok()) {
    return ReportFailure("verify",
                         absl::Status(receipt.status().code(),
                                      absl::StrCat(options.receipt_path, ": ",
                                                   receipt.status().message())),
                         err, format, kExitRefused);
  }
  absl::StatusOr<ReceiptBody> body = VerifyReceipt(*receipt, *keys);
  if (!body.ok()) {
    return ReportFailure("verify",
                         absl::Status(body.status().code(),
                                      absl::StrCat(options.receipt_path, ": ",
                                                   body.status().message())),
                         err, format, kExitRefused);
  }
  for (const auto& [path, expected, role] :
       {std::tuple(options.model_path, body->output_sha256, "output_sha256"),
        std::tuple(options.input_path, body->input_sha256, "input_sha256")}) {
    if (path.empty()) continue;
    if (absl::Status matches = CheckFileHash(path, expected, role);
        !matches.ok()) {
      return ReportFailure(
          "verify", matches, err, format,
          matches.code() == absl::StatusCode::kFailedPrecondition
              ? kExitRefused
              : kExitUnreadable);
    }
  }
  if (format == OutputFormat::kJson) {
    nlohmann::json json = {
        {"valid", true},
        {"key_id", receipt->key_id},
        {"receipt", nlohmann::json::parse(receipt->payload, nullptr, false)}};
    if (!options.model_path.empty()) json["model_matches"] = true;
    if (!options.input_path.empty()) json["input_matches"] = true;
    out << JsonText(json) << "\n";
    return 0;
  }
  out << absl::StrFormat(
      "receipt valid: signed by key %s (%s) at %s, amend-server %s\n"
      "  input   %s%s\n"
      "  output  %s%s\n",
      receipt->key_id, receipt->algorithm, body->issued_at,
      body->server_version, body->input_sha256,
      options.input_path.empty() ? "" : "  matches " + options.input_path,
      body->output_sha256,
      options.model_path.empty() ? "" : "  matches " + options.model_path);
  for (size_t i = 0; i < body->steps.size(); ++i) {
    const ReceiptStep& step = body->steps[i];
    out << absl::StrFormat(
        "  step %d  %s / %s (%s), lambda %g, editor %s: features kept %d of "
        "%d, weights kept %d of %d\n",
        i + 1, step.task, step.requirement, step.variant, step.lambda,
        step.editor_sha256.substr(0, 16), step.features_kept,
        step.features_total, step.weights_kept, step.weights_total);
  }
  return 0;
}

}  // namespace amend::client

#include "core/receipts/receipt.h"

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/util/client_text.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

constexpr size_t kSha256HexDigits = 64;

nlohmann::json StepJson(const ReceiptStep& step) {
  return {{"task", step.task},
          {"requirement", step.requirement},
          {"variant", step.variant},
          {"lambda", step.lambda},
          {"editor_sha256", step.editor_sha256},
          {"features_kept", step.features_kept},
          {"features_total", step.features_total},
          {"weights_kept", step.weights_kept},
          {"weights_total", step.weights_total}};
}

nlohmann::json OptionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json MeasurementJson(const ReceiptMeasurement& m) {
  return {{"rows", m.rows},
          {"accuracy_before", m.accuracy_before},
          {"accuracy_after", m.accuracy_after},
          {"eod_before", OptionalNumber(m.eod_before)},
          {"eod_after", OptionalNumber(m.eod_after)},
          {"jsd", m.jsd},
          {"labels_changed", m.labels_changed}};
}

// A number, or null for "not measured".
absl::StatusOr<std::optional<double>> OptionalNumberField(
    const nlohmann::json& object, const char* key, const std::string& path) {
  auto it = object.find(key);
  if (it != object.end() && it->is_null()) return std::optional<double>();
  AMEND_ASSIGN_OR_RETURN(const double value,
                         JsonField<double>(object, key, path));
  return std::optional<double>(value);
}

absl::StatusOr<ReceiptMeasurement> ParseMeasurement(
    const nlohmann::json& object, const std::string& path) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an object, got ", object.type_name()));
  }
  ReceiptMeasurement m;
  AMEND_ASSIGN_OR_RETURN(m.rows, JsonField<int64_t>(object, "rows", path));
  AMEND_ASSIGN_OR_RETURN(m.accuracy_before,
                         JsonField<double>(object, "accuracy_before", path));
  AMEND_ASSIGN_OR_RETURN(m.accuracy_after,
                         JsonField<double>(object, "accuracy_after", path));
  AMEND_ASSIGN_OR_RETURN(m.eod_before,
                         OptionalNumberField(object, "eod_before", path));
  AMEND_ASSIGN_OR_RETURN(m.eod_after,
                         OptionalNumberField(object, "eod_after", path));
  AMEND_ASSIGN_OR_RETURN(m.jsd, JsonField<double>(object, "jsd", path));
  AMEND_ASSIGN_OR_RETURN(m.labels_changed,
                         JsonField<double>(object, "labels_changed", path));
  return m;
}

absl::Status CheckSha256(const std::string& value, absl::string_view field) {
  bool hex = value.size() == kSha256HexDigits;
  for (char c : value)
    hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (hex) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be 64 lowercase hex digits, got \"",
                   ClientText(value, 80), "\""));
}

absl::StatusOr<ReceiptStep> ParseStep(const nlohmann::json& object,
                                      const std::string& path) {
  if (!object.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an object, got ", object.type_name()));
  }
  ReceiptStep step;
  AMEND_ASSIGN_OR_RETURN(step.task,
                         JsonField<std::string>(object, "task", path));
  AMEND_ASSIGN_OR_RETURN(step.requirement,
                         JsonField<std::string>(object, "requirement", path));
  AMEND_ASSIGN_OR_RETURN(step.variant,
                         JsonField<std::string>(object, "variant", path));
  AMEND_ASSIGN_OR_RETURN(step.lambda,
                         JsonField<double>(object, "lambda", path));
  AMEND_ASSIGN_OR_RETURN(step.editor_sha256,
                         JsonField<std::string>(object, "editor_sha256", path));
  AMEND_RETURN_IF_ERROR(
      CheckSha256(step.editor_sha256, absl::StrCat(path, ".editor_sha256")));
  AMEND_ASSIGN_OR_RETURN(step.features_kept,
                         JsonField<int64_t>(object, "features_kept", path));
  AMEND_ASSIGN_OR_RETURN(step.features_total,
                         JsonField<int64_t>(object, "features_total", path));
  AMEND_ASSIGN_OR_RETURN(step.weights_kept,
                         JsonField<int64_t>(object, "weights_kept", path));
  AMEND_ASSIGN_OR_RETURN(step.weights_total,
                         JsonField<int64_t>(object, "weights_total", path));
  return step;
}

absl::Status Refused(absl::string_view what) {
  return absl::FailedPreconditionError(what);
}

}  // namespace

std::string ReceiptTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string ReceiptPayload(const ReceiptBody& body) {
  nlohmann::json steps = nlohmann::json::array();
  for (const ReceiptStep& step : body.steps) steps.push_back(StepJson(step));
  nlohmann::json payload = {{"format", kReceiptFormat},
                            {"input_sha256", body.input_sha256},
                            {"output_sha256", body.output_sha256},
                            {"steps", std::move(steps)},
                            {"server_version", body.server_version},
                            {"issued_at", body.issued_at},
                            {"key_id", body.key_id}};
  if (body.measured) payload["measured"] = MeasurementJson(*body.measured);
  // nlohmann's objects are sorted maps: dump() is canonical. ASCII only, so
  // the bytes do not depend on how a reader normalises Unicode.
  return payload.dump(-1, ' ', /*ensure_ascii=*/true,
                      nlohmann::json::error_handler_t::replace);
}

absl::StatusOr<ReceiptBody> ParseReceiptPayload(absl::string_view payload) {
  constexpr absl::string_view kPath = "receipt.payload";
  StrictJson parsed = ParseStrictJson(payload);
  if (!parsed.error.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPath, ": ", parsed.error.message()));
  }
  const nlohmann::json& object = parsed.value;
  if (!object.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPath, ": must be a JSON object"));
  }
  AMEND_ASSIGN_OR_RETURN(const std::string format,
                         JsonField<std::string>(object, "format", kPath));
  if (format != kReceiptFormat) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPath, ".format: must be \"", kReceiptFormat, "\", got \"",
                     ClientText(format, 80), "\""));
  }
  ReceiptBody body;
  AMEND_ASSIGN_OR_RETURN(body.input_sha256,
                         JsonField<std::string>(object, "input_sha256", kPath));
  AMEND_RETURN_IF_ERROR(
      CheckSha256(body.input_sha256, absl::StrCat(kPath, ".input_sha256")));
  AMEND_ASSIGN_OR_RETURN(
      body.output_sha256,
      JsonField<std::string>(object, "output_sha256", kPath));
  AMEND_RETURN_IF_ERROR(
      CheckSha256(body.output_sha256, absl::StrCat(kPath, ".output_sha256")));
  const auto steps = object.find("steps");
  if (steps == object.end() || !steps->is_array() || steps->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPath, ".steps: must be a non-empty array"));
  }
  for (size_t i = 0; i < steps->size(); ++i) {
    AMEND_ASSIGN_OR_RETURN(
        ReceiptStep step,
        ParseStep((*steps)[i], absl::StrCat(kPath, ".steps[", i, "]")));
    body.steps.push_back(std::move(step));
  }
  if (auto measured = object.find("measured"); measured != object.end()) {
    AMEND_ASSIGN_OR_RETURN(
        body.measured,
        ParseMeasurement(*measured, absl::StrCat(kPath, ".measured")));
  }
  AMEND_ASSIGN_OR_RETURN(
      body.server_version,
      JsonField<std::string>(object, "server_version", kPath));
  AMEND_ASSIGN_OR_RETURN(body.issued_at,
                         JsonField<std::string>(object, "issued_at", kPath));
  AMEND_ASSIGN_OR_RETURN(body.key_id,
                         JsonField<std::string>(object, "key_id", kPath));
  return body;
}

absl::StatusOr<SignedReceipt> SignReceipt(ReceiptBody body,
                                          const Ed25519PrivateKey& key) {
  body.key_id = key.public_key().id();
  SignedReceipt receipt;
  receipt.key_id = body.key_id;
  receipt.payload = ReceiptPayload(body);
  AMEND_ASSIGN_OR_RETURN(receipt.signature, key.Sign(receipt.payload));
  return receipt;
}

std::string ReceiptFileJson(const SignedReceipt& receipt) {
  const nlohmann::json file = {
      {"algorithm", receipt.algorithm},
      {"key_id", receipt.key_id},
      {"payload", receipt.payload},
      {"signature", absl::Base64Escape(receipt.signature)}};
  return file.dump(2, ' ', /*ensure_ascii=*/true,
                   nlohmann::json::error_handler_t::replace) +
         "\n";
}

absl::StatusOr<SignedReceipt> ParseReceiptFile(absl::string_view text) {
  constexpr absl::string_view kPath = "receipt";
  StrictJson parsed = ParseStrictJson(text);
  if (!parsed.error.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPath, ": ", parsed.error.message()));
  }
  if (!parsed.value.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(kPath, ": must be a JSON object"));
  }
  SignedReceipt receipt;
  AMEND_ASSIGN_OR_RETURN(
      receipt.algorithm,
      JsonField<std::string>(parsed.value, "algorithm", kPath));
  AMEND_ASSIGN_OR_RETURN(receipt.key_id,
                         JsonField<std::string>(parsed.value, "key_id", kPath));
  AMEND_ASSIGN_OR_RETURN(
      receipt.payload, JsonField<std::string>(parsed.value, "payload", kPath));
  AMEND_ASSIGN_OR_RETURN(
      const std::string signature,
      JsonField<std::string>(parsed.value, "signature", kPath));
  if (!absl::Base64Unescape(signature, &receipt.signature)) {
    return absl::InvalidArgumentError(
        "receipt.signature: must be base64 (RFC 4648)");
  }
  return receipt;
}

absl::StatusOr<ReceiptBody> VerifyReceipt(
    const SignedReceipt& receipt, absl::Span<const Ed25519PublicKey> keys) {
  if (receipt.algorithm != kReceiptAlgorithm) {
    return Refused(absl::StrCat("receipt.algorithm: must be \"",
                                kReceiptAlgorithm, "\", got \"",
                                ClientText(receipt.algorithm, 40), "\""));
  }
  const Ed25519PublicKey* key = nullptr;
  for (const Ed25519PublicKey& candidate : keys) {
    if (candidate.id() == receipt.key_id) key = &candidate;
  }
  if (key == nullptr) {
    std::string known;
    for (const Ed25519PublicKey& candidate : keys) {
      absl::StrAppend(&known, known.empty() ? "" : ", ", candidate.id());
    }
    return Refused(
        absl::StrCat("receipt.key_id: ", ClientText(receipt.key_id, 40),
                     " is not among the trusted public keys (", known,
                     "); fetch the server's keys with `amend keys`"));
  }
  if (receipt.signature.size() != kEd25519SignatureBytes) {
    return Refused(absl::StrCat("receipt.signature: must be ",
                                kEd25519SignatureBytes, " bytes, got ",
                                receipt.signature.size()));
  }
  if (!key->Verify(receipt.payload, receipt.signature)) {
    return Refused(absl::StrCat(
        "receipt.signature: does not verify with key ", key->id(),
        ": the payload or the signature was changed after signing"));
  }
  absl::StatusOr<ReceiptBody> body = ParseReceiptPayload(receipt.payload);
  if (!body.ok()) return Refused(body.status().message());
  if (body->key_id != receipt.key_id) {
    return Refused(
        absl::StrCat("receipt.payload.key_id: ", ClientText(body->key_id, 40),
                     " differs from the envelope's key_id ", receipt.key_id));
  }
  return body;
}

}  // namespace amend

#include "client/output_format.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace amend::client {

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--output: expected table or json, got \"", text, "\""));
}

std::string JsonText(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ErrorJson(absl::string_view command, const absl::Status& status) {
  nlohmann::json error;
  error["command"] = std::string(command);
  error["code"] = absl::StatusCodeToString(status.code());
  error["message"] = std::string(status.message());
  return JsonText(nlohmann::json{{"error", error}});
}

int ReportFailure(absl::string_view command, const absl::Status& status,
                  std::ostream& err, OutputFormat format, int exit_code,
                  ErrorDetail detail) {
  if (format == OutputFormat::kJson) {
    err << ErrorJson(command, status) << "\n";
    return exit_code;
  }
  err << "amend " << command << ": ";
  if (detail == ErrorDetail::kCodeAndMessage) {
    err << absl::StatusCodeToString(status.code()) << ": ";
  }
  err << status.message() << "\n";
  return exit_code;
}

}  // namespace amend::client

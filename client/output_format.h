// File: client/output_format.h
//
// `--output table|json` of every amend command. Tables are for people; JSON,
// one object per command on stdout, is for pipelines: replies of amend-server
// in protobuf's JSON mapping with the proto's field names, offline commands in
// the same naming. In JSON mode a failure is one object on stderr,
// {"error": {"command", "code", "message"}}, beside the usual exit code.
//
// Thread-safe (pure functions).
#ifndef AMEND_CLIENT_OUTPUT_FORMAT_H_
#define AMEND_CLIENT_OUTPUT_FORMAT_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend::client {

enum class OutputFormat { kTable, kJson };

// "table" or "json"; InvalidArgument naming --output otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

// One line of JSON; text that is not UTF-8 (a path, a server's message)
// becomes replacement characters rather than an exception.
std::string JsonText(const nlohmann::json& json);

// {"error": {"command": ..., "code": "INVALID_ARGUMENT", "message": ...}}.
std::string ErrorJson(absl::string_view command, const absl::Status& status);

// How a table names a failure: by its message (offline commands), or by its
// status code and message (replies of amend-server, where the code tells a
// refusal from a failure worth retrying).
enum class ErrorDetail { kMessage, kCodeAndMessage };

// Writes `status` to `err`, as "amend COMMAND: MESSAGE" (table) or as
// ErrorJson (json), and returns `exit_code`, e.g.
//   return ReportFailure("export", status, err, format);
int ReportFailure(absl::string_view command, const absl::Status& status,
                  std::ostream& err, OutputFormat format, int exit_code = 1,
                  ErrorDetail detail = ErrorDetail::kMessage);

}  // namespace amend::client

#endif  // AMEND_CLIENT_OUTPUT_FORMAT_H_

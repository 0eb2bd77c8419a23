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

}  // namespace amend::client

#endif  // AMEND_CLIENT_OUTPUT_FORMAT_H_

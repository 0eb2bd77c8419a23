// File: client/server_commands.h
//
// The amend CLI's commands that talk to amend-server: edit, editors, health,
// reload and keys. Exit codes a script can branch on:
//   0  done (health: the server is ready to edit)
//   1  the server refused the request (bad model, unknown task, no editor
//      meets the target, permission); retrying the same call will not help
//   2  usage error (flags or arguments)
//   3  retryable: the server is unreachable, overloaded, draining or too slow
//      (UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED)
//   4  health: reachable but not ready (no editor loaded, or draining)
//
// Not thread-safe (writes to the given streams).
#ifndef AMEND_CLIENT_SERVER_COMMANDS_H_
#define AMEND_CLIENT_SERVER_COMMANDS_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/amend_client.h"
#include "client/output_format.h"

namespace amend::client {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRetryable = 3;
inline constexpr int kExitNotReady = 4;

// 1 or 3 for a failed call, by its code.
int ExitCodeFor(const absl::Status& status);

struct EditCommandOptions {
  std::string task;
  std::string requirement;
  std::string variant;
  std::optional<double> lambda, max_weights, max_eod;
  std::optional<int> max_features;
  // A composed edit (client/edit_steps.h) instead of requirement, variant
  // and a trade-off.
  std::vector<amend::v1::EditStep> steps;
  // Refuse rather than edit a model outside the editor's training range.
  bool strict = false;
  std::string model_path;
  std::string output_path;
  // Where to write the signed receipt (core/receipts/receipt.h's file form);
  // empty: output_path + ".receipt.json".
  std::string receipt_path;
};

// With OutputFormat::kJson each prints one JSON object (client/
// output_format.h): edit the reply without the model bytes and masks, plus
// "output_path"; editors and reload the server's reply; health
// {"services": {name: status}, "ready": bool}.
int RunEdit(const ClientOptions& connection, const EditCommandOptions& options,
            std::ostream& out, std::ostream& err,
            OutputFormat format = OutputFormat::kTable);
int RunEditors(const ClientOptions& connection, const std::string& task,
               const std::string& requirement, std::ostream& out,
               std::ostream& err, OutputFormat format = OutputFormat::kTable);
int RunHealth(const ClientOptions& connection, std::ostream& out,
              std::ostream& err, OutputFormat format = OutputFormat::kTable);
int RunReload(const ClientOptions& connection, std::ostream& out,
              std::ostream& err, OutputFormat format = OutputFormat::kTable);
// The server's receipt public keys: listed, and written as one PEM file to
// `output_path` when it is not empty (what `amend verify --public-key`
// reads). JSON: the GetReceiptKeys reply plus "output_path".
int RunKeys(const ClientOptions& connection, const std::string& output_path,
            std::ostream& out, std::ostream& err,
            OutputFormat format = OutputFormat::kTable);

}  // namespace amend::client

#endif  // AMEND_CLIENT_SERVER_COMMANDS_H_

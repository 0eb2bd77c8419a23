// amend: the command-line client of Amend.
//
//   amend inspect MODEL.safetensors     check a model file offline
//   amend compact MODEL.safetensors -o OUT   remove unused neurons offline
//   amend export --onnx MODEL.safetensors -o OUT.onnx [--compact]
//   amend edit --task T --requirement R (--lambda L | --max-weights F |
//              --max-features N | --max-eod E) MODEL.safetensors -o OUT
//   amend edit --task T --steps R:TRADEOFF=V,... MODEL.safetensors -o OUT
//   amend editors [--task T] [--requirement R]
//   amend health
//   amend reload                        (admin token)
//   amend keys [-o KEYS.pem]            the server's receipt public keys
//   amend verify RECEIPT --public-key KEYS.pem [--model OUT] [--input IN]
//                                       check a signed receipt offline
//   amend certify --model M --audit A.csv [--original O] [--label COLUMN]
//                 [--group COLUMN]      measure a model on audit rows offline
//
// The server is --server, else $AMEND_SERVER, else localhost:8001; the token
// --token, else $AMEND_TOKEN. Flags may be spelled with dashes or
// underscores. Exit codes: client/server_commands.h.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "client/certify_command.h"
#include "client/compact_command.h"
#include "client/edit_steps.h"
#include "client/export_command.h"
#include "client/inspect_command.h"
#include "client/server_commands.h"
#include "client/verify_command.h"

ABSL_FLAG(std::string, server, "",
          "host:port of amend-server; default $AMEND_SERVER, else "
          "localhost:8001.");
ABSL_FLAG(std::string, token, "", "Bearer token; default $AMEND_TOKEN.");
ABSL_FLAG(bool, tls, false, "Connect over TLS.");
ABSL_FLAG(std::string, ca, "", "PEM roots that sign the server certificate.");
ABSL_FLAG(std::string, cert, "", "Client certificate (mutual TLS).");
ABSL_FLAG(std::string, key, "", "Client private key (mutual TLS).");
ABSL_FLAG(int, timeout_seconds, 30, "Deadline of each call.");
ABSL_FLAG(std::string, task, "", "edit, editors: adult or bank.");
ABSL_FLAG(std::string, requirement, "",
          "edit, editors: data_minimisation, fairness or pruning.");
ABSL_FLAG(std::string, variant, "",
          "edit: mask_only or prune_only for masks-only editors; "
          "prune_neurons_and_edit or prune_neurons_only for editors that "
          "remove whole neurons.");
ABSL_FLAG(double, lambda, -1, "edit: the exact lambda of the editor.");
ABSL_FLAG(double, max_weights, -1,
          "edit (pruning): keep at most this fraction of the weights.");
ABSL_FLAG(int, max_features, -1,
          "edit (data_minimisation): keep at most this many features.");
ABSL_FLAG(double, max_eod, -1,
          "edit (fairness): equalised-odds difference at most this.");
ABSL_FLAG(std::string, steps, "",
          "edit: several requirements in one call, in order, e.g. "
          "data_minimisation:max_features=8,pruning:max_weights=0.3 "
          "(REQUIREMENT[/VARIANT]:TRADEOFF=VALUE; instead of --requirement "
          "and a trade-off flag).");
ABSL_FLAG(bool, strict, false,
          "edit: refuse (exit 1, FAILED_PRECONDITION) instead of editing a "
          "model whose architecture lies outside what the editor was trained "
          "on; without it such an edit is marked EXTRAPOLATION.");
ABSL_FLAG(std::string, out, "",
          "edit, compact, export: where to write the resulting model; keys: "
          "where to write the public keys.");
ABSL_FLAG(bool, onnx, false, "export: write an ONNX model.");
ABSL_FLAG(bool, compact, false,
          "export: remove the neurons a pruned model no longer uses first.");
ABSL_FLAG(std::string, o, "", "Short for --out.");
ABSL_FLAG(std::string, receipt, "",
          "edit: where to write the signed receipt; default OUT.receipt.json.");
ABSL_FLAG(std::string, public_key, "",
          "verify: PEM file of the trusted receipt public keys (amend keys "
          "-o writes one).");
ABSL_FLAG(std::string, model, "",
          "verify: the edited model; its sha256 must be the receipt's output. "
          "certify: the model to measure.");
ABSL_FLAG(std::string, input, "",
          "verify: the original model; its sha256 must be the receipt's "
          "input.");
ABSL_FLAG(std::string, audit, "",
          "certify: CSV of audit rows: the model's inputs, a label column and "
          "optionally a group column (docs/API.md, \"Audit CSV\").");
ABSL_FLAG(std::string, original, "",
          "certify: the original model, for JSD, accuracy and EOD before and "
          "after, and the labels changed.");
ABSL_FLAG(std::string, label, "",
          "certify: the audit's label column; default amend:label, else "
          "label.");
ABSL_FLAG(std::string, group, "",
          "certify: the audit's sensitive-group column; default amend:group, "
          "else group, else none (no EOD).");
ABSL_FLAG(std::string, output, "table",
          "table (for people) or json (one object on stdout, for pipelines; "
          "errors as one object on stderr).");

namespace {

constexpr char kUsage[] =
    "amend COMMAND [flags] [args]\n"
    "\n"
    "Commands:\n"
    "  inspect MODEL.safetensors   validate a model file and print its "
    "architecture\n"
    "  compact MODEL.safetensors -o COMPACT.safetensors   remove the neurons "
    "a pruned model\n"
    "       no longer uses (the same outputs, a smaller dense model)\n"
    "  export --onnx MODEL.safetensors -o MODEL.onnx [--compact]   the model "
    "for ONNX runtimes\n"
    "  edit --task T --requirement R (--lambda L | --max-weights F | "
    "--max-features N |\n"
    "       --max-eod E) MODEL.safetensors -o EDITED.safetensors\n"
    "  edit --task T --steps data_minimisation:max_features=8,"
    "pruning:max_weights=0.3 ...\n"
    "       several requirements in one call, in order\n"
    "  editors [--task T] [--requirement R]   the server's editors\n"
    "  health                      is the server up and ready\n"
    "  reload                      reload the server's editors (admin)\n"
    "  keys [-o KEYS.pem]          the public keys of the server's signed "
    "receipts\n"
    "  verify RECEIPT.json --public-key KEYS.pem [--model EDITED.safetensors]"
    "\n       [--input MODEL.safetensors]   check a receipt offline\n"
    "  certify --model MODEL.safetensors --audit AUDIT.csv [--original "
    "ORIGINAL.safetensors]\n"
    "       [--label COLUMN] [--group COLUMN]   accuracy, EOD, JSD, features "
    "and weights\n"
    "       of a model, measured offline on your own rows\n"
    "\n"
    "Every command takes --output json: one JSON object on stdout.\n"
    "Exit codes: 0 ok, 1 refused, 2 usage, 3 retryable (unreachable, "
    "overloaded, too slow), 4 not ready.";

// absl flags are snake_case; accept the dashed spelling users type.
std::vector<std::string> NormaliseFlagNames(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::string& arg : args) {
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    for (size_t i = 2; i < end; ++i) {
      if (arg[i] == '-') arg[i] = '_';
    }
  }
  return args;
}

std::string FromFlagOrEnv(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* value = std::getenv(env);
  return value == nullptr ? "" : value;
}

}  // namespace

int main(int argc, char** argv) {
  namespace client = amend::client;
  absl::SetProgramUsageMessage(kUsage);
  std::vector<std::string> normalised = NormaliseFlagNames(argc, argv);
  std::vector<char*> pointers;
  for (std::string& arg : normalised) pointers.push_back(arg.data());
  const std::vector<char*> args = absl::ParseCommandLine(
      static_cast<int>(pointers.size()), pointers.data());
  if (args.size() < 2) {
    std::cerr << kUsage << "\n";
    return client::kExitUsage;
  }
  const std::string command = args[1];
  const absl::StatusOr<client::OutputFormat> format =
      client::ParseOutputFormat(absl::GetFlag(FLAGS_output));
  if (!format.ok()) {
    std::cerr << "amend: " << format.status().message() << "\n";
    return client::kExitUsage;
  }
  if (command == "inspect") {
    if (args.size() != 3) {
      std::cerr << "usage: amend inspect MODEL.safetensors\n";
      return client::kExitUsage;
    }
    return client::RunInspect(args[2], std::cout, std::cerr, *format);
  }
  if (command == "compact") {
    const std::string output = !absl::GetFlag(FLAGS_out).empty()
                                   ? absl::GetFlag(FLAGS_out)
                                   : absl::GetFlag(FLAGS_o);
    if (args.size() != 3 || output.empty()) {
      std::cerr << "usage: amend compact MODEL.safetensors -o "
                   "COMPACT.safetensors\n";
      return client::kExitUsage;
    }
    return client::RunCompact(args[2], output, std::cout, std::cerr, *format);
  }
  if (command == "verify") {
    client::VerifyCommandOptions options;
    options.public_keys_path = absl::GetFlag(FLAGS_public_key);
    options.model_path = absl::GetFlag(FLAGS_model);
    options.input_path = absl::GetFlag(FLAGS_input);
    if (args.size() != 3 || options.public_keys_path.empty()) {
      std::cerr << "usage: amend verify RECEIPT.json --public-key KEYS.pem "
                   "[--model EDITED.safetensors] [--input MODEL.safetensors]\n";
      return client::kExitUsage;
    }
    options.receipt_path = args[2];
    return client::RunVerify(options, std::cout, std::cerr, *format);
  }
  if (command == "export") {
    client::ExportCommandOptions options;
    options.output_path = !absl::GetFlag(FLAGS_out).empty()
                              ? absl::GetFlag(FLAGS_out)
                              : absl::GetFlag(FLAGS_o);
    options.compact = absl::GetFlag(FLAGS_compact);
    // --onnx is required so that other formats can join without changing
    // what a command line means.
    if (args.size() != 3 || options.output_path.empty() ||
        !absl::GetFlag(FLAGS_onnx)) {
      std::cerr << "usage: amend export --onnx MODEL.safetensors -o "
                   "MODEL.onnx [--compact]\n";
      return client::kExitUsage;
    }
    options.model_path = args[2];
    return client::RunExport(options, std::cout, std::cerr, *format);
  }
  if (command == "certify") {
    client::CertifyCommandOptions options;
    options.model_path = absl::GetFlag(FLAGS_model);
    options.audit_path = absl::GetFlag(FLAGS_audit);
    options.original_path = absl::GetFlag(FLAGS_original);
    options.label_column = absl::GetFlag(FLAGS_label);
    options.group_column = absl::GetFlag(FLAGS_group);
    if (args.size() != 2 || options.model_path.empty() ||
        options.audit_path.empty()) {
      std::cerr << "usage: amend certify --model MODEL.safetensors --audit "
                   "AUDIT.csv [--original ORIGINAL.safetensors] [--label "
                   "COLUMN] [--group COLUMN]\n";
      return client::kExitUsage;
    }
    return client::RunCertify(options, std::cout, std::cerr, *format);
  }
  client::ClientOptions connection;
  connection.address = client::ResolveAddress(absl::GetFlag(FLAGS_server));
  connection.token = FromFlagOrEnv(absl::GetFlag(FLAGS_token), "AMEND_TOKEN");
  connection.tls = absl::GetFlag(FLAGS_tls);
  connection.ca_path = absl::GetFlag(FLAGS_ca);
  connection.certificate_path = absl::GetFlag(FLAGS_cert);
  connection.key_path = absl::GetFlag(FLAGS_key);
  connection.timeout =
      std::chrono::seconds(std::max(1, absl::GetFlag(FLAGS_timeout_seconds)));
  if (command == "edit") {
    client::EditCommandOptions options;
    options.task = absl::GetFlag(FLAGS_task);
    options.requirement = absl::GetFlag(FLAGS_requirement);
    options.variant = absl::GetFlag(FLAGS_variant);
    int targets = 0;
    if (const double v = absl::GetFlag(FLAGS_lambda); v >= 0) {
      options.lambda = v;
      ++targets;
    }
    if (const double v = absl::GetFlag(FLAGS_max_weights); v >= 0) {
      options.max_weights = v;
      ++targets;
    }
    if (const int v = absl::GetFlag(FLAGS_max_features); v >= 0) {
      options.max_features = v;
      ++targets;
    }
    if (const double v = absl::GetFlag(FLAGS_max_eod); v >= 0) {
      options.max_eod = v;
      ++targets;
    }
    options.strict = absl::GetFlag(FLAGS_strict);
    options.output_path = absl::GetFlag(FLAGS_out);
    if (options.output_path.empty())
      options.output_path = absl::GetFlag(FLAGS_o);
    const std::string steps = absl::GetFlag(FLAGS_steps);
    const bool single = !options.requirement.empty() && targets == 1;
    const bool composed = !steps.empty() && options.requirement.empty() &&
                          options.variant.empty() && targets == 0;
    if (args.size() != 3 || options.task.empty() ||
        options.output_path.empty() || single == composed ||
        (single && !steps.empty())) {
      std::cerr << "usage: amend edit --task T --requirement R (--lambda L | "
                   "--max-weights F | --max-features N | --max-eod E) "
                   "MODEL.safetensors -o EDITED.safetensors\n"
                   "(exactly one of the four trade-off flags), or\n"
                   "       amend edit --task T --steps "
                   "REQUIREMENT:TRADEOFF=VALUE,... MODEL.safetensors -o "
                   "EDITED.safetensors\n";
      return client::kExitUsage;
    }
    if (composed) {
      absl::StatusOr<std::vector<amend::v1::EditStep>> parsed =
          client::ParseEditSteps(steps);
      if (!parsed.ok()) {
        std::cerr << "amend edit: " << parsed.status().message() << "\n";
        return client::kExitUsage;
      }
      options.steps = *std::move(parsed);
    }
    options.model_path = args[2];
    options.receipt_path = absl::GetFlag(FLAGS_receipt);
    return client::RunEdit(connection, options, std::cout, std::cerr, *format);
  }
  if (command == "editors") {
    return client::RunEditors(connection, absl::GetFlag(FLAGS_task),
                              absl::GetFlag(FLAGS_requirement), std::cout,
                              std::cerr, *format);
  }
  if (command == "health")
    return client::RunHealth(connection, std::cout, std::cerr, *format);
  if (command == "reload")
    return client::RunReload(connection, std::cout, std::cerr, *format);
  if (command == "keys") {
    if (args.size() != 2) {
      std::cerr << "usage: amend keys [-o KEYS.pem]\n";
      return client::kExitUsage;
    }
    const std::string output = !absl::GetFlag(FLAGS_out).empty()
                                   ? absl::GetFlag(FLAGS_out)
                                   : absl::GetFlag(FLAGS_o);
    return client::RunKeys(connection, output, std::cout, std::cerr, *format);
  }
  std::cerr << "amend: unknown command \"" << command << "\"\n\n"
            << kUsage << "\n";
  return client::kExitUsage;
}

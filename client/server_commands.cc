#include "client/server_commands.h"

#include <google/protobuf/util/json_util.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/receipts/receipt.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"

namespace amend::client {
namespace {

int Fail(const absl::Status& status, absl::string_view command,
         std::ostream& err, OutputFormat format) {
  return ReportFailure(command, status, err, format, ExitCodeFor(status),
                       ErrorDetail::kCodeAndMessage);
}

// protobuf's JSON mapping with the .proto's field names and every field,
// defaults included, so a pipeline finds each key in every reply.
nlohmann::json ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options)
           .ok()) {
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string Short(const std::string& sha) { return sha.substr(0, 16); }

// Names and shapes: the values are in the model file.
nlohmann::json MaskSummaries(
    const google::protobuf::RepeatedPtrField<amend::v1::Tensor>& masks) {
  nlohmann::json summaries = nlohmann::json::array();
  for (const amend::v1::Tensor& mask : masks) {
    summaries.push_back({{"name", mask.name()},
                         {"shape", std::vector<int64_t>(mask.shape().begin(),
                                                        mask.shape().end())}});
  }
  return summaries;
}

SignedReceipt ReceiptOf(const amend::v1::EditModelResponse& reply) {
  SignedReceipt receipt;
  receipt.algorithm = reply.receipt().algorithm();
  receipt.key_id = reply.receipt().key_id();
  receipt.payload = reply.receipt().payload();
  receipt.signature = reply.receipt().signature();
  return receipt;
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitRetryable;
    default:
      return kExitRefused;
  }
}

int RunEdit(const ClientOptions& connection, const EditCommandOptions& options,
            std::ostream& out, std::ostream& err, OutputFormat format) {
  amend::v1::EditModelRequest request;
  request.set_task(options.task);
  request.set_requirement(options.requirement);
  request.set_variant(options.variant);
  if (options.lambda) request.set_lambda(*options.lambda);
  if (options.max_weights)
    request.set_max_weight_fraction(*options.max_weights);
  if (options.max_features) request.set_max_features(*options.max_features);
  if (options.max_eod) request.set_max_eod(*options.max_eod);
  request.set_strict(options.strict);
  for (const amend::v1::EditStep& step : options.steps) {
    *request.add_steps() = step;
  }
  absl::StatusOr<std::string> model = ReadFileToString(options.model_path);
  if (!model.ok()) {
    Fail(model.status(), "edit", err, format);
    return kExitUsage;
  }
  request.mutable_model()->set_safetensors(*std::move(model));
  absl::StatusOr<std::unique_ptr<AmendClient>> client =
      AmendClient::Connect(connection);
  if (!client.ok()) return Fail(client.status(), "edit", err, format);
  absl::StatusOr<amend::v1::EditModelResponse> reply =
      (*client)->EditModel(request);
  if (!reply.ok()) return Fail(reply.status(), "edit", err, format);
  if (absl::Status status = WriteFileAtomically(
          options.output_path, reply->edited_model().safetensors());
      !status.ok()) {
    Fail(status, "edit", err, format);
    return kExitRefused;
  }
  const std::string receipt_path = options.receipt_path.empty()
                                       ? options.output_path + ".receipt.json"
                                       : options.receipt_path;
  const bool signed_receipt = !reply->receipt().payload().empty();
  if (signed_receipt) {
    if (absl::Status status = WriteFileAtomically(
            receipt_path, ReceiptFileJson(ReceiptOf(*reply)));
        !status.ok()) {
      Fail(status, "edit", err, format);
      return kExitRefused;
    }
  }
  if (format == OutputFormat::kJson) {
    amend::v1::EditModelResponse summary = *reply;
    summary.clear_edited_model();
    summary.clear_masks();
    for (amend::v1::EditStepResult& step : *summary.mutable_steps()) {
      step.clear_masks();
    }
    nlohmann::json json = ProtoJson(summary);
    json["output_path"] = options.output_path;
    json["receipt_path"] = signed_receipt ? receipt_path : "";
    json["masks"] = MaskSummaries(reply->masks());
    for (int i = 0; i < reply->steps_size(); ++i) {
      json["steps"][i]["masks"] = MaskSummaries(reply->steps(i).masks());
    }
    out << JsonText(json) << "\n";
    return kExitOk;
  }
  const amend::v1::EditStatistics& s = reply->statistics();
  const amend::v1::EditorInfo& e = reply->editor();
  out << absl::StrFormat(
      "edited %s -> %s\n"
      "  editor         %s / %s (%s), lambda %g, %s\n"
      "  chosen by      %s%s\n"
      "  features kept  %d of %d%s\n"
      "  weights kept   %d of %d (%.4f)\n"
      "  JSD estimate   %.5f nats (the editor's mean on held-out models)\n"
      "  server time    %.2f ms (queue %.2f ms, forward %.2f ms)\n"
      "  receipt        input %s  editor %s  output %s\n",
      options.model_path, options.output_path, e.task(), e.requirement(),
      e.variant(), e.lambda(),
      e.on_front() ? "on the Pareto front" : "dominated", reply->resolution(),
      reply->has_target_met() && !reply->target_met()
          ? "\n  NOTE           this model's edit misses the target; ask for a "
            "tighter one"
          : "",
      s.features_kept(), s.features_total(),
      s.removed_features_size() == 0
          ? std::string()
          : "; removed: " + absl::StrJoin(s.removed_features(), ", "),
      s.weights_kept(), s.weights_total(), s.weights_kept_fraction(),
      e.validation_jsd(), reply->server_seconds() * 1e3,
      reply->queue_seconds() * 1e3, reply->compute_seconds() * 1e3,
      Short(reply->receipt().input_sha256()),
      Short(reply->receipt().editor_sha256()),
      Short(reply->receipt().output_sha256()));
  for (int i = 0; i < reply->steps_size(); ++i) {
    const amend::v1::EditStepResult& step = reply->steps(i);
    out << absl::StrFormat(
        "  step %d         %s (%s), lambda %g: features kept %d of %d, "
        "weights kept %d of %d%s\n",
        i + 1, step.editor().requirement(), step.editor().variant(),
        step.editor().lambda(), step.statistics().features_kept(),
        step.statistics().features_total(), step.statistics().weights_kept(),
        step.statistics().weights_total(),
        step.has_target_met() && !step.target_met() ? " (misses its target)"
                                                    : "");
  }
  out << (signed_receipt
              ? absl::StrCat("  signed         key ", reply->receipt().key_id(),
                             ", receipt ", receipt_path, "\n")
              : std::string("  signed         no (the server signs no "
                            "receipts)\n"));
  for (const std::string& reason : reply->extrapolation())
    out << "  EXTRAPOLATION  " << reason << "\n";
  return kExitOk;
}

int RunEditors(const ClientOptions& connection, const std::string& task,
               const std::string& requirement, std::ostream& out,
               std::ostream& err, OutputFormat format) {
  absl::StatusOr<std::unique_ptr<AmendClient>> client =
      AmendClient::Connect(connection);
  if (!client.ok()) return Fail(client.status(), "editors", err, format);
  absl::StatusOr<amend::v1::ListEditorsResponse> reply =
      (*client)->ListEditors(task, requirement);
  if (!reply.ok()) return Fail(reply.status(), "editors", err, format);
  if (format == OutputFormat::kJson) {
    out << JsonText(ProtoJson(*reply)) << "\n";
    return kExitOk;
  }
  out << absl::StrFormat("%-6s %-18s %-15s %-8s %-10s %-12s %-9s %s\n", "task",
                         "requirement", "variant", "lambda", "val. JSD",
                         "val. metric", "front", "sha256");
  for (const amend::v1::EditorInfo& e : reply->editors()) {
    out << absl::StrFormat("%-6s %-18s %-15s %-8g %-10.5f %-12.4f %-9s %s\n",
                           e.task(), e.requirement(), e.variant(), e.lambda(),
                           e.validation_jsd(), e.validation_requirement(),
                           e.on_front() ? "yes" : "no", Short(e.sha256()));
  }
  out << reply->editors_size() << " editors\n";
  // Each task's inputs once: what a model of that task must take, in order.
  std::set<std::string> described;
  for (const amend::v1::EditorInfo& e : reply->editors()) {
    if (!described.insert(e.task()).second) continue;
    out << "task " << e.task() << ": " << e.feature_names_size()
        << " features (" << absl::StrJoin(e.feature_names(), ", ")
        << "), classes (" << absl::StrJoin(e.class_names(), ", ") << ")\n";
    if (e.feature_attributes_size() > 0) {
      // Attributes of several inputs, in order of their first input.
      std::vector<std::string> attributes;
      std::map<std::string, int> inputs;
      for (const std::string& attribute : e.feature_attributes()) {
        if (inputs[attribute]++ == 0) attributes.push_back(attribute);
      }
      for (std::string& attribute : attributes) {
        if (inputs[attribute] > 1)
          absl::StrAppend(&attribute, " (", inputs[attribute], " inputs)");
      }
      out << "  " << attributes.size() << " attributes (data minimisation "
          << "keeps or removes each whole): " << absl::StrJoin(attributes, ", ")
          << "\n";
    }
    // Editors of one task may come from different zoos: every distinct range,
    // with the editors trained on it when there is more than one.
    std::vector<std::string> ranges;
    std::map<std::string, std::vector<std::string>> editors_of_range;
    for (const amend::v1::EditorInfo& other : reply->editors()) {
      if (other.task() != e.task() || other.trained_architectures().empty())
        continue;
      auto& editors = editors_of_range[other.trained_architectures()];
      if (editors.empty()) ranges.push_back(other.trained_architectures());
      editors.push_back(absl::StrFormat("%s/%s λ %g", other.requirement(),
                                        other.variant(), other.lambda()));
    }
    for (const std::string& range : ranges) {
      out << "  trained on " << range;
      if (ranges.size() > 1) {
        out << " (" << absl::StrJoin(editors_of_range[range], ", ") << ")";
      }
      out << "\n";
    }
  }
  return kExitOk;
}

int RunHealth(const ClientOptions& connection, std::ostream& out,
              std::ostream& err, OutputFormat format) {
  absl::StatusOr<std::unique_ptr<AmendClient>> client =
      AmendClient::Connect(connection);
  if (!client.ok()) return Fail(client.status(), "health", err, format);
  bool ready = true;
  nlohmann::json services = nlohmann::json::object();
  for (const char* service : {"", "amend.v1.ModelEditor"}) {
    auto status = (*client)->Health(service);
    if (!status.ok()) return Fail(status.status(), "health", err, format);
    const std::string name =
        grpc::health::v1::HealthCheckResponse::ServingStatus_Name(*status);
    if (format == OutputFormat::kJson) {
      services[service] = name;
    } else {
      out << absl::StrFormat("%-22s %s\n", *service ? service : "(server)",
                             name);
    }
    ready &= *status == grpc::health::v1::HealthCheckResponse::SERVING;
  }
  if (format == OutputFormat::kJson) {
    out << JsonText(nlohmann::json{{"services", services}, {"ready", ready}})
        << "\n";
  }
  return ready ? kExitOk : kExitNotReady;
}

int RunReload(const ClientOptions& connection, std::ostream& out,
              std::ostream& err, OutputFormat format) {
  absl::StatusOr<std::unique_ptr<AmendClient>> client =
      AmendClient::Connect(connection);
  if (!client.ok()) return Fail(client.status(), "reload", err, format);
  absl::StatusOr<amend::v1::ReloadEditorsResponse> reply =
      (*client)->ReloadEditors();
  if (!reply.ok()) return Fail(reply.status(), "reload", err, format);
  if (format == OutputFormat::kJson) {
    out << JsonText(ProtoJson(*reply)) << "\n";
    return reply->errors_size() > 0 ? kExitRefused : kExitOk;
  }
  if (reply->errors_size() > 0) {
    err << "amend reload: refused, the previous editors keep serving:\n";
    for (const std::string& error : reply->errors())
      err << "  " << error << "\n";
    return kExitRefused;
  }
  out << "reloaded: " << reply->editors_loaded() << " editors\n";
  return kExitOk;
}

int RunKeys(const ClientOptions& connection, const std::string& output_path,
            std::ostream& out, std::ostream& err, OutputFormat format) {
  absl::StatusOr<std::unique_ptr<AmendClient>> client =
      AmendClient::Connect(connection);
  if (!client.ok()) return Fail(client.status(), "keys", err, format);
  absl::StatusOr<amend::v1::GetReceiptKeysResponse> reply =
      (*client)->GetReceiptKeys();
  if (!reply.ok()) return Fail(reply.status(), "keys", err, format);
  std::string pem;
  for (const amend::v1::ReceiptKey& key : reply->keys())
    pem += key.public_key_pem();
  if (!output_path.empty()) {
    if (absl::Status written = WriteFileAtomically(output_path, pem);
        !written.ok()) {
      Fail(written, "keys", err, format);
      return kExitRefused;
    }
  }
  if (format == OutputFormat::kJson) {
    nlohmann::json json = ProtoJson(*reply);
    json["output_path"] = output_path;
    out << JsonText(json) << "\n";
    return kExitOk;
  }
  for (const amend::v1::ReceiptKey& key : reply->keys()) {
    out << absl::StrFormat(
        "%s  %s  %s\n", key.key_id(), key.algorithm(),
        key.signing() ? "signs new receipts" : "verifies earlier receipts");
  }
  if (output_path.empty()) {
    out << pem;
  } else {
    out << reply->keys_size() << " public keys written to " << output_path
        << "\n";
  }
  return kExitOk;
}

}  // namespace amend::client

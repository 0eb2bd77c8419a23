#include "server/editor_service.h"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/editor/edit_cost.h"
#include "core/editor/extrapolation.h"
#include "core/mlp/carry_masks.h"
#include "core/mlp/model_file.h"
#include "core/mlp/parameter_layout.h"
#include "core/receipts/receipt.h"
#include "core/util/client_text.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"
#include "core/util/version.h"
#include "server/audit_codec.h"
#include "server/edit_plan.h"
#include "server/model_codec.h"
#include "server/parsing_unary_handler.h"

namespace amend::server {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Task labels are the tasks of the loaded editors: as many as the operator
// deployed, never what a client sends.
bool ServesTask(const EditorSnapshot& snapshot, const std::string& task) {
  return std::any_of(
      snapshot.editors.begin(), snapshot.editors.end(),
      [&](const auto& served) { return served->task() == task; });
}

// The reply's statistics, with the kept and removed features (attributes)
// by name.
void DescribeStatistics(const EditStatistics& s,
                        const std::vector<std::string>& feature_names,
                        amend::v1::EditStatistics* statistics) {
  statistics->set_features_kept(static_cast<int32_t>(s.features_kept));
  statistics->set_features_total(static_cast<int32_t>(s.features_total));
  const std::set<std::string> kept(s.kept_feature_names.begin(),
                                   s.kept_feature_names.end());
  for (const std::string& name : feature_names) {
    (kept.count(name) ? statistics->add_kept_features()
                      : statistics->add_removed_features())
        ->assign(name);
  }
  statistics->set_weights_kept(s.weights_kept);
  statistics->set_weights_total(s.weights_total);
  statistics->set_weights_kept_fraction(s.weights_kept_fraction());
}

// The call's deadline: the client's, capped by the server's maximum.
Clock::time_point CallDeadline(const grpc::ServerContext& context,
                               std::chrono::milliseconds max_request_time) {
  Clock::time_point deadline = Clock::now() + max_request_time;
  const auto client_deadline = context.deadline();
  if (client_deadline != std::chrono::system_clock::time_point::max()) {
    deadline = std::min(
        deadline,
        Clock::now() + (client_deadline - std::chrono::system_clock::now()));
  }
  return deadline;
}

// Waits in slices so a client that goes away frees its handler thread; when
// it stops waiting it says so through `abandoned`, which stops the forward
// pass if nobody else in its batch waits.
absl::StatusOr<BatchedEdit> AwaitEdit(grpc::ServerContext& context,
                                      std::future<BatchedEdit>& future,
                                      Clock::time_point deadline,
                                      std::atomic<bool>& abandoned) {
  while (future.wait_for(std::chrono::milliseconds(20)) !=
         std::future_status::ready) {
    if (context.IsCancelled()) {
      abandoned = true;
      return absl::CancelledError("cancelled");
    }
    if (Clock::now() >= deadline) {
      abandoned = true;
      return absl::DeadlineExceededError(
          "deadline: passed while the edit was queued or computing");
    }
  }
  return future.get();
}

// Bytes the request holds besides the edit itself: the request's tensors, the
// decoded model, the edited model and masks, the canonical file and the reply
// (about 8 copies of 4 bytes per parameter).
constexpr int64_t kRequestCopyBytesPerParameter = 32;

// The estimated bytes of editing `architecture`: the edit's peak plus the
// request's copies of the model.
int64_t EditBytes(const Architecture& architecture, size_t steps) {
  // A composed call holds each earlier step's edited model and masks (two
  // float copies) until its reply is written.
  constexpr int64_t kStepCopyBytesPerParameter = 2 * sizeof(float);
  return EstimateEditCost(architecture).edit_bytes +
         (kRequestCopyBytesPerParameter +
          kStepCopyBytesPerParameter * static_cast<int64_t>(steps - 1)) *
             CountParameters(architecture);
}

// ResourceExhausted when `bytes` exceed the per-request budget.
absl::Status CheckEditBudget(const Architecture& architecture, int64_t bytes,
                             const ServiceLimits& limits) {
  if (limits.max_edit_bytes <= 0 || bytes <= limits.max_edit_bytes) {
    return absl::OkStatus();
  }
  const EditCost cost = EstimateEditCost(architecture);
  return absl::ResourceExhaustedError(absl::StrCat(
      "cost: editing this model needs an estimated ", bytes >> 20, " MiB (",
      cost.edges, " weights, ", cost.nodes,
      " neurons), more than the per-request budget of ",
      limits.max_edit_bytes >> 20,
      " MiB (--max_edit_mb); a smaller model, or a server with a larger "
      "budget, can be edited"));
}

// The canonical model file is both the receipt's output hash and, for the
// safetensors form, the reply itself: serialise it once.
absl::Status EncodeEditedModel(const Mlp& edited, bool as_safetensors,
                               amend::v1::EditModelResponse& response) {
  AMEND_ASSIGN_OR_RETURN(std::string canonical, SerializeModel(edited));
  response.mutable_receipt()->set_output_sha256(Sha256Hex(canonical));
  if (as_safetensors) {
    response.mutable_edited_model()->set_safetensors(std::move(canonical));
    return absl::OkStatus();
  }
  return EncodeModel(edited, false, response.mutable_edited_model());
}

// Only the weight and feature budgets report whether they were met; other
// trade-offs leave it unset.
// An EOD target is judged on the caller's audit rows when they came with
// the request, on the final model (editors' EOD is only a validation mean).
std::optional<bool> TargetMet(const TradeoffRequest& tradeoff,
                              const EditStatistics& s,
                              const Certification* measured) {
  switch (tradeoff.kind) {
    case TradeoffRequest::Kind::kMaxWeightFraction:
      return s.weights_kept_fraction() <= tradeoff.value;
    case TradeoffRequest::Kind::kMaxFeatures:
      return static_cast<double>(s.features_kept) <= tradeoff.value;
    case TradeoffRequest::Kind::kMaxEod:
      if (measured == nullptr || !measured->model.equalised_odds_difference) {
        return std::nullopt;
      }
      return *measured->model.equalised_odds_difference <= tradeoff.value;
    default:
      return std::nullopt;
  }
}

std::optional<ReceiptMeasurement> MeasurementOf(const Certification* c) {
  if (c == nullptr || !c->against_original) return std::nullopt;
  ReceiptMeasurement m;
  m.rows = c->rows;
  m.accuracy_before = c->against_original->original.accuracy;
  m.accuracy_after = c->model.accuracy;
  m.eod_before = c->against_original->original.equalised_odds_difference;
  m.eod_after = c->model.equalised_odds_difference;
  m.jsd = c->against_original->jsd;
  m.labels_changed = c->against_original->labels_changed;
  return m;
}

// Signs what the reply says: its hashes and every step's editor and figures.
absl::Status SignReceipt(const std::vector<PlannedStep>& plan,
                         const std::vector<StepOutcome>& outcomes,
                         const Certification* measured, const ReceiptKeys& keys,
                         amend::v1::EditModelResponse& response) {
  amend::v1::Receipt& receipt = *response.mutable_receipt();
  ReceiptBody body;
  body.input_sha256 = receipt.input_sha256();
  body.output_sha256 = receipt.output_sha256();
  for (size_t i = 0; i < plan.size(); ++i) {
    const ServedEditor& served = *plan[i].selection.editor;
    const EditStatistics& statistics = outcomes[i].result.statistics;
    ReceiptStep& step = body.steps.emplace_back();
    step.task = served.task();
    step.requirement = RequirementName(served.requirement());
    step.variant = VariantName(served.requirement(), served.variant());
    step.lambda = served.manifest.config.lambda;
    step.editor_sha256 = served.manifest.weights_sha256;
    step.features_kept = statistics.features_kept;
    step.features_total = statistics.features_total;
    step.weights_kept = statistics.weights_kept;
    step.weights_total = statistics.weights_total;
  }
  body.measured = MeasurementOf(measured);
  body.server_version = kAmendVersion;
  body.issued_at = ReceiptTime(absl::Now());
  AMEND_ASSIGN_OR_RETURN(SignedReceipt signed_receipt,
                         amend::SignReceipt(std::move(body), keys.signing()));
  receipt.set_payload(std::move(signed_receipt.payload));
  receipt.set_signature(std::move(signed_receipt.signature));
  receipt.set_key_id(signed_receipt.key_id);
  receipt.set_algorithm(signed_receipt.algorithm);
  return absl::OkStatus();
}

void DescribeStep(const PlannedStep& step, const StepOutcome& outcome,
                  const Certification* measured,
                  amend::v1::EditStepResult& described) {
  const ServedEditor& served = *step.selection.editor;
  DescribeEditor(served, described.mutable_editor());
  described.set_resolution(step.selection.resolution);
  DescribeStatistics(outcome.result.statistics,
                     served.manifest.config.attributes().names,
                     described.mutable_statistics());
  for (const auto& [name, mask] : outcome.own_masks) {
    EncodeTensor(name, mask, described.add_masks());
  }
  if (const std::optional<bool> met =
          TargetMet(step.tradeoff, outcome.result.statistics, measured)) {
    described.set_target_met(*met);
  }
  for (const std::string& reason : outcome.extrapolation)
    described.add_extrapolation(reason);
  described.set_queue_seconds(outcome.queue_seconds);
  described.set_compute_seconds(outcome.compute_seconds);
}

// The reply: the final model, masks and figures; for a composed call also
// each step's; the signed receipt.
absl::Status DescribeEdit(const std::vector<PlannedStep>& plan,
                          const std::vector<StepOutcome>& outcomes,
                          const DecodedModel& decoded,
                          const Certification* measured,
                          const ReceiptKeys& receipt_keys,
                          amend::v1::EditModelResponse& response) {
  const bool composed = !plan.front().field.empty();
  const ServedEditor& last = *plan.back().selection.editor;
  const EditResult& result = outcomes.back().result;
  AMEND_RETURN_IF_ERROR(
      EncodeEditedModel(result.edited, decoded.as_safetensors, response));
  for (const auto& [name, mask] : result.edited.masks) {
    EncodeTensor(name, mask, response.add_masks());
  }
  DescribeStatistics(result.statistics, last.manifest.config.attributes().names,
                     response.mutable_statistics());
  DescribeEditor(last, response.mutable_editor());
  std::string resolution;
  std::optional<bool> all_met;
  double queue_seconds = 0, compute_seconds = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    const StepOutcome& outcome = outcomes[i];
    absl::StrAppend(&resolution, i == 0 ? "" : "; ",
                    composed ? absl::StrCat("step ", i + 1, ": ") : "",
                    plan[i].selection.resolution);
    if (const std::optional<bool> met =
            TargetMet(plan[i].tradeoff, outcome.result.statistics, measured)) {
      all_met = all_met.value_or(true) && *met;
    }
    queue_seconds += outcome.queue_seconds;
    compute_seconds += outcome.compute_seconds;
    for (const std::string& reason : outcome.extrapolation) {
      response.add_extrapolation(
          composed ? absl::StrCat("step ", i + 1, ": ", reason) : reason);
    }
    if (composed) {
      DescribeStep(plan[i], outcome, measured, *response.add_steps());
    }
  }
  response.set_resolution(resolution);
  if (all_met.has_value()) response.set_target_met(*all_met);
  response.set_queue_seconds(queue_seconds);
  response.set_compute_seconds(compute_seconds);
  amend::v1::Receipt* receipt = response.mutable_receipt();
  receipt->set_input_sha256(decoded.input_sha256);
  receipt->set_editor_sha256(last.manifest.weights_sha256);
  if (measured != nullptr) DescribeAudit(*measured, response.mutable_audit());
  return SignReceipt(plan, outcomes, measured, receipt_keys, response);
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // The message travels in a header: past gRPC's metadata limit (8 KiB by
  // default) the client would see RESOURCE_EXHAUSTED instead of the real code.
  constexpr size_t kMaxMessageBytes = 2048;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      ClientText(status.message(), kMaxMessageBytes));
}

void DescribeEditor(const ServedEditor& editor, amend::v1::EditorInfo* info) {
  const EditorManifest& m = editor.manifest;
  info->set_task(editor.task());
  info->set_requirement(RequirementName(editor.requirement()));
  info->set_variant(VariantName(editor.requirement(), editor.variant()));
  info->set_lambda(m.config.lambda);
  info->set_version(m.trainer_version);
  info->set_sha256(m.weights_sha256);
  info->set_validation_jsd(m.validation.jsd.mean);
  info->set_validation_requirement(m.validation.requirement.mean);
  info->set_requirement_metric(RequirementMetricName(m.config.requirement));
  info->set_validation_features_kept(m.validation.features_kept.mean);
  info->set_validation_weights_kept(m.validation.weights_kept.mean);
  info->set_on_front(editor.on_front);
  for (const std::string& name : m.config.feature_names)
    info->add_feature_names(name);
  for (const std::string& name : m.config.feature_attributes)
    info->add_feature_attributes(name);
  for (const std::string& name : m.config.class_names)
    info->add_class_names(name);
  if (m.trained_architectures) {
    info->set_trained_architectures(
        ArchitectureRangeText(*m.trained_architectures));
  }
}

EditorService::EditorService(EditorRegistry& registry, EditBatcher& batcher,
                             Metrics& metrics, const TokenAuthenticator& auth,
                             const ServiceLimits& limits,
                             const ReceiptKeys& receipt_keys,
                             std::function<void(int)> on_reload)
    : registry_(registry),
      batcher_(batcher),
      metrics_(metrics),
      auth_(auth),
      limits_(limits),
      receipt_keys_(receipt_keys),
      on_reload_(std::move(on_reload)) {
  ParseRequestsOurselves();
}

template <class Request, class Response>
void EditorService::ParseRequestsOf(
    int index, const char* method,
    grpc::Status (EditorService::*serve)(grpc::ServerContext*, const Request*,
                                         Response*)) {
  MarkMethodStreamed(
      index, NewParsingUnaryHandler<Request, Response>(
                 [this, serve](grpc::ServerContext* context,
                               const Request* request, Response* response) {
                   return (this->*serve)(context, request, response);
                 },
                 [this, method](const grpc::Status& status) {
                   RecordUnparseable(method, status);
                 }));
}

void EditorService::ParseRequestsOurselves() {
  // The indices are the methods' order in proto/amend/v1/editor.proto.
  ParseRequestsOf(0, "EditModel", &EditorService::EditModel);
  ParseRequestsOf(1, "ListEditors", &EditorService::ListEditors);
  ParseRequestsOf(2, "ReloadEditors", &EditorService::ReloadEditors);
  ParseRequestsOf(3, "GetReceiptKeys", &EditorService::GetReceiptKeys);
}

void EditorService::RecordUnparseable(const std::string& method,
                                      const grpc::Status& status) {
  const std::string code = absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code()));
  metrics_.RecordRpc(method, code);
  if (method == "EditModel") metrics_.RecordEdit("other", "other", code, 0.0);
  const std::optional<int64_t> count =
      unparseable_log_.Record(LogThrottle::Clock::now());
  if (!count) return;
  std::cerr << "amend-server: " << method << ": " << status.error_message()
            << " (" << *count
            << " unparseable request(s) since the last such line)\n";
}

absl::Status EditorService::Authorize(grpc::ServerContext* context,
                                      Scope scope) const {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  const absl::string_view value =
      it == metadata.end()
          ? absl::string_view()
          : absl::string_view(it->second.data(), it->second.size());
  return auth_.Check(value, scope);
}

grpc::Status EditorService::EditModel(
    grpc::ServerContext* context, const amend::v1::EditModelRequest* request,
    amend::v1::EditModelResponse* response) {
  const Clock::time_point start = Clock::now();
  metrics_.AddInFlight(1);
  const bool composed = request->steps_size() > 0;
  const absl::StatusOr<Requirement> requirement =
      ParseRequirement(request->requirement());
  absl::Status status = Authorize(context, Scope::kEdit);
  if (status.ok()) status = Edit(context, *request, *response);
  if (!status.ok()) response->Clear();
  const double seconds = SecondsSince(start);
  if (status.ok()) response->set_server_seconds(seconds);
  metrics_.AddInFlight(-1);
  const std::string code = absl::StatusCodeToString(status.code());
  // A task no loaded editor serves and a requirement that did not parse are
  // "other", so a client cannot create series.
  metrics_.RecordEdit(ServesTask(*registry_.Current(), request->task())
                          ? request->task()
                          : "other",
                      composed           ? "composed"
                      : requirement.ok() ? RequirementName(*requirement)
                                         : "other",
                      code, seconds);
  metrics_.RecordRpc("EditModel", code);
  return ToGrpcStatus(status);
}

absl::Status EditorService::Edit(grpc::ServerContext* context,
                                 const amend::v1::EditModelRequest& request,
                                 amend::v1::EditModelResponse& response) {
  const Clock::time_point deadline =
      CallDeadline(*context, limits_.max_request_time);
  const std::shared_ptr<const EditorSnapshot> snapshot = registry_.Current();
  AMEND_ASSIGN_OR_RETURN(const std::vector<PlannedStep> plan,
                         PlanEdit(request, *snapshot));
  metrics_.RecordRequestBytes(
      static_cast<double>(request.model().ByteSizeLong()));
  AMEND_ASSIGN_OR_RETURN(DecodedModel decoded,
                         DecodeModel(request.model(), limits_.architecture));
  std::optional<AuditSet> audit;
  if (request.has_audit()) {
    AMEND_ASSIGN_OR_RETURN(
        audit, DecodeAudit(request.audit(), decoded.mlp.architecture.input_dim,
                           decoded.mlp.architecture.num_classes));
  }
  // Every step is checked before any computes: nothing is half-applied.
  std::vector<std::vector<std::string>> extrapolation(plan.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    const ServedEditor& served = *plan[i].selection.editor;
    if (absl::Status editable = served.editor->CheckEditable(decoded.mlp);
        !editable.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model.", editable.message(), " (", served.task(), " editors)"));
    }
    extrapolation[i] =
        ExtrapolationReasons(served.manifest, decoded.mlp.architecture);
    if (request.strict()) {
      if (absl::Status refused =
              RefuseExtrapolation(served.manifest, extrapolation[i]);
          !refused.ok()) {
        return absl::Status(
            refused.code(),
            plan[i].field.empty()
                ? std::string(refused.message())
                : absl::StrCat(
                      refused.message(), " (",
                      plan[i].field.substr(0, plan[i].field.size() - 1), ")"));
      }
    }
  }
  const int64_t edit_bytes = EditBytes(decoded.mlp.architecture, plan.size());
  metrics_.RecordEditCost(static_cast<double>(edit_bytes));
  AMEND_RETURN_IF_ERROR(
      CheckEditBudget(decoded.mlp.architecture, edit_bytes, limits_));
  std::vector<StepOutcome> outcomes;
  outcomes.reserve(plan.size());
  for (size_t i = 0; i < plan.size(); ++i) {
    const Mlp& model = i == 0 ? decoded.mlp : outcomes.back().result.edited;
    if (i > 0) {
      // An earlier step's result is checked as the request's model was: an
      // editor refuses what it cannot edit before it is batched.
      if (absl::Status editable =
              plan[i].selection.editor->editor->CheckEditable(model);
          !editable.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(
            plan[i].field.substr(0, plan[i].field.size() - 1),
            ": the result of step ", i, " cannot be edited further (",
            editable.message(), ")"));
      }
    }
    AMEND_ASSIGN_OR_RETURN(
        StepOutcome outcome,
        RunStep(*context, plan[i], model, deadline, edit_bytes));
    outcome.extrapolation = std::move(extrapolation[i]);
    outcomes.push_back(std::move(outcome));
  }
  std::optional<Certification> measured;
  if (audit) {
    AMEND_ASSIGN_OR_RETURN(
        measured, Certify(outcomes.back().result.edited, *audit, &decoded.mlp));
  }
  return DescribeEdit(plan, outcomes, decoded, measured ? &*measured : nullptr,
                      receipt_keys_, response);
}

absl::StatusOr<StepOutcome> EditorService::RunStep(grpc::ServerContext& context,
                                                   const PlannedStep& step,
                                                   const Mlp& model,
                                                   Clock::time_point deadline,
                                                   int64_t edit_bytes) {
  if (context.IsCancelled()) return absl::CancelledError("cancelled");
  if (Clock::now() >= deadline) {
    return absl::DeadlineExceededError("deadline: passed before the edit");
  }
  const auto abandoned = std::make_shared<std::atomic<bool>>(false);
  EditTicket ticket;
  ticket.deadline = deadline;
  ticket.compute_bytes = edit_bytes;
  ticket.abandoned = abandoned;
  std::optional<BatchedEdit> on_this_thread =
      batcher_.EditOnCaller(step.selection.editor->editor, model, ticket,
                            [&context] { return context.IsCancelled(); });
  if (!on_this_thread) {
    // A copy shares the model's tensors: the batcher only reads them.
    AMEND_ASSIGN_OR_RETURN(
        std::future<BatchedEdit> future,
        batcher_.Submit(step.selection.editor->editor, Mlp(model), ticket));
    AMEND_ASSIGN_OR_RETURN(on_this_thread,
                           AwaitEdit(context, future, deadline, *abandoned));
  }
  BatchedEdit& batched = *on_this_thread;
  const std::string requirement = RequirementName(step.requirement);
  metrics_.RecordQueue(requirement, batched.queue_seconds);
  if (!batched.result.ok()) return batched.result.status();
  metrics_.RecordCompute(requirement, batched.compute_seconds);
  StepOutcome outcome;
  outcome.result = *std::move(batched.result);
  outcome.own_masks = outcome.result.edited.masks;
  outcome.queue_seconds = batched.queue_seconds;
  outcome.compute_seconds = batched.compute_seconds;
  if (!model.masks.empty()) {
    AMEND_RETURN_IF_ERROR(CarryMasks(model, outcome.result.edited));
    AMEND_RETURN_IF_ERROR(CallTorch(
        "counting the carried masks", TorchInputs::kValidated,
        [&]() -> absl::Status {
          outcome.result.statistics = ComputeEditStatistics(
              step.selection.editor->manifest.config, outcome.result.edited);
          return absl::OkStatus();
        }));
  }
  return outcome;
}

grpc::Status EditorService::ListEditors(
    grpc::ServerContext* context, const amend::v1::ListEditorsRequest* request,
    amend::v1::ListEditorsResponse* response) {
  absl::Status status = Authorize(context, Scope::kEdit);
  if (status.ok()) status = List(*request, *response);
  metrics_.RecordRpc("ListEditors", absl::StatusCodeToString(status.code()));
  return ToGrpcStatus(status);
}

absl::Status EditorService::List(const amend::v1::ListEditorsRequest& request,
                                 amend::v1::ListEditorsResponse& response) {
  std::optional<Requirement> requirement;  // unset: every requirement
  if (!request.requirement().empty()) {
    AMEND_ASSIGN_OR_RETURN(requirement,
                           ParseRequirement(request.requirement()));
  }
  for (const auto& editor : registry_.Current()->editors) {
    if (!request.task().empty() && request.task() != editor->task()) continue;
    if (requirement.has_value() && *requirement != editor->requirement()) {
      continue;
    }
    DescribeEditor(*editor, response.add_editors());
  }
  return absl::OkStatus();
}

grpc::Status EditorService::ReloadEditors(
    grpc::ServerContext* context,
    const amend::v1::ReloadEditorsRequest* request,
    amend::v1::ReloadEditorsResponse* response) {
  absl::Status status = Authorize(context, Scope::kAdmin);
  if (status.ok()) {
    const LoadReport report = registry_.Reload();
    metrics_.RecordReload(report.snapshot != nullptr);
    for (const std::string& error : report.errors) response->add_errors(error);
    const int loaded = static_cast<int>(registry_.Current()->editors.size());
    response->set_editors_loaded(loaded);
    if (on_reload_) on_reload_(report.snapshot != nullptr ? loaded : -1);
  }
  metrics_.RecordRpc("ReloadEditors", absl::StatusCodeToString(status.code()));
  return ToGrpcStatus(status);
}

grpc::Status EditorService::GetReceiptKeys(
    grpc::ServerContext* /*context*/,
    const amend::v1::GetReceiptKeysRequest* /*request*/,
    amend::v1::GetReceiptKeysResponse* response) {
  for (const Ed25519PublicKey& key : receipt_keys_.published()) {
    amend::v1::ReceiptKey* described = response->add_keys();
    described->set_key_id(key.id());
    described->set_algorithm(kReceiptAlgorithm);
    described->set_public_key_pem(key.Pem());
    described->set_signing(key.id() ==
                           receipt_keys_.signing().public_key().id());
  }
  metrics_.RecordRpc("GetReceiptKeys", "OK");
  return grpc::Status::OK;
}

}  // namespace amend::server

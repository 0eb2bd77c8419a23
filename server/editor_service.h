// File: server/editor_service.h
//
// The amend.v1.ModelEditor service: authorisation, validation with statuses
// that name the field, editor selection, dynamic batching, deadlines, the
// reply with its receipt, and metrics for every call. docs/API.md lists the
// status of every failure.
//
// Thread-safe (gRPC calls the handlers from many threads).
#ifndef AMEND_SERVER_EDITOR_SERVICE_H_
#define AMEND_SERVER_EDITOR_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "amend/v1/editor.grpc.pb.h"
#include "core/mlp/architecture.h"
#include "server/auth.h"
#include "server/edit_batcher.h"
#include "server/edit_plan.h"
#include "server/editor_registry.h"
#include "server/editor_selection.h"
#include "server/log_throttle.h"
#include "server/metrics.h"
#include "server/receipt_keys.h"

namespace amend::server {

// What one step of an edit did to the model.
struct StepOutcome {
  // The edited model with every earlier step's masks carried, and its
  // figures.
  EditResult result;
  // The masks this step's editor chose.
  TensorMap own_masks;
  std::vector<std::string> extrapolation;
  double queue_seconds = 0.0;
  double compute_seconds = 0.0;
};

struct ServiceLimits {
  ArchitectureLimits architecture;
  // Upper bound on the time of one call, also for clients that set no
  // deadline.
  std::chrono::milliseconds max_request_time{30000};
  // Largest estimated cost of one edit (EstimateEditCost's bytes plus the
  // request's own copies of the model); more is refused with
  // RESOURCE_EXHAUSTED naming both. 0 (or less): no limit.
  int64_t max_edit_bytes = 0;
};

class EditorService final : public amend::v1::ModelEditor::Service {
 public:
  // `on_reload` runs after every reload attempt with the new editor count (or
  // -1 when refused); may be null.
  EditorService(EditorRegistry& registry, EditBatcher& batcher,
                Metrics& metrics, const TokenAuthenticator& auth,
                const ServiceLimits& limits, const ReceiptKeys& receipt_keys,
                std::function<void(int)> on_reload = nullptr);

  grpc::Status EditModel(grpc::ServerContext* context,
                         const amend::v1::EditModelRequest* request,
                         amend::v1::EditModelResponse* response) override;
  grpc::Status ListEditors(grpc::ServerContext* context,
                           const amend::v1::ListEditorsRequest* request,
                           amend::v1::ListEditorsResponse* response) override;
  grpc::Status ReloadEditors(
      grpc::ServerContext* context,
      const amend::v1::ReloadEditorsRequest* request,
      amend::v1::ReloadEditorsResponse* response) override;
  grpc::Status GetReceiptKeys(
      grpc::ServerContext* context,
      const amend::v1::GetReceiptKeysRequest* request,
      amend::v1::GetReceiptKeysResponse* response) override;

 private:
  // Plans the request's steps (server/edit_plan.h), checks them all, then
  // runs them in order, each on the previous step's result.
  absl::Status Edit(grpc::ServerContext* context,
                    const amend::v1::EditModelRequest& request,
                    amend::v1::EditModelResponse& response);
  // One step through the batcher; the earlier steps' masks stay in force
  // (core/mlp/carry_masks.h).
  absl::StatusOr<StepOutcome> RunStep(
      grpc::ServerContext& context, const PlannedStep& step, const Mlp& model,
      std::chrono::steady_clock::time_point deadline, int64_t edit_bytes);
  absl::Status List(const amend::v1::ListEditorsRequest& request,
                    amend::v1::ListEditorsResponse& response);
  absl::Status Authorize(grpc::ServerContext* context, Scope scope) const;
  // Replaces gRPC's parsing of every method's request with ours
  // (server/parsing_unary_handler.h).
  void ParseRequestsOurselves();
  // Installs that handler as method `index`, serving through `serve`.
  template <class Request, class Response>
  void ParseRequestsOf(int index, const char* method,
                       grpc::Status (EditorService::*serve)(
                           grpc::ServerContext*, const Request*, Response*));
  // Counts a request of `method` whose bytes did not parse and logs it (at
  // most one line a minute, with the count since the last).
  void RecordUnparseable(const std::string& method, const grpc::Status& status);

  EditorRegistry& registry_;
  EditBatcher& batcher_;
  Metrics& metrics_;
  const TokenAuthenticator& auth_;
  const ServiceLimits limits_;
  const ReceiptKeys& receipt_keys_;
  const std::function<void(int)> on_reload_;
  LogThrottle unparseable_log_{std::chrono::minutes(1)};
};

// The wire description of a served editor.
void DescribeEditor(const ServedEditor& editor, amend::v1::EditorInfo* info);

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace amend::server

#endif  // AMEND_SERVER_EDITOR_SERVICE_H_

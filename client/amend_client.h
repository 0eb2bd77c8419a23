// File: client/amend_client.h
//
// The C++ client library of amend-server: one channel, bearer token, TLS or
// mutual TLS, message limits and deadlines set once, and the RPCs as
// functions returning absl statuses (the server's gRPC code and message).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(auto client, AmendClient::Connect({
//       .address = "localhost:8001", .token = "s3cret"}));
//   amend::v1::EditModelRequest request;
//   request.set_task("adult");
//   request.set_requirement("pruning");
//   request.set_max_weight_fraction(0.3);
//   request.mutable_model()->set_safetensors(model_bytes);
//   AMEND_ASSIGN_OR_RETURN(amend::v1::EditModelResponse reply,
//                          client->EditModel(request));
//
// Thread-safe (gRPC channels and stubs are).
#ifndef AMEND_CLIENT_AMEND_CLIENT_H_
#define AMEND_CLIENT_AMEND_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "amend/v1/editor.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace amend::client {

struct ClientOptions {
  // host:port; empty means $AMEND_SERVER, else localhost:8001.
  std::string address;
  // Bearer token sent as "authorization: Bearer <token>"; empty: none.
  std::string token;
  bool tls = false;
  std::string ca_path;           // PEM roots to trust (TLS); empty: system
  std::string certificate_path;  // client certificate (mutual TLS)
  std::string key_path;          // client key (mutual TLS)
  int max_message_bytes = 256 << 20;
  std::chrono::milliseconds timeout{30000};
};

// The address a client uses: `flag` if set, else $AMEND_SERVER, else
// localhost:8001.
std::string ResolveAddress(const std::string& flag);

class AmendClient {
 public:
  static absl::StatusOr<std::unique_ptr<AmendClient>> Connect(
      const ClientOptions& options);

  absl::StatusOr<amend::v1::EditModelResponse> EditModel(
      const amend::v1::EditModelRequest& request) const;
  absl::StatusOr<amend::v1::ListEditorsResponse> ListEditors(
      const std::string& task = "", const std::string& requirement = "") const;
  absl::StatusOr<amend::v1::ReloadEditorsResponse> ReloadEditors() const;
  // The public keys that verify the server's receipts.
  absl::StatusOr<amend::v1::GetReceiptKeysResponse> GetReceiptKeys() const;
  // The health service's status for `service` ("" = the server,
  // "amend.v1.ModelEditor" = ready to edit).
  absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> Health(
      const std::string& service) const;

  const std::string& address() const { return options_.address; }

 private:
  AmendClient(ClientOptions options, std::shared_ptr<grpc::Channel> channel);
  void Prepare(grpc::ClientContext& context) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<amend::v1::ModelEditor::Stub> editor_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace amend::client

#endif  // AMEND_CLIENT_AMEND_CLIENT_H_

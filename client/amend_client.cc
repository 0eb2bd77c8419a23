#include "client/amend_client.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

namespace amend::client {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace

std::string ResolveAddress(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("AMEND_SERVER");
      env != nullptr && *env != '\0') {
    return env;
  }
  return "localhost:8001";
}

AmendClient::AmendClient(ClientOptions options,
                         std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      editor_(amend::v1::ModelEditor::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

absl::StatusOr<std::unique_ptr<AmendClient>> AmendClient::Connect(
    const ClientOptions& options) {
  ClientOptions resolved = options;
  resolved.address = ResolveAddress(options.address);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (resolved.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!resolved.ca_path.empty()) {
      AMEND_ASSIGN_OR_RETURN(ssl.pem_root_certs,
                             ReadFileToString(resolved.ca_path));
    }
    if (!resolved.certificate_path.empty()) {
      AMEND_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                             ReadFileToString(resolved.certificate_path));
      AMEND_ASSIGN_OR_RETURN(ssl.pem_private_key,
                             ReadFileToString(resolved.key_path));
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(resolved.max_message_bytes);
  arguments.SetMaxSendMessageSize(resolved.max_message_bytes);
  auto channel =
      grpc::CreateCustomChannel(resolved.address, credentials, arguments);
  return std::unique_ptr<AmendClient>(
      new AmendClient(std::move(resolved), std::move(channel)));
}

void AmendClient::Prepare(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  if (!options_.token.empty()) {
    context.AddMetadata("authorization", "Bearer " + options_.token);
  }
}

absl::StatusOr<amend::v1::EditModelResponse> AmendClient::EditModel(
    const amend::v1::EditModelRequest& request) const {
  grpc::ClientContext context;
  Prepare(context);
  amend::v1::EditModelResponse response;
  AMEND_RETURN_IF_ERROR(
      FromGrpc(editor_->EditModel(&context, request, &response)));
  return response;
}

absl::StatusOr<amend::v1::ListEditorsResponse> AmendClient::ListEditors(
    const std::string& task, const std::string& requirement) const {
  grpc::ClientContext context;
  Prepare(context);
  amend::v1::ListEditorsRequest request;
  request.set_task(task);
  request.set_requirement(requirement);
  amend::v1::ListEditorsResponse response;
  AMEND_RETURN_IF_ERROR(
      FromGrpc(editor_->ListEditors(&context, request, &response)));
  return response;
}

absl::StatusOr<amend::v1::ReloadEditorsResponse> AmendClient::ReloadEditors()
    const {
  grpc::ClientContext context;
  Prepare(context);
  amend::v1::ReloadEditorsResponse response;
  AMEND_RETURN_IF_ERROR(FromGrpc(editor_->ReloadEditors(
      &context, amend::v1::ReloadEditorsRequest(), &response)));
  return response;
}

absl::StatusOr<amend::v1::GetReceiptKeysResponse> AmendClient::GetReceiptKeys()
    const {
  grpc::ClientContext context;
  Prepare(context);
  amend::v1::GetReceiptKeysResponse response;
  AMEND_RETURN_IF_ERROR(FromGrpc(editor_->GetReceiptKeys(
      &context, amend::v1::GetReceiptKeysRequest(), &response)));
  return response;
}

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus>
AmendClient::Health(const std::string& service) const {
  grpc::ClientContext context;
  Prepare(context);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  AMEND_RETURN_IF_ERROR(FromGrpc(health_->Check(&context, request, &response)));
  return response.status();
}

}  // namespace amend::client

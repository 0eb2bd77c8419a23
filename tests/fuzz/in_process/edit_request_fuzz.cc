// Fuzz target: the bytes of an EditModel request, sent to an amend-server
// running in this process (loopback, default limits) with one editor of each
// requirement. Whatever the bytes, the server must answer, and with a status
// a client can act on: OK with an edited model that decodes, or a client
// error (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED,
// OUT_OF_RANGE) with a message. INTERNAL, UNKNOWN, an empty message, a crash
// or a sanitizer report is a finding.
//
// The seed corpus (tests/fuzz/corpus/edit_request) holds valid requests of
// every requirement and both model encodings, so mutations start past the
// parser and reach validation, selection and the edit.
#include <grpcpp/create_channel.h>
#include <grpcpp/impl/codegen/client_unary_call.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "amend/v1/editor.pb.h"
#include "core/testing/editor_fixtures.h"
#include "server/amend_server.h"
#include "server/model_codec.h"

namespace {

struct Harness {
  std::unique_ptr<amend::server::AmendServer> server;
  std::shared_ptr<grpc::Channel> channel;
};

Harness& Get() {
  static Harness* harness = [] {
    auto* h = new Harness;
    const std::string root =
        (std::filesystem::temp_directory_path() / "amend-edit-request-fuzz")
            .string();
    std::filesystem::remove_all(root);
    using amend::Requirement;
    amend::testing::WriteTestEditor(
        root, {.requirement = Requirement::kPruning, .lambda = 0.01});
    amend::testing::WriteTestEditor(
        root, {.requirement = Requirement::kDataMinimisation, .lambda = 0.01});
    amend::testing::WriteTestEditor(
        root, {.requirement = Requirement::kFairness, .lambda = 0.1});
    amend::server::ServerOptions options;
    options.editors_dir = root;
    options.host = "127.0.0.1";
    options.port = 0;
    options.metrics_port = -1;
    options.reflection = false;
    auto started = amend::server::AmendServer::Start(options);
    if (!started.ok()) std::abort();
    h->server = *std::move(started);
    h->channel = grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(h->server->port()),
        grpc::InsecureChannelCredentials());
    return h;
  }();
  return *harness;
}

bool ActionableError(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::OUT_OF_RANGE:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& harness = Get();
  grpc::Slice slice(data, size);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(60));
  const grpc::Status status =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
          harness.channel.get(),
          grpc::internal::RpcMethod("/amend.v1.ModelEditor/EditModel",
                                    grpc::internal::RpcMethod::NORMAL_RPC),
          &context, request, &reply);
  if (status.ok()) {
    std::string bytes;
    amend::v1::EditModelResponse response;
    std::vector<grpc::Slice> slices;
    if (!reply.Dump(&slices).ok()) std::abort();
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (!response.ParseFromString(bytes)) std::abort();
    if (!amend::server::DecodeModel(response.edited_model(), {}).ok()) {
      std::abort();
    }
    return 0;
  }
  if (!ActionableError(status.error_code()) || status.error_message().empty()) {
    std::abort();
  }
  return 0;
}

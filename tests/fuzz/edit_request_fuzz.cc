// Fuzz target: any bytes as the EditModel request of an in-process
// amend-server (default flags, three small adult editors), through gRPC on
// loopback as a client would send them. Built with g++ (LibTorch's headers do
// not compile with clang in C++20), ASan + UBSan, and trace-pc coverage fed
// to libFuzzer by tests/fuzz/trace_pc_counters.cc; scripts/fuzz.sh 60
// edit_request runs it. Beyond "no crash, no sanitizer report", every answer
// must be one a client can act on: OK with an edited model that decodes, or
// a client error with a message (as tests/server/request_mutation_test.cc).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "amend/v1/editor.pb.h"
#include "core/testing/editor_fixtures.h"
#include "server/amend_server.h"
#include "server/model_codec.h"
#include "server/protobuf_log.h"
#include "tests/server/raw_call.h"

namespace {

using amend::server::AmendServer;

struct Harness {
  std::string editors;
  std::unique_ptr<AmendServer> server;
  std::shared_ptr<grpc::Channel> channel;
};

Harness* harness = nullptr;

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "edit_request_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  amend::server::ThrottleProtobufLog();  // as amend-server's main does
  harness = new Harness;
  char pattern[] = "/tmp/amend_edit_request_fuzz_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) Fail("mkdtemp", pattern);
  harness->editors = pattern;
  using amend::Requirement;
  using amend::testing::WriteTestEditor;
  const bool written =
      !WriteTestEditor(harness->editors,
                       {.requirement = Requirement::kPruning, .lambda = 0.01})
           .empty() &&
      !WriteTestEditor(harness->editors,
                       {.requirement = Requirement::kDataMinimisation,
                        .lambda = 0.01,
                        .seed = 2})
           .empty() &&
      !WriteTestEditor(
           harness->editors,
           {.requirement = Requirement::kFairness, .lambda = 0.1, .seed = 3})
           .empty();
  if (!written) Fail("cannot write the test editors in", harness->editors);
  amend::server::ServerOptions options;
  options.editors_dir = harness->editors;
  options.host = "127.0.0.1";
  options.port = 0;
  options.metrics_port = -1;
  auto server = AmendServer::Start(options);
  if (!server.ok()) Fail("server", server.status().ToString());
  harness->server = *std::move(server);
  harness->channel = grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(harness->server->port()),
      grpc::InsecureChannelCredentials());
  // Removed at exit; the editors are loaded by then.
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(harness->editors, ignored);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string request(reinterpret_cast<const char*>(data), size);
  std::string reply;
  const grpc::Status status = amend::server::CallWithBytes(
      *harness->channel, "EditModel", request, &reply);
  if (status.ok()) {
    amend::v1::EditModelResponse response;
    if (!response.ParseFromString(reply)) Fail("OK reply", "does not parse");
    const auto edited = amend::server::DecodeModel(response.edited_model(), {});
    if (!edited.ok()) Fail("edited model", edited.status().ToString());
  } else if (!amend::server::IsActionableClientError(status.error_code()) ||
             status.error_message().empty()) {
    Fail("not an actionable answer",
         std::to_string(status.error_code()) + " " + status.error_message());
  }
  return 0;
}

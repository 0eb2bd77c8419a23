// File: tests/server/raw_call.h
//
// Calls a ModelEditor method with arbitrary request bytes, as a hostile or
// broken client would: what the stubs can never send.
#ifndef AMEND_TESTS_SERVER_RAW_CALL_H_
#define AMEND_TESTS_SERVER_RAW_CALL_H_

#include <grpcpp/create_channel.h>
#include <grpcpp/impl/codegen/client_unary_call.h>

#include <string>

namespace amend::server {

// Sends `bytes` as the request of `method` (e.g. "EditModel") on `channel`;
// the reply's bytes go to `*reply` when it is not null.
inline grpc::Status CallWithBytes(grpc::Channel& channel,
                                  const std::string& method,
                                  const std::string& bytes,
                                  std::string* reply = nullptr) {
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  const grpc::Status status =
      grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
          &channel,
          grpc::internal::RpcMethod(("/amend.v1.ModelEditor/" + method).c_str(),
                                    grpc::internal::RpcMethod::NORMAL_RPC),
          &context, request, &response);
  if (status.ok() && reply != nullptr) {
    std::vector<grpc::Slice> slices;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        reply->append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
  }
  return status;
}

// A refusal a client can act on (fix the request, pick another editor, send
// less): what any bytes sent as a request must get when they are not edited.
inline bool IsActionableClientError(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT ||
         code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::FAILED_PRECONDITION ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         code == grpc::StatusCode::OUT_OF_RANGE;
}

// The same on a fresh channel to 127.0.0.1:`port`.
inline grpc::Status CallWithBytes(int port, const std::string& method,
                                  const std::string& bytes) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                     grpc::InsecureChannelCredentials());
  return CallWithBytes(*channel, method, bytes);
}

}  // namespace amend::server

#endif  // AMEND_TESTS_SERVER_RAW_CALL_H_

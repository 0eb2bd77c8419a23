// File: server/parsing_unary_handler.h
//
// A unary method handler that parses the request bytes itself. gRPC's
// synchronous API parses them before the service runs and answers bytes that
// are not the request message with INTERNAL and an empty message, which a
// client cannot act on and the service never sees (no metric, no log). This
// handler answers them INVALID_ARGUMENT naming the message type and the byte
// count, and tells the service so that it counts them.
//
// Installed through grpc::Service::MarkMethodStreamed: to the server the
// method is then a stream of one request and one reply, which is what a
// unary call is on the wire, so clients see no difference.
#ifndef AMEND_SERVER_PARSING_UNARY_HANDLER_H_
#define AMEND_SERVER_PARSING_UNARY_HANDLER_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/method_handler.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <functional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace amend::server {

// Parses `bytes` as a `Request`; INVALID_ARGUMENT naming the type otherwise.
template <class Request>
grpc::Status ParseRequestBytes(grpc::ByteBuffer& bytes, Request& request) {
  const size_t length = bytes.Length();
  grpc::ProtoBufferReader reader(&bytes);
  const bool parsed =
      reader.status().ok() && request.ParseFromZeroCopyStream(&reader);
  if (parsed) return grpc::Status::OK;
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      absl::StrCat("request: ", length, " bytes that do not parse as ",
                   Request::descriptor()->full_name()));
}

// `serve` handles a parsed request as a generated synchronous method would;
// `on_unparseable` runs (with the status the client gets) for a request whose
// bytes do not parse.
template <class Request, class Response>
grpc::internal::MethodHandler* NewParsingUnaryHandler(
    std::function<grpc::Status(grpc::ServerContext*, const Request*, Response*)>
        serve,
    std::function<void(const grpc::Status&)> on_unparseable) {
  using Streamer = grpc::ServerUnaryStreamer<grpc::ByteBuffer, Response>;
  return new grpc::internal::TemplatedBidiStreamingHandler<Streamer, true>(
      [serve = std::move(serve), on_unparseable = std::move(on_unparseable)](
          grpc::ServerContext* context, Streamer* stream) {
        grpc::ByteBuffer bytes;
        Request request;
        grpc::Status status =
            stream->Read(&bytes)
                ? ParseRequestBytes(bytes, request)
                : grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                               "request: no message arrived");
        bytes.Clear();
        if (!status.ok()) {
          on_unparseable(status);
          return status;
        }
        Response response;
        status = serve(context, &request, &response);
        // The reply travels with the status, as a unary reply does.
        if (status.ok()) stream->WriteLast(response, grpc::WriteOptions());
        return status;
      });
}

}  // namespace amend::server

#endif  // AMEND_SERVER_PARSING_UNARY_HANDLER_H_

// File: server/protobuf_log.h
//
// libprotobuf writes an ERROR line to stderr for every message whose string
// field holds invalid UTF-8, and a client controls that: sending such a
// request in a loop filled the server's log one line per request (found by
// tests/fuzz/edit_request_fuzz.cc). The handler installed here passes
// protobuf's lines through a LogThrottle per level, at most one a minute with
// the count it stands for; fatal ones always pass.
//
// Example (in main, before the server starts):
//   amend::server::ThrottleProtobufLog();
//
// Thread-compatible: call once before other threads use protobuf.
#ifndef AMEND_SERVER_PROTOBUF_LOG_H_
#define AMEND_SERVER_PROTOBUF_LOG_H_

namespace amend::server {

void ThrottleProtobufLog();

}  // namespace amend::server

#endif  // AMEND_SERVER_PROTOBUF_LOG_H_

#include "server/protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

#include <iostream>
#include <optional>
#include <string>

#include "server/log_throttle.h"

namespace amend::server {
namespace {

void ThrottledProtobufLine(google::protobuf::LogLevel level,
                           const char* filename, int line,
                           const std::string& message) {
  static LogThrottle warnings(std::chrono::minutes(1));
  static LogThrottle errors(std::chrono::minutes(1));
  std::optional<int64_t> count = 1;
  if (level == google::protobuf::LOGLEVEL_WARNING) {
    count = warnings.Record(LogThrottle::Clock::now());
  } else if (level == google::protobuf::LOGLEVEL_ERROR) {
    count = errors.Record(LogThrottle::Clock::now());
  } else if (level == google::protobuf::LOGLEVEL_INFO) {
    return;
  }
  if (!count) return;
  std::cerr << "amend-server: protobuf " << filename << ":" << line << ": "
            << message;
  if (*count > 1) {
    std::cerr << " (1 of " << *count << " such lines since the last shown)";
  }
  std::cerr << "\n";
}

}  // namespace

void ThrottleProtobufLog() {
  google::protobuf::SetLogHandler(&ThrottledProtobufLine);
}

}  // namespace amend::server

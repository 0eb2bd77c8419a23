// File: server/log_throttle.h
//
// At most one log line per interval for a repeated event, carrying how many
// events the line stands for: a client that sends garbage in a loop must not
// fill the log, and the operator still learns how much arrived.
//
// Example:
//   LogThrottle throttle(std::chrono::minutes(1));
//   if (std::optional<int64_t> count = throttle.Record(Clock::now()))
//     std::cerr << *count << " unparseable request(s) since the last line\n";
//
// Thread-safe.
#ifndef AMEND_SERVER_LOG_THROTTLE_H_
#define AMEND_SERVER_LOG_THROTTLE_H_

#include <chrono>
#include <cstdint>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace amend::server {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

  // Counts one event at `now`. Returns the number of events since the last
  // line, this one included, when a line is due (the first event, or the
  // first one `interval` or more after the last line); nullopt otherwise.
  std::optional<int64_t> Record(Clock::time_point now) {
    absl::MutexLock lock(&mu_);
    ++since_line_;
    if (logged_ && now - last_line_ < interval_) return std::nullopt;
    logged_ = true;
    last_line_ = now;
    const int64_t count = since_line_;
    since_line_ = 0;
    return count;
  }

 private:
  const Clock::duration interval_;
  absl::Mutex mu_;
  bool logged_ ABSL_GUARDED_BY(mu_) = false;
  Clock::time_point last_line_ ABSL_GUARDED_BY(mu_);
  int64_t since_line_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_LOG_THROTTLE_H_

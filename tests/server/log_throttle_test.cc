#include "server/log_throttle.h"

#include <chrono>
#include <optional>

#include "gtest/gtest.h"

namespace amend::server {
namespace {

using std::chrono::seconds;

TEST(LogThrottleTest, OneLinePerIntervalCarryingTheEventsItStandsFor) {
  LogThrottle throttle(seconds(60));
  const LogThrottle::Clock::time_point start{};
  // Times in seconds; worked by hand: lines at 0, 61 (events at 10, 30, 61),
  // 121 (events at 100, 121) and 200 (one event).
  EXPECT_EQ(throttle.Record(start), std::optional<int64_t>(1));
  EXPECT_EQ(throttle.Record(start + seconds(10)), std::nullopt);
  EXPECT_EQ(throttle.Record(start + seconds(30)), std::nullopt);
  EXPECT_EQ(throttle.Record(start + seconds(61)), std::optional<int64_t>(3));
  EXPECT_EQ(throttle.Record(start + seconds(100)), std::nullopt);
  EXPECT_EQ(throttle.Record(start + seconds(121)), std::optional<int64_t>(2));
  EXPECT_EQ(throttle.Record(start + seconds(200)), std::optional<int64_t>(1));
}

TEST(LogThrottleTest, ExactlyOneIntervalLaterIsDue) {
  LogThrottle throttle(seconds(60));
  const LogThrottle::Clock::time_point start{};
  ASSERT_TRUE(throttle.Record(start));
  EXPECT_EQ(throttle.Record(start + seconds(59)), std::nullopt);
  EXPECT_EQ(throttle.Record(start + seconds(60)), std::optional<int64_t>(2));
}

}  // namespace
}  // namespace amend::server

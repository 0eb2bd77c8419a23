#include "server/protobuf_log.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "amend/v1/editor.pb.h"
#include "gtest/gtest.h"

namespace amend::server {
namespace {

TEST(ProtobufLogTest, InvalidUtf8FromAClientInALoopLogsOneLine) {
  ThrottleProtobufLog();
  amend::v1::TensorModel model;
  model.set_architecture_json("{}");
  std::string bytes = model.SerializeAsString();
  bytes[bytes.size() - 1] = '\xff';  // the string field is no longer UTF-8
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 50; ++i) {
    amend::v1::TensorModel parsed;
    EXPECT_FALSE(parsed.ParseFromString(bytes));
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ++lines;
    EXPECT_TRUE(absl::StrContains(line, "invalid UTF-8")) << line;
  }
  EXPECT_EQ(lines, 1) << log;
}

}  // namespace
}  // namespace amend::server

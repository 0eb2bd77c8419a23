#include "core/util/client_text.h"

#include <string>

#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(ClientTextTest, ShortTextIsKeptAndControlBytesAreEscaped) {
  EXPECT_EQ(ClientText("adult"), "adult");
  EXPECT_EQ(ClientText(std::string("a\nb\0c", 5)), "a\\x0ab\\x00c");
  EXPECT_EQ(ClientText("Größe"), "Größe");  // UTF-8 stays readable
}

TEST(ClientTextTest, LongTextIsCutAndSaysItsLength) {
  const std::string long_name(9000, 'x');
  EXPECT_EQ(ClientText(long_name), std::string(64, 'x') + "...(9000 bytes)");
}

TEST(ClientTextTest, TheCutNeverSplitsAUtf8Character) {
  // 63 ASCII bytes, then "é" (2 bytes) straddling byte 64: the cut must fall
  // before it.
  const std::string text = std::string(63, 'a') + "\xc3\xa9" + "tail";
  EXPECT_EQ(ClientText(text), std::string(63, 'a') + "...(69 bytes)");
}

}  // namespace
}  // namespace amend

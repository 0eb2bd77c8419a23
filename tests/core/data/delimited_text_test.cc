#include "core/data/delimited_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(DelimitedTextTest, SplitLinesHandlesCrLfAndTheFinalNewline) {
  EXPECT_THAT(SplitLines("a\r\nb\n\nc\n"), ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(SplitLines("a"), ElementsAre("a"));
}

TEST(DelimitedTextTest, SplitTrimmedRemovesAdultsSpaces) {
  EXPECT_THAT(SplitTrimmed("39, State-gov, 77516", ','),
              ElementsAre("39", "State-gov", "77516"));
}

TEST(DelimitedTextTest, QuotedCsvFollowsRfc4180) {
  EXPECT_THAT(*SplitQuotedCsv(R"(58;"management";"a;b";"say ""hi""";)", ';'),
              ElementsAre("58", "management", "a;b", "say \"hi\"", ""));
  EXPECT_THAT(*SplitQuotedCsv("", ';'), ElementsAre(""));
  EXPECT_THAT(std::string(SplitQuotedCsv(R"(1;"open)", ';').status().message()),
              HasSubstr("field 2: unterminated quote"));
  EXPECT_THAT(std::string(SplitQuotedCsv(R"("a"b;c)", ';').status().message()),
              HasSubstr("field 1: must end after its closing quote, got 'b'"));
}

TEST(DelimitedTextTest, NumericCsvSkipsAHeaderAndChecksWidths) {
  auto matrix = ParseNumericCsv("x,y\n1, 2.5\n-3,4e2\n");
  ASSERT_TRUE(matrix.ok()) << matrix.status();
  EXPECT_EQ(matrix->rows, 2);
  EXPECT_EQ(matrix->columns, 2);
  EXPECT_THAT(matrix->values, ElementsAre(1.0f, 2.5f, -3.0f, 400.0f));
  EXPECT_THAT(
      std::string(ParseNumericCsv("1,2\n3\n").status().message()),
      HasSubstr("line 2: must have 2 values like the first row, got 1"));
  EXPECT_THAT(
      std::string(ParseNumericCsv("1,2\n3,abc\n").status().message()),
      HasSubstr("line 2, column 2: must be a finite number, got \"abc\""));
  EXPECT_THAT(std::string(ParseNumericCsv("1,2\n3,nan\n").status().message()),
              HasSubstr("line 2, column 2"));
}

}  // namespace
}  // namespace amend

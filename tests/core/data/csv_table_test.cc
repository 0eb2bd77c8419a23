#include "core/data/csv_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ErrorOf(absl::string_view text, char delimiter = 0) {
  auto table = ParseCsvTable(text, "f.csv", delimiter);
  EXPECT_FALSE(table.ok());
  return std::string(table.status().message());
}

TEST(CsvTableTest, ByteOrderMarkCrlfAndBlankLinesAreNotData) {
  auto table = ParseCsvTable(
      "\xEF\xBB\xBF"
      "a,b\r\n1, x \r\n\r\n  \r\n2,y\r\n",
      "f.csv", 0);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->header, ElementsAre("a", "b"));
  ASSERT_EQ(table->rows.size(), 2u);
  EXPECT_THAT(table->rows[0], ElementsAre("1", "x"));
  EXPECT_THAT(table->rows[1], ElementsAre("2", "y"));
  EXPECT_THAT(table->line, ElementsAre(2, 5));
}

TEST(CsvTableTest, QuotedFieldsKeepSeparatorsQuotesAndLineBreaks) {
  auto table = ParseCsvTable(
      "name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"two\nlines\",x\nlast,y\n",
      "f.csv", 0);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->rows.size(), 3u);
  EXPECT_THAT(table->rows[0], ElementsAre("Smith, J", "said \"hi\""));
  EXPECT_THAT(table->rows[1], ElementsAre("two\nlines", "x"));
  // The record after a quoted line break starts on line 5 of the file.
  EXPECT_THAT(table->line, ElementsAre(2, 3, 5));
}

TEST(CsvTableTest, SniffsTheSeparatorOfTheHeader) {
  EXPECT_EQ(SniffDelimiter("a;b;c"), ';');
  EXPECT_EQ(SniffDelimiter("a\tb\tc"), '\t');
  EXPECT_EQ(SniffDelimiter("\"x,y\";b"), ';');  // commas inside quotes
  EXPECT_EQ(SniffDelimiter("single"), ',');
  auto table = ParseCsvTable("a;b\n1,5;2\n", "f.csv", 0);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->delimiter, ';');
  EXPECT_THAT(table->rows[0], ElementsAre("1,5", "2"));
}

TEST(CsvTableTest, RaggedRowNamesItsLineAndCounts) {
  EXPECT_THAT(ErrorOf("a,b,c\n1,2,3\n1,2\n"),
              HasSubstr("f.csv:3: has 2 fields, the header 3"));
}

TEST(CsvTableTest, HeaderProblemsAreNamed) {
  EXPECT_THAT(ErrorOf("a,b,a\n1,2,3\n"),
              HasSubstr("f.csv:1: column 3: header \"a\" appears twice"));
  EXPECT_THAT(ErrorOf("a,,c\n1,2,3\n"),
              HasSubstr("f.csv:1: column 2: the header names no column"));
  EXPECT_THAT(ErrorOf(""), HasSubstr("no header line"));
  EXPECT_THAT(ErrorOf("a,b\n\n"), HasSubstr("no data rows"));
}

TEST(CsvTableTest, QuotingErrorsNameTheLineAndColumn) {
  EXPECT_THAT(
      ErrorOf("a,b\n1,\"open\n2,3\n"),
      HasSubstr("f.csv:2: column 2: quote opened here is never closed"));
  EXPECT_THAT(ErrorOf("a,b\n\"x\"y,2\n"),
              HasSubstr("f.csv:2: column 1: must end after its closing quote"));
  EXPECT_THAT(ErrorOf("a,b\nx\"y,2\n"),
              HasSubstr("f.csv:2: column 1: a quote inside an unquoted field"));
}

TEST(CsvTableTest, BinaryDataIsRefused) {
  EXPECT_THAT(ErrorOf(std::string("a,b\n1,\0\n", 8)),
              HasSubstr("NUL byte at offset 6"));
}

TEST(CsvTableTest, DelimiterNamesRoundTrip) {
  for (const char d : kCsvDelimiters) {
    auto back = DelimiterFromName(DelimiterName(d));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, d);
  }
  EXPECT_FALSE(DelimiterFromName("::").ok());
}

}  // namespace
}  // namespace amend

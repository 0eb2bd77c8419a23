// File: core/data/csv_table.h
//
// A user's CSV file as a table of strings: RFC 4180 records (quoted fields may
// hold the separator, doubled quotes and line breaks), LF or CRLF line ends, a
// UTF-8 byte-order mark ignored, the separator sniffed from the header when
// not given. Every error names the file, the line and the column, because the
// person reading it has to find the cell in a spreadsheet.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(CsvTable table,
//                          ParseCsvTable(text, "credit.csv", /*delimiter=*/0));
//   // table.header[c], table.rows[r][c], table.line[r]
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_DATA_CSV_TABLE_H_
#define AMEND_CORE_DATA_CSV_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

struct CsvTable {
  char delimiter = ',';
  std::vector<std::string> header;             // unique, non-empty names
  std::vector<std::vector<std::string>> rows;  // [row][column]
  std::vector<int64_t> line;                   // [row], 1-based first line
};

// The separators SniffDelimiter chooses from.
inline constexpr char kCsvDelimiters[] = {',', ';', '\t', '|'};

// The candidate separator found most often outside quotes in `header_line`;
// ',' when none occurs.
char SniffDelimiter(absl::string_view header_line);

// Parses `text` (the file's bytes, already decompressed). `delimiter` 0 means
// sniff. Unquoted fields lose surrounding ASCII whitespace; quoted ones are
// kept exactly. Blank lines are skipped. InvalidArgument, prefixed
// "<file_name>:<line>:", for: a NUL byte (not a text file), an unterminated
// quote, text after a closing quote, a row whose field count differs from the
// header's, an empty or repeated header name, no header or no data row.
absl::StatusOr<CsvTable> ParseCsvTable(absl::string_view text,
                                       absl::string_view file_name,
                                       char delimiter);

// "," ";" "\t" "|" as a flag and JSON spell them ("tab" for '\t').
std::string DelimiterName(char delimiter);
// Inverse of DelimiterName; also accepts "\t". InvalidArgument otherwise.
absl::StatusOr<char> DelimiterFromName(absl::string_view name);

}  // namespace amend

#endif  // AMEND_CORE_DATA_CSV_TABLE_H_

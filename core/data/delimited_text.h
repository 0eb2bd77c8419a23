// File: core/data/delimited_text.h
//
// Splitting the two raw formats we read: Adult's ", "-separated records and
// Bank's ';'-separated CSV with double-quoted strings (RFC 4180 quoting: ""
// inside quotes is a literal quote).
//
// Example:
//   for (absl::string_view line : SplitLines(text)) {
//     AMEND_ASSIGN_OR_RETURN(std::vector<std::string> fields,
//                            SplitQuotedCsv(line, ';'));
//   }
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_DATA_DELIMITED_TEXT_H_
#define AMEND_CORE_DATA_DELIMITED_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// Lines without their terminators (LF or CRLF); a final empty line is dropped.
std::vector<absl::string_view> SplitLines(absl::string_view text);

// Fields separated by `delimiter`, each with surrounding ASCII whitespace
// removed.
std::vector<std::string> SplitTrimmed(absl::string_view line, char delimiter);

// Fields separated by `delimiter`, with double-quoted fields unquoted.
// InvalidArgument on an unterminated quote or text after a closing quote.
absl::StatusOr<std::vector<std::string>> SplitQuotedCsv(absl::string_view line,
                                                        char delimiter);

// A matrix of numbers from CSV text: one row per non-empty line,
// comma-separated. A first line with any non-numeric field is a header and is
// skipped. InvalidArgument names the line and column of a bad cell or a row of
// the wrong width.
struct NumericMatrix {
  int64_t rows = 0;
  int64_t columns = 0;
  std::vector<float> values;  // [rows, columns] row-major
};
absl::StatusOr<NumericMatrix> ParseNumericCsv(absl::string_view text);

}  // namespace amend

#endif  // AMEND_CORE_DATA_DELIMITED_TEXT_H_

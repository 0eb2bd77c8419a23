#include "core/data/delimited_text.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace amend {

std::vector<absl::string_view> SplitLines(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  for (absl::string_view& line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::vector<std::string> SplitTrimmed(absl::string_view line, char delimiter) {
  std::vector<std::string> fields;
  for (absl::string_view field : absl::StrSplit(line, delimiter)) {
    fields.emplace_back(absl::StripAsciiWhitespace(field));
  }
  return fields;
}

absl::StatusOr<std::vector<std::string>> SplitQuotedCsv(absl::string_view line,
                                                        char delimiter) {
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            absl::StrCat("field ", fields.size() + 1, ": unterminated quote"));
      }
      if (i < line.size() && line[i] != delimiter) {
        return absl::InvalidArgumentError(
            absl::StrCat("field ", fields.size() + 1,
                         ": must end after its closing quote, got '",
                         line.substr(i, 1), "'"));
      }
    } else {
      const size_t end = line.find(delimiter, i);
      field = std::string(
          line.substr(i, end == absl::string_view::npos ? end : end - i));
      i = end == absl::string_view::npos ? line.size() : end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) break;
    ++i;  // skip the delimiter
    if (i == line.size()) {
      fields.emplace_back();  // trailing delimiter: one more empty field
      break;
    }
  }
  return fields;
}

absl::StatusOr<NumericMatrix> ParseNumericCsv(absl::string_view text) {
  NumericMatrix matrix;
  const std::vector<absl::string_view> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StripAsciiWhitespace(lines[i]).empty()) continue;
    const std::vector<std::string> fields = SplitTrimmed(lines[i], ',');
    std::vector<float> row;
    row.reserve(fields.size());
    bool numeric = true;
    size_t bad_column = 0;
    for (size_t c = 0; c < fields.size() && numeric; ++c) {
      float value;
      numeric = absl::SimpleAtof(fields[c], &value) && std::isfinite(value);
      if (numeric) row.push_back(value);
      bad_column = c;
    }
    if (!numeric) {
      if (matrix.rows == 0 && i == 0) continue;  // a header line
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", i + 1, ", column ", bad_column + 1,
          ": must be a finite number, got \"", fields[bad_column], "\""));
    }
    if (matrix.rows == 0) matrix.columns = static_cast<int64_t>(row.size());
    if (static_cast<int64_t>(row.size()) != matrix.columns) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", i + 1, ": must have ", matrix.columns,
                       " values like the first row, got ", row.size()));
    }
    matrix.values.insert(matrix.values.end(), row.begin(), row.end());
    ++matrix.rows;
  }
  return matrix;
}

}  // namespace amend

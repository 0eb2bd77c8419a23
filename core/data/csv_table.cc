#include "core/data/csv_table.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/util/client_text.h"

namespace amend {
namespace {

constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Reads records one at a time; tracks the line number for messages.
class RecordReader {
 public:
  RecordReader(absl::string_view text, absl::string_view file_name,
               char delimiter)
      : text_(text), file_name_(file_name), delimiter_(delimiter) {}

  bool done() const { return position_ >= text_.size(); }
  int64_t line() const { return line_; }

  // The next record's fields; an empty vector for a blank line.
  absl::StatusOr<std::vector<std::string>> Next(int64_t& first_line) {
    first_line = line_;
    std::vector<std::string> fields;
    bool any_content = false;
    while (true) {
      FieldResult result = ReadField(fields, any_content);
      if (!result.status.ok()) return result.status;
      if (result.ended_record) break;
    }
    if (!any_content && fields.size() == 1 && fields[0].empty())
      fields.clear();  // a blank line
    return fields;
  }

 private:
  struct FieldResult {
    absl::Status status;
    bool ended_record = false;
  };

  absl::Status Error(absl::string_view what, size_t column) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name_, ":", line_, ": column ", column, ": ", what));
  }

  // Consumes a line terminator at position_ if there is one.
  bool AtLineEnd() {
    if (position_ >= text_.size()) return true;
    if (text_[position_] == '\n') {
      ++position_;
      ++line_;
      return true;
    }
    if (text_[position_] == '\r') {
      ++position_;
      if (position_ < text_.size() && text_[position_] == '\n') ++position_;
      ++line_;
      return true;
    }
    return false;
  }

  FieldResult ReadField(std::vector<std::string>& fields, bool& any_content) {
    const size_t column = fields.size() + 1;
    size_t i = position_;
    while (i < text_.size() && (text_[i] == ' ')) ++i;
    std::string field;
    if (i < text_.size() && text_[i] == '"') {
      any_content = true;
      const int64_t quote_line = line_;
      position_ = i + 1;
      bool closed = false;
      while (position_ < text_.size()) {
        const char c = text_[position_];
        if (c == '"') {
          if (position_ + 1 < text_.size() && text_[position_ + 1] == '"') {
            field.push_back('"');
            position_ += 2;
            continue;
          }
          ++position_;
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
        ++position_;
      }
      if (!closed) {
        return {absl::InvalidArgumentError(absl::StrCat(
                    file_name_, ":", quote_line, ": column ", column,
                    ": quote opened here is never closed")),
                false};
      }
      while (position_ < text_.size() && text_[position_] == ' ') ++position_;
      fields.push_back(std::move(field));
      if (AtLineEnd()) return {absl::OkStatus(), true};
      if (text_[position_] == delimiter_) {
        ++position_;
        return {absl::OkStatus(), false};
      }
      return {Error(absl::StrCat("must end after its closing quote, got '",
                                 ClientText(text_.substr(position_, 1)), "'"),
                    column),
              false};
    }
    size_t end = position_;
    while (end < text_.size() && text_[end] != delimiter_ &&
           text_[end] != '\n' && text_[end] != '\r') {
      ++end;
    }
    const absl::string_view raw = text_.substr(position_, end - position_);
    if (absl::StrContains(raw, '"')) {
      return {Error(absl::StrCat("a quote inside an unquoted field (\"",
                                 ClientText(raw),
                                 "\"); quote the whole field and double the "
                                 "quotes inside it"),
                    column),
              false};
    }
    const absl::string_view trimmed = absl::StripAsciiWhitespace(raw);
    if (!trimmed.empty() || (end < text_.size() && text_[end] == delimiter_))
      any_content = true;
    fields.emplace_back(trimmed);
    position_ = end;
    if (AtLineEnd()) return {absl::OkStatus(), true};
    ++position_;  // the delimiter
    return {absl::OkStatus(), false};
  }

  absl::string_view text_;
  absl::string_view file_name_;
  char delimiter_;
  size_t position_ = 0;
  int64_t line_ = 1;
};

}  // namespace

char SniffDelimiter(absl::string_view header_line) {
  size_t counts[std::size(kCsvDelimiters)] = {};
  bool quoted = false;
  for (const char c : header_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    for (size_t d = 0; d < std::size(kCsvDelimiters); ++d) {
      if (c == kCsvDelimiters[d]) ++counts[d];
    }
  }
  const size_t best = static_cast<size_t>(
      std::max_element(std::begin(counts), std::end(counts)) -
      std::begin(counts));
  return counts[best] > 0 ? kCsvDelimiters[best] : ',';
}

absl::StatusOr<CsvTable> ParseCsvTable(absl::string_view text,
                                       absl::string_view file_name,
                                       char delimiter) {
  if (absl::StartsWith(text, kByteOrderMark))
    text.remove_prefix(kByteOrderMark.size());
  if (const size_t nul = text.find('\0'); nul != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": has a NUL byte at offset ", nul,
                     ": not a text CSV file (compressed files must end in "
                     ".gz)"));
  }
  CsvTable table;
  if (delimiter == 0) {
    const size_t skip = text.find_first_not_of(" \t\r\n");
    const absl::string_view from =
        skip == absl::string_view::npos ? "" : text.substr(skip);
    delimiter = SniffDelimiter(from.substr(0, from.find_first_of("\r\n")));
  }
  table.delimiter = delimiter;
  RecordReader reader(text, file_name, delimiter);
  int64_t header_line = 0;
  while (!reader.done() && table.header.empty()) {
    auto fields = reader.Next(header_line);
    if (!fields.ok()) return fields.status();
    table.header = *std::move(fields);
  }
  if (table.header.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": has no header line (the file is empty)"));
  }
  std::set<std::string> seen;
  for (size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ":", header_line, ": column ", c + 1,
                       ": the header names no column here"));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ":", header_line, ": column ", c + 1,
                       ": header \"", ClientText(name), "\" appears twice"));
    }
  }
  while (!reader.done()) {
    int64_t line = 0;
    auto fields = reader.Next(line);
    if (!fields.ok()) return fields.status();
    if (fields->empty()) continue;
    if (fields->size() != table.header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ":", line, ": has ", fields->size(),
                       " fields, the header ", table.header.size(),
                       " (separator '", DelimiterName(delimiter), "')"));
    }
    table.rows.push_back(*std::move(fields));
    table.line.push_back(line);
  }
  if (table.rows.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": has a header but no data rows"));
  }
  return table;
}

std::string DelimiterName(char delimiter) {
  if (delimiter == '\t') return "tab";
  return std::string(1, delimiter);
}

absl::StatusOr<char> DelimiterFromName(absl::string_view name) {
  if (name == "tab" || name == "\\t" || name == "\t") return '\t';
  for (const char d : kCsvDelimiters) {
    if (name.size() == 1 && name[0] == d) return d;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "delimiter: must be one of , ; tab |, got \"", ClientText(name), "\""));
}

}  // namespace amend

// File: core/util/csv_field.h
//
// One field of a CSV file we write: quoted (RFC 4180, inner quotes doubled)
// when it holds a comma, a quote or a line break, so names taken from users'
// files never shift the columns.
//
// Example:
//   csv += CsvField(feature_name) + ",";
//
// Thread-safe (pure function).
#ifndef AMEND_CORE_UTIL_CSV_FIELD_H_
#define AMEND_CORE_UTIL_CSV_FIELD_H_

#include <string>

#include "absl/strings/string_view.h"

namespace amend {

inline std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos)
    return std::string(text);
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_CSV_FIELD_H_

// Fuzz target: the CSV readers that take a user's data (numeric matrices for
// `amend-trainer forward`, quoted fields of data files), on any bytes. A
// matrix it accepts must be rectangular and finite; a quoted line it splits
// must give back its text when re-quoted and split again.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/data/delimited_text.h"

namespace {

std::string Quote(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += '"';
    for (const char c : fields[i]) {
      if (c == '"') line += '"';  // doubled inside quotes
      line += c;
    }
    line += '"';
  }
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<amend::NumericMatrix> matrix =
      amend::ParseNumericCsv(text);
  if (matrix.ok()) {
    if (matrix->values.size() !=
        static_cast<size_t>(matrix->rows * matrix->columns)) {
      std::abort();
    }
    for (const float value : matrix->values) {
      if (!std::isfinite(value)) std::abort();
    }
  }
  for (const absl::string_view line : amend::SplitLines(text)) {
    const absl::StatusOr<std::vector<std::string>> fields =
        amend::SplitQuotedCsv(line, ',');
    if (!fields.ok()) continue;
    const absl::StatusOr<std::vector<std::string>> again =
        amend::SplitQuotedCsv(Quote(*fields), ',');
    if (!again.ok() || *again != *fields) std::abort();
  }
  return 0;
}

#include "core/data/preprocessing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/util/client_text.h"

namespace amend {

std::optional<double> FiniteNumber(absl::string_view cell) {
  double value = 0.0;
  if (!absl::SimpleAtod(cell, &value) || !std::isfinite(value))
    return std::nullopt;
  return value;
}

absl::StatusOr<EncodedTable> EncodeTable(
    const RawTable& raw,
    const std::vector<std::vector<std::string>>* categories) {
  EncodedTable table;
  table.rows = static_cast<int64_t>(raw.cells.size());
  table.columns = static_cast<int64_t>(raw.columns.size());
  table.categories.resize(raw.columns.size());
  // Vocabulary per categorical column: every distinct value, byte-wise sorted
  // (std::map order).
  std::vector<std::map<std::string, int64_t>> codes(raw.columns.size());
  for (size_t c = 0; c < raw.columns.size(); ++c) {
    if (!raw.columns[c].categorical) continue;
    if (categories != nullptr) {
      table.categories[c] = (*categories)[c];
      int64_t next = 0;
      for (const std::string& value : table.categories[c])
        codes[c].emplace(value, next++);
      continue;
    }
    for (const auto& row : raw.cells) codes[c].emplace(row[c], 0);
    int64_t next = 0;
    for (auto& [value, code] : codes[c]) {
      code = next++;
      table.categories[c].push_back(value);
    }
  }
  table.values.resize(static_cast<size_t>(table.rows * table.columns));
  for (size_t r = 0; r < raw.cells.size(); ++r) {
    for (size_t c = 0; c < raw.columns.size(); ++c) {
      const std::string& cell = raw.cells[r][c];
      double value;
      if (raw.columns[c].categorical) {
        auto code = codes[c].find(cell);
        if (code == codes[c].end()) {
          return absl::InvalidArgumentError(
              absl::StrCat(raw.row_origin[r], ": column ", raw.columns[c].name,
                           ": \"", ClientText(cell), "\" is not one of its ",
                           codes[c].size(), " categories in the task card"));
        }
        value = static_cast<double>(code->second);
      } else if (!raw.missing_token.empty() && cell == raw.missing_token) {
        value = std::numeric_limits<double>::quiet_NaN();
      } else if (const std::optional<double> number = FiniteNumber(cell)) {
        value = *number;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat(raw.row_origin[r], ": column ", raw.columns[c].name,
                         ": must be a number, got \"", ClientText(cell), "\""));
      }
      table.values[r * raw.columns.size() + c] = value;
    }
  }
  return table;
}

ColumnStatistics ComputeStatistics(const EncodedTable& table,
                                   const std::vector<int64_t>& rows) {
  ColumnStatistics statistics;
  statistics.mean.assign(static_cast<size_t>(table.columns), 0.0);
  statistics.stddev.assign(static_cast<size_t>(table.columns), 1.0);
  if (rows.empty()) return statistics;
  for (int64_t c = 0; c < table.columns; ++c) {
    double sum = 0.0;
    int64_t n = 0;
    for (int64_t r : rows) {
      const double v = table.values[static_cast<size_t>(r * table.columns + c)];
      if (std::isnan(v)) continue;
      sum += v;
      ++n;
    }
    if (n == 0) continue;  // every value missing: mean 0, sd 1
    const double mean = sum / static_cast<double>(n);
    double squares = 0.0;  // two-pass for accuracy
    for (int64_t r : rows) {
      const double v = table.values[static_cast<size_t>(r * table.columns + c)];
      if (std::isnan(v)) continue;
      squares += (v - mean) * (v - mean);
    }
    const double sd = std::sqrt(squares / static_cast<double>(n));
    statistics.mean[static_cast<size_t>(c)] = mean;
    statistics.stddev[static_cast<size_t>(c)] = sd > 1e-12 ? sd : 1.0;
  }
  return statistics;
}

std::vector<float> StandardizeRows(const EncodedTable& table,
                                   const ColumnStatistics& statistics,
                                   const std::vector<int64_t>& rows) {
  std::vector<float> out;
  out.reserve(rows.size() * static_cast<size_t>(table.columns));
  for (int64_t r : rows) {
    for (int64_t c = 0; c < table.columns; ++c) {
      const size_t i = static_cast<size_t>(c);
      const double v = table.values[static_cast<size_t>(r * table.columns + c)];
      out.push_back(std::isnan(v)
                        ? 0.0f
                        : static_cast<float>((v - statistics.mean[i]) /
                                             statistics.stddev[i]));
    }
  }
  return out;
}

}  // namespace amend

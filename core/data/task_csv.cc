#include "core/data/task_csv.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/util/client_text.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

size_t ColumnIndex(const std::vector<std::string>& header,
                   const std::string& name) {
  return static_cast<size_t>(std::find(header.begin(), header.end(), name) -
                             header.begin());
}

}  // namespace

bool IsMissingCell(const std::string& cell, const std::string& missing_token) {
  return cell.empty() || cell == missing_token;
}

absl::StatusOr<bool> IsPrivileged(const GroupRule& rule,
                                  const std::string& cell,
                                  const std::string& missing_token) {
  if (IsMissingCell(cell, missing_token)) {
    return absl::InvalidArgumentError(
        "the sensitive value is missing (every row needs a group)");
  }
  if (!rule.is_range) {
    return std::find(rule.privileged_values.begin(),
                     rule.privileged_values.end(),
                     cell) != rule.privileged_values.end();
  }
  double value = 0.0;
  if (!absl::SimpleAtod(cell, &value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "must be a number for the range rule, got \"", ClientText(cell), "\""));
  }
  return rule.low <= value && value < rule.high;
}

absl::StatusOr<RawTable> RawTableFromCsv(
    const TaskCard& card, const std::vector<ParsedCsvFile>& files) {
  RawTable raw;
  raw.missing_token = card.missing_token;
  std::vector<size_t> feature_index;
  for (const Feature& feature : card.features) {
    raw.columns.push_back({feature.name, feature.categorical});
    feature_index.push_back(ColumnIndex(card.columns, feature.name));
  }
  const size_t label_index = ColumnIndex(card.columns, card.label_column);
  absl::flat_hash_map<std::string, int64_t> class_of;
  for (size_t k = 0; k < card.class_names.size(); ++k)
    class_of[card.class_names[k]] = static_cast<int64_t>(k);
  const size_t group_index =
      card.sensitive ? ColumnIndex(card.columns, card.sensitive->column) : 0;
  for (const ParsedCsvFile& file : files) {
    if (file.table.header != card.columns) {
      for (size_t c = 0; c < card.columns.size(); ++c) {
        if (c >= file.table.header.size() ||
            file.table.header[c] != card.columns[c]) {
          return absl::InvalidArgumentError(absl::StrCat(
              file.name, ": column ", c + 1, " must be \"",
              ClientText(card.columns[c]), "\" as in the task card, got \"",
              c < file.table.header.size() ? ClientText(file.table.header[c])
                                           : "(none)",
              "\""));
        }
      }
      return absl::InvalidArgumentError(
          absl::StrCat(file.name, ": has ", file.table.header.size(),
                       " columns, the task card ", card.columns.size()));
    }
    if (file.is_test && raw.official_test_begin < 0)
      raw.official_test_begin = static_cast<int64_t>(raw.cells.size());
    if (!file.is_test && raw.official_test_begin >= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.name, ": data files must come before test files"));
    }
    for (size_t r = 0; r < file.table.rows.size(); ++r) {
      const std::vector<std::string>& row = file.table.rows[r];
      const std::string origin =
          absl::StrCat(file.name, ":", file.table.line[r]);
      const std::string& label = row[label_index];
      if (IsMissingCell(label, card.missing_token)) {
        return absl::InvalidArgumentError(absl::StrCat(
            origin, ": column ", card.label_column, ": the label is missing"));
      }
      if (card.label_binarized) {
        raw.labels.push_back(label == card.positive_value ? 1 : 0);
      } else if (auto it = class_of.find(label); it != class_of.end()) {
        raw.labels.push_back(it->second);
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            origin, ": column ", card.label_column, ": must be one of ",
            ClientText(absl::StrJoin(card.class_names, ", ")), ", got \"",
            ClientText(label), "\""));
      }
      if (card.sensitive) {
        auto privileged =
            IsPrivileged(*card.sensitive, row[group_index], card.missing_token);
        if (!privileged.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(origin, ": column ", card.sensitive->column, ": ",
                           privileged.status().message()));
        }
        raw.groups.push_back(*privileged ? 1 : 0);
      } else {
        raw.groups.push_back(0);
      }
      std::vector<std::string> cells;
      cells.reserve(feature_index.size());
      for (const size_t c : feature_index) {
        cells.push_back(row[c].empty() ? card.missing_token : row[c]);
      }
      raw.cells.push_back(std::move(cells));
      raw.row_origin.push_back(origin);
    }
  }
  return raw;
}

}  // namespace amend

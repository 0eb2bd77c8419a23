#include "core/audit/audit_set.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/data/csv_table.h"
#include "core/util/client_text.h"

namespace amend {
namespace {

std::optional<size_t> FindColumn(const std::vector<std::string>& header,
                                 absl::string_view name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return std::nullopt;
  return static_cast<size_t>(it - header.begin());
}

// The column a role reads: the named one (which must exist), else the first
// default the header has. nullopt when none is there.
absl::StatusOr<std::optional<size_t>> ChooseColumn(
    const std::vector<std::string>& header, const std::string& named,
    std::initializer_list<absl::string_view> defaults, absl::string_view role,
    absl::string_view file_name) {
  if (!named.empty()) {
    std::optional<size_t> column = FindColumn(header, named);
    if (!column.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ": ", role, " column \"", ClientText(named),
                       "\": not in the header (",
                       ClientText(absl::StrJoin(header, ","), 200), ")"));
    }
    return column;
  }
  for (absl::string_view name : defaults) {
    if (std::optional<size_t> column = FindColumn(header, name)) return column;
  }
  return std::optional<size_t>();
}

std::string RangeText(int64_t num_classes) {
  return absl::StrCat("0..", num_classes - 1);
}

// A label cell: an integral number (1 and 1.0 alike) naming a class.
absl::StatusOr<int64_t> ParseLabel(const std::string& cell,
                                   int64_t num_classes) {
  double value = 0.0;
  if (!absl::SimpleAtod(cell, &value) || !std::isfinite(value) ||
      value != std::floor(value) || value < 0 ||
      value >= static_cast<double>(num_classes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be a class in ", RangeText(num_classes), ", got \"",
                     ClientText(cell), "\""));
  }
  return static_cast<int64_t>(value);
}

// Group names in their reporting order: numeric when all are integers, so
// that "2" comes before "10"; by bytes otherwise.
std::vector<std::string> OrderGroupNames(std::vector<std::string> names) {
  std::vector<std::pair<int64_t, std::string>> numbered;
  for (const std::string& name : names) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(name, &id)) {
      std::sort(names.begin(), names.end());
      return names;
    }
    numbered.emplace_back(id, name);
  }
  std::sort(numbered.begin(), numbered.end());
  names.clear();
  for (auto& [id, name] : numbered) names.push_back(std::move(name));
  return names;
}

std::string TooManyRows(int64_t rows) {
  return absl::StrCat("rows: at most ", kMaxAuditRows, " audit rows, got ",
                      rows, "; audit a sample");
}

std::string TooManyGroups(int64_t groups) {
  return absl::StrCat("groups: at most ", kMaxAuditGroups,
                      " distinct groups, got ", groups,
                      "; is the group column a feature rather than the "
                      "sensitive attribute?");
}

}  // namespace

absl::StatusOr<AuditSet> ParseAuditCsv(absl::string_view text,
                                       absl::string_view file_name,
                                       const AuditCsvOptions& options) {
  if (text.size() > kMaxAuditCsvBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": at most ", kMaxAuditCsvBytes,
                     " bytes of audit CSV, got ", text.size()));
  }
  absl::StatusOr<CsvTable> table =
      ParseCsvTable(text, file_name, /*delimiter=*/0);
  if (!table.ok()) return table.status();
  const std::vector<std::string>& header = table->header;
  const auto rows = static_cast<int64_t>(table->rows.size());
  if (rows > kMaxAuditRows) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": ", TooManyRows(rows)));
  }

  absl::StatusOr<std::optional<size_t>> label_column =
      ChooseColumn(header, options.label_column,
                   {kAmendLabelColumn, kAuditLabelColumn}, "label", file_name);
  if (!label_column.ok()) return label_column.status();
  if (!label_column->has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": no label column: name one, or call it \"",
                     kAuditLabelColumn, "\" or \"", kAmendLabelColumn, "\""));
  }
  absl::StatusOr<std::optional<size_t>> group_column =
      ChooseColumn(header, options.group_column,
                   {kAmendGroupColumn, kAuditGroupColumn}, "group", file_name);
  if (!group_column.ok()) return group_column.status();
  if (*group_column == *label_column) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ": column \"", ClientText(header[**label_column]),
        "\" cannot be both the label and the group"));
  }

  std::vector<size_t> input_columns;
  for (size_t c = 0; c < header.size(); ++c) {
    if (c == **label_column ||
        (group_column->has_value() && c == **group_column) ||
        absl::StartsWith(header[c], kAmendColumnPrefix)) {
      continue;
    }
    input_columns.push_back(c);
  }
  if (static_cast<int64_t>(input_columns.size()) != options.input_dim) {
    std::vector<std::string> names;
    for (size_t c : input_columns) names.push_back(header[c]);
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ": input columns: must be ", options.input_dim,
        " (the model's input_dim), got ", input_columns.size(), " (",
        ClientText(absl::StrJoin(names, ","), 200), ") besides label \"",
        ClientText(header[**label_column]), "\"",
        group_column->has_value()
            ? absl::StrCat(" and group \"", ClientText(header[**group_column]),
                           "\"")
            : std::string(" (no group column)")));
  }

  AuditSet audit;
  audit.rows = rows;
  audit.input_dim = options.input_dim;
  audit.label_column = header[**label_column];
  if (group_column->has_value()) audit.group_column = header[**group_column];
  audit.features.reserve(static_cast<size_t>(rows * options.input_dim));
  audit.labels.reserve(static_cast<size_t>(rows));
  std::vector<std::string> group_of_row;
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<std::string>& row = table->rows[static_cast<size_t>(r)];
    const std::string where = absl::StrCat(
        file_name, ":", table->line[static_cast<size_t>(r)], ": column ");
    for (size_t c : input_columns) {
      float value = 0.0f;
      if (!absl::SimpleAtof(row[c], &value) || !std::isfinite(value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ClientText(header[c]), ": must be a finite number, got \"",
            ClientText(row[c]), "\""));
      }
      audit.features.push_back(value);
    }
    absl::StatusOr<int64_t> label =
        ParseLabel(row[**label_column], options.num_classes);
    if (!label.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ClientText(header[**label_column]), ": ",
                       label.status().message()));
    }
    audit.labels.push_back(*label);
    if (group_column->has_value()) {
      const std::string& group = row[**group_column];
      if (group.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ClientText(header[**group_column]),
                         ": every row needs a group, got an empty cell"));
      }
      group_of_row.push_back(group);
    }
  }

  if (group_column->has_value()) {
    std::map<std::string, int64_t> index_of;
    for (const std::string& group : group_of_row) index_of.emplace(group, 0);
    if (static_cast<int64_t>(index_of.size()) > kMaxAuditGroups) {
      return absl::InvalidArgumentError(absl::StrCat(
          file_name, ": column ", ClientText(header[**group_column]), ": ",
          TooManyGroups(static_cast<int64_t>(index_of.size()))));
    }
    std::vector<std::string> names;
    for (const auto& [name, unused] : index_of) names.push_back(name);
    audit.group_names = OrderGroupNames(std::move(names));
    for (size_t g = 0; g < audit.group_names.size(); ++g) {
      index_of[audit.group_names[g]] = static_cast<int64_t>(g);
    }
    audit.groups.reserve(static_cast<size_t>(rows));
    for (const std::string& group : group_of_row) {
      audit.groups.push_back(index_of.at(group));
    }
  }
  return audit;
}

absl::Status ValidateAuditSet(const AuditSet& audit, int64_t input_dim,
                              int64_t num_classes) {
  if (audit.rows <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows: must be at least 1, got ", audit.rows));
  }
  if (audit.rows > kMaxAuditRows) {
    return absl::InvalidArgumentError(TooManyRows(audit.rows));
  }
  if (static_cast<int64_t>(audit.group_names.size()) > kMaxAuditGroups) {
    return absl::InvalidArgumentError(
        TooManyGroups(static_cast<int64_t>(audit.group_names.size())));
  }
  if (audit.input_dim != input_dim) {
    return absl::InvalidArgumentError(
        absl::StrCat("features: rows must have ", input_dim,
                     " values (the model's input_dim), got ", audit.input_dim));
  }
  if (static_cast<int64_t>(audit.features.size()) != audit.rows * input_dim ||
      static_cast<int64_t>(audit.labels.size()) != audit.rows ||
      (audit.has_groups() &&
       static_cast<int64_t>(audit.groups.size()) != audit.rows) ||
      (!audit.has_groups() && !audit.groups.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("features, labels, groups: must hold ", audit.rows,
                     " rows, got ", audit.features.size(), " values, ",
                     audit.labels.size(), " labels, ", audit.groups.size(),
                     " groups (of ", audit.group_names.size(), " names)"));
  }
  for (size_t i = 0; i < audit.features.size(); ++i) {
    if (!std::isfinite(audit.features[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("features[", i / static_cast<size_t>(input_dim), "][",
                       i % static_cast<size_t>(input_dim),
                       "]: must be finite, got ", audit.features[i]));
    }
  }
  for (size_t r = 0; r < audit.labels.size(); ++r) {
    if (audit.labels[r] < 0 || audit.labels[r] >= num_classes) {
      return absl::InvalidArgumentError(
          absl::StrCat("labels[", r, "]: must be a class in ",
                       RangeText(num_classes), ", got ", audit.labels[r]));
    }
  }
  const auto num_groups = static_cast<int64_t>(audit.group_names.size());
  for (size_t r = 0; r < audit.groups.size(); ++r) {
    if (audit.groups[r] < 0 || audit.groups[r] >= num_groups) {
      return absl::InvalidArgumentError(
          absl::StrCat("groups[", r, "]: must be a group index in 0..",
                       num_groups - 1, ", got ", audit.groups[r]));
    }
  }
  return absl::OkStatus();
}

}  // namespace amend

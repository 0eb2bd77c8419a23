#include "core/data/task_assembly.h"

#include "absl/strings/str_cat.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

constexpr char kAssignCodes[] = {kAssignTrain, kAssignValidation, kAssignTest};

Split MakeSplit(const RawTable& raw, const EncodedTable& encoded,
                const ColumnStatistics& statistics,
                const std::vector<int64_t>& rows) {
  Split split;
  split.rows = static_cast<int64_t>(rows.size());
  split.features = StandardizeRows(encoded, statistics, rows);
  for (int64_t r : rows) {
    split.labels.push_back(raw.labels[static_cast<size_t>(r)]);
    split.groups.push_back(raw.groups[static_cast<size_t>(r)]);
    split.source_row.push_back(r);
  }
  return split;
}

}  // namespace

absl::Status CompleteTaskCard(const RawTable& raw, const SplitRows& parts,
                              TaskCard& card) {
  for (size_t p = 0; p < parts.size(); ++p) {
    if (parts[p].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "split: the ", SplitNameString(kAllSplits[p]), " split has no rows (",
          raw.cells.size(),
          " rows in all); use more data or other --split fractions"));
    }
  }
  AMEND_ASSIGN_OR_RETURN(const EncodedTable encoded, EncodeTable(raw));
  const ColumnStatistics statistics = ComputeStatistics(encoded, parts[0]);
  card.features.clear();
  for (size_t c = 0; c < raw.columns.size(); ++c) {
    card.features.push_back({raw.columns[c].name, raw.columns[c].categorical,
                             encoded.categories[c], statistics.mean[c],
                             statistics.stddev[c], /*attribute=*/""});
  }
  card.split_assignment.assign(raw.cells.size(), '?');
  for (size_t p = 0; p < parts.size(); ++p) {
    for (const int64_t r : parts[p])
      card.split_assignment[static_cast<size_t>(r)] = kAssignCodes[p];
  }
  if (card.split_assignment.find('?') != std::string::npos)
    return absl::InternalError("split: a row is in no split");
  return absl::OkStatus();
}

absl::StatusOr<Task> TaskFromCard(const TaskCard& card, const RawTable& raw) {
  if (raw.columns.size() != card.features.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "task ", card.name, ": the records have ", raw.columns.size(),
        " feature columns, the card ", card.features.size()));
  }
  std::vector<std::vector<std::string>> categories;
  ColumnStatistics statistics;
  for (size_t c = 0; c < card.features.size(); ++c) {
    const Feature& feature = card.features[c];
    if (raw.columns[c].name != feature.name ||
        raw.columns[c].categorical != feature.categorical) {
      return absl::InvalidArgumentError(absl::StrCat(
          "task ", card.name, ": feature ", c, " of the records is \"",
          raw.columns[c].name, "\", the card's is \"", feature.name,
          "\" (or their types differ)"));
    }
    categories.push_back(feature.categories);
    statistics.mean.push_back(feature.mean);
    statistics.stddev.push_back(feature.stddev);
  }
  if (card.split_assignment.size() != raw.cells.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("task ", card.name, ": split.assignment covers ",
                     card.split_assignment.size(),
                     " rows, the data files have ", raw.cells.size()));
  }
  AMEND_ASSIGN_OR_RETURN(const EncodedTable encoded,
                         EncodeTable(raw, &categories));
  const std::string card_sha256 = Sha256Hex(TaskCardText(card));
  SplitRows parts;
  for (size_t r = 0; r < card.split_assignment.size(); ++r) {
    for (size_t p = 0; p < parts.size(); ++p) {
      if (card.split_assignment[r] == kAssignCodes[p])
        parts[p].push_back(static_cast<int64_t>(r));
    }
  }
  Task task;
  task.name = card.name;
  task.card_sha256 = card_sha256;
  task.features = card.features;
  task.class_names = card.class_names;
  if (card.sensitive) {
    task.group_attribute = card.sensitive->column;
    task.group_names = card.sensitive->group_names;
  }
  task.train = MakeSplit(raw, encoded, statistics, parts[0]);
  task.validation = MakeSplit(raw, encoded, statistics, parts[1]);
  task.test = MakeSplit(raw, encoded, statistics, parts[2]);
  return task;
}

}  // namespace amend

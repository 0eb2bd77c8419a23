#include "core/data/task.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/data/adult.h"
#include "core/data/bank.h"
#include "core/data/preprocessing.h"
#include "core/data/splits.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// Fractions of the stratified cuts (docs/DATA.md).
constexpr double kAdultValidationFraction =
    0.2;  // of adult.data; adult.test is the test split
constexpr double kBankValidationFraction = 0.2;
constexpr double kBankTestFraction = 0.2;

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

absl::StatusOr<Task> BuildTask(
    std::string name, const RawTable& raw,
    std::vector<std::vector<int64_t>> parts /* train, val, test */,
    std::vector<std::string> class_names, std::string group_attribute,
    std::array<std::string, 2> group_names) {
  AMEND_ASSIGN_OR_RETURN(const EncodedTable encoded, EncodeTable(raw));
  const ColumnStatistics statistics = ComputeStatistics(encoded, parts[0]);
  Task task;
  task.name = std::move(name);
  for (size_t c = 0; c < raw.columns.size(); ++c) {
    task.features.push_back({raw.columns[c].name, raw.columns[c].categorical,
                             encoded.categories[c], statistics.mean[c],
                             statistics.stddev[c]});
  }
  task.class_names = std::move(class_names);
  task.group_attribute = std::move(group_attribute);
  task.group_names = std::move(group_names);
  task.train = MakeSplit(raw, encoded, statistics, parts[0]);
  task.validation = MakeSplit(raw, encoded, statistics, parts[1]);
  task.test = MakeSplit(raw, encoded, statistics, parts[2]);
  return task;
}

absl::StatusOr<Task> LoadAdult(const std::string& data_dir) {
  AMEND_ASSIGN_OR_RETURN(const RawTable raw, LoadAdultRaw(data_dir));
  const std::vector<int64_t> data_labels(
      raw.labels.begin(), raw.labels.begin() + raw.official_test_begin);
  std::vector<std::vector<int64_t>> cut =
      StratifiedSplit(data_labels, {kAdultValidationFraction},
                      kSplitSeed);  // validation, train
  std::vector<int64_t> test;
  for (int64_t r = raw.official_test_begin;
       r < static_cast<int64_t>(raw.labels.size()); ++r) {
    test.push_back(r);
  }
  return BuildTask("adult", raw, {cut[1], cut[0], test}, {"<=50K", ">50K"},
                   "sex", {"Female", "Male"});
}

absl::StatusOr<Task> LoadBank(const std::string& data_dir) {
  AMEND_ASSIGN_OR_RETURN(const RawTable raw, LoadBankRaw(data_dir));
  std::vector<std::vector<int64_t>> cut =
      StratifiedSplit(raw.labels, {kBankValidationFraction, kBankTestFraction},
                      kSplitSeed);  // val, test, train
  return BuildTask("bank", raw, {cut[2], cut[0], cut[1]}, {"no", "yes"}, "age",
                   {"age < 25 or age >= 60", "25 <= age < 60"});
}

}  // namespace

absl::string_view SplitNameString(SplitName split) {
  switch (split) {
    case SplitName::kTrain:
      return "train";
    case SplitName::kValidation:
      return "validation";
    case SplitName::kTest:
      return "test";
  }
  return "unknown";
}

const Split& Task::split(SplitName name) const {
  switch (name) {
    case SplitName::kTrain:
      return train;
    case SplitName::kValidation:
      return validation;
    case SplitName::kTest:
      break;
  }
  return test;
}

std::vector<std::string> Task::feature_names() const {
  std::vector<std::string> names;
  for (const Feature& feature : features) names.push_back(feature.name);
  return names;
}

std::vector<std::string> TaskNames() { return {"adult", "bank"}; }

absl::StatusOr<Task> LoadTask(absl::string_view name,
                              const std::string& data_dir) {
  if (name == "adult") return LoadAdult(data_dir);
  if (name == "bank") return LoadBank(data_dir);
  return absl::NotFoundError(
      absl::StrCat("task: must be one of adult, bank, got \"", name, "\""));
}

}  // namespace amend

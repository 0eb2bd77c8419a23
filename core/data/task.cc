#include "core/data/task.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/data/adult.h"
#include "core/data/bank.h"
#include "core/data/preprocessing.h"
#include "core/data/splits.h"
#include "core/data/task_assembly.h"
#include "core/data/task_card.h"
#include "core/data/task_directory.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// Fractions of the stratified cuts (docs/DATA.md).
constexpr double kAdultValidationFraction =
    0.2;  // of adult.data; adult.test is the test split
constexpr double kBankValidationFraction = 0.2;
constexpr double kBankTestFraction = 0.2;

TaskCard BuiltinCard(std::string name, std::string reader,
                     std::vector<std::string> columns, std::string label_column,
                     std::string positive, std::vector<std::string> class_names,
                     GroupRule sensitive, double validation_fraction,
                     double test_fraction) {
  TaskCard card;
  card.name = std::move(name);
  card.reader = std::move(reader);
  card.columns = std::move(columns);
  card.columns.push_back(label_column);
  card.label_column = std::move(label_column);
  card.positive_value = std::move(positive);
  card.class_names = std::move(class_names);
  card.sensitive = std::move(sensitive);
  card.split_seed = kSplitSeed;
  card.validation_fraction = validation_fraction;
  card.test_fraction = test_fraction;
  return card;
}

std::vector<std::string> ColumnNames(const RawTable& raw) {
  std::vector<std::string> names;
  for (const RawTable::Column& column : raw.columns)
    names.push_back(column.name);
  return names;
}

absl::StatusOr<Task> CardTask(TaskCard card, const RawTable& raw,
                              const SplitRows& parts) {
  AMEND_RETURN_IF_ERROR(CompleteTaskCard(raw, parts, card));
  AMEND_RETURN_IF_ERROR(ValidateTaskCard(card));
  return TaskFromCard(card, raw);
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
  GroupRule sex{.column = "sex",
                .privileged_values = {"Male"},
                .is_range = false,
                .low = 0,
                .high = 0,
                .group_names = {"Female", "Male"}};
  TaskCard card = BuiltinCard("adult", "adult", ColumnNames(raw), "income",
                              ">50K", {"<=50K", ">50K"}, std::move(sex),
                              kAdultValidationFraction, 0.0);
  return CardTask(std::move(card), raw, {cut[1], cut[0], test});
}

absl::StatusOr<Task> LoadBank(const std::string& data_dir) {
  AMEND_ASSIGN_OR_RETURN(const RawTable raw, LoadBankRaw(data_dir));
  std::vector<std::vector<int64_t>> cut =
      StratifiedSplit(raw.labels, {kBankValidationFraction, kBankTestFraction},
                      kSplitSeed);  // val, test, train
  GroupRule age{.column = "age",
                .privileged_values = {},
                .is_range = true,
                .low = 25,
                .high = 60,
                .group_names = {"age < 25 or age >= 60", "25 <= age < 60"}};
  TaskCard card =
      BuiltinCard("bank", "bank", ColumnNames(raw), "y", "yes", {"no", "yes"},
                  std::move(age), kBankValidationFraction, kBankTestFraction);
  card.delimiter = ';';
  card.missing_token = "unknown";
  return CardTask(std::move(card), raw, {cut[2], cut[0], cut[1]});
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

std::vector<std::string> Task::feature_attributes() const {
  bool grouped = false;
  std::vector<std::string> attributes;
  for (const Feature& feature : features) {
    grouped = grouped || !feature.attribute.empty();
    attributes.push_back(feature.attribute.empty() ? feature.name
                                                   : feature.attribute);
  }
  if (!grouped) attributes.clear();
  return attributes;
}

std::vector<std::string> TaskNames() { return {"adult", "bank"}; }

absl::StatusOr<Task> LoadTask(absl::string_view name,
                              const std::string& data_dir,
                              const std::string& tasks_dir) {
  if (name == "adult") return LoadAdult(data_dir);
  if (name == "bank") return LoadBank(data_dir);
  AMEND_ASSIGN_OR_RETURN(const std::string folder,
                         FindTaskDirectory(name, tasks_dir));
  return LoadTaskDirectory(folder);
}

}  // namespace amend

// File: core/data/task.h
//
// A Task is one tabular classification problem ready for models: standardised
// features (one model input per original column, no one-hot), labels, one
// sensitive group per row, and fixed seeded train/validation/test splits.
// docs/DATA.md documents every choice. The two tasks:
//   adult  48,842 rows, 14 features, label income >50K;
//          group sex (1 = Male, privileged);
//          test = adult.test; adult.data split 80/20 stratified into
//          train/validation
//   bank   45,211 rows, 16 features, label y = yes;
//          group age (1 = 25 <= age < 60, privileged);
//          bank-full.csv split 60/20/20 stratified into train/validation/test
// The zoo trains on train, the editor's data term uses validation, reports use
// test. A user's task is a folder with a task card (task.json, made by
// `amend-trainer task create`, core/data/task_card.h) and its data; the
// bundled tasks go through the same card code (core/data/task_assembly.h).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Task task, LoadTask("adult", "data"));
//   // train.features: [rows, 14]
//   const Split& train = task.split(SplitName::kTrain);
//
// Free of LibTorch (plain vectors). Thread-compatible; a loaded Task is
// immutable by convention.
#ifndef AMEND_CORE_DATA_TASK_H_
#define AMEND_CORE_DATA_TASK_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

enum class SplitName { kTrain, kValidation, kTest };
inline constexpr SplitName kAllSplits[] = {
    SplitName::kTrain, SplitName::kValidation, SplitName::kTest};
// "train", "validation", "test".
absl::string_view SplitNameString(SplitName split);

struct Split {
  int64_t rows = 0;
  std::vector<float> features;  // [rows, num_features] row-major, standardised
  std::vector<int64_t> labels;  // [rows], class index (1 = positive)
  std::vector<int8_t> groups;  // [rows], 1 = privileged group, 0 = unprivileged
  // [rows], index of the record in the task's raw files.
  std::vector<int64_t> source_row;
};

struct Feature {
  std::string name;  // the UCI column name
  bool categorical = false;
  // Code i = categories[i] (categorical only).
  std::vector<std::string> categories;
  double mean = 0.0;    // of the raw value or code over the train split
  double stddev = 1.0;  // population sd over the train split (1 if constant)
  // The attribute this input belongs to when several inputs form one (e.g.
  // one-hot columns "job=a", "job=b" of "job"); empty: its own, named `name`.
  std::string attribute;
  bool operator==(const Feature&) const = default;
};

struct Task {
  std::string name;
  std::vector<Feature> features;
  std::vector<std::string> class_names;  // index = label
  std::string group_attribute;  // e.g. "sex"; empty when the task has none
  std::array<std::string, 2> group_names;  // [0] unprivileged, [1] privileged
  Split train, validation, test;
  // sha256 of the card's task.json text (TaskCardText): equal to
  // `sha256sum tasks/NAME/task.json` for a user task. Zoos record it so that
  // editors are never trained or scored on rows encoded by another card.
  std::string card_sha256;

  int64_t num_features() const { return static_cast<int64_t>(features.size()); }
  int64_t num_classes() const {
    return static_cast<int64_t>(class_names.size());
  }
  const Split& split(SplitName name) const;
  std::vector<std::string> feature_names() const;
  // Each input's attribute (InputAttributes' form); empty when every input
  // is its own attribute.
  std::vector<std::string> feature_attributes() const;
};

// "adult" and "bank".
std::vector<std::string> TaskNames();

// Loads a task: "adult" and "bank" from the bundled files in `data_dir`
// (verified against its SHA256SUMS); a task folder's path (one holding
// task.json); or a task name found as `<tasks_dir>/<name>/task.json`. Data
// files are verified against the card's sha256 (DataLoss on a mismatch).
// NotFound names where it looked.
absl::StatusOr<Task> LoadTask(absl::string_view name,
                              const std::string& data_dir,
                              const std::string& tasks_dir = "");

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_H_

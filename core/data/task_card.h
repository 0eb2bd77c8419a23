// File: core/data/task_card.h
//
// A task card: everything that turns a user's data files into a Task, written
// down so that the zoo, the editors, the reports and the user's own pipeline
// all encode rows the same way (docs/TASK_FORMAT.md). It holds the schema and
// the roles of the columns (features, label, sensitive attribute, ignored),
// the category code tables, the missing-value token, the train split's
// standardisation statistics, the split of every row and its seed, and the
// sha256 of every data file. task.json is its JSON form.
//
// The bundled tasks have cards too, built in memory from their files (reader
// "adult" or "bank": their files need quirk readers); a user's card has reader
// "csv".
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(TaskCard card, TaskCardFromJson(json));
//   std::string text = TaskCardToJson(card).dump(2);
//
// Thread-safe (plain data, pure functions).
#ifndef AMEND_CORE_DATA_TASK_CARD_H_
#define AMEND_CORE_DATA_TASK_CARD_H_

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/data/task.h"

namespace amend {

// Most classes a task's label may have (one output unit each).
inline constexpr int64_t kMaxTaskClasses = 256;

// The "format" value of task.json this code writes and reads.
inline constexpr char kTaskCardFormat[] = "amend-task-card/1";
inline constexpr char kTaskCardFileName[] = "task.json";

// Which rows form the privileged group (group 1).
struct GroupRule {
  std::string column;
  // Categorical column: a row is privileged when its value is one of these.
  std::vector<std::string> privileged_values;
  // Numeric column (is_range): privileged when low <= value < high.
  bool is_range = false;
  double low = 0.0;
  double high = 0.0;
  std::array<std::string, 2> group_names;  // [0] unprivileged, [1] privileged
  bool operator==(const GroupRule&) const = default;
};

struct TaskCardFile {
  std::string path;  // relative to the task directory (reader "csv")
  std::string role;  // "data" or "test" (rows of "test" are the test split)
  std::string sha256;
  int64_t bytes = 0;
  bool operator==(const TaskCardFile&) const = default;
};

// Split assignment codes, one character per row in file order.
inline constexpr char kAssignTrain = '0';
inline constexpr char kAssignValidation = '1';
inline constexpr char kAssignTest = '2';

struct TaskCard {
  std::string name;
  std::string reader = "csv";  // "csv", "adult" or "bank"
  std::vector<TaskCardFile> files;
  char delimiter = ',';
  // Cells equal to this (or empty) are missing: a category of their own in a
  // categorical column, the train mean in a numeric one.
  std::string missing_token = "?";
  std::vector<std::string> columns;  // every column of the files, in order
  std::string label_column;
  // The value that is class 1 of a binary label; empty for a label whose
  // every value is a class (class_names, in order).
  std::string positive_value;
  // True when the label had more than two values and every value other than
  // positive_value is class 0.
  bool label_binarized = false;
  std::vector<std::string> class_names;  // index = class
  std::optional<GroupRule> sensitive;
  std::vector<std::string> ignored;
  // The model's inputs in order: code tables and train statistics.
  std::vector<Feature> features;
  uint64_t split_seed = 0;
  // Stratified fractions cut from the data file: validation, then test (0
  // when a test file gives the test split); train is the rest.
  double validation_fraction = 0.0;
  double test_fraction = 0.0;
  std::string split_assignment;  // kAssign* per row, data file then test file

  bool operator==(const TaskCard&) const = default;
};

// OK, or InvalidArgument naming the field: a name that is not a safe folder
// name, an unknown reader or role, features or the label not among the
// columns, fewer than two or repeated class names (exactly two, the second
// positive_value, when positive_value is set), a categorical feature with no
// categories, a non-positive sd, a split assignment with other codes.
absl::Status ValidateTaskCard(const TaskCard& card);

// Letters, digits, '.', '_', '-'; 1..64 bytes; not starting with '.'.
absl::Status ValidateTaskName(absl::string_view name,
                              absl::string_view field = "name");

nlohmann::json TaskCardToJson(const TaskCard& card);
// The card as task.json holds it: pretty-printed, keys sorted, newline at the
// end (the same card gives the same bytes).
std::string TaskCardText(const TaskCard& card);
// Errors name the field ("task.json: features[3].stddev: must be ...").
absl::StatusOr<TaskCard> TaskCardFromJson(const nlohmann::json& json);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_CARD_H_

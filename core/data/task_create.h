// File: core/data/task_create.h
//
// `amend-trainer task create`: from a user's CSV file (plus an optional test
// file) and the roles they name, a complete task card and the data files to
// store beside it. Column types are inferred where not given, and every
// inference is reported, because a user must know that "zip" became a number.
// Bad data is refused with the file, line, column and value: ragged rows, a
// label without exactly two values (unless binarised), a constant column, a
// sensitive attribute with one group, a number that does not parse, repeated
// headers, an empty split, a class missing from a split.
//
// Example:
//   TaskCreateOptions options;
//   options.name = "credit";
//   options.data_path = "credit.csv";
//   options.label = "default";
//   options.positive = "yes";
//   AMEND_ASSIGN_OR_RETURN(CreatedTask created, CreateTask(options));
//   AMEND_RETURN_IF_ERROR(WriteTaskDirectory(created, "tasks/credit"));
//
// Thread-safe (reads files, writes nothing). Deterministic: the same inputs
// give the same card.
#ifndef AMEND_CORE_DATA_TASK_CREATE_H_
#define AMEND_CORE_DATA_TASK_CREATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/splits.h"
#include "core/data/task_card.h"

namespace amend {

struct TaskCreateOptions {
  std::string name;
  std::string data_path;  // .csv or .csv.gz
  std::string test_path;  // optional: its rows are the test split
  // optional, with test_path: its rows are the validation split (no random
  // split: the files are the splits).
  std::string validation_path;
  // The columns are the model's inputs as the user's own preprocessing made
  // them: every feature must be a number in every row, nothing is
  // standardised (mean 0, sd 1 in the card), constant columns stay.
  bool inputs_as_is = false;
  // Attributes made of several inputs (e.g. one-hot columns): NAME groups the
  // columns "NAME<separator>...". Without names and with inputs_as_is, every
  // column containing the separator belongs to the attribute before it.
  std::vector<std::string> feature_groups;
  std::string group_separator = "=";
  std::string label;
  // The label value that is class 1; empty: every value is a class.
  std::string positive;
  bool binarize_label = false;  // allow > 2 label values: positive vs rest
  std::string sensitive;        // optional column
  std::string privileged;  // "A" or "A,B" (categorical), "LO..HI" (numeric)
  std::vector<std::string> categorical;  // forced types
  std::vector<std::string> numeric;
  std::vector<std::string> ignore;  // not model inputs
  std::string missing_token = "?";
  char delimiter = 0;  // 0: sniffed from the header
  // Percentages: train/validation/test, or train/validation with a test file.
  // Empty: 60/20/20, or 80/20 with a test file.
  std::vector<double> split_percent;
  uint64_t seed = kSplitSeed;
};

struct TaskDataFile {
  std::string path;   // inside the task folder, e.g. "data/credit.csv"
  std::string bytes;  // as read (still compressed for .gz)
};

struct CreatedTask {
  TaskCard card;
  std::vector<TaskDataFile> files;
  std::vector<std::string> notes;  // what was inferred, one line each
};

absl::StatusOr<CreatedTask> CreateTask(const TaskCreateOptions& options);

// Decompresses `bytes` when `path` ends in ".gz" (bounded), else returns them.
absl::StatusOr<std::string> CsvTextOf(const std::string& path,
                                      std::string bytes);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_CREATE_H_

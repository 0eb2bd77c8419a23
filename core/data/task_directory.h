// File: core/data/task_directory.h
//
// A task folder on disk: task.json (the card) and the data files it names,
// each verified against its sha256 before it is read. A folder is written
// whole or not at all: into a temporary sibling, then renamed into place.
//
// Layout:
//   tasks/credit/task.json
//   tasks/credit/data/credit.csv      (the --data file, byte for byte)
//   tasks/credit/test/credit-test.csv (the --test file, when given)
//
// Example:
//   AMEND_RETURN_IF_ERROR(WriteTaskDirectory(created, "tasks/credit"));
//   AMEND_ASSIGN_OR_RETURN(Task task, LoadTaskDirectory("tasks/credit"));
//
// Thread-safe; concurrent writers of one folder: the first rename wins, the
// other gets AlreadyExists.
#ifndef AMEND_CORE_DATA_TASK_DIRECTORY_H_
#define AMEND_CORE_DATA_TASK_DIRECTORY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/data/task.h"
#include "core/data/task_card.h"
#include "core/data/task_create.h"

namespace amend {

// Writes the card and its files to `dir`, which must not exist
// (AlreadyExists). On failure nothing is left under `dir`.
absl::Status WriteTaskDirectory(const CreatedTask& created,
                                const std::string& dir);

// The folder `name` refers to: `name` itself when it holds task.json, else
// `<tasks_dir>/<name>` when that does. NotFound saying where it looked.
absl::StatusOr<std::string> FindTaskDirectory(absl::string_view name,
                                              const std::string& tasks_dir);

// task.json of `dir`, parsed and validated (errors name the field).
absl::StatusOr<TaskCard> ReadTaskCard(const std::string& dir);

// The task of a folder: every data file checked against the card's sha256
// (DataLoss naming the file when it changed), read by the card's schema.
absl::StatusOr<Task> LoadTaskDirectory(const std::string& dir);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_DIRECTORY_H_

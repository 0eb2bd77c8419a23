// File: core/data/task_assembly.h
//
// The one path from records to a Task, for the bundled tasks and a user's
// alike: CompleteTaskCard writes into a card what the data decides (category
// code tables, the train split's statistics, the split of every row);
// TaskFromCard encodes and standardises records by a card, so that a task
// loaded later from task.json is exactly the task the card was made from.
//
// Example:
//   AMEND_RETURN_IF_ERROR(CompleteTaskCard(raw, {train, validation, test},
//                                          card));
//   AMEND_ASSIGN_OR_RETURN(Task task, TaskFromCard(card, raw));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_DATA_TASK_ASSEMBLY_H_
#define AMEND_CORE_DATA_TASK_ASSEMBLY_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/data/preprocessing.h"
#include "core/data/task.h"
#include "core/data/task_card.h"

namespace amend {

// Row indices of raw for train, validation and test.
using SplitRows = std::array<std::vector<int64_t>, 3>;

// Sets card.features (from raw.columns, with every value's code table and the
// train rows' mean and sd) and card.split_assignment. InvalidArgument when a
// numeric cell is not a number or a split is empty.
absl::Status CompleteTaskCard(const RawTable& raw, const SplitRows& parts,
                              TaskCard& card);

// The task the card describes, from records read by its reader.
// InvalidArgument when raw's columns are not the card's features, the split
// assignment does not cover every row, or a value is not in its code table.
absl::StatusOr<Task> TaskFromCard(const TaskCard& card, const RawTable& raw);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_ASSEMBLY_H_

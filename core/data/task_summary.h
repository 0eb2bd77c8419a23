// File: core/data/task_summary.h
//
// A JSON summary of a Task, as `amend-trainer data` prints it: rows per split,
// features (name, kind, number of categories, train mean and sd), and the
// positive rate overall and per sensitive group in every split.
//
// Thread-safe (pure function).
#ifndef AMEND_CORE_DATA_TASK_SUMMARY_H_
#define AMEND_CORE_DATA_TASK_SUMMARY_H_

#include <string>

#include "core/data/task.h"

namespace amend {

// Pretty-printed JSON (2-space indent).
std::string TaskSummaryJson(const Task& task);

// The same facts as a few aligned lines for people.
std::string TaskSummaryText(const Task& task);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_SUMMARY_H_

// File: core/data_tensors/split_tensors.h
//
// A task's data split as tensors: the form every model, baseline and editor
// is scored on.
//
// Example:
//   SplitTensors test = ToTensors(task.test);
//
// Thread-safe.
#ifndef AMEND_CORE_DATA_TENSORS_SPLIT_TENSORS_H_
#define AMEND_CORE_DATA_TENSORS_SPLIT_TENSORS_H_

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "core/data/task.h"
#include "core/util/input_attributes.h"

namespace amend {

struct SplitTensors {
  at::Tensor features;  // [N, num_features] float32
  at::Tensor labels;    // [N] int64
  at::Tensor groups;    // [N] int64, 1 = privileged
  // Which columns form one attribute (one-hot inputs of the user's own
  // preprocessing); empty: every column its own. Feature selection permutes
  // and removes attributes, and edits count them.
  InputAttributes attributes;

  int64_t rows() const { return features.size(0); }
};

// Copies a split into tensors; `max_rows` > 0 keeps only the first max_rows
// rows.
SplitTensors ToTensors(const Split& split, int64_t max_rows = 0);
// The same, with the task's attributes.
SplitTensors ToTensors(const Task& task, SplitName split, int64_t max_rows = 0);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TENSORS_SPLIT_TENSORS_H_

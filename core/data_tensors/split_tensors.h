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

namespace amend {

struct SplitTensors {
  at::Tensor features;  // [N, num_features] float32
  at::Tensor labels;    // [N] int64
  at::Tensor groups;    // [N] int64, 1 = privileged

  int64_t rows() const { return features.size(0); }
};

// Copies a split into tensors; `max_rows` > 0 keeps only the first max_rows
// rows.
SplitTensors ToTensors(const Split& split, int64_t max_rows = 0);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TENSORS_SPLIT_TENSORS_H_

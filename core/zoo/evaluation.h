// File: core/zoo/evaluation.h
//
// Accuracy and mean cross-entropy of a model on a data split, in eval mode, and
// the conversion of a Task's splits to tensors.
//
// Example:
//   SplitTensors test = ToTensors(task.test);
//   AMEND_ASSIGN_OR_RETURN(SplitMetrics metrics, EvaluateClassifier(mlp,
//   test));
//
// Thread-safe.
#ifndef AMEND_CORE_ZOO_EVALUATION_H_
#define AMEND_CORE_ZOO_EVALUATION_H_

#include <ATen/core/Tensor.h>

#include "absl/status/statusor.h"
#include "core/data/task.h"
#include "core/mlp/mlp.h"

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

struct SplitMetrics {
  double accuracy = 0.0;  // fraction of rows whose argmax class is the label
  double loss = 0.0;      // mean cross-entropy, nats

  bool operator==(const SplitMetrics&) const = default;
};

absl::StatusOr<SplitMetrics> EvaluateClassifier(const Mlp& mlp,
                                                const SplitTensors& data);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_EVALUATION_H_

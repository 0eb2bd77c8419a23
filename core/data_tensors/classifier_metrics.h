// File: core/data_tensors/classifier_metrics.h
//
// Accuracy and mean cross-entropy of one model on a data split, in eval mode:
// how the zoo scores the models it trains.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(ClassifierMetrics metrics,
//                          MeasureClassifier(mlp, ToTensors(task.test)));
//
// Thread-safe.
#ifndef AMEND_CORE_DATA_TENSORS_CLASSIFIER_METRICS_H_
#define AMEND_CORE_DATA_TENSORS_CLASSIFIER_METRICS_H_

#include "absl/status/statusor.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"

namespace amend {

struct ClassifierMetrics {
  double accuracy = 0.0;  // fraction of rows whose argmax class is the label
  double loss = 0.0;      // mean cross-entropy, nats

  bool operator==(const ClassifierMetrics&) const = default;
};

absl::StatusOr<ClassifierMetrics> MeasureClassifier(const Mlp& mlp,
                                                    const SplitTensors& data);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TENSORS_CLASSIFIER_METRICS_H_

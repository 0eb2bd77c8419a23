// File: core/baselines/distillation.h
//
// Retraining by distillation, the step that FS & Retrain and Lottery Ticket
// share (../shared/research/baselines.md §1.3, §3.5): a student with the
// teacher's architecture is trained so that softmax(student(m * x)) matches
// softmax(teacher(x)) in Jensen-Shannon divergence, with Adam (no weight
// decay, no warm-up, no clipping), over shuffled mini-batches of `data`.
// The student's masks stay fixed: a masked weight stays exactly 0 and a
// masked input feature is zeroed before the student sees it.
//
// Choices the paper leaves open, settled here: the student starts from the
// weights it is given (the teacher's, for both baselines); forward passes run
// in eval mode (batch norm uses the teacher's running statistics, dropout is
// off), so running statistics are not trained; norm scales and shifts are.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Mlp student, SelectFeatures(mlp, importance, 7));
//   AMEND_ASSIGN_OR_RETURN(Mlp retrained,
//                          DistilStudent(mlp, student, fit_data, {}));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_BASELINES_DISTILLATION_H_
#define AMEND_CORE_BASELINES_DISTILLATION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"

namespace amend {

struct DistillationOptions {
  int epochs = 100;  // the paper's FS & Retrain
  int64_t batch_size = 256;
  double learning_rate = 1e-3;
  uint64_t seed = 0;  // order of the mini-batches
};

// Returns the trained student, its masked weights and masked input columns
// exactly 0, with the student's masks. InvalidArgument when the
// architectures differ, `data` is empty or an option is out of range.
absl::StatusOr<Mlp> DistilStudent(const Mlp& teacher, const Mlp& student,
                                  const SplitTensors& data,
                                  const DistillationOptions& options);

}  // namespace amend

#endif  // AMEND_CORE_BASELINES_DISTILLATION_H_

// File: core/training/training_objective.h
//
// The editor's training objective, mean over models of
//   JSD(original, edited) + λ · R(edited),
// on one step's minibatch, its EPO-weighted gradient (Scalarisation::kEpo),
// and the model-selection score. Internal to the editor trainer
// (editor_trainer.h, which states the method).
//
// Thread-compatible.
#ifndef AMEND_CORE_TRAINING_TRAINING_OBJECTIVE_H_
#define AMEND_CORE_TRAINING_TRAINING_OBJECTIVE_H_

#include <ATen/core/Tensor.h>

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/task.h"
#include "core/data_tensors/split_tensors.h"
#include "core/editor/editor.h"
#include "core/editor/editor_checkpoint.h"
#include "core/training/editor_trainer_options.h"
#include "core/training/zoo_models.h"

namespace amend {

struct TrainingData {
  SplitTensors editing;    // the half of the validation split the loss reads
  SplitTensors selection;  // the half model selection reads
  // Rows of `editing` per (group, label) cell, cell = 2 * group + label.
  std::array<std::vector<int64_t>, 4> cells;
};

// Halves the task's validation split with a fixed seed, independent of the
// training seed, so editors trained with different seeds are selected on the
// same data.
TrainingData HalveValidation(const Task& task);

struct StepLosses {
  at::Tensor loss, jsd, requirement;  // scalars
};

// One forward of the training objective on the minibatch of `step` (drawn
// from options.seed and step, so a resumed run draws the same ones).
absl::StatusOr<StepLosses> TrainingObjective(
    Editor& editor, const std::vector<ZooModel>& zoo, const TrainingData& data,
    const EditorTrainingOptions& options, int64_t step);

// Leaves in every parameter's .grad the EPO-weighted sum of the two
// objectives' gradients, 2 (alpha_1 dJSD + alpha_2 dR), alpha from the
// losses, the gradients' Gram matrix and the preference (1, lambda).
void EpoBackward(const StepLosses& losses,
                 const std::vector<at::Tensor>& parameters, double lambda);

// What model selection minimises: JSD + λR, or max(JSD, λR) under EPO.
double SelectionScore(const EditorFigures& figures, double lambda,
                      Scalarisation scalarisation);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_TRAINING_OBJECTIVE_H_

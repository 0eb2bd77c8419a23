// File: core/training/editor_trainer_options.h
//
// The settings of one editor's training run (core/training/editor_trainer.h),
// their one validation, and their JSON form: the form a saved training state
// and a finished editor's manifest record, so that a rerun with other settings
// is told apart from a resume.
//
// Thread-safe (plain data, pure functions).
#ifndef AMEND_CORE_TRAINING_EDITOR_TRAINER_OPTIONS_H_
#define AMEND_CORE_TRAINING_EDITOR_TRAINER_OPTIONS_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/optim/adamw_options.h"

namespace amend {

// How the two objectives combine into each step's update:
//   kLinear: the gradient of JSD + lambda R (the paper's editor);
//   kEpo: Exact Pareto Optimal search (core/optim/epo.h) with preference
//     r = (1, lambda), i.e. towards JSD = lambda R: the two gradients are
//     weighted each step by EPO's alpha (times 2, the number of objectives),
//     and model selection minimises max(JSD, lambda R) instead of the sum.
enum class Scalarisation { kLinear, kEpo };

// "linear" or "epo": the names flags and training settings use.
std::string ScalarisationName(Scalarisation scalarisation);
// InvalidArgument "scalarisation: expected linear or epo, got ..." otherwise.
absl::StatusOr<Scalarisation> ParseScalarisation(absl::string_view name);

struct EditorTrainingOptions {
  int64_t steps = 1500;           // >= 1
  int64_t models_per_step = 8;    // >= 1
  int64_t points_per_step = 256;  // >= 4: one per (group, label) cell
  AdamWOptions optimizer;
  int64_t eval_every = 250;  // >= 1
  // Validation zoo models used for selection during training (0 = all).
  int64_t selection_models = 96;
  int64_t checkpoint_every = 50;  // >= 1
  uint64_t seed = 1;
  // Caps on the zoo splits read (0 = all): tests and quick runs.
  int64_t max_train_models = 0;
  int64_t max_validation_models = 0;
  int64_t max_test_models = 0;
  // Caps on the task's data rows used for figures (0 = all).
  int64_t max_test_rows = 0;
  Scalarisation scalarisation = Scalarisation::kLinear;
};

// OK, or InvalidArgument naming the fields outside their ranges.
absl::Status ValidateEditorTrainingOptions(
    const EditorTrainingOptions& options);

nlohmann::json TrainingOptionsToJson(const EditorTrainingOptions& options);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_EDITOR_TRAINER_OPTIONS_H_

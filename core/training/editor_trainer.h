// File: core/training/editor_trainer.h
//
// Trains one editor (paper §3, docs/ARCHITECTURE.md §5): each step draws a
// minibatch of zoo models from the zoo's training split and a minibatch of
// data points from one half of the task's validation split (data the zoo never
// saw), edits the models with straight-through masks, and minimises
//   mean over models of  JSD(original, edited) + λ · R(edited)
// with AdamW, warm-up and gradient clipping. R is the soft fraction of
// features or weights kept, or the soft equalised-odds difference of the
// edited model's tempered softmax on a group-and-label balanced draw.
//
// Model selection: every eval_every steps the editor is scored on the zoo's
// validation models with the other half of the task's validation split
// (score = JSD + λ·R with hard masks and labels); the best state is kept.
// The final manifest carries the chosen editor's figures on the zoo's
// validation split and on its test split with the task's test data.
//
// Resumable: the full state (step, parameters, optimizer moments, best state,
// history) is saved atomically every checkpoint_every steps under
// <out>/training_state.*; a rerun with the same settings continues from it,
// and reaches the same editor as an uninterrupted run. Deterministic for a
// seed (randomness per step is derived from seed and step).
//
// Thread-compatible; the caller sets LibTorch's thread count.
#ifndef AMEND_CORE_TRAINING_EDITOR_TRAINER_H_
#define AMEND_CORE_TRAINING_EDITOR_TRAINER_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/data/task.h"
#include "core/editor/editor_checkpoint.h"
#include "core/editor/editor_config.h"
#include "core/editor/task_editor_config.h"
#include "core/training/editor_trainer_options.h"

namespace amend {

struct TrainingProgress {
  int64_t step = 0;  // steps done
  int64_t steps = 0;
  double loss = 0.0;  // mean over the last reporting window
  double jsd = 0.0;
  double requirement = 0.0;  // the soft term
  double seconds = 0.0;      // since this process started training
  double eta_seconds = 0.0;
  std::optional<double> selection_score;  // set on evaluation steps
  bool resumed = false;                   // the first report after a resume
};
// Called after every step; returning false stops training (the state is saved
// first, so a rerun resumes) and TrainEditor returns Cancelled.
using TrainingProgressCallback = std::function<bool(const TrainingProgress&)>;

// Trains and writes <out_dir>/editor.{safetensors,json}. If out_dir already
// holds a finished editor with the same config and options, returns its
// manifest without training. Cancelled when `progress` asked to stop.
// AlreadyExists when out_dir holds a saved state or an editor made with
// other settings (the caller says how to choose another folder).
absl::StatusOr<EditorManifest> TrainEditor(
    const Task& task, const std::string& zoo_dir, const EditorConfig& config,
    const EditorTrainingOptions& options, const std::string& out_dir,
    const TrainingProgressCallback& progress = nullptr);

// The config for `task`'s features and classes with the given requirement,
// variant and λ, other fields at their defaults.
// OK when the task can take editors of the requirement; InvalidArgument for
// fairness on a task without a sensitive attribute or a binary label. Train,
// eval and pipeline all ask this, the pipeline before it builds a zoo.
absl::Status CheckTaskSupports(const Task& task, Requirement requirement);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_EDITOR_TRAINER_H_

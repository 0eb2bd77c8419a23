// File: core/training/editor_training_state.h
//
// The resumable state of an editor's training run: step, parameters,
// optimizer moments, best selection and history, saved atomically under
// <dir>/training_state.{json,safetensors} and restored by a rerun with the
// same settings. Internal to the editor trainer (editor_trainer.h).
//
// Thread-compatible.
#ifndef AMEND_CORE_TRAINING_EDITOR_TRAINING_STATE_H_
#define AMEND_CORE_TRAINING_EDITOR_TRAINING_STATE_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/editor.h"
#include "core/optim/adamw.h"

namespace amend {

struct TrainingState {
  int64_t step = 0;
  double best_score = std::numeric_limits<double>::infinity();
  int64_t best_step = -1;
  std::vector<at::Tensor> best;  // parameter values of the best selection
  nlohmann::json history = nlohmann::json::array();
  double seconds = 0.0;  // training time over all sessions
};

// Parameters of the editor's network by name, in registration order (the
// order of the optimizer's moments).
std::vector<std::pair<std::string, at::Tensor>> NamedParameters(Editor& editor);
std::vector<at::Tensor> CloneParameters(Editor& editor);
void RestoreParameters(Editor& editor, const std::vector<at::Tensor>& values);

// `settings` identifies the run; LoadState refuses a state saved with others.
absl::Status SaveState(const std::string& dir, Editor& editor, AdamW& optimizer,
                       const TrainingState& state,
                       const nlohmann::json& settings);
// Restores a saved state into editor, optimizer and state. Returns false when
// there is none; AlreadyExists when it was saved with other settings.
absl::StatusOr<bool> LoadState(const std::string& dir, Editor& editor,
                               AdamW& optimizer, TrainingState& state,
                               const nlohmann::json& settings);
// Removes the saved state (once the editor is written).
void RemoveState(const std::string& dir);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_EDITOR_TRAINING_STATE_H_

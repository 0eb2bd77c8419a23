// File: core/training/sanity_baselines.h
//
// The baselines an editor's figures are printed beside, matched model by
// model to what the editor did, so quality is measured from the start:
//   pruning: global magnitude pruning keeping exactly as many weights as the
//     editor kept in that model; for the neuron variants, neuron magnitude
//     pruning (core/baselines/neuron_pruning.h) keeping at least as many;
//   data minimisation: FS, the original model with its least important
//     features removed by permutation importance (computed on
//     `importance_data`, never the data the figures use), keeping as many
//     features as the editor kept.
// Fairness has no sanity baseline here (the post-processors are in
// core/baselines via amend-trainer eval).
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_TRAINING_SANITY_BASELINES_H_
#define AMEND_CORE_TRAINING_SANITY_BASELINES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/requirement.h"
#include "core/training/edit_comparison.h"

namespace amend {

struct MatchedBaseline {
  // "global_magnitude", "neuron_magnitude" or "permutation_importance_fs"
  std::string name;
  EditorFigures figures;
  // Fraction of models where the editor's JSD is lower than the baseline's.
  double editor_wins = 0.0;
};

// nullopt for fairness. REQUIRES: editor_outcomes[i] is the editor's outcome on
// models[i] on `data`.
absl::StatusOr<std::optional<MatchedBaseline>> CompareMatchedBaseline(
    Requirement requirement, EditVariant variant,
    const std::vector<const Mlp*>& models,
    const std::vector<EditOutcome>& editor_outcomes, const SplitTensors& data,
    const SplitTensors& importance_data, absl::string_view data_name);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_SANITY_BASELINES_H_

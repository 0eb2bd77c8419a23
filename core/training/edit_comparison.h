// File: core/training/edit_comparison.h
//
// How good an edit is, measured the way the paper reports it: on a task data
// split, the mean JSD (nats) between the original's and the edited model's
// class distributions, the requirement metric with hard masks and hard labels
// (fraction of features kept, fairlearn's equalised-odds difference, fraction
// of weights kept), and accuracy and EOD before and after. The same
// comparison scores the editor and every baseline, so their points are
// comparable.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<EditOutcome> outcomes,
//                          CompareEditor(editor, MlpPointers(test), data));
//   EditorFigures figures = Summarise(outcomes, "test");
//
// Thread-safe (pure functions; the editor is only read).
#ifndef AMEND_CORE_TRAINING_EDIT_COMPARISON_H_
#define AMEND_CORE_TRAINING_EDIT_COMPARISON_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data_tensors/split_tensors.h"
#include "core/editor/editor.h"
#include "core/results/edit_outcome.h"
#include "core/results/editor_figures.h"

namespace amend {

// Compares `edited` (parameters already masked; masks read for the counts)
// with `original` on `data`.
absl::StatusOr<EditOutcome> CompareEdit(Requirement requirement,
                                        const Mlp& original, const Mlp& edited,
                                        const SplitTensors& data);

// Edits `models` in batches of `batch_models` and compares each edit
// (`seconds` is left 0: batches are not timed per model).
absl::StatusOr<std::vector<EditOutcome>> CompareEditor(
    const Editor& editor, const std::vector<const Mlp*>& models,
    const SplitTensors& data, int64_t batch_models = 16);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_EDIT_COMPARISON_H_

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
//   AMEND_ASSIGN_OR_RETURN(std::vector<EditRecord> records,
//                          EvaluateEditor(editor, MlpPointers(test), data));
//   EditorFigures figures = Summarise(records, "test");
//
// Thread-safe (pure functions; the editor is only read).
#ifndef AMEND_CORE_TRAINING_EDIT_COMPARISON_H_
#define AMEND_CORE_TRAINING_EDIT_COMPARISON_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/editor.h"
#include "core/editor/editor_checkpoint.h"
#include "core/data_tensors/split_tensors.h"

namespace amend {

struct EditRecord {
  double jsd = 0.0;
  double requirement = 0.0;  // RequirementMetricName(requirement)
  int64_t features_kept = 0;
  double weights_kept = 1.0;  // fraction
  int64_t weights_kept_count = 0;
  double accuracy_before = 0.0;
  double accuracy_after = 0.0;
  double eod_before = 0.0;
  double eod_after = 0.0;
  // Fraction of rows whose predicted class the edit changed.
  double disagreement = 0.0;
};

// Compares `edited` (parameters already masked; masks read for the counts)
// with `original` on `data`.
absl::StatusOr<EditRecord> CompareEdit(Requirement requirement,
                                       const Mlp& original, const Mlp& edited,
                                       const SplitTensors& data);

// Edits `models` in batches of `batch_models` and compares each edit.
absl::StatusOr<std::vector<EditRecord>> EvaluateEditor(
    const Editor& editor, const std::vector<const Mlp*>& models,
    const SplitTensors& data, int64_t batch_models = 16);

// Means and (population) standard deviations over the records.
EditorFigures Summarise(const std::vector<EditRecord>& records,
                        absl::string_view data_name);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_EDIT_COMPARISON_H_

// File: core/reports/panel_runs.h
//
// The runs behind one panel of the paper's figures: every method edits the
// same held-out zoo models and is measured on the same rows of the task's
// test split, with the requirement metric of the panel (features kept,
// weights kept, or equalised-odds difference), JSD to the original and
// accuracy. Baselines that fit something (importances, scores,
// post-processors, retrained students) fit on the task's validation split,
// never on the test rows; their time per model includes that fit.
// Settings the paper leaves open are documented in docs/RESULTS.md.
//
//   editors:   each editor checkpoint, one edit per model, timed alone.
//   pruning:   random, magnitude, gradient, SNIP and neuron magnitude at
//              each kept fraction; Lottery Ticket at each level
//              (score_pruning.h, neuron_pruning.h, lottery_ticket.h).
//   data minimisation: FS at every feature count from permutation importance
//              (feature_selection.h); FS & Retrain at a few counts
//              (distillation.h).
//   fairness:  ThresholdOptimizer, RejectOptionClassification per bound,
//              CalibratedEqOdds per cost, FairCls per alpha
//              (core/postprocessing).
// Every method's point also carries "original", the unedited models.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<MethodPoint> points,
//       RunPruningBaselines(models, data, PruningSweep{}));
//
// Thread-compatible (runs use LibTorch's intra-op threads).
#ifndef AMEND_CORE_REPORTS_PANEL_RUNS_H_
#define AMEND_CORE_REPORTS_PANEL_RUNS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/baselines/distillation.h"
#include "core/baselines/lottery_ticket.h"
#include "core/data_tensors/split_tensors.h"
#include "core/editor/requirement.h"
#include "core/mlp/mlp.h"
#include "core/results/method_point.h"

namespace amend {

struct PanelData {
  SplitTensors fit;   // the task's validation split
  SplitTensors test;  // the task's test split
};

// Called as models are done: the family ("pruning baselines", ...), models
// done and models in all.
using PanelProgress =
    std::function<void(const std::string& family, size_t done, size_t total)>;

struct NamedEditor {
  std::string method;   // e.g. "editor"
  std::string setting;  // e.g. "lambda=0.01"
  std::string dir;      // editor.json and editor.safetensors
};

// The unedited models: requirement 1 (all kept) or their EOD, JSD 0.
absl::StatusOr<MethodPoint> OriginalPoint(Requirement requirement,
                                          const std::vector<const Mlp*>& models,
                                          const SplitTensors& test);

// FailedPrecondition when the editor is for another requirement.
absl::StatusOr<MethodPoint> EditorPoint(const NamedEditor& editor,
                                        Requirement requirement,
                                        const std::vector<const Mlp*>& models,
                                        const SplitTensors& test);

// Kept counts are round(fraction * weights), halves away from zero (torch
// rounds halves to even: at most one weight apart).
struct PruningSweep {
  std::vector<double> keep_fractions = {0.8,  0.6,  0.47, 0.36,
                                        0.25, 0.15, 0.1,  0.05};
  // SNIP's batch: the first rows of the fit split (the splits are shuffled
  // when made, docs/DATA.md); 100 is the reference's batch size.
  int64_t snip_batch_rows = 100;
  LotteryTicketOptions lottery;
  uint64_t seed = 0;
};

// The method names RunPruningBaselines reports, in its order.
std::vector<std::string> PruningBaselineMethods();

absl::StatusOr<std::vector<MethodPoint>> RunPruningBaselines(
    const std::vector<const Mlp*>& models, const PanelData& data,
    const PruningSweep& sweep, const PanelProgress& progress = nullptr);

struct MinimisationSweep {
  int importance_repeats = 5;  // scikit-learn's default
  // FS & Retrain at these fractions of the features (rounded, at least 1).
  std::vector<double> retrain_keep_fractions = {0.75, 0.5, 0.25, 0.125};
  // > 0: FS & Retrain on the first retrain_models models only (it is the
  // slowest baseline by far).
  int64_t retrain_models = 0;
  DistillationOptions retraining;  // 100 epochs, as the paper
  uint64_t seed = 0;
};

absl::StatusOr<std::vector<MethodPoint>> RunMinimisationBaselines(
    const std::vector<const Mlp*>& models, const PanelData& data,
    const MinimisationSweep& sweep, const PanelProgress& progress = nullptr);

struct FairnessSweep {
  // The relaxed ThresholdOptimizer at these equalised-odds tolerances (0 is
  // the exact one, already in the panel).
  std::vector<double> relaxed_tolerances = {0.01, 0.02, 0.03, 0.05,
                                            0.08, 0.12, 0.2};
  std::vector<double> reject_option_bounds = {0.2, 0.1, 0.05, 0.025, 0.01};
  std::vector<double> fair_cls_alphas = {0.1,  0.08, 0.06, 0.04,
                                         0.02, 0.01, 0.001};
  uint64_t seed = 0;
};

absl::StatusOr<std::vector<MethodPoint>> RunFairnessBaselines(
    const std::vector<const Mlp*>& models, const PanelData& data,
    const FairnessSweep& sweep, const PanelProgress& progress = nullptr);

// Composition (the paper's fig. 8): every model is first minimised by
// `minimisation_editor`, then pruned. Editors: each pruning editor edits the
// minimised model. Baselines: FS keeping, per model, as many features as the
// editor kept, then magnitude or SNIP pruning at each kept fraction. In both,
// a removed feature's weights count as pruned and stay 0; JSD is to the
// original model; x is the fraction of weights kept.
struct CompositionSweep {
  std::vector<double> keep_fractions = {0.6, 0.47, 0.36, 0.25, 0.15, 0.1, 0.05};
  int importance_repeats = 5;
  int64_t snip_batch_rows = 100;
  uint64_t seed = 0;
};

absl::StatusOr<std::vector<MethodPoint>> RunComposition(
    const NamedEditor& minimisation_editor,
    const std::vector<NamedEditor>& pruning_editors,
    const std::vector<const Mlp*>& models, const PanelData& data,
    const CompositionSweep& sweep, const PanelProgress& progress = nullptr);

}  // namespace amend

#endif  // AMEND_CORE_REPORTS_PANEL_RUNS_H_

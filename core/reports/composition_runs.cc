// RunComposition (panel_runs.h).
#include <ATen/ATen.h>

#include <cmath>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/baselines/feature_selection.h"
#include "core/baselines/score_pruning.h"
#include "core/editor/editor_checkpoint.h"
#include "core/mlp/parameter_layout.h"
#include "core/reports/panel_runs.h"
#include "core/reports/run_helpers.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// `pruned` restricted to the features `input_mask` keeps: their columns and
// the columns' weight masks are zeroed, so removed features count as pruned.
absl::StatusOr<Mlp> RestrictToFeatures(const Mlp& pruned,
                                       const at::Tensor& input_mask) {
  return CallTorch("restricting to features", [&]() -> absl::StatusOr<Mlp> {
    Mlp restricted = pruned;
    const at::Tensor row = input_mask.to(at::kFloat).view({1, -1});
    for (const TensorSpec& spec : ExpectedTensors(pruned.architecture)) {
      if (spec.source != 0 || !IsWeightRole(spec.role)) continue;
      restricted.parameters[spec.name] = pruned.parameters.at(spec.name) * row;
      const std::string mask_name = MaskName(spec.name);
      auto it = pruned.masks.find(mask_name);
      restricted.masks[mask_name] =
          (it == pruned.masks.end() ? at::ones(spec.shape, at::kFloat)
                                    : it->second) *
          row;
    }
    restricted.masks[kInputMaskName] = input_mask.to(at::kFloat).clone();
    return restricted;
  });
}

absl::StatusOr<LoadedEditor> LoadFor(const NamedEditor& named,
                                     Requirement requirement) {
  AMEND_ASSIGN_OR_RETURN(LoadedEditor loaded, ReadEditorCheckpoint(named.dir));
  if (loaded.manifest.config.requirement != requirement) {
    return absl::FailedPreconditionError(absl::StrCat(
        named.dir, ": must be a ", RequirementName(requirement), " editor"));
  }
  return loaded;
}

absl::StatusOr<std::vector<LoadedEditor>> LoadPruners(
    const std::vector<NamedEditor>& pruning_editors) {
  std::vector<LoadedEditor> pruners;
  for (const NamedEditor& named : pruning_editors) {
    AMEND_ASSIGN_OR_RETURN(LoadedEditor loaded,
                           LoadFor(named, Requirement::kPruning));
    pruners.push_back(std::move(loaded));
  }
  return pruners;
}

// The feature-selection-then-pruning baselines: index 0 scores weights by
// magnitude, 1 by SNIP.
constexpr const char* kScoredBaselines[] = {"fs+magnitude", "fs+snip"};

// Per (scorer, keep fraction), one outcome per model.
using BaselineOutcomes = std::vector<std::vector<std::vector<EditOutcome>>>;

// One model after the minimisation editor; its time is charged to every
// pruning editor composed after it.
struct Minimised {
  Mlp reduced;
  at::Tensor input_mask;
  int64_t features_kept;
  double seconds;
};

absl::StatusOr<Minimised> Minimise(const LoadedEditor& minimiser,
                                   const Mlp& model) {
  const Stopwatch watch;
  AMEND_ASSIGN_OR_RETURN(std::vector<EditResult> minimised,
                         minimiser.editor->Edit({&model}));
  const double seconds = watch.Seconds();
  Mlp& reduced = minimised[0].edited;
  const at::Tensor input_mask = reduced.masks.count(kInputMaskName)
                                    ? reduced.masks.at(kInputMaskName)
                                    : at::ones({model.architecture.input_dim});
  return Minimised{std::move(reduced), input_mask,
                   minimised[0].statistics.features_kept, seconds};
}

// Each pruning editor applied to the minimised model; `outcomes` has one list
// per editor.
absl::Status AddEditorOutcomes(
    const std::vector<LoadedEditor>& pruners, const Mlp& model,
    const Minimised& minimised, const SplitTensors& test,
    std::vector<std::vector<EditOutcome>>& outcomes) {
  for (size_t e = 0; e < pruners.size(); ++e) {
    const Stopwatch watch;
    AMEND_ASSIGN_OR_RETURN(std::vector<EditResult> pruned,
                           pruners[e].editor->Edit({&minimised.reduced}));
    AMEND_ASSIGN_OR_RETURN(
        Mlp composed,
        RestrictToFeatures(pruned[0].edited, minimised.input_mask));
    AMEND_ASSIGN_OR_RETURN(
        EditOutcome outcome,
        WeightEditOutcome(Requirement::kPruning, model, composed, test,
                          minimised.seconds + watch.Seconds()));
    outcomes[e].push_back(outcome);
  }
  return absl::OkStatus();
}

// Feature selection keeping as many features as the minimiser kept, so the
// baselines and the editors compete at the same feature count; then pruning
// by each score at each keep fraction.
absl::Status AddBaselineOutcomes(const Mlp& model, uint64_t seed,
                                 int64_t features_kept, const PanelData& data,
                                 const SplitTensors& snip_batch,
                                 const CompositionSweep& sweep,
                                 BaselineOutcomes& outcomes) {
  const Stopwatch fs_watch;
  AMEND_ASSIGN_OR_RETURN(
      const std::vector<double> importance,
      PermutationImportance(model, data.fit, sweep.importance_repeats, seed));
  AMEND_ASSIGN_OR_RETURN(
      const Mlp selected,
      SelectFeatures(model, importance, features_kept, data.fit.attributes));
  const double fs_seconds = fs_watch.Seconds();
  const int64_t total = CountWeights(model.architecture);
  for (size_t s = 0; s < std::size(kScoredBaselines); ++s) {
    const Stopwatch score_watch;
    absl::StatusOr<TensorMap> scores =
        s == 0 ? MagnitudeScores(selected) : SnipScores(selected, snip_batch);
    if (!scores.ok()) return scores.status();
    const double score_seconds = score_watch.Seconds();
    for (size_t f = 0; f < sweep.keep_fractions.size(); ++f) {
      const Stopwatch prune_watch;
      const int64_t keep = KeptCount(sweep.keep_fractions[f], total);
      AMEND_ASSIGN_OR_RETURN(const Mlp pruned,
                             PruneByScores(selected, *scores, keep));
      AMEND_ASSIGN_OR_RETURN(
          const Mlp composed,
          RestrictToFeatures(pruned, selected.masks.at(kInputMaskName)));
      AMEND_ASSIGN_OR_RETURN(
          EditOutcome outcome,
          WeightEditOutcome(
              Requirement::kPruning, model, composed, data.test,
              fs_seconds + score_seconds + prune_watch.Seconds()));
      outcomes[s][f].push_back(outcome);
    }
  }
  return absl::OkStatus();
}

std::vector<MethodPoint> CompositionPoints(
    const std::vector<NamedEditor>& pruning_editors,
    const std::vector<std::vector<EditOutcome>>& editor_outcomes,
    const CompositionSweep& sweep, const BaselineOutcomes& baseline_outcomes) {
  std::vector<MethodPoint> points;
  for (size_t e = 0; e < editor_outcomes.size(); ++e) {
    points.push_back(SummarisePoint(pruning_editors[e].method,
                                    pruning_editors[e].setting,
                                    editor_outcomes[e]));
  }
  for (size_t s = 0; s < std::size(kScoredBaselines); ++s) {
    for (size_t f = 0; f < sweep.keep_fractions.size(); ++f) {
      points.push_back(SummarisePoint(kScoredBaselines[s],
                                      Setting("keep", sweep.keep_fractions[f]),
                                      baseline_outcomes[s][f]));
    }
  }
  return points;
}

}  // namespace

absl::StatusOr<std::vector<MethodPoint>> RunComposition(
    const NamedEditor& minimisation_editor,
    const std::vector<NamedEditor>& pruning_editors,
    const std::vector<const Mlp*>& models, const PanelData& data,
    const CompositionSweep& sweep, const PanelProgress& progress) {
  AMEND_ASSIGN_OR_RETURN(
      LoadedEditor minimiser,
      LoadFor(minimisation_editor, Requirement::kDataMinimisation));
  AMEND_ASSIGN_OR_RETURN(const std::vector<LoadedEditor> pruners,
                         LoadPruners(pruning_editors));
  const SplitTensors snip_batch = FirstRows(data.fit, sweep.snip_batch_rows);
  std::vector<std::vector<EditOutcome>> editor_outcomes(pruners.size());
  BaselineOutcomes baseline_outcomes(
      std::size(kScoredBaselines),
      std::vector<std::vector<EditOutcome>>(sweep.keep_fractions.size()));
  for (size_t m = 0; m < models.size(); ++m) {
    const Mlp& model = *models[m];
    AMEND_ASSIGN_OR_RETURN(const Minimised minimised,
                           Minimise(minimiser, model));
    AMEND_RETURN_IF_ERROR(AddEditorOutcomes(pruners, model, minimised,
                                            data.test, editor_outcomes));
    AMEND_RETURN_IF_ERROR(
        AddBaselineOutcomes(model, sweep.seed + m, minimised.features_kept,
                            data, snip_batch, sweep, baseline_outcomes));
    if (progress) progress("composition", m + 1, models.size());
  }
  return CompositionPoints(pruning_editors, editor_outcomes, sweep,
                           baseline_outcomes);
}

}  // namespace amend

#include "core/training/sanity_baselines.h"

#include "core/baselines/feature_selection.h"
#include "core/baselines/magnitude_pruning.h"
#include "core/baselines/neuron_pruning.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// Permutation-importance repeats and seed, as scikit-learn's default count.
constexpr int kImportanceRepeats = 5;
constexpr uint64_t kImportanceSeed = 1;

}  // namespace

absl::StatusOr<std::optional<MatchedBaseline>> CompareMatchedBaseline(
    Requirement requirement, EditVariant variant,
    const std::vector<const Mlp*>& models,
    const std::vector<EditOutcome>& editor_outcomes, const SplitTensors& data,
    const SplitTensors& importance_data, absl::string_view data_name) {
  if (requirement == Requirement::kFairness) return std::nullopt;
  MatchedBaseline baseline;
  const bool by_neurons = MasksNeurons(variant);
  baseline.name = requirement != Requirement::kPruning
                      ? "permutation_importance_fs"
                  : by_neurons ? "neuron_magnitude"
                               : "global_magnitude";
  std::vector<EditOutcome> records;
  int64_t wins = 0;
  for (size_t i = 0; i < models.size(); ++i) {
    const Mlp& mlp = *models[i];
    Mlp edited;
    if (requirement == Requirement::kPruning) {
      const int64_t kept = editor_outcomes[i].weights_kept_count;
      AMEND_ASSIGN_OR_RETURN(edited, by_neurons
                                         ? NeuronMagnitudePrune(mlp, kept)
                                         : GlobalMagnitudePrune(mlp, kept));
    } else {
      AMEND_ASSIGN_OR_RETURN(
          const std::vector<double> importance,
          PermutationImportance(mlp, importance_data, kImportanceRepeats,
                                kImportanceSeed));
      AMEND_ASSIGN_OR_RETURN(
          edited,
          SelectFeatures(mlp, importance, editor_outcomes[i].features_kept,
                         importance_data.attributes));
    }
    AMEND_ASSIGN_OR_RETURN(const EditOutcome record,
                           CompareEdit(requirement, mlp, edited, data));
    if (editor_outcomes[i].jsd < record.jsd) ++wins;
    records.push_back(record);
  }
  baseline.figures = Summarise(records, data_name);
  baseline.editor_wins =
      models.empty()
          ? 0.0
          : static_cast<double>(wins) / static_cast<double>(models.size());
  return baseline;
}

}  // namespace amend

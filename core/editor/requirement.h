// File: core/editor/requirement.h
//
// The three requirements an editor can be trained for, named the same way on
// every interface (CLI, files, proto): "data_minimisation", "fairness" and
// "pruning". Data minimisation and pruning come in two variants, as in the
// paper: with the weight edit ("mask and edit", "prune and edit": the GMN
// rows of the paper's figures) or masks only ("mask only" = FS (GMN),
// "prune only").
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_REQUIREMENT_H_
#define AMEND_CORE_EDITOR_REQUIREMENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

enum class Requirement { kDataMinimisation, kFairness, kPruning };

inline constexpr Requirement kAllRequirements[] = {
    Requirement::kDataMinimisation, Requirement::kFairness,
    Requirement::kPruning};

std::string RequirementName(Requirement requirement);
// InvalidArgument listing the valid names when `name` is none of them.
absl::StatusOr<Requirement> ParseRequirement(absl::string_view name);

// Whether the requirement masks anything (fairness does not).
bool UsesMasks(Requirement requirement);

// What the edit changes: the kept parameters too, or only masks; and, for
// pruning, whether it masks single weights or whole hidden neurons. Fairness
// masks nothing, so its one variant ("edit") is kWeightsAndMasks. A neuron
// variant masks a removed neuron's incoming and outgoing weights, so
// compaction (core/mlp/compact.h) drops the neuron and the model gets faster;
// its requirement metric is still the fraction of weights kept.
enum class EditVariant {
  kWeightsAndMasks,
  kMasksOnly,
  kNeuronsAndEdit,  // pruning only
  kNeuronsOnly,     // pruning only
};

// Whether the edit changes the kept parameters (not only masks).
bool EditsWeights(EditVariant variant);
// Whether the masks remove whole hidden neurons (pruning's neuron variants).
bool MasksNeurons(EditVariant variant);

// "mask_and_edit" / "mask_only", "prune_and_edit" / "prune_only" /
// "prune_neurons_and_edit" / "prune_neurons_only", "edit". Names depend on
// the requirement because they are the paper's row labels.
std::string VariantName(Requirement requirement, EditVariant variant);
// InvalidArgument listing the requirement's variant names when `name` is none
// of them.
absl::StatusOr<EditVariant> ParseVariant(Requirement requirement,
                                         absl::string_view name);
// The variants `requirement` has, in the order above.
std::vector<EditVariant> VariantsOf(Requirement requirement);

struct RequirementVariant {
  Requirement requirement;
  EditVariant variant;
};
// Every requirement with each of its variants: every kind of editor there is.
std::vector<RequirementVariant> EveryRequirementAndVariant();

// What the requirement metric measures, for tables: "fraction of features
// kept", "equalised-odds difference", "fraction of weights kept".
std::string RequirementMetricName(Requirement requirement);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_REQUIREMENT_H_

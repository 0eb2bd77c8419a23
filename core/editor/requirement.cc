#include "core/editor/requirement.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/util/client_text.h"

namespace amend {

std::string RequirementName(Requirement requirement) {
  switch (requirement) {
    case Requirement::kDataMinimisation:
      return "data_minimisation";
    case Requirement::kFairness:
      return "fairness";
    case Requirement::kPruning:
      return "pruning";
  }
  return "unknown";
}

absl::StatusOr<Requirement> ParseRequirement(absl::string_view name) {
  for (Requirement requirement : kAllRequirements) {
    if (name == RequirementName(requirement)) return requirement;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("requirement: expected data_minimisation, fairness or "
                   "pruning, got \"",
                   ClientText(name), "\""));
}

bool UsesMasks(Requirement requirement) {
  return requirement != Requirement::kFairness;
}

bool EditsWeights(EditVariant variant) {
  return variant == EditVariant::kWeightsAndMasks ||
         variant == EditVariant::kNeuronsAndEdit;
}

bool MasksNeurons(EditVariant variant) {
  return variant == EditVariant::kNeuronsAndEdit ||
         variant == EditVariant::kNeuronsOnly;
}

std::string VariantName(Requirement requirement, EditVariant variant) {
  const bool edits = EditsWeights(variant);
  switch (requirement) {
    case Requirement::kDataMinimisation:
      return edits ? "mask_and_edit" : "mask_only";
    case Requirement::kPruning:
      if (MasksNeurons(variant)) {
        return edits ? "prune_neurons_and_edit" : "prune_neurons_only";
      }
      return edits ? "prune_and_edit" : "prune_only";
    case Requirement::kFairness:
      return "edit";
  }
  return "unknown";
}

std::vector<EditVariant> VariantsOf(Requirement requirement) {
  switch (requirement) {
    case Requirement::kFairness:
      return {EditVariant::kWeightsAndMasks};
    case Requirement::kDataMinimisation:
      return {EditVariant::kWeightsAndMasks, EditVariant::kMasksOnly};
    case Requirement::kPruning:
      break;
  }
  return {EditVariant::kWeightsAndMasks, EditVariant::kMasksOnly,
          EditVariant::kNeuronsAndEdit, EditVariant::kNeuronsOnly};
}

std::vector<RequirementVariant> EveryRequirementAndVariant() {
  std::vector<RequirementVariant> kinds;
  for (const Requirement requirement : kAllRequirements) {
    for (const EditVariant variant : VariantsOf(requirement)) {
      kinds.push_back({requirement, variant});
    }
  }
  return kinds;
}

absl::StatusOr<EditVariant> ParseVariant(Requirement requirement,
                                         absl::string_view name) {
  std::vector<std::string> names;
  for (const EditVariant variant : VariantsOf(requirement)) {
    if (name == VariantName(requirement, variant)) return variant;
    names.push_back(VariantName(requirement, variant));
  }
  std::string expected = names.back();
  if (names.size() > 1) {
    names.pop_back();
    expected = absl::StrCat(absl::StrJoin(names, ", "), " or ", expected);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("variant: for ", RequirementName(requirement), " expected ",
                   expected, ", got \"", ClientText(name), "\""));
}

std::string RequirementMetricName(Requirement requirement) {
  switch (requirement) {
    case Requirement::kDataMinimisation:
      return "fraction of features kept";
    case Requirement::kFairness:
      return "equalised-odds difference";
    case Requirement::kPruning:
      return "fraction of weights kept";
  }
  return "unknown";
}

}  // namespace amend

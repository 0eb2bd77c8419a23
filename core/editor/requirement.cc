#include "core/editor/requirement.h"

#include "absl/strings/str_cat.h"
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

std::string VariantName(Requirement requirement, EditVariant variant) {
  const bool edits = variant == EditVariant::kWeightsAndMasks;
  switch (requirement) {
    case Requirement::kDataMinimisation:
      return edits ? "mask_and_edit" : "mask_only";
    case Requirement::kPruning:
      return edits ? "prune_and_edit" : "prune_only";
    case Requirement::kFairness:
      return "edit";
  }
  return "unknown";
}

absl::StatusOr<EditVariant> ParseVariant(Requirement requirement,
                                         absl::string_view name) {
  constexpr EditVariant kEdits = EditVariant::kWeightsAndMasks;
  constexpr EditVariant kMasks = EditVariant::kMasksOnly;
  if (name == VariantName(requirement, kEdits)) return kEdits;
  if (UsesMasks(requirement) && name == VariantName(requirement, kMasks)) {
    return kMasks;
  }
  std::string expected = VariantName(requirement, kEdits);
  if (UsesMasks(requirement)) {
    absl::StrAppend(&expected, " or ", VariantName(requirement, kMasks));
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

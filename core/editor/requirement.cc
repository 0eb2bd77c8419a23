#include "core/editor/requirement.h"

#include "absl/strings/str_cat.h"

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
                   name, "\""));
}

bool UsesMasks(Requirement requirement) {
  return requirement != Requirement::kFairness;
}

std::string VariantName(Requirement requirement, bool edit_weights) {
  switch (requirement) {
    case Requirement::kDataMinimisation:
      return edit_weights ? "mask_and_edit" : "mask_only";
    case Requirement::kPruning:
      return edit_weights ? "prune_and_edit" : "prune_only";
    case Requirement::kFairness:
      return "edit";
  }
  return "unknown";
}

absl::StatusOr<bool> ParseVariant(Requirement requirement,
                                  absl::string_view name) {
  if (name == VariantName(requirement, true)) return true;
  if (UsesMasks(requirement) && name == VariantName(requirement, false)) {
    return false;
  }
  std::string expected = VariantName(requirement, true);
  if (UsesMasks(requirement)) {
    absl::StrAppend(&expected, " or ", VariantName(requirement, false));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("variant: for ", RequirementName(requirement), " expected ",
                   expected, ", got \"", name, "\""));
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

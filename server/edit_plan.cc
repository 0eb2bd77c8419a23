#include "server/edit_plan.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"

namespace amend::server {
namespace {

using Kind = TradeoffRequest::Kind;

// EditModelRequest and EditStep have the same trade-off oneof, as different
// generated types.
template <class Message>
TradeoffRequest TradeoffOf(const Message& message) {
  using Case = typename Message::TradeoffCase;
  switch (message.tradeoff_case()) {
    case Case::kLambda:
      return {Kind::kLambda, message.lambda()};
    case Case::kMaxWeightFraction:
      return {Kind::kMaxWeightFraction, message.max_weight_fraction()};
    case Case::kMaxFeatures:
      return {Kind::kMaxFeatures, static_cast<double>(message.max_features())};
    case Case::kMaxEod:
      return {Kind::kMaxEod, message.max_eod()};
    default:
      return {};
  }
}

// A step's own fields take the step's prefix ("steps[1].lambda: ..."); an
// error about a request-wide field ("task: ...") says which step met it.
absl::Status Prefixed(const absl::Status& status, absl::string_view field) {
  if (status.ok() || field.empty()) return status;
  for (absl::string_view own :
       {"requirement", "variant", "lambda", "max_weight_fraction",
        "max_features", "max_eod", "tradeoff"}) {
    if (absl::StartsWith(status.message(), own)) {
      return absl::Status(status.code(), absl::StrCat(field, status.message()));
    }
  }
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), " (",
                                   field.substr(0, field.size() - 1), ")"));
}

template <class Message>
absl::StatusOr<PlannedStep> PlanStep(const Message& message,
                                     const std::string& task,
                                     const EditorSnapshot& snapshot,
                                     std::string field) {
  PlannedStep step;
  step.field = std::move(field);
  absl::StatusOr<Requirement> requirement =
      ParseRequirement(message.requirement());
  if (!requirement.ok()) return Prefixed(requirement.status(), step.field);
  step.requirement = *requirement;
  // An empty variant asks for the editing variant, which every requirement
  // has.
  if (!message.variant().empty()) {
    absl::StatusOr<EditVariant> variant =
        ParseVariant(step.requirement, message.variant());
    if (!variant.ok()) return Prefixed(variant.status(), step.field);
    step.variant = *variant;
  }
  step.tradeoff = TradeoffOf(message);
  absl::StatusOr<Selection> selection = SelectEditor(
      snapshot, task, step.requirement, step.variant, step.tradeoff);
  if (!selection.ok()) return Prefixed(selection.status(), step.field);
  step.selection = *std::move(selection);
  return step;
}

}  // namespace

absl::StatusOr<std::vector<PlannedStep>> PlanEdit(
    const amend::v1::EditModelRequest& request,
    const EditorSnapshot& snapshot) {
  std::vector<PlannedStep> plan;
  if (request.steps_size() == 0) {
    AMEND_ASSIGN_OR_RETURN(PlannedStep step,
                           PlanStep(request, request.task(), snapshot, ""));
    plan.push_back(std::move(step));
    return plan;
  }
  if (!request.requirement().empty() || !request.variant().empty() ||
      request.tradeoff_case() !=
          amend::v1::EditModelRequest::TRADEOFF_NOT_SET) {
    return absl::InvalidArgumentError(
        "steps: set either steps or requirement, variant and the trade-off, "
        "not both");
  }
  if (request.steps_size() > kMaxEditSteps) {
    return absl::InvalidArgumentError(
        absl::StrCat("steps: at most ", kMaxEditSteps, " steps, got ",
                     request.steps_size()));
  }
  for (int i = 0; i < request.steps_size(); ++i) {
    AMEND_ASSIGN_OR_RETURN(PlannedStep step,
                           PlanStep(request.steps(i), request.task(), snapshot,
                                    absl::StrCat("steps[", i, "].")));
    plan.push_back(std::move(step));
  }
  return plan;
}

}  // namespace amend::server

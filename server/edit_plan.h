// File: server/edit_plan.h
//
// What an EditModel request asks for, resolved to editors before anything is
// computed: one step for a single edit, or the request's steps for a composed
// one. Resolving every step first means a composed call whose third step
// names no loaded editor is refused whole, with no compute spent and nothing
// half-applied.
//
// Thread-safe (pure functions of the request and the snapshot).
#ifndef AMEND_SERVER_EDIT_PLAN_H_
#define AMEND_SERVER_EDIT_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "amend/v1/editor.pb.h"
#include "core/editor/requirement.h"
#include "server/editor_selection.h"
#include "server/editor_snapshot.h"

namespace amend::server {

// A composed call's steps beyond this are refused: each step is a forward
// pass the call holds a worker for.
inline constexpr int kMaxEditSteps = 8;

struct PlannedStep {
  // "" for a single edit; "steps[i]." for a composed call's step i, the
  // prefix of the fields its errors name.
  std::string field;
  Requirement requirement = Requirement::kPruning;
  EditVariant variant = EditVariant::kWeightsAndMasks;
  TradeoffRequest tradeoff;
  Selection selection;
};

// Errors name the field, prefixed for steps ("steps[1].lambda: ...") with
// SelectEditor's codes; InvalidArgument for a request that sets both steps
// and a single edit's fields, or more than kMaxEditSteps steps.
absl::StatusOr<std::vector<PlannedStep>> PlanEdit(
    const amend::v1::EditModelRequest& request, const EditorSnapshot& snapshot);

}  // namespace amend::server

#endif  // AMEND_SERVER_EDIT_PLAN_H_

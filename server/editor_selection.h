// File: server/editor_selection.h
//
// Which loaded editor serves a request: the one with the exact λ asked for,
// or, for a target (at most this fraction of weights, this many features,
// this equalised-odds difference), the editor of least validation JSD whose
// validation mean meets it.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(
//       Selection selection,
//       SelectEditor(*snapshot, "adult", Requirement::kPruning,
//                    EditVariant::kWeightsAndMasks,
//                    {TradeoffRequest::Kind::kMaxWeightFraction, 0.3}));
//
// Thread-safe (pure functions of an immutable snapshot).
#ifndef AMEND_SERVER_EDITOR_SELECTION_H_
#define AMEND_SERVER_EDITOR_SELECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/editor/requirement.h"
#include "server/editor_snapshot.h"

namespace amend::server {

// One of the request's trade-off oneof cases.
struct TradeoffRequest {
  enum class Kind { kNone, kLambda, kMaxWeightFraction, kMaxFeatures, kMaxEod };
  Kind kind = Kind::kNone;
  double value = 0.0;
};

struct Selection {
  std::shared_ptr<const ServedEditor> editor;
  std::string resolution;  // which editor and why, for the reply
};

// Errors: InvalidArgument (no trade-off, a non-finite one, λ < 0, a target
// out of its range (max_features outside 1..the task's features) or one that
// does not fit the requirement; checked before the editors are looked up,
// except the feature count), NotFound (no such task, requirement, variant or
// λ; no editor meets the target; the message lists what is loaded).
absl::StatusOr<Selection> SelectEditor(const EditorSnapshot& snapshot,
                                       const std::string& task,
                                       Requirement requirement,
                                       EditVariant variant,
                                       const TradeoffRequest& tradeoff);

}  // namespace amend::server

#endif  // AMEND_SERVER_EDITOR_SELECTION_H_

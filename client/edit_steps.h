// File: client/edit_steps.h
//
// `amend edit --steps` text to the request's composed steps:
//   "data_minimisation:max_features=8,pruning:max_weights=0.3,fairness:lambda=0.1"
// Each step is REQUIREMENT[/VARIANT]:TRADEOFF=VALUE with TRADEOFF one of
// lambda, max_weights, max_features, max_eod (the single edit's flags).
//
// Thread-safe (pure function).
#ifndef AMEND_CLIENT_EDIT_STEPS_H_
#define AMEND_CLIENT_EDIT_STEPS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "amend/v1/editor.pb.h"

namespace amend::client {

// InvalidArgument naming --steps and the step for malformed text; the server
// checks requirements, variants and ranges.
absl::StatusOr<std::vector<amend::v1::EditStep>> ParseEditSteps(
    absl::string_view text);

}  // namespace amend::client

#endif  // AMEND_CLIENT_EDIT_STEPS_H_

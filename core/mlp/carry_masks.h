// File: core/mlp/carry_masks.h
//
// What an earlier edit removed stays removed. Editing a model that already
// carries masks (a data-minimised model edited for fairness, a composed call's
// second step) must not bring back a feature or a weight the first edit took
// out: the metanetwork edits every parameter, zeros included. CarryMasks makes
// the later model's masks the product of both (a unit is kept only when both
// keep it), adds the earlier masks the later edit did not make, and zeroes the
// parameters those masks remove: a masked weight's entries, and for
// mask.input every weight that reads a removed input (hidden layer 1 and the
// skips from the input).
//
// Example:
//   AMEND_RETURN_IF_ERROR(CarryMasks(input_model, edited));
//
// Thread-safe (pure function of its arguments).
#ifndef AMEND_CORE_MLP_CARRY_MASKS_H_
#define AMEND_CORE_MLP_CARRY_MASKS_H_

#include "absl/status/status.h"
#include "core/mlp/mlp.h"

namespace amend {

// REQUIRES: both models have the same architecture. InvalidArgument naming the
// mask when an earlier mask does not fit it (ValidateMasks' checks).
absl::Status CarryMasks(const Mlp& earlier, Mlp& later);

}  // namespace amend

#endif  // AMEND_CORE_MLP_CARRY_MASKS_H_

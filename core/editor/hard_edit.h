// File: core/editor/hard_edit.h
//
// ApplyEdit at edit time on the CPU (hard masks, no autograd) as index loops
// over the batch's arrays: the same values and masks, but each model's
// parameters and masks are written once, into tensors of their own, instead
// of through ~30 tensor operators and their views per batch
// (docs/BENCHMARKS.md, "Edit latency"). Training keeps ApplyEdit, which it
// differentiates.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(EditedBatch edited,
//       ApplyHardEdit(graphs, batch, InferenceForward(...), spec));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_HARD_EDIT_H_
#define AMEND_CORE_EDITOR_HARD_EDIT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/apply_edit.h"

namespace amend {

// REQUIRES: as ApplyEdit; the batch's and the output's tensors on the CPU,
// float32 (indices int64). InvalidArgument for a straight-through spec (use
// ApplyEdit) and whatever ApplyEdit refuses.
absl::StatusOr<EditedBatch> ApplyHardEdit(
    const std::vector<const ParameterGraph*>& graphs, const GraphBatch& batch,
    const MetanetworkOutput& output, const EditSpec& spec);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_HARD_EDIT_H_

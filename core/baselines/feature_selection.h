// File: core/baselines/feature_selection.h
//
// Data-minimisation baselines (../shared/research/baselines.md §1.1-§1.2):
// permutation feature importance as scikit-learn's permutation_importance
// computes it (accuracy drop when one column is shuffled; one master seed, so
// every column sees the same sequence of permutations; repeats re-shuffle the
// already shuffled column), and FS: the original model with the least
// important features removed (their outgoing weights zeroed, which equals
// feeding 0, the training mean of a standardised feature).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<double> importance,
//                          PermutationImportance(mlp, data, /*repeats=*/5, 1));
//   AMEND_ASSIGN_OR_RETURN(Mlp fs,
//                          SelectFeatures(mlp, importance, /*keep=*/7));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_BASELINES_FEATURE_SELECTION_H_
#define AMEND_CORE_BASELINES_FEATURE_SELECTION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/mlp.h"

namespace amend {

// Mean accuracy drop per feature over `repeats` shuffles; per attribute
// (its columns shuffled together, attribute order) when data.attributes
// groups the columns.
absl::StatusOr<std::vector<double>> PermutationImportance(
    const Mlp& mlp, const SplitTensors& data, int repeats, uint64_t seed);

// The model with only the `keep_count` most important features (ties: the
// lower index is removed first), with mask.input. InvalidArgument unless
// importance has input_dim entries and 0 <= keep_count <= input_dim. With
// `attributes` grouping the inputs, importance and keep_count are per
// attribute and an attribute's inputs are removed together.
absl::StatusOr<Mlp> SelectFeatures(const Mlp& mlp,
                                   const std::vector<double>& importance,
                                   int64_t keep_count,
                                   const InputAttributes& attributes = {});

// The model with input features masked by `mask` [input_dim] (1 = kept):
// column i of hidden layer 1's weight and of every skip from the input is
// multiplied by mask[i]; mask.input is set.
absl::StatusOr<Mlp> MaskInputs(const Mlp& mlp, const at::Tensor& mask);

}  // namespace amend

#endif  // AMEND_CORE_BASELINES_FEATURE_SELECTION_H_

// File: core/training/zoo_models.h
//
// The models of one zoo split (docs/ZOO_FORMAT.md), read and verified against
// their manifest sha256, with their parameter graphs built once for the
// editor's training and evaluation.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<ZooModel> train,
//                          LoadZooModels("zoo/adult", "train"));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_TRAINING_ZOO_MODELS_H_
#define AMEND_CORE_TRAINING_ZOO_MODELS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/mlp.h"
#include "core/zoo/manifest.h"

namespace amend {

struct ZooModel {
  ManifestEntry entry;
  Mlp mlp;
  ParameterGraph graph;
};

// Models of `split` ("train", "validation" or "test") in manifest order;
// `max_models` > 0 keeps the first max_models. NotFound when the zoo has no
// manifest, DataLoss when a file's sha256 differs from the manifest,
// FailedPrecondition when the split is empty.
absl::StatusOr<std::vector<ZooModel>> LoadZooModels(const std::string& zoo_dir,
                                                    absl::string_view split,
                                                    int64_t max_models = 0);

std::vector<const Mlp*> MlpPointers(const std::vector<ZooModel>& models);

}  // namespace amend

#endif  // AMEND_CORE_TRAINING_ZOO_MODELS_H_

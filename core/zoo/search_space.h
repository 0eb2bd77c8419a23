// File: core/zoo/search_space.h
//
// The population of training configurations the zoo samples from (paper Table 2
// and §A.6), as one documented struct rather than constants scattered through
// the trainer, and the sampler.
//
// Sampling one run, in this order: depth; each hidden layer's width from the
// allowed widths not smaller than the previous layer's (never decreasing with
// depth); one activation, one norm and one dropout for the whole model; for
// each hidden layer k, 0..max_skips incoming skip connections from distinct
// sources among h_0..h_{k-2} (the input included; h_{k-1} already feeds the
// layer); then batch size, learning rate (log-uniform) and weight decay
// (log-uniform). The output layer has num_classes units and the model is
// trained with cross-entropy and AdamW.
//
// A run's configuration depends only on (seed, run index), so shards sample
// identical runs.
//
// Example:
//   RunConfig config = SampleRunConfig(ZooSearchSpace{}, /*seed=*/1,
//                                      /*run=*/17, /*input_dim=*/14,
//                                      /*num_classes=*/2);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_ZOO_SEARCH_SPACE_H_
#define AMEND_CORE_ZOO_SEARCH_SPACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mlp/architecture.h"

namespace amend {

struct ZooSearchSpace {
  std::vector<int> depths = {1, 2, 3, 4};  // hidden layers
  std::vector<int64_t> widths = {8, 16, 32,
                                 64};  // per layer, non-decreasing with depth
  std::vector<Activation> activations = {
      Activation::kRelu, Activation::kLeakyRelu, Activation::kGelu,
      Activation::kTanh, Activation::kSigmoid,   Activation::kSilu};
  std::vector<Norm> norms = {Norm::kNone, Norm::kBatchNorm, Norm::kLayerNorm};
  std::vector<double> dropouts = {0.0, 0.1, 0.2, 0.3};
  int max_skips = 2;  // incoming skips per hidden layer: 0..2
  std::vector<int64_t> batch_sizes = {32, 64, 128, 256};
  double min_learning_rate = 1e-4;  // log-uniform
  double max_learning_rate = 1e-2;
  double min_weight_decay = 1e-6;  // log-uniform, AdamW (decoupled)
  double max_weight_decay = 1e-2;
  int epochs = 60;
};

// Everything that determines one training run.
struct RunConfig {
  int64_t run = 0;    // index in the zoo, 0..runs-1
  uint64_t seed = 0;  // initialisation, data order and dropout of this run
  Architecture architecture;
  int64_t batch_size = 0;
  double learning_rate = 0.0;
  double weight_decay = 0.0;
  int epochs = 0;

  bool operator==(const RunConfig&) const = default;
};

RunConfig SampleRunConfig(const ZooSearchSpace& space, uint64_t seed,
                          int64_t run, int64_t input_dim, int64_t num_classes);

// The epochs after which a run's checkpoints are saved: about 10% of the epochs
// (at least 1), the midpoint and the end, e.g. {6, 30, 60} for 60 epochs;
// duplicates removed for tiny epoch counts.
std::vector<int> CheckpointEpochs(int epochs);

// The architecture part of a space (depths, widths, activations, norms,
// max_skips): what a task may widen so the zoo covers the architectures its
// users ship. As JSON: {"depths": [..], "widths": [..], "activations":
// [names], "norms": [names], "max_skips": n}.
std::string ArchitectureSpaceJson(const ZooSearchSpace& space);
// True when that part is the paper's Table 2 (ZooSearchSpace's defaults).
bool IsDefaultArchitectureSpace(const ZooSearchSpace& space);
// OK, or InvalidArgument naming the flag: non-empty lists, depths in
// 1..kMaxZooDepth (the editors' limit), widths in 1..kMaxZooWidth, max_skips
// in 0..kMaxZooDepth-1.
inline constexpr int kMaxZooDepth = 8;
inline constexpr int64_t kMaxZooWidth = 4096;
absl::Status ValidateArchitectureSpace(const ZooSearchSpace& space);

// JSON object of a RunConfig (architecture included), as stored in the zoo
// manifest.
std::string RunConfigToJson(const RunConfig& config);
absl::StatusOr<RunConfig> RunConfigFromJson(absl::string_view json);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_SEARCH_SPACE_H_

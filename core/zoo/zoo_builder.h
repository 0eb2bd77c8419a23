// File: core/zoo/zoo_builder.h
//
// Builds a zoo: samples `runs` configurations (search_space.h), trains them in
// stacked groups (group_trainer.h), saves three checkpoints per run (about 10%
// of the epochs, the midpoint, the end) as model files and records them in the
// manifest (manifest.h). Layout of the output folder, docs/ZOO_FORMAT.md:
//   zoo.json                          the settings the zoo was built with
//   models/<id>.safetensors           one file per checkpoint
//   manifest.jsonl                    one line per checkpoint (a shard writes
//                                     manifest.shard-<i>-of-<n>.jsonl)
//   accuracy_histogram.svg            test accuracy per checkpoint stage
//
// Crash-safe and resumable: files are written atomically, a run's manifest
// lines are added only once all its checkpoints are on disk, and a rerun of the
// same command skips finished runs (verifying their files' sha256). Shards
// (--shard i/n) train runs i, i+n, ...; MergeZooShards joins their manifests.
// The zoo split (train/validation/test = 80/10/10) is by run, from a seeded
// permutation of all run indices, so it does not depend on sharding.
//
// Thread-compatible.
#ifndef AMEND_CORE_ZOO_ZOO_BUILDER_H_
#define AMEND_CORE_ZOO_ZOO_BUILDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/task.h"
#include "core/zoo/search_space.h"

namespace amend {

// How runs are trained: both compute the same thing (tests check they agree).
enum class ZooTrainer {
  // fused_trainer.h: hand-written passes, one run at a time (default, fastest).
  kFused,
  // group_trainer.h: LibTorch autograd, runs stacked in groups.
  kLibTorchStacked,
};

struct ZooOptions {
  std::string output_dir;
  int64_t runs = 0;
  uint64_t seed = 0;
  // space.epochs is the number of epochs.
  ZooSearchSpace space;
  // This process trains runs shard_index, shard_index + shard_count, ...
  int shard_index = 0;
  int shard_count = 1;
  ZooTrainer trainer = ZooTrainer::kFused;
  // kLibTorchStacked: at most this many runs per stacked model (1: one at a
  // time).
  int max_group_size = 32;
  // Groups trained concurrently; use one LibTorch intra-op thread per worker.
  int workers = 1;
  // > 0: use only the first max_rows rows of every data split (tests, demos).
  int64_t max_rows = 0;
};

struct ZooProgress {
  int64_t runs_done = 0;  // runs finished in this shard (skipped ones included)
  int64_t runs_total = 0;  // runs in this shard
  // Work done and to do in this process, in units of per-step overhead plus
  // multiply-adds (a measured model of a step's cost, so the ETA holds
  // across batch sizes).
  double work_done = 0.0;
  double work_total = 0.0;
  double elapsed_seconds = 0.0;
};
using ZooProgressCallback = std::function<void(const ZooProgress&)>;

struct ZooSummary {
  int64_t runs_trained = 0;  // in this process
  int64_t runs_skipped = 0;  // already finished
  int64_t groups = 0;
  double seconds = 0.0;
  // Test accuracies of this shard's checkpoints by stage: "early", "mid",
  // "final".
  std::map<std::string, std::vector<double>> test_accuracy;
  std::string manifest_path;
};

absl::StatusOr<ZooSummary> BuildZoo(const Task& task, const ZooOptions& options,
                                    const ZooProgressCallback& progress = {});

// Joins manifest.shard-*-of-<n>.jsonl of `zoo_dir` into manifest.jsonl,
// checking that every run 0..runs-1 appears exactly once with all its
// checkpoints, and writes the histogram.
absl::StatusOr<int64_t> MergeZooShards(const std::string& zoo_dir);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_ZOO_BUILDER_H_

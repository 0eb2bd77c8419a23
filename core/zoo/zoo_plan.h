// File: core/zoo/zoo_plan.h
//
// How a zoo's runs are laid out before any training: each run's zoo split, the
// stacked groups a shard's runs are trained in, and the cost model behind the
// progress estimate.
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_ZOO_ZOO_PLAN_H_
#define AMEND_CORE_ZOO_ZOO_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/zoo/search_space.h"

namespace amend {

// The zoo split of every run index, from a seeded permutation: "train",
// "validation" or "test".
std::vector<std::string> ZooSplits(int64_t runs, uint64_t seed);

// The stacked groups a shard's runs are trained in: runs sorted by (batch size,
// depth, widths, norm, activation, run) and cut into near-equal chunks that
// share depth and batch size, of at most min(max_group_size, kRowsPerGroupStep
// / batch size) runs: a step then touches about 512 rows x width floats per
// tensor, which stays in the L2 cache (measured in docs/BENCHMARKS.md: bigger
// stacks of big batches are slower than one run at a time).
inline constexpr int64_t kRowsPerGroupStep = 512;
std::vector<std::vector<RunConfig>> PlanGroups(std::vector<RunConfig> runs,
                                               int max_group_size);

// Work of one epoch of `run` on `rows` training rows, for progress and ETA: a
// fixed per-step overhead plus the step's multiply-accumulates (measured: at
// batch 32 the overhead dominates, at 256 the arithmetic).
double EpochCost(const RunConfig& run, int64_t rows);

// Sum of EpochCost over the runs of a group.
double GroupEpochCost(const std::vector<RunConfig>& group, int64_t rows);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_ZOO_PLAN_H_

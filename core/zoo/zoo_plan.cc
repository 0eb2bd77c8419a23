#include "core/zoo/zoo_plan.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "core/mlp/parameter_layout.h"
#include "core/util/seeded_random.h"

namespace amend {
namespace {

constexpr uint64_t kZooSplitStream = 0x7a6f6f73706c6974ULL;  // "zoosplit"

}  // namespace

std::vector<std::string> ZooSplits(int64_t runs, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(runs));
  std::iota(order.begin(), order.end(), 0);
  SeededRandom(SeededRandom::Combine(seed, kZooSplitStream)).Shuffle(order);
  const auto train =
      static_cast<int64_t>(std::llround(0.8 * static_cast<double>(runs)));
  const auto validation =
      static_cast<int64_t>(std::llround(0.1 * static_cast<double>(runs)));
  std::vector<std::string> splits(static_cast<size_t>(runs));
  for (int64_t i = 0; i < runs; ++i) {
    splits[static_cast<size_t>(order[static_cast<size_t>(i)])] =
        i < train                ? "train"
        : i < train + validation ? "validation"
                                 : "test";
  }
  return splits;
}

std::vector<std::vector<RunConfig>> PlanGroups(std::vector<RunConfig> runs,
                                               int max_group_size) {
  auto key = [](const RunConfig& r) {
    std::vector<int64_t> widths;
    for (const HiddenLayer& layer : r.architecture.layers)
      widths.push_back(layer.width);
    const HiddenLayer* first =
        r.architecture.layers.empty() ? nullptr : &r.architecture.layers[0];
    return std::make_tuple(r.batch_size, r.architecture.num_hidden(), widths,
                           first ? static_cast<int>(first->norm) : 0,
                           first ? static_cast<int>(first->activation) : 0,
                           r.run);
  };
  std::sort(
      runs.begin(), runs.end(),
      [&](const RunConfig& a, const RunConfig& b) { return key(a) < key(b); });
  std::vector<std::vector<RunConfig>> groups;
  for (size_t begin = 0; begin < runs.size();) {
    const size_t limit = static_cast<size_t>(
        std::clamp<int64_t>(kRowsPerGroupStep / runs[begin].batch_size, 1,
                            std::max(1, max_group_size)));
    size_t end = begin;
    while (end < runs.size() &&
           runs[end].batch_size == runs[begin].batch_size &&
           runs[end].architecture.num_hidden() ==
               runs[begin].architecture.num_hidden()) {
      ++end;
    }
    // Near-equal chunks of at most `limit` runs over [begin, end).
    const size_t count = end - begin;
    const size_t chunks = (count + limit - 1) / limit;
    for (size_t c = 0; c < chunks; ++c) {
      const size_t from = begin + count * c / chunks,
                   to = begin + count * (c + 1) / chunks;
      groups.emplace_back(runs.begin() + static_cast<std::ptrdiff_t>(from),
                          runs.begin() + static_cast<std::ptrdiff_t>(to));
    }
    begin = end;
  }
  return groups;
}

double EpochCost(const RunConfig& run, int64_t rows) {
  constexpr double kStepOverheadMacs = 50'000;
  const double steps = static_cast<double>(rows / run.batch_size);
  return steps * (kStepOverheadMacs +
                  static_cast<double>(run.batch_size) *
                      static_cast<double>(CountWeights(run.architecture)));
}

double GroupEpochCost(const std::vector<RunConfig>& group, int64_t rows) {
  double cost = 0;
  for (const RunConfig& run : group) cost += EpochCost(run, rows);
  return cost;
}

}  // namespace amend

#include "core/data/synthetic_task.h"

#include <cmath>
#include <numbers>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/util/seeded_random.h"

namespace amend {
namespace {

constexpr double kMissingRate = 0.01;

double Normal(SeededRandom& random) {
  // Box-Muller; 1 - Uniform() is in (0, 1], so the log is finite.
  const double u = 1.0 - random.Uniform();
  const double v = random.Uniform();
  return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * v);
}

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

std::vector<std::string> SyntheticPlantedFeatures() {
  return {"income", "debt", "tenure", "region"};
}

std::vector<std::string> SyntheticNoiseFeatures() {
  return {"noise1", "noise2", "noise3", "noise4", "colour"};
}

std::string SyntheticTaskCsv(const SyntheticTaskOptions& options) {
  static constexpr const char* kRegions[] = {"north", "south", "east", "west"};
  static constexpr double kRegionEffect[] = {0.8, -0.8, 0.0, 0.0};
  static constexpr const char* kColours[] = {"red", "green", "blue"};
  SeededRandom random(options.seed);
  std::string csv =
      "income,debt,tenure,region,noise1,noise2,noise3,noise4,colour,group,"
      "label\n";
  for (int64_t r = 0; r < options.rows; ++r) {
    const double income = Normal(random);
    const double debt = Normal(random);
    const double tenure = Normal(random);
    const size_t region = random.Below(std::size(kRegions));
    double noise[4];
    for (double& n : noise) n = Normal(random);
    const size_t colour = random.Below(std::size(kColours));
    const bool noise2_missing = random.Uniform() < kMissingRate;
    const bool colour_missing = random.Uniform() < kMissingRate;
    const bool privileged = random.Uniform() < Sigmoid(1.5 * income);
    const double logit =
        1.5 * income - 1.2 * debt + 0.8 * tenure + kRegionEffect[region];
    const bool positive = random.Uniform() < Sigmoid(logit);
    absl::StrAppend(&csv,
                    absl::StrFormat("%.4f,%.4f,%.4f,%s,%.4f,", income, debt,
                                    tenure, kRegions[region], noise[0]),
                    noise2_missing ? "?" : absl::StrFormat("%.4f", noise[1]),
                    absl::StrFormat(",%.4f,%.4f,", noise[2], noise[3]),
                    colour_missing ? "?" : kColours[colour], ",",
                    privileged ? "A" : "B", ",", positive ? "yes" : "no", "\n");
  }
  return csv;
}

}  // namespace amend

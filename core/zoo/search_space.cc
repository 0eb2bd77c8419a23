#include "core/zoo/search_space.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/util/json_field.h"
#include "core/util/seeded_random.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {

RunConfig SampleRunConfig(const ZooSearchSpace& space, uint64_t seed,
                          int64_t run, int64_t input_dim, int64_t num_classes) {
  SeededRandom random(SeededRandom::Combine(seed, static_cast<uint64_t>(run)));
  RunConfig config;
  config.run = run;
  config.seed = random.Next();
  config.epochs = space.epochs;
  Architecture& a = config.architecture;
  a.input_dim = input_dim;
  a.num_classes = num_classes;

  const int depth = random.Choice(space.depths);
  int64_t previous_width = 0;
  for (int k = 1; k <= depth; ++k) {
    std::vector<int64_t> allowed;
    for (int64_t w : space.widths) {
      if (w >= previous_width) allowed.push_back(w);
    }
    HiddenLayer layer;
    layer.width = random.Choice(allowed);
    previous_width = layer.width;
    a.layers.push_back(layer);
  }
  const Activation activation = random.Choice(space.activations);
  const Norm norm = random.Choice(space.norms);
  const double dropout = random.Choice(space.dropouts);
  for (int k = 1; k <= depth; ++k) {
    HiddenLayer& layer = a.layers[static_cast<size_t>(k - 1)];
    layer.activation = activation;
    layer.norm = norm;
    layer.dropout = dropout;
    // Sources h_0..h_{k-2}: k-1 of them.
    std::vector<int> sources;
    for (int s = 0; s <= k - 2; ++s) sources.push_back(s);
    const int wanted = static_cast<int>(
        random.Below(static_cast<uint64_t>(space.max_skips) + 1));
    random.Shuffle(sources);
    sources.resize(
        std::min<size_t>(sources.size(), static_cast<size_t>(wanted)));
    std::sort(sources.begin(), sources.end());
    layer.skip_from = sources;
  }
  config.batch_size = random.Choice(space.batch_sizes);
  config.learning_rate =
      random.LogUniform(space.min_learning_rate, space.max_learning_rate);
  config.weight_decay =
      random.LogUniform(space.min_weight_decay, space.max_weight_decay);
  return config;
}

std::vector<int> CheckpointEpochs(int epochs) {
  std::vector<int> result = {
      std::max(1, static_cast<int>(std::lround(0.1 * epochs))),
      std::max(1, epochs / 2), epochs};
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

std::string RunConfigToJson(const RunConfig& config) {
  nlohmann::ordered_json json;
  json["run"] = config.run;
  json["seed"] = config.seed;
  json["architecture"] =
      nlohmann::ordered_json::parse(ArchitectureToJson(config.architecture));
  json["batch_size"] = config.batch_size;
  json["learning_rate"] = config.learning_rate;
  json["weight_decay"] = config.weight_decay;
  json["epochs"] = config.epochs;
  return json.dump();
}

std::string ArchitectureSpaceJson(const ZooSearchSpace& space) {
  nlohmann::ordered_json json;
  json["depths"] = space.depths;
  json["widths"] = space.widths;
  std::vector<std::string> activations, norms;
  for (const Activation a : space.activations)
    activations.emplace_back(ActivationName(a));
  for (const Norm n : space.norms) norms.emplace_back(NormName(n));
  json["activations"] = activations;
  json["norms"] = norms;
  json["max_skips"] = space.max_skips;
  return json.dump();
}

bool IsDefaultArchitectureSpace(const ZooSearchSpace& space) {
  return ArchitectureSpaceJson(space) ==
         ArchitectureSpaceJson(ZooSearchSpace());
}

absl::Status ValidateArchitectureSpace(const ZooSearchSpace& space) {
  bool depths_ok = !space.depths.empty();
  for (const int d : space.depths)
    depths_ok = depths_ok && d >= 1 && d <= kMaxZooDepth;
  if (!depths_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--depths: must be hidden-layer counts in 1..", kMaxZooDepth));
  }
  bool widths_ok = !space.widths.empty();
  for (const int64_t w : space.widths)
    widths_ok = widths_ok && w >= 1 && w <= kMaxZooWidth;
  if (!widths_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("--widths: must be widths in 1..", kMaxZooWidth));
  }
  if (space.activations.empty())
    return absl::InvalidArgumentError("--activations: must not be empty");
  if (space.norms.empty())
    return absl::InvalidArgumentError("--norms: must not be empty");
  if (space.max_skips < 0 || space.max_skips >= kMaxZooDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_skips: must be in 0..", kMaxZooDepth - 1));
  }
  return absl::OkStatus();
}

absl::StatusOr<RunConfig> RunConfigFromJson(absl::string_view text) {
  const nlohmann::json json = ParseStrictJson(text).value;
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("config: must be a JSON object");
  }
  RunConfig config;
  AMEND_ASSIGN_OR_RETURN(config.run, JsonField<int64_t>(json, "run", "config"));
  AMEND_ASSIGN_OR_RETURN(config.seed,
                         JsonField<uint64_t>(json, "seed", "config"));
  AMEND_ASSIGN_OR_RETURN(
      const nlohmann::json architecture,
      JsonField<nlohmann::json>(json, "architecture", "config"));
  auto parsed = ParseArchitectureJson(architecture.dump());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.architecture: ", parsed.status().message()));
  }
  config.architecture = *std::move(parsed);
  AMEND_ASSIGN_OR_RETURN(config.batch_size,
                         JsonField<int64_t>(json, "batch_size", "config"));
  AMEND_ASSIGN_OR_RETURN(config.learning_rate,
                         JsonField<double>(json, "learning_rate", "config"));
  AMEND_ASSIGN_OR_RETURN(config.weight_decay,
                         JsonField<double>(json, "weight_decay", "config"));
  AMEND_ASSIGN_OR_RETURN(config.epochs,
                         JsonField<int>(json, "epochs", "config"));
  return config;
}

}  // namespace amend

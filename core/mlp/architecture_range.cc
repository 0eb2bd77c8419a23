#include "core/mlp/architecture_range.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

absl::Status FieldError(absl::string_view path, absl::string_view field,
                        absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ".", field, ": ", what));
}

template <typename T>
std::string Names(const std::set<T>& values, absl::string_view (*name)(T)) {
  std::vector<std::string> names;
  for (const T value : values) names.emplace_back(name(value));
  return absl::StrJoin(names, "/");
}

absl::StatusOr<std::pair<int64_t, int64_t>> IntegerPair(
    const nlohmann::json& json, const char* field, absl::string_view path) {
  auto it = json.find(field);
  if (it == json.end() || !it->is_array() || it->size() != 2 ||
      !(*it)[0].is_number_integer() || !(*it)[1].is_number_integer() ||
      (*it)[0].get<int64_t>() < 1 ||
      (*it)[0].get<int64_t>() > (*it)[1].get<int64_t>()) {
    return FieldError(path, field, "must be [min, max] with 1 <= min <= max");
  }
  return std::pair{(*it)[0].get<int64_t>(), (*it)[1].get<int64_t>()};
}

}  // namespace

void ArchitectureRange::Include(const Architecture& architecture) {
  const int depth = architecture.num_hidden();
  if (depth == 0) return;
  const bool first = empty();
  min_hidden_layers = first ? depth : std::min(min_hidden_layers, depth);
  max_hidden_layers = std::max(max_hidden_layers, depth);
  for (const HiddenLayer& layer : architecture.layers) {
    min_width = min_width == 0 ? layer.width : std::min(min_width, layer.width);
    max_width = std::max(max_width, layer.width);
    max_skips = std::max(max_skips, static_cast<int>(layer.skip_from.size()));
    activations.insert(layer.activation);
    norms.insert(layer.norm);
  }
}

std::vector<std::string> ArchitectureRange::Outside(
    const Architecture& architecture) const {
  std::vector<std::string> reasons;
  const int depth = architecture.num_hidden();
  if (depth < min_hidden_layers || depth > max_hidden_layers) {
    reasons.push_back(absl::StrCat("it has ", depth,
                                   " hidden layers; the zoo's have ",
                                   min_hidden_layers, "..", max_hidden_layers));
  }
  for (int k = 0; k < depth; ++k) {
    const HiddenLayer& layer = architecture.layers[static_cast<size_t>(k)];
    const std::string name = absl::StrCat("hidden layer ", k + 1);
    if (layer.width < min_width || layer.width > max_width) {
      reasons.push_back(absl::StrCat(name, " is ", layer.width,
                                     " wide; the zoo's widths are ", min_width,
                                     "..", max_width));
    }
    if (!activations.count(layer.activation)) {
      reasons.push_back(
          absl::StrCat(name, " uses ", ActivationName(layer.activation),
                       ", which no zoo model has (",
                       Names<Activation>(activations, ActivationName), ")"));
    }
    if (!norms.count(layer.norm)) {
      reasons.push_back(absl::StrCat(name, " uses norm ", NormName(layer.norm),
                                     ", which no zoo model has (",
                                     Names<Norm>(norms, NormName), ")"));
    }
    if (static_cast<int>(layer.skip_from.size()) > max_skips) {
      reasons.push_back(absl::StrCat(name, " has ", layer.skip_from.size(),
                                     " skip connections; the zoo's have at "
                                     "most ",
                                     max_skips));
    }
  }
  return reasons;
}

nlohmann::json ArchitectureRangeToJson(const ArchitectureRange& range) {
  std::vector<std::string> activations, norms;
  for (const Activation a : range.activations)
    activations.emplace_back(ActivationName(a));
  for (const Norm n : range.norms) norms.emplace_back(NormName(n));
  return {{"hidden_layers", {range.min_hidden_layers, range.max_hidden_layers}},
          {"widths", {range.min_width, range.max_width}},
          {"max_skips", range.max_skips},
          {"activations", activations},
          {"norms", norms}};
}

absl::StatusOr<ArchitectureRange> ArchitectureRangeFromJson(
    const nlohmann::json& json, absl::string_view path) {
  if (!json.is_object())
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an object"));
  ArchitectureRange range;
  AMEND_ASSIGN_OR_RETURN(const auto depths,
                         IntegerPair(json, "hidden_layers", path));
  range.min_hidden_layers = static_cast<int>(depths.first);
  range.max_hidden_layers = static_cast<int>(depths.second);
  AMEND_ASSIGN_OR_RETURN(const auto widths, IntegerPair(json, "widths", path));
  range.min_width = widths.first;
  range.max_width = widths.second;
  auto skips = json.find("max_skips");
  if (skips == json.end() || !skips->is_number_integer() ||
      skips->get<int64_t>() < 0 || skips->get<int64_t>() > 64) {
    return FieldError(path, "max_skips", "must be an integer in 0..64");
  }
  range.max_skips = skips->get<int>();
  for (const char* field : {"activations", "norms"}) {
    auto list = json.find(field);
    if (list == json.end() || !list->is_array() || list->empty())
      return FieldError(path, field, "must be a non-empty array of names");
    for (const nlohmann::json& name : *list) {
      if (!name.is_string())
        return FieldError(path, field, "must hold names (strings)");
      if (field[0] == 'a') {
        auto activation = ParseActivation(name.get<std::string>());
        if (!activation.ok())
          return FieldError(path, field, activation.status().message());
        range.activations.insert(*activation);
      } else {
        auto norm = ParseNorm(name.get<std::string>());
        if (!norm.ok()) return FieldError(path, field, norm.status().message());
        range.norms.insert(*norm);
      }
    }
  }
  return range;
}

std::string ArchitectureRangeText(const ArchitectureRange& range) {
  return absl::StrCat(range.min_hidden_layers, "-", range.max_hidden_layers,
                      " hidden layers of ", range.min_width, "-",
                      range.max_width, ", ",
                      Names<Activation>(range.activations, ActivationName),
                      ", norms ", Names<Norm>(range.norms, NormName),
                      ", up to ", range.max_skips, " skips");
}

}  // namespace amend

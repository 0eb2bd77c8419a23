#include "core/editor/editor_config.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/util/json_field.h"
#include "core/util/range_error.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

absl::StatusOr<std::vector<std::string>> StringList(const nlohmann::json& json,
                                                    const char* key) {
  const std::string name = absl::StrCat("config.", key);
  auto it = json.find(key);
  if (it == json.end() || !it->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": must be an array of strings"));
  }
  std::vector<std::string> values;
  for (const nlohmann::json& value : *it) {
    if (!value.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": must be an array of strings"));
    }
    values.push_back(value.get<std::string>());
  }
  return values;
}

}  // namespace

absl::Status ValidateLambda(double lambda, absl::string_view field) {
  if (!(lambda >= 0.0) || !std::isfinite(lambda)) {
    return OutOfRangeError(field, "a finite number >= 0", lambda);
  }
  return absl::OkStatus();
}

absl::Status ValidateEditorConfig(const EditorConfig& config) {
  if (config.task.empty()) {
    return absl::InvalidArgumentError("config.task: must not be empty");
  }
  if (config.feature_names.empty()) {
    return absl::InvalidArgumentError(
        "config.feature_names: must name at least one feature");
  }
  if (!config.feature_attributes.empty()) {
    if (config.feature_attributes.size() != config.feature_names.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config.feature_attributes: must have one entry per feature (",
          config.feature_names.size(), "), got ",
          config.feature_attributes.size()));
    }
    for (const std::string& attribute : config.feature_attributes) {
      if (attribute.empty()) {
        return absl::InvalidArgumentError(
            "config.feature_attributes: names must not be empty");
      }
    }
  }
  if (config.class_names.size() < 2) {
    return absl::InvalidArgumentError(
        "config.class_names: must name at least two classes");
  }
  if (config.requirement == Requirement::kFairness &&
      config.variant != EditVariant::kWeightsAndMasks) {
    return absl::InvalidArgumentError(
        "config.variant: fairness has no masks, so it must be \"edit\"");
  }
  if (MasksNeurons(config.variant) &&
      config.requirement != Requirement::kPruning) {
    return absl::InvalidArgumentError(
        "config.variant: only pruning removes whole neurons");
  }
  AMEND_RETURN_IF_ERROR(ValidateLambda(config.lambda));
  AMEND_RETURN_IF_ERROR(
      ValidateMetanetworkOptions(config.network, "config.network"));
  if (!(config.mask_temperature > 0.0) ||
      !std::isfinite(config.mask_temperature)) {
    return OutOfRangeError("config.mask_temperature", "a finite number > 0",
                           config.mask_temperature);
  }
  if (!(config.fairness_temperature > 0.0) ||
      !std::isfinite(config.fairness_temperature)) {
    return OutOfRangeError("config.fairness_temperature", "a finite number > 0",
                           config.fairness_temperature);
  }
  return absl::OkStatus();
}

nlohmann::json EditorConfigToJson(const EditorConfig& config) {
  const MetanetworkOptions& n = config.network;
  nlohmann::json json{
      {"task", config.task},
      {"feature_names", config.feature_names},
      {"class_names", config.class_names},
      {"requirement", RequirementName(config.requirement)},
      {"variant", VariantName(config.requirement, config.variant)},
      {"lambda", config.lambda},
      {"network",
       {{"hidden", n.hidden},
        {"layers", n.layers},
        {"dropout", n.dropout},
        {"max_hidden_layers", n.max_hidden_layers},
        {"residual_scale_init", n.residual_scale_init},
        {"mask_logit_init", n.mask_logit_init}}},
      {"mask_temperature", config.mask_temperature},
      {"fairness_temperature", config.fairness_temperature},
  };
  if (!config.feature_attributes.empty())
    json["feature_attributes"] = config.feature_attributes;
  return json;
}

absl::StatusOr<EditorConfig> EditorConfigFromJson(const nlohmann::json& json) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError("config: must be an object");
  }
  EditorConfig config;
  AMEND_ASSIGN_OR_RETURN(config.task,
                         JsonField<std::string>(json, "task", "config"));
  AMEND_ASSIGN_OR_RETURN(config.feature_names,
                         StringList(json, "feature_names"));
  AMEND_ASSIGN_OR_RETURN(config.class_names, StringList(json, "class_names"));
  if (json.contains("feature_attributes")) {
    AMEND_ASSIGN_OR_RETURN(config.feature_attributes,
                           StringList(json, "feature_attributes"));
  }
  AMEND_ASSIGN_OR_RETURN(const std::string requirement,
                         JsonField<std::string>(json, "requirement", "config"));
  AMEND_ASSIGN_OR_RETURN(config.requirement, ParseRequirement(requirement));
  AMEND_ASSIGN_OR_RETURN(const std::string variant,
                         JsonField<std::string>(json, "variant", "config"));
  AMEND_ASSIGN_OR_RETURN(config.variant,
                         ParseVariant(config.requirement, variant));
  AMEND_ASSIGN_OR_RETURN(config.lambda,
                         JsonField<double>(json, "lambda", "config"));
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json network,
                         JsonField<nlohmann::json>(json, "network", "config"));
  MetanetworkOptions& n = config.network;
  const char* path = "config.network";
  AMEND_ASSIGN_OR_RETURN(n.hidden, JsonField<int64_t>(network, "hidden", path));
  AMEND_ASSIGN_OR_RETURN(n.layers, JsonField<int64_t>(network, "layers", path));
  AMEND_ASSIGN_OR_RETURN(n.dropout,
                         JsonField<double>(network, "dropout", path));
  AMEND_ASSIGN_OR_RETURN(
      n.max_hidden_layers,
      JsonField<int64_t>(network, "max_hidden_layers", path));
  AMEND_ASSIGN_OR_RETURN(
      n.residual_scale_init,
      JsonField<double>(network, "residual_scale_init", path));
  AMEND_ASSIGN_OR_RETURN(n.mask_logit_init,
                         JsonField<double>(network, "mask_logit_init", path));
  AMEND_ASSIGN_OR_RETURN(config.mask_temperature,
                         JsonField<double>(json, "mask_temperature", "config"));
  AMEND_ASSIGN_OR_RETURN(
      config.fairness_temperature,
      JsonField<double>(json, "fairness_temperature", "config"));
  AMEND_RETURN_IF_ERROR(ValidateEditorConfig(config));
  return config;
}

std::string LambdaLabel(double lambda) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), lambda);
  return std::string(buffer, result.ptr);
}

}  // namespace amend

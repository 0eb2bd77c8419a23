// File: core/editor/editor_config.h
//
// Everything needed to build an editor and use it: the task it was trained on
// (with feature and class names, so an editor file is self-describing), the
// requirement, its variant, λ, the metanetwork's shape and the temperatures.
// Stored as the "config" object of editor.json (docs/EDITOR_FORMAT.md).
//
// Thread-safe (plain data, pure functions).
#ifndef AMEND_CORE_EDITOR_EDITOR_CONFIG_H_
#define AMEND_CORE_EDITOR_EDITOR_CONFIG_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/requirement.h"
#include "core/gmn/metanetwork_options.h"
#include "core/util/input_attributes.h"

namespace amend {

struct EditorConfig {
  std::string task;                        // "adult" or "bank"
  std::vector<std::string> feature_names;  // input order
  std::vector<std::string> class_names;    // class index order
  // Each input's attribute when several inputs form one (one-hot columns):
  // data minimisation keeps or removes an attribute's inputs together and
  // counts attributes. Empty: every input is its own attribute. Stored only
  // when set, so older editor files read unchanged.
  std::vector<std::string> feature_attributes;
  Requirement requirement = Requirement::kPruning;
  EditVariant variant = EditVariant::kWeightsAndMasks;
  // λ of the training objective JSD + λ·R (R = RequirementMetricName's
  // metric, soft during training): the weight of the requirement against
  // preserving the original's outputs. Finite, >= 0 (ValidateLambda); larger
  // means stricter edits. The editor was trained at this value; serving
  // selects editors by it and never changes it.
  double lambda = 0.0;
  MetanetworkOptions network;  // stored as "network"
  // τ of the straight-through masks' sigmoid (training only).
  double mask_temperature = 1.0;
  // τ of the tempered softmax the soft equalised-odds term reads (training).
  double fairness_temperature = 1.0;

  int64_t input_dim() const {
    return static_cast<int64_t>(feature_names.size());
  }
  InputAttributes attributes() const {
    return IndexInputAttributes(feature_names, feature_attributes);
  }
  int64_t num_classes() const {
    return static_cast<int64_t>(class_names.size());
  }
  bool operator==(const EditorConfig&) const = default;
};

// OK, or InvalidArgument naming the field and the allowed range.
absl::Status ValidateEditorConfig(const EditorConfig& config);

// OK when λ is a finite number >= 0; else InvalidArgument
// "<field>: must be a finite number >= 0, got <lambda>". The one check of λ:
// the config's and the trainer's flags both use it.
absl::Status ValidateLambda(double lambda,
                            absl::string_view field = "config.lambda");

nlohmann::json EditorConfigToJson(const EditorConfig& config);
// Errors name the field, e.g. "config.network.hidden: must be an integer".
absl::StatusOr<EditorConfig> EditorConfigFromJson(const nlohmann::json& json);

// The λ as a directory name and label: shortest round-trip decimal ("0.01").
std::string LambdaLabel(double lambda);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDITOR_CONFIG_H_

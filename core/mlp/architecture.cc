#include "core/mlp/architecture.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/client_text.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

using Json = nlohmann::json;

struct ActivationEntry {
  Activation value;
  absl::string_view name;
};
constexpr ActivationEntry kActivationNames[] = {
    {Activation::kIdentity, "identity"},
    {Activation::kRelu, "relu"},
    {Activation::kLeakyRelu, "leaky_relu"},
    {Activation::kGelu, "gelu"},
    {Activation::kTanh, "tanh"},
    {Activation::kSigmoid, "sigmoid"},
    {Activation::kSilu, "silu"}};

struct NormEntry {
  Norm value;
  absl::string_view name;
};
constexpr NormEntry kNormNames[] = {{Norm::kNone, "none"},
                                    {Norm::kBatchNorm, "batchnorm"},
                                    {Norm::kLayerNorm, "layernorm"}};

std::string JsonTypeName(const Json& value) { return value.type_name(); }

absl::StatusOr<int64_t> GetInteger(const Json& object, const std::string& key,
                                   const std::string& path) {
  auto it = object.find(key);
  if (it == object.end())
    return absl::InvalidArgumentError(absl::StrCat(path, ": is required"));
  if (!it->is_number_integer()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an integer, got ", JsonTypeName(*it)));
  }
  // get<int64_t>() would wrap 2^63 and above into negative numbers.
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": must be at most ", std::numeric_limits<int64_t>::max(),
        ", got ", it->get<uint64_t>()));
  }
  return it->get<int64_t>();
}

absl::Status CheckKnownKeys(const Json& object,
                            std::initializer_list<absl::string_view> known,
                            absl::string_view path) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, path.empty() ? "" : ".", ClientText(it.key()),
          ": unknown field; expected one of ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<HiddenLayer> ParseLayer(const Json& json,
                                       const std::string& path) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an object, got ", JsonTypeName(json)));
  }
  AMEND_RETURN_IF_ERROR(CheckKnownKeys(
      json, {"width", "activation", "norm", "dropout", "skip_from"}, path));
  HiddenLayer layer;
  AMEND_ASSIGN_OR_RETURN(layer.width,
                         GetInteger(json, "width", path + ".width"));

  auto activation = json.find("activation");
  if (activation == json.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".activation: is required"));
  }
  if (!activation->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".activation: must be a string, got ",
                     JsonTypeName(*activation)));
  }
  auto parsed_activation = ParseActivation(activation->get<std::string>());
  if (!parsed_activation.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".activation: ", parsed_activation.status().message()));
  }
  layer.activation = *parsed_activation;

  if (auto norm = json.find("norm"); norm != json.end()) {
    if (!norm->is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".norm: must be a string, got ", JsonTypeName(*norm)));
    }
    auto parsed_norm = ParseNorm(norm->get<std::string>());
    if (!parsed_norm.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".norm: ", parsed_norm.status().message()));
    }
    layer.norm = *parsed_norm;
  }
  if (auto dropout = json.find("dropout"); dropout != json.end()) {
    if (!dropout->is_number()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".dropout: must be a number, got ", JsonTypeName(*dropout)));
    }
    layer.dropout = dropout->get<double>();
  }
  if (auto skips = json.find("skip_from"); skips != json.end()) {
    if (!skips->is_array()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".skip_from: must be an array, got ", JsonTypeName(*skips)));
    }
    for (size_t i = 0; i < skips->size(); ++i) {
      const Json& source = (*skips)[i];
      if (!source.is_number_integer()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".skip_from[", i, "]: must be an integer, got ",
                         JsonTypeName(source)));
      }
      if (source.is_number_unsigned() ? source.get<uint64_t>() > (1 << 20)
                                      : source.get<int64_t>() < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".skip_from[", i,
                         "]: must be a source index, got ", source.dump()));
      }
      const int64_t value = source.get<int64_t>();
      layer.skip_from.push_back(static_cast<int>(value));
    }
  }
  return layer;
}

// a * b + c with overflow reported as "too large" (limits are far below int64).
bool AddProduct(int64_t& total, int64_t a, int64_t b) {
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) return false;
  return !__builtin_add_overflow(total, product, &total);
}

}  // namespace

absl::string_view ActivationName(Activation activation) {
  for (const auto& entry : kActivationNames) {
    if (entry.value == activation) return entry.name;
  }
  return "unknown";
}

absl::StatusOr<Activation> ParseActivation(absl::string_view name) {
  for (const auto& entry : kActivationNames) {
    if (entry.name == name) return entry.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("must be one of identity, relu, leaky_relu, gelu, tanh, "
                   "sigmoid, silu, got \"",
                   ClientText(name), "\""));
}

absl::string_view NormName(Norm norm) {
  for (const auto& entry : kNormNames) {
    if (entry.value == norm) return entry.name;
  }
  return "unknown";
}

absl::StatusOr<Norm> ParseNorm(absl::string_view name) {
  for (const auto& entry : kNormNames) {
    if (entry.name == name) return entry.value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("must be one of none, batchnorm, layernorm, got \"",
                   ClientText(name), "\""));
}

int64_t Architecture::SourceWidth(int source) const {
  return source == 0 ? input_dim
                     : layers[static_cast<size_t>(source - 1)].width;
}

absl::Status ValidateArchitecture(const Architecture& architecture,
                                  const ArchitectureLimits& limits) {
  const Architecture& a = architecture;
  if (a.input_dim < 1 || a.input_dim > limits.max_input_dim) {
    return absl::InvalidArgumentError(absl::StrCat("input_dim: must be in 1..",
                                                   limits.max_input_dim,
                                                   ", got ", a.input_dim));
  }
  if (a.num_classes < 2 || a.num_classes > limits.max_classes) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_classes: must be in 2..", limits.max_classes,
                     ", got ", a.num_classes));
  }
  if (a.num_hidden() > limits.max_hidden_layers) {
    return absl::InvalidArgumentError(
        absl::StrCat("layers: must have at most ", limits.max_hidden_layers,
                     " hidden layers, got ", a.num_hidden()));
  }
  for (int i = 0; i < a.num_hidden(); ++i) {
    const HiddenLayer& layer = a.layers[static_cast<size_t>(i)];
    const std::string path = absl::StrCat("layers[", i, "]");
    if (layer.width < 1 || layer.width > limits.max_width) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".width: must be in 1..", limits.max_width,
                       ", got ", layer.width));
    }
    if (!(layer.dropout >= 0.0 && layer.dropout < 1.0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".dropout: must be in [0, 1), got ", layer.dropout));
    }
    const int k =
        i +
        1;  // hidden layers are numbered 1..L; skips may come from h_0..h_{k-2}
    for (size_t j = 0; j < layer.skip_from.size(); ++j) {
      const int source = layer.skip_from[j];
      if (k < 2) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".skip_from[", j,
                         "]: layer 1 takes no skip connections, got ", source));
      }
      if (source < 0 || source > k - 2) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ".skip_from[", j, "]: must be a source in h_0..h_", k - 2,
            ", got ", source));
      }
      for (size_t earlier = 0; earlier < j; ++earlier) {
        if (layer.skip_from[earlier] == source) {
          return absl::InvalidArgumentError(absl::StrCat(
              path, ".skip_from[", j, "]: must name a distinct source, got ",
              source, " twice"));
        }
      }
    }
  }
  int64_t parameters = 0;
  for (const TensorSpec& spec : ExpectedTensors(a)) {
    int64_t numel = 1;
    for (int64_t dim : spec.shape) {
      if (__builtin_mul_overflow(numel, dim, &numel)) numel = INT64_MAX;
    }
    if (!AddProduct(parameters, numel, 1) ||
        parameters > limits.max_parameters) {
      return absl::InvalidArgumentError(
          absl::StrCat("layers: the model must have at most ",
                       limits.max_parameters, " parameters"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Architecture> ParseArchitectureJson(
    absl::string_view text, const ArchitectureLimits& limits) {
  StrictJson parsed = ParseStrictJson(text);
  if (!parsed.error.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("architecture: ", parsed.error.message()));
  }
  const Json json = std::move(parsed.value);
  if (!json.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "architecture: must be a JSON object, got ", JsonTypeName(json)));
  }
  AMEND_RETURN_IF_ERROR(
      CheckKnownKeys(json, {"input_dim", "num_classes", "layers"}, ""));
  Architecture architecture;
  AMEND_ASSIGN_OR_RETURN(architecture.input_dim,
                         GetInteger(json, "input_dim", "input_dim"));
  AMEND_ASSIGN_OR_RETURN(architecture.num_classes,
                         GetInteger(json, "num_classes", "num_classes"));
  auto layers = json.find("layers");
  if (layers == json.end())
    return absl::InvalidArgumentError("layers: is required");
  if (!layers->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("layers: must be an array, got ", JsonTypeName(*layers)));
  }
  if (layers->size() > static_cast<size_t>(limits.max_hidden_layers)) {
    return absl::InvalidArgumentError(
        absl::StrCat("layers: must have at most ", limits.max_hidden_layers,
                     " hidden layers, got ", layers->size()));
  }
  for (size_t i = 0; i < layers->size(); ++i) {
    AMEND_ASSIGN_OR_RETURN(
        HiddenLayer layer,
        ParseLayer((*layers)[i], absl::StrCat("layers[", i, "]")));
    architecture.layers.push_back(std::move(layer));
  }
  AMEND_RETURN_IF_ERROR(ValidateArchitecture(architecture, limits));
  return architecture;
}

std::string ArchitectureToJson(const Architecture& architecture) {
  // nlohmann::ordered_json keeps the documented key order.
  nlohmann::ordered_json json;
  json["input_dim"] = architecture.input_dim;
  json["num_classes"] = architecture.num_classes;
  json["layers"] = nlohmann::ordered_json::array();
  for (const HiddenLayer& layer : architecture.layers) {
    nlohmann::ordered_json entry;
    entry["width"] = layer.width;
    entry["activation"] = std::string(ActivationName(layer.activation));
    entry["norm"] = std::string(NormName(layer.norm));
    entry["dropout"] = layer.dropout;
    entry["skip_from"] = layer.skip_from;
    json["layers"].push_back(std::move(entry));
  }
  return json.dump();
}

std::string DescribeArchitecture(const Architecture& architecture) {
  std::string text = absl::StrCat(architecture.input_dim);
  for (const HiddenLayer& layer : architecture.layers) {
    absl::StrAppend(&text, " -> ", layer.width, " ",
                    ActivationName(layer.activation));
    if (layer.norm != Norm::kNone)
      absl::StrAppend(&text, "+", NormName(layer.norm));
    if (!layer.skip_from.empty()) {
      absl::StrAppend(&text, "(skip ",
                      absl::StrJoin(layer.skip_from, ",",
                                    [](std::string* out, int s) {
                                      absl::StrAppend(out, "h", s);
                                    }),
                      ")");
    }
  }
  absl::StrAppend(&text, " -> ", architecture.num_classes);
  return text;
}

}  // namespace amend

#include "core/mlp/onnx_export.h"

#include <bit>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/version.h"
#include "onnx/onnx_pb.h"

namespace amend {
namespace {

// Initializers are raw little-endian float32 (TensorProto.raw_data); copying
// the floats' bytes is that only on a little-endian machine.
static_assert(std::endian::native == std::endian::little);

constexpr char kFeatureNamesKey[] = "amend.feature_names";
constexpr char kClassNamesKey[] = "amend.class_names";
constexpr char kArchitectureKey[] = "amend.architecture";

std::string ShapeText(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::Status TensorError(absl::string_view name, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("tensor '", name, "': ", problem));
}

// The first flat index of `values` failing `ok`, or -1.
template <typename Predicate>
int64_t FirstFailing(std::span<const float> values, const Predicate& ok) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!ok(values[i])) return static_cast<int64_t>(i);
  }
  return -1;
}

// The tensors by name, after checking that they are exactly the
// architecture's parameters plus valid masks, each finite and of its shape.
absl::StatusOr<std::map<std::string, const Float32TensorView*>> IndexTensors(
    const Architecture& architecture,
    const std::vector<Float32TensorView>& tensors) {
  std::map<std::string, std::vector<int64_t>> expected;
  std::map<std::string, TensorRole> roles;
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    expected[spec.name] = spec.shape;
    roles[spec.name] = spec.role;
    if (IsWeightRole(spec.role)) expected[MaskName(spec.name)] = spec.shape;
  }
  expected[kInputMaskName] = {architecture.input_dim};

  std::map<std::string, const Float32TensorView*> index;
  for (const Float32TensorView& tensor : tensors) {
    auto shape = expected.find(tensor.name);
    if (shape == expected.end()) {
      return TensorError(tensor.name,
                         absl::StrCat(absl::StartsWith(tensor.name, kMaskPrefix)
                                          ? "is not a mask of a weight of"
                                          : "is not a parameter of",
                                      " this architecture (",
                                      DescribeArchitecture(architecture), ")"));
    }
    if (!index.emplace(tensor.name, &tensor).second) {
      return TensorError(tensor.name, "appears twice");
    }
    if (tensor.shape != shape->second) {
      return TensorError(
          tensor.name, absl::StrCat("shape must be ", ShapeText(shape->second),
                                    ", got ", ShapeText(tensor.shape)));
    }
    int64_t numel = 1;
    for (int64_t d : tensor.shape) numel *= d;
    if (static_cast<int64_t>(tensor.values.size()) != numel) {
      return TensorError(tensor.name,
                         absl::StrCat("has ", tensor.values.size(),
                                      " values, its shape needs ", numel));
    }
    const int64_t not_finite =
        FirstFailing(tensor.values, [](float v) { return std::isfinite(v); });
    if (not_finite >= 0) {
      return TensorError(
          tensor.name,
          absl::StrCat("values must be finite, got ",
                       tensor.values[static_cast<size_t>(not_finite)],
                       " at flat index ", not_finite));
    }
    if (absl::StartsWith(tensor.name, kMaskPrefix)) {
      const int64_t not_binary = FirstFailing(
          tensor.values, [](float v) { return v == 0.0f || v == 1.0f; });
      if (not_binary >= 0) {
        return TensorError(
            tensor.name,
            absl::StrCat("mask values must be 0 or 1, got ",
                         tensor.values[static_cast<size_t>(not_binary)],
                         " at flat index ", not_binary));
      }
    } else if (roles.at(tensor.name) == TensorRole::kNormRunningVar) {
      // A negative variance is no statistic: below -epsilon the exported
      // model would compute NaN logits, so the file is refused instead.
      const int64_t negative =
          FirstFailing(tensor.values, [](float v) { return v >= 0.0f; });
      if (negative >= 0) {
        return TensorError(
            tensor.name,
            absl::StrCat("values must be >= 0, got ",
                         tensor.values[static_cast<size_t>(negative)],
                         " at flat index ", negative));
      }
    }
  }
  for (const auto& [name, role] : roles) {
    if (!index.contains(name)) {
      return TensorError(name, absl::StrCat("is missing; shape ",
                                            ShapeText(expected.at(name))));
    }
  }
  return index;
}

absl::Status CheckNames(absl::string_view field,
                        const std::vector<std::string>& names,
                        absl::string_view dimension, int64_t count) {
  if (names.empty() || static_cast<int64_t>(names.size()) == count) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": must have ",
                                                 dimension, " = ", count,
                                                 " names, got ", names.size()));
}

// Appends nodes and initializers to one graph; every name it returns is a
// tensor of that graph.
class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  void AddInitializer(const std::string& name, std::vector<int64_t> shape,
                      std::span<const float> values) {
    onnx::TensorProto* tensor = graph_->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) tensor->add_dims(d);
    tensor->set_raw_data(values.data(), values.size_bytes());
  }

  // The scalar `value` as an initializer named `name`, added once.
  std::string Scalar(const std::string& name, float value) {
    if (scalars_.emplace(name).second) AddInitializer(name, {}, {&value, 1});
    return name;
  }

  // A node `op` whose one output is named `output` (also the node's name).
  onnx::NodeProto* AddNode(absl::string_view op,
                           std::initializer_list<std::string> inputs,
                           const std::string& output) {
    return AddNode(op, std::vector<std::string>(inputs), output);
  }
  onnx::NodeProto* AddNode(absl::string_view op,
                           const std::vector<std::string>& inputs,
                           const std::string& output) {
    onnx::NodeProto* node = graph_->add_node();
    node->set_op_type(std::string(op));
    node->set_name(output);
    for (const std::string& input : inputs) node->add_input(input);
    node->add_output(output);
    return node;
  }

  static void SetFloat(onnx::NodeProto* node, const std::string& name,
                       float value) {
    onnx::AttributeProto* attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::FLOAT);
    attribute->set_f(value);
  }
  static void SetInt(onnx::NodeProto* node, const std::string& name,
                     int64_t value) {
    onnx::AttributeProto* attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(value);
  }

 private:
  onnx::GraphProto* graph_;
  std::set<std::string> scalars_;
};

// x W^T (+ b): a Linear layer.
std::string AddLinear(GraphBuilder& graph, const std::string& input,
                      const std::string& weight, const std::string& bias,
                      const std::string& output) {
  std::vector<std::string> inputs = {input, weight};
  if (!bias.empty()) inputs.push_back(bias);
  GraphBuilder::SetInt(graph.AddNode("Gemm", inputs, output), "transB", 1);
  return output;
}

std::string AddActivation(GraphBuilder& graph, Activation activation,
                          const std::string& x, const std::string& prefix) {
  const std::string output = prefix + ".activation";
  switch (activation) {
    case Activation::kIdentity:
      return x;
    case Activation::kRelu:
      graph.AddNode("Relu", {x}, output);
      return output;
    case Activation::kLeakyRelu:
      GraphBuilder::SetFloat(graph.AddNode("LeakyRelu", {x}, output), "alpha",
                             static_cast<float>(kLeakyReluSlope));
      return output;
    case Activation::kTanh:
      graph.AddNode("Tanh", {x}, output);
      return output;
    case Activation::kSigmoid:
      graph.AddNode("Sigmoid", {x}, output);
      return output;
    case Activation::kSilu:
      graph.AddNode("Sigmoid", {x}, prefix + ".sigmoid");
      graph.AddNode("Mul", {x, prefix + ".sigmoid"}, output);
      return output;
    case Activation::kGelu: {
      // Opset 17 has no Gelu (it came in opset 20): the exact erf form,
      // x * 0.5 * (1 + erf(x / sqrt(2))), in the order PyTorch evaluates it.
      const std::string one = graph.Scalar("amend.one", 1.0f);
      const std::string half = graph.Scalar("amend.half", 0.5f);
      const std::string inverse_sqrt2 =
          graph.Scalar("amend.inverse_sqrt2", static_cast<float>(M_SQRT1_2));
      graph.AddNode("Mul", {x, inverse_sqrt2}, prefix + ".gelu_scaled");
      graph.AddNode("Erf", {prefix + ".gelu_scaled"}, prefix + ".gelu_erf");
      graph.AddNode("Add", {prefix + ".gelu_erf", one}, prefix + ".gelu_sum");
      graph.AddNode("Mul", {x, half}, prefix + ".gelu_half");
      graph.AddNode("Mul", {prefix + ".gelu_half", prefix + ".gelu_sum"},
                    output);
      return output;
    }
  }
  return x;
}

std::string AddNorm(GraphBuilder& graph, const HiddenLayer& layer, int k,
                    const std::string& z, const std::string& prefix) {
  const std::string output = prefix + ".norm";
  switch (layer.norm) {
    case Norm::kNone:
      return z;
    case Norm::kBatchNorm: {
      // training_mode defaults to 0: the running statistics, as eval mode.
      onnx::NodeProto* node =
          graph.AddNode("BatchNormalization",
                        {z, NormWeightName(k), NormBiasName(k),
                         NormRunningMeanName(k), NormRunningVarName(k)},
                        output);
      GraphBuilder::SetFloat(node, "epsilon", static_cast<float>(kNormEpsilon));
      return output;
    }
    case Norm::kLayerNorm: {
      onnx::NodeProto* node =
          graph.AddNode("LayerNormalization",
                        {z, NormWeightName(k), NormBiasName(k)}, output);
      GraphBuilder::SetInt(node, "axis", -1);
      GraphBuilder::SetFloat(node, "epsilon", static_cast<float>(kNormEpsilon));
      return output;
    }
  }
  return z;
}

void SetFloatMatrixType(onnx::ValueInfoProto* value, const std::string& name,
                        int64_t columns) {
  value->set_name(name);
  onnx::TypeProto::Tensor* type = value->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto* shape = type->mutable_shape();
  shape->add_dim()->set_dim_param(kOnnxBatchDimension);
  shape->add_dim()->set_dim_value(columns);
}

void AddMetadata(onnx::ModelProto& model, const std::string& key,
                 const std::string& value) {
  onnx::StringStringEntryProto* entry = model.add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

}  // namespace

absl::StatusOr<std::string> SerializeOnnxModel(
    const Architecture& architecture,
    const std::vector<Float32TensorView>& tensors,
    const OnnxExportOptions& options) {
  AMEND_RETURN_IF_ERROR(ValidateArchitecture(architecture));
  AMEND_RETURN_IF_ERROR(CheckNames("options.feature_names",
                                   options.feature_names, "input_dim",
                                   architecture.input_dim));
  AMEND_RETURN_IF_ERROR(CheckNames("options.class_names", options.class_names,
                                   "num_classes", architecture.num_classes));
  for (const char* reserved :
       {kArchitectureKey, kFeatureNamesKey, kClassNamesKey}) {
    if (options.metadata.contains(reserved)) {
      return absl::InvalidArgumentError(
          absl::StrCat("options.metadata: '", reserved,
                       "' is written by the exporter itself"));
    }
  }
  AMEND_ASSIGN_OR_RETURN(auto index, IndexTensors(architecture, tensors));

  onnx::ModelProto model;
  model.set_ir_version(kOnnxIrVersion);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  model.set_producer_name("amend");
  model.set_producer_version(kAmendVersion);
  model.set_doc_string(DescribeArchitecture(architecture));
  AddMetadata(model, kArchitectureKey, ArchitectureToJson(architecture));
  // Names that are not UTF-8 get replacement characters rather than throw.
  const auto json_array = [](const std::vector<std::string>& names) {
    return nlohmann::json(names).dump(-1, ' ', false,
                                      nlohmann::json::error_handler_t::replace);
  };
  if (!options.feature_names.empty()) {
    AddMetadata(model, kFeatureNamesKey, json_array(options.feature_names));
  }
  if (!options.class_names.empty()) {
    AddMetadata(model, kClassNamesKey, json_array(options.class_names));
  }
  for (const auto& [key, value] : options.metadata) {
    AddMetadata(model, key, value);
  }

  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name("amend_mlp");
  SetFloatMatrixType(graph->add_input(), kOnnxInputName,
                     architecture.input_dim);
  SetFloatMatrixType(graph->add_output(), kOnnxOutputName,
                     architecture.num_classes);
  GraphBuilder builder(graph);

  // Initializers under the contract's own tensor names, weights multiplied by
  // their masks: a deployed model must not depend on the masks having been
  // applied before the file was written.
  const Float32TensorView* input_mask =
      index.contains(kInputMaskName) ? index.at(kInputMaskName) : nullptr;
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    const Float32TensorView& tensor = *index.at(spec.name);
    if (!IsWeightRole(spec.role)) {
      builder.AddInitializer(spec.name, spec.shape, tensor.values);
      continue;
    }
    std::vector<float> effective(tensor.values.begin(), tensor.values.end());
    if (auto mask = index.find(MaskName(spec.name)); mask != index.end()) {
      for (size_t i = 0; i < effective.size(); ++i) {
        effective[i] *= mask->second->values[i];
      }
    }
    if (spec.source == 0 && input_mask != nullptr) {
      const size_t columns = static_cast<size_t>(spec.shape[1]);
      for (size_t i = 0; i < effective.size(); ++i) {
        effective[i] *= input_mask->values[i % columns];
      }
    }
    builder.AddInitializer(spec.name, spec.shape, effective);
  }

  std::vector<std::string> sources = {kOnnxInputName};  // h_0 .. h_k
  for (int k = 1; k <= architecture.num_hidden(); ++k) {
    const HiddenLayer& layer = architecture.layers[static_cast<size_t>(k - 1)];
    const std::string prefix = absl::StrCat("layers.", k);
    std::string z = AddLinear(builder, sources.back(), LayerWeightName(k),
                              LayerBiasName(k), prefix + ".linear");
    if (!layer.skip_from.empty()) {
      std::vector<std::string> terms = {z};
      for (int s : layer.skip_from) {
        terms.push_back(AddLinear(builder, sources[static_cast<size_t>(s)],
                                  SkipWeightName(k, s), /*bias=*/"",
                                  absl::StrCat(prefix, ".skip.", s)));
      }
      z = prefix + ".sum";
      builder.AddNode("Sum", terms, z);
    }
    const std::string normalised = AddNorm(builder, layer, k, z, prefix);
    sources.push_back(
        AddActivation(builder, layer.activation, normalised, prefix));
  }
  AddLinear(builder, sources.back(), kHeadWeightName, kHeadBiasName,
            kOnnxOutputName);

  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    return absl::InternalError("the ONNX model could not be serialised");
  }
  return bytes;
}

}  // namespace amend

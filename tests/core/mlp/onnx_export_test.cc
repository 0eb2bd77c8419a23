#include "core/mlp/onnx_export.h"

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onnx/onnx_pb.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// Named tensors that own their values, viewed as the exporter takes them.
class Tensors {
 public:
  void Set(const std::string& name, std::vector<int64_t> shape,
           std::vector<float> values) {
    entries_[name] = {std::move(shape), std::move(values)};
  }
  void Erase(const std::string& name) { entries_.erase(name); }
  std::vector<Float32TensorView> Views() const {
    std::vector<Float32TensorView> views;
    for (const auto& [name, entry] : entries_) {
      views.push_back({name, entry.first, entry.second});
    }
    return views;
  }

 private:
  std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>
      entries_;
};

// Every parameter of `architecture`, with the values 0.5, 1.5, 2.5, ... so
// that each entry is told apart, and running variances positive.
Tensors CountingTensors(const Architecture& architecture) {
  Tensors tensors;
  float next = 0.5f;
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    std::vector<float> values;
    for (int64_t i = 0; i < spec.numel(); ++i) values.push_back(next++);
    tensors.Set(spec.name, spec.shape, values);
  }
  return tensors;
}

onnx::ModelProto Parse(const std::string& bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  return model;
}

std::vector<std::string> OpTypes(const onnx::ModelProto& model) {
  std::vector<std::string> ops;
  for (const onnx::NodeProto& node : model.graph().node()) {
    ops.push_back(node.op_type());
  }
  return ops;
}

const onnx::NodeProto& NodeNamed(const onnx::ModelProto& model,
                                 const std::string& name) {
  for (const onnx::NodeProto& node : model.graph().node()) {
    if (node.name() == name) return node;
  }
  ADD_FAILURE() << "no node " << name;
  static const onnx::NodeProto kNone;
  return kNone;
}

std::vector<std::string> Inputs(const onnx::NodeProto& node) {
  return {node.input().begin(), node.input().end()};
}

const onnx::AttributeProto* Attribute(const onnx::NodeProto& node,
                                      const std::string& name) {
  for (const onnx::AttributeProto& attribute : node.attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

struct Initializer {
  std::vector<int64_t> dims;
  std::vector<float> values;
};

std::map<std::string, Initializer> Initializers(const onnx::ModelProto& model) {
  std::map<std::string, Initializer> initializers;
  for (const onnx::TensorProto& tensor : model.graph().initializer()) {
    EXPECT_EQ(tensor.data_type(), onnx::TensorProto::FLOAT) << tensor.name();
    Initializer& entry = initializers[tensor.name()];
    entry.dims.assign(tensor.dims().begin(), tensor.dims().end());
    entry.values.resize(tensor.raw_data().size() / sizeof(float));
    std::memcpy(entry.values.data(), tensor.raw_data().data(),
                tensor.raw_data().size());
  }
  return initializers;
}

std::string MetadataValue(const onnx::ModelProto& model,
                          const std::string& key) {
  for (const onnx::StringStringEntryProto& entry : model.metadata_props()) {
    if (entry.key() == key) return entry.value();
  }
  return "";
}

// 2 features -> 3 relu -> 2 gelu+batchnorm (skip from h0) -> 2 classes: small
// enough to check every node and initializer by hand.
Architecture HandCheckedArchitecture() {
  Architecture a;
  a.input_dim = 2;
  a.num_classes = 2;
  a.layers = {{3, Activation::kRelu, Norm::kNone, 0.0, {}},
              {2, Activation::kGelu, Norm::kBatchNorm, 0.25, {0}}};
  return a;
}

TEST(OnnxExportTest, AHandCheckedModelHasTheExpectedGraph) {
  const Architecture a = HandCheckedArchitecture();
  Tensors tensors = CountingTensors(a);
  OnnxExportOptions options;
  options.feature_names = {"age", "hours"};
  options.class_names = {"<=50K", ">50K"};
  options.metadata = {{"amend.task", "adult"}};
  const absl::StatusOr<std::string> bytes =
      SerializeOnnxModel(a, tensors.Views(), options);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  const onnx::ModelProto model = Parse(*bytes);

  EXPECT_EQ(model.ir_version(), 8);
  ASSERT_EQ(model.opset_import_size(), 1);
  EXPECT_EQ(model.opset_import(0).domain(), "");
  EXPECT_EQ(model.opset_import(0).version(), 17);
  EXPECT_EQ(model.producer_name(), "amend");
  EXPECT_EQ(model.producer_version(), kAmendVersion);
  EXPECT_EQ(MetadataValue(model, "amend.architecture"), ArchitectureToJson(a));
  EXPECT_EQ(MetadataValue(model, "amend.feature_names"), R"(["age","hours"])");
  EXPECT_EQ(MetadataValue(model, "amend.class_names"), R"(["<=50K",">50K"])");
  EXPECT_EQ(MetadataValue(model, "amend.task"), "adult");

  // One input and one output, [batch, width] float, batch dynamic.
  const onnx::GraphProto& graph = model.graph();
  ASSERT_EQ(graph.input_size(), 1);
  ASSERT_EQ(graph.output_size(), 1);
  for (const auto& [value, name, width] :
       {std::tuple(&graph.input(0), "features", 2),
        std::tuple(&graph.output(0), "logits", 2)}) {
    EXPECT_EQ(value->name(), name);
    const onnx::TypeProto::Tensor& type = value->type().tensor_type();
    EXPECT_EQ(type.elem_type(), onnx::TensorProto::FLOAT);
    ASSERT_EQ(type.shape().dim_size(), 2);
    EXPECT_EQ(type.shape().dim(0).dim_param(), "batch");
    EXPECT_EQ(type.shape().dim(1).dim_value(), width);
  }

  // relu(W1 x + b1); gelu(batchnorm(W2 h1 + b2 + S x)), the exact erf gelu
  // spelled out; the head writes the logits. Dropout leaves nothing.
  EXPECT_THAT(OpTypes(model), ElementsAre("Gemm", "Relu", "Gemm", "Gemm", "Sum",
                                          "BatchNormalization", "Mul", "Erf",
                                          "Add", "Mul", "Mul", "Gemm"));
  const onnx::NodeProto& linear1 = NodeNamed(model, "layers.1.linear");
  EXPECT_THAT(Inputs(linear1),
              ElementsAre("features", "layers.1.weight", "layers.1.bias"));
  ASSERT_NE(Attribute(linear1, "transB"), nullptr);
  EXPECT_EQ(Attribute(linear1, "transB")->i(), 1);
  EXPECT_THAT(
      Inputs(NodeNamed(model, "layers.2.linear")),
      ElementsAre("layers.1.activation", "layers.2.weight", "layers.2.bias"));
  EXPECT_THAT(Inputs(NodeNamed(model, "layers.2.skip.0")),
              ElementsAre("features", "layers.2.skip.0.weight"));
  EXPECT_THAT(Inputs(NodeNamed(model, "layers.2.sum")),
              ElementsAre("layers.2.linear", "layers.2.skip.0"));
  const onnx::NodeProto& norm = NodeNamed(model, "layers.2.norm");
  EXPECT_THAT(
      Inputs(norm),
      ElementsAre("layers.2.sum", "layers.2.norm.weight", "layers.2.norm.bias",
                  "layers.2.norm.running_mean", "layers.2.norm.running_var"));
  ASSERT_NE(Attribute(norm, "epsilon"), nullptr);
  EXPECT_FLOAT_EQ(Attribute(norm, "epsilon")->f(), 1e-5f);
  EXPECT_EQ(Attribute(norm, "training_mode"), nullptr);  // 0: running stats
  EXPECT_THAT(Inputs(NodeNamed(model, "layers.2.gelu_scaled")),
              ElementsAre("layers.2.norm", "amend.inverse_sqrt2"));
  EXPECT_THAT(Inputs(NodeNamed(model, "logits")),
              ElementsAre("layers.2.activation", "head.weight", "head.bias"));
  EXPECT_EQ(graph.node(graph.node_size() - 1).output(0), "logits");

  // The contract's tensors under their own names, with their values, and
  // the three gelu constants.
  const std::map<std::string, Initializer> initializers = Initializers(model);
  EXPECT_EQ(initializers.size(), ExpectedTensors(a).size() + 3);
  EXPECT_THAT(initializers.at("layers.1.weight").dims, ElementsAre(3, 2));
  EXPECT_THAT(initializers.at("layers.1.weight").values,
              ElementsAre(0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f));
  EXPECT_THAT(initializers.at("layers.1.bias").values,
              ElementsAre(6.5f, 7.5f, 8.5f));
  EXPECT_THAT(initializers.at("layers.2.skip.0.weight").dims,
              ElementsAre(2, 2));
  EXPECT_THAT(initializers.at("head.weight").dims, ElementsAre(2, 2));
  EXPECT_THAT(initializers.at("amend.inverse_sqrt2").dims, ElementsAre());
  EXPECT_THAT(initializers.at("amend.inverse_sqrt2").values,
              ElementsAre(static_cast<float>(M_SQRT1_2)));
  EXPECT_THAT(initializers.at("amend.half").values, ElementsAre(0.5f));
  EXPECT_THAT(initializers.at("amend.one").values, ElementsAre(1.0f));

  // The same inputs give the same bytes.
  EXPECT_EQ(*SerializeOnnxModel(a, tensors.Views(), options), *bytes);
}

TEST(OnnxExportTest, MasksAreExportedAsTheEffectiveWeights) {
  const Architecture a = HandCheckedArchitecture();
  Tensors tensors = CountingTensors(a);
  // Feature 1 removed: column 1 of every weight that reads h0 (layer 1 and
  // the skip) becomes 0. One entry of the head pruned. The weights still
  // hold their values, as a file whose masks were not applied would.
  tensors.Set(kInputMaskName, {2}, {1, 0});
  tensors.Set(MaskName(kHeadWeightName), {2, 2}, {1, 1, 0, 1});
  const onnx::ModelProto model =
      Parse(SerializeOnnxModel(a, tensors.Views()).value());
  const std::map<std::string, Initializer> initializers = Initializers(model);
  EXPECT_THAT(initializers.at("layers.1.weight").values,
              ElementsAre(0.5f, 0.0f, 2.5f, 0.0f, 4.5f, 0.0f));
  const std::vector<float> skip =
      initializers.at("layers.2.skip.0.weight").values;
  EXPECT_EQ(skip[1], 0.0f);
  EXPECT_EQ(skip[3], 0.0f);
  EXPECT_NE(skip[0], 0.0f);
  const std::vector<float> head = initializers.at("head.weight").values;
  EXPECT_EQ(head[2], 0.0f);
  EXPECT_NE(head[3], 0.0f);
  // Layer 2 reads h1, not the features: untouched.
  for (float v : initializers.at("layers.2.weight").values) EXPECT_NE(v, 0.0f);
  // Masks are not initializers of their own.
  EXPECT_FALSE(initializers.contains(kInputMaskName));
}

TEST(OnnxExportTest, EveryActivationAndNormMapsToItsOps) {
  const std::map<Activation, std::vector<std::string>> activation_ops = {
      {Activation::kIdentity, {}},
      {Activation::kRelu, {"Relu"}},
      {Activation::kLeakyRelu, {"LeakyRelu"}},
      {Activation::kGelu, {"Mul", "Erf", "Add", "Mul", "Mul"}},
      {Activation::kTanh, {"Tanh"}},
      {Activation::kSigmoid, {"Sigmoid"}},
      {Activation::kSilu, {"Sigmoid", "Mul"}}};
  const std::map<Norm, std::vector<std::string>> norm_ops = {
      {Norm::kNone, {}},
      {Norm::kBatchNorm, {"BatchNormalization"}},
      {Norm::kLayerNorm, {"LayerNormalization"}}};
  for (const Activation activation : kAllActivations) {
    for (const Norm norm : kAllNorms) {
      SCOPED_TRACE(
          absl::StrCat(ActivationName(activation), " ", NormName(norm)));
      Architecture a;
      a.input_dim = 3;
      a.num_classes = 2;
      a.layers = {{4, activation, norm, 0.0, {}}};
      const onnx::ModelProto model =
          Parse(SerializeOnnxModel(a, CountingTensors(a).Views()).value());
      std::vector<std::string> expected = {"Gemm"};
      expected.insert(expected.end(), norm_ops.at(norm).begin(),
                      norm_ops.at(norm).end());
      expected.insert(expected.end(), activation_ops.at(activation).begin(),
                      activation_ops.at(activation).end());
      expected.push_back("Gemm");
      EXPECT_THAT(OpTypes(model), ElementsAreArray(expected));
      if (activation == Activation::kLeakyRelu) {
        const onnx::AttributeProto* alpha =
            Attribute(NodeNamed(model, "layers.1.activation"), "alpha");
        ASSERT_NE(alpha, nullptr);
        EXPECT_FLOAT_EQ(alpha->f(), 0.01f);
      }
      if (norm == Norm::kLayerNorm) {
        const onnx::NodeProto& node = NodeNamed(model, "layers.1.norm");
        EXPECT_EQ(Attribute(node, "axis")->i(), -1);
        EXPECT_FLOAT_EQ(Attribute(node, "epsilon")->f(), 1e-5f);
        EXPECT_THAT(Inputs(node),
                    ElementsAre("layers.1.linear", "layers.1.norm.weight",
                                "layers.1.norm.bias"));
      }
    }
  }
}

TEST(OnnxExportTest, AModelWithoutHiddenLayersIsOneGemm) {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 4;
  const onnx::ModelProto model =
      Parse(SerializeOnnxModel(a, CountingTensors(a).Views()).value());
  EXPECT_THAT(OpTypes(model), ElementsAre("Gemm"));
  EXPECT_THAT(Inputs(model.graph().node(0)),
              ElementsAre("features", "head.weight", "head.bias"));
}

TEST(OnnxExportTest, RefusesBadInputNamingTheField) {
  const Architecture a = HandCheckedArchitecture();
  auto error = [&](const Tensors& tensors,
                   const OnnxExportOptions& options = {}) {
    const absl::StatusOr<std::string> bytes =
        SerializeOnnxModel(a, tensors.Views(), options);
    EXPECT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(bytes.status().message());
  };
  {
    Tensors tensors = CountingTensors(a);
    tensors.Erase("layers.2.norm.running_mean");
    EXPECT_THAT(error(tensors),
                HasSubstr("tensor 'layers.2.norm.running_mean': is missing"));
  }
  {
    Tensors tensors = CountingTensors(a);
    tensors.Set("layers.1.weight", {3, 1}, {1, 2, 3});
    EXPECT_THAT(error(tensors), HasSubstr("tensor 'layers.1.weight': shape "
                                          "must be [3, 2], got [3, 1]"));
  }
  {
    Tensors tensors = CountingTensors(a);
    tensors.Set("layers.2.skip.1.weight", {2, 3}, {1, 2, 3, 4, 5, 6});
    EXPECT_THAT(error(tensors),
                HasSubstr("tensor 'layers.2.skip.1.weight': is not a "
                          "parameter of this architecture"));
  }
  {
    Tensors tensors = CountingTensors(a);
    tensors.Set("mask.layers.1.bias", {3}, {1, 1, 1});
    EXPECT_THAT(error(tensors), HasSubstr("tensor 'mask.layers.1.bias': is not "
                                          "a mask of a weight"));
  }
  {
    Tensors tensors = CountingTensors(a);
    tensors.Set("mask.head.weight", {2, 2}, {1, 0.5f, 1, 1});
    EXPECT_THAT(error(tensors),
                HasSubstr("tensor 'mask.head.weight': mask values must be 0 "
                          "or 1, got 0.5 at flat index 1"));
  }
  {
    Tensors tensors = CountingTensors(a);
    tensors.Set("head.bias", {2}, {1, NAN});
    EXPECT_THAT(error(tensors),
                HasSubstr("tensor 'head.bias': values must be finite, got nan "
                          "at flat index 1"));
  }
  {
    Tensors tensors = CountingTensors(a);
    tensors.Set("layers.2.norm.running_var", {2}, {1, -1});
    EXPECT_THAT(error(tensors),
                HasSubstr("tensor 'layers.2.norm.running_var': values must be "
                          ">= 0, got -1 at flat index 1"));
  }
  {
    OnnxExportOptions options;
    options.feature_names = {"age"};
    EXPECT_THAT(error(CountingTensors(a), options),
                HasSubstr("options.feature_names: must have input_dim = 2 "
                          "names, got 1"));
  }
  {
    OnnxExportOptions options;
    options.class_names = {"a", "b", "c"};
    EXPECT_THAT(error(CountingTensors(a), options),
                HasSubstr("options.class_names: must have num_classes = 2"));
  }
  {
    OnnxExportOptions options;
    options.metadata = {{"amend.architecture", "{}"}};
    EXPECT_THAT(error(CountingTensors(a), options),
                HasSubstr("options.metadata: 'amend.architecture'"));
  }
  {
    Architecture invalid = a;
    invalid.layers[1].skip_from = {1};
    const absl::StatusOr<std::string> bytes =
        SerializeOnnxModel(invalid, CountingTensors(a).Views());
    EXPECT_THAT(bytes.status().message(), HasSubstr("layers[1].skip_from[0]"));
  }
}

}  // namespace
}  // namespace amend

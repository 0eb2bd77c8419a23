#include "core/mlp/architecture.h"

#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

// The example of docs/MODEL_FORMAT.md.
constexpr char kExample[] = R"({"input_dim": 14, "num_classes": 2,
 "layers": [{"width": 16, "activation": "relu", "norm": "none", "dropout": 0.0, "skip_from": []},
            {"width": 32, "activation": "relu", "norm": "layernorm", "dropout": 0.1, "skip_from": [0]}]})";

TEST(ArchitectureTest, ParsesTheDocumentedExample) {
  auto architecture = ParseArchitectureJson(kExample);
  ASSERT_TRUE(architecture.ok()) << architecture.status();
  EXPECT_EQ(architecture->input_dim, 14);
  EXPECT_EQ(architecture->num_classes, 2);
  ASSERT_EQ(architecture->layers.size(), 2u);
  EXPECT_EQ(architecture->layers[1].width, 32);
  EXPECT_EQ(architecture->layers[1].norm, Norm::kLayerNorm);
  EXPECT_DOUBLE_EQ(architecture->layers[1].dropout, 0.1);
  EXPECT_EQ(architecture->layers[1].skip_from, std::vector<int>{0});
  EXPECT_EQ(DescribeArchitecture(*architecture),
            "14 -> 16 relu -> 32 relu+layernorm(skip h0) -> 2");
}

TEST(ArchitectureTest, JsonRoundTripIsExact) {
  auto architecture = ParseArchitectureJson(kExample);
  ASSERT_TRUE(architecture.ok());
  const std::string json = ArchitectureToJson(*architecture);
  EXPECT_EQ(
      json,
      R"({"input_dim":14,"num_classes":2,"layers":[{"width":16,"activation":"relu",)"
      R"("norm":"none","dropout":0.0,"skip_from":[]},{"width":32,"activation":"relu",)"
      R"("norm":"layernorm","dropout":0.1,"skip_from":[0]}]})");
  EXPECT_EQ(*ParseArchitectureJson(json), *architecture);
}

TEST(ArchitectureTest, EveryActivationAndNormNameRoundTrips) {
  for (Activation activation : kAllActivations) {
    EXPECT_EQ(*ParseActivation(ActivationName(activation)), activation);
  }
  for (Norm norm : kAllNorms) EXPECT_EQ(*ParseNorm(NormName(norm)), norm);
}

struct BadArchitecture {
  const char* json;
  const char* message;
};

class ArchitectureRefusalTest
    : public ::testing::TestWithParam<BadArchitecture> {};

TEST_P(ArchitectureRefusalTest, RefusesWithAMessageNamingTheField) {
  auto result = ParseArchitectureJson(GetParam().json);
  ASSERT_FALSE(result.ok()) << GetParam().json;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr(GetParam().message));
}

constexpr char kThreeLayers[] =
    R"({"input_dim": 4, "num_classes": 2, "layers": [{"width": 8, "activation": "relu"},
       {"width": 8, "activation": "relu"}, {"width": 8, "activation": "relu", "skip_from": [3]}]})";

INSTANTIATE_TEST_SUITE_P(
    Table, ArchitectureRefusalTest,
    ::testing::Values(
        BadArchitecture{
            kThreeLayers,
            "layers[2].skip_from[0]: must be a source in h_0..h_1, got 3"},
        BadArchitecture{"{not json", "architecture: must be valid JSON"},
        BadArchitecture{"[1, 2]",
                        "architecture: must be a JSON object, got array"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2})",
                        "layers: is required"},
        BadArchitecture{
            R"({"input_dim": 4, "num_classes": 2, "layers": [], "extra": 1})",
            "extra: unknown field"},
        BadArchitecture{R"({"input_dim": 0, "num_classes": 2, "layers": []})",
                        "input_dim: must be in 1..65536, got 0"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 1, "layers": []})",
                        "num_classes: must be in 2..4096, got 1"},
        BadArchitecture{R"({"input_dim": "4", "num_classes": 2, "layers": []})",
                        "input_dim: must be an integer, got string"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 0, "activation": "relu"}]})",
                        "layers[0].width: must be in 1..65536, got 0"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "swish"}]})",
                        "layers[0].activation: must be one of identity, relu"},
        BadArchitecture{
            R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "relu", "norm": "groupnorm"}]})",
            "layers[0].norm: must be one of none, batchnorm, layernorm"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "relu", "dropout": 1.0}]})",
                        "layers[0].dropout: must be in [0, 1), got 1"},
        BadArchitecture{
            R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "relu", "skip_from": [0]}]})",
            "layers[0].skip_from[0]: layer 1 takes no skip connections"},
        BadArchitecture{
            R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "relu"},
                                       {"width": 8, "activation": "relu"},
                                       {"width": 8, "activation": "relu", "skip_from": [0, 0]}]})",
            "layers[2].skip_from[1]: must name a distinct source, got 0 twice"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "relu", "colour": "red"}]})",
                        "layers[0].colour: unknown field"},
        BadArchitecture{R"({"input_dim": 65536, "num_classes": 2,
                            "layers": [{"width": 65536, "activation": "relu"}]})",
                        "the model must have at most 67108864 parameters"},
        BadArchitecture{
            R"({"input_dim": 4, "input_dim": 4, "num_classes": 2, "layers": []})",
            "architecture: 'input_dim' appears twice in one JSON object"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 9223372036854775808, "activation": "relu"}]})",
                        "layers[0].width: must be at most 9223372036854775807, "
                        "got 9223372036854775808"},
        BadArchitecture{R"({"input_dim": 4, "num_classes": 2,
                            "layers": [{"width": 8, "activation": "relu"},
                                       {"width": 8, "activation": "relu",
                                        "skip_from": [18446744073709551615]}]})",
                        "layers[1].skip_from[0]: must be a source index, got "
                        "18446744073709551615"}));

TEST(ArchitectureTest, TooManyLayersIsRefusedBeforeParsingThem) {
  std::string json = R"({"input_dim": 4, "num_classes": 2, "layers": [)";
  for (int i = 0; i < 65; ++i)
    json += std::string(i ? "," : "") + R"({"width":1,"activation":"relu"})";
  json += "]}";
  auto result = ParseArchitectureJson(json);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("layers: must have at most 64 hidden layers, got 65"));
}

TEST(ParameterLayoutTest, NamesAndShapesFollowTheContract) {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kRelu, Norm::kBatchNorm, 0.0, {}},
              {5, Activation::kTanh, Norm::kLayerNorm, 0.0, {0}}};
  std::vector<std::pair<std::string, std::vector<int64_t>>> got;
  for (const TensorSpec& spec : ExpectedTensors(a))
    got.push_back({spec.name, spec.shape});
  const std::vector<std::pair<std::string, std::vector<int64_t>>> expected = {
      {"layers.1.weight", {4, 3}},
      {"layers.1.bias", {4}},
      {"layers.1.norm.weight", {4}},
      {"layers.1.norm.bias", {4}},
      {"layers.1.norm.running_mean", {4}},
      {"layers.1.norm.running_var", {4}},
      {"layers.2.weight", {5, 4}},
      {"layers.2.bias", {5}},
      {"layers.2.skip.0.weight", {5, 3}},
      {"layers.2.norm.weight", {5}},
      {"layers.2.norm.bias", {5}},
      {"head.weight", {2, 5}},
      {"head.bias", {2}}};
  EXPECT_EQ(got, expected);
  // By hand: weights 12 + 20 + 15 + 10 = 57; biases 4 + 5 + 2; norm 4*4 + 5*2.
  EXPECT_EQ(CountWeights(a), 57);
  EXPECT_EQ(CountParameters(a), 57 + 11 + 26);
}

TEST(ParameterLayoutTest, ModelWithoutHiddenLayersIsALinearHead) {
  Architecture a;
  a.input_dim = 7;
  a.num_classes = 3;
  ASSERT_TRUE(ValidateArchitecture(a).ok());
  const auto specs = ExpectedTensors(a);
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].shape, (std::vector<int64_t>{3, 7}));
}

}  // namespace
}  // namespace amend

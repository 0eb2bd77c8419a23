#include "core/mlp/architecture_range.h"

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Architecture Make(std::vector<HiddenLayer> layers) {
  Architecture a;
  a.input_dim = 5;
  a.num_classes = 2;
  a.layers = std::move(layers);
  return a;
}

// Two zoo models: 1 layer of 8 (relu, none) and 2 layers of 16, 32 (gelu,
// batchnorm; the second with one skip).
ArchitectureRange TwoModelRange() {
  ArchitectureRange range;
  range.Include(Make({{8, Activation::kRelu, Norm::kNone, 0.0, {}}}));
  range.Include(Make({{16, Activation::kGelu, Norm::kBatchNorm, 0.1, {}},
                      {32, Activation::kGelu, Norm::kBatchNorm, 0.1, {0}}}));
  return range;
}

TEST(ArchitectureRangeTest, IncludeCoversEveryModelSeen) {
  const ArchitectureRange range = TwoModelRange();
  EXPECT_EQ(range.min_hidden_layers, 1);
  EXPECT_EQ(range.max_hidden_layers, 2);
  EXPECT_EQ(range.min_width, 8);
  EXPECT_EQ(range.max_width, 32);
  EXPECT_EQ(range.max_skips, 1);
  EXPECT_THAT(range.activations,
              ElementsAre(Activation::kRelu, Activation::kGelu));
  EXPECT_EQ(range.norms.size(), 2u);
  EXPECT_THAT(
      range.Outside(Make({{16, Activation::kRelu, Norm::kBatchNorm, 0.0, {}}})),
      IsEmpty());
}

TEST(ArchitectureRangeTest, OutsideGivesOneReasonPerWay) {
  const ArchitectureRange range = TwoModelRange();
  const std::vector<std::string> reasons =
      range.Outside(Make({{64, Activation::kTanh, Norm::kLayerNorm, 0.0, {}},
                          {16, Activation::kRelu, Norm::kNone, 0.0, {}},
                          {16, Activation::kRelu, Norm::kNone, 0.0, {0, 1}}}));
  ASSERT_EQ(reasons.size(), 5u) << ::testing::PrintToString(reasons);
  EXPECT_EQ(reasons[0], "it has 3 hidden layers; the zoo's have 1..2");
  EXPECT_EQ(reasons[1],
            "hidden layer 1 is 64 wide; the zoo's widths are 8..32");
  EXPECT_THAT(reasons[2], HasSubstr("hidden layer 1 uses tanh, which no zoo "
                                    "model has (relu/gelu)"));
  EXPECT_THAT(reasons[3], HasSubstr("hidden layer 1 uses norm layernorm"));
  EXPECT_EQ(reasons[4],
            "hidden layer 3 has 2 skip connections; the zoo's have at most 1");
}

TEST(ArchitectureRangeTest, JsonRoundTripsAndNamesABadField) {
  const ArchitectureRange range = TwoModelRange();
  const nlohmann::json json = ArchitectureRangeToJson(range);
  auto back = ArchitectureRangeFromJson(json, "r");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, range);
  nlohmann::json bad = json;
  bad["widths"] = {64, 8};
  EXPECT_THAT(
      std::string(ArchitectureRangeFromJson(bad, "r").status().message()),
      HasSubstr("r.widths: must be [min, max]"));
  bad = json;
  bad["activations"] = {"relu", "swish"};
  EXPECT_THAT(
      std::string(ArchitectureRangeFromJson(bad, "r").status().message()),
      HasSubstr("r.activations:"));
  EXPECT_EQ(ArchitectureRangeText(range),
            "1-2 hidden layers of 8-32, relu/gelu, norms none/batchnorm, up to "
            "1 skips");
}

}  // namespace
}  // namespace amend

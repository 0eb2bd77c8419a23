// Data minimisation over attributes of several inputs (one-hot columns):
// hand-worked mask logits through ApplyEdit, the statistics' counts, and the
// feature-selection baselines removing whole attributes.
#include <ATen/ATen.h>

#include "core/baselines/feature_selection.h"
#include "core/editor/apply_edit.h"
#include "core/editor/editor.h"
#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/input_attributes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;

Architecture FourInputs() {
  Architecture a;
  a.input_dim = 4;
  a.num_classes = 2;
  a.layers = {{3, Activation::kRelu, Norm::kNone, 0.0, {}}};
  return a;
}

TEST(InputAttributesTest, IndexesAttributesInOrderOfTheirFirstInput) {
  const InputAttributes a = IndexInputAttributes({"age", "job=a", "job=b", "x"},
                                                 {"age", "job", "job", "x"});
  EXPECT_THAT(a.names, ElementsAre("age", "job", "x"));
  EXPECT_THAT(a.of_input, ElementsAre(0, 1, 1, 2));
  EXPECT_THAT(a.inputs, ElementsAre(1, 2, 1));
  EXPECT_FALSE(a.trivial());
  const InputAttributes own = IndexInputAttributes({"p", "q"}, {});
  EXPECT_THAT(own.names, ElementsAre("p", "q"));
  EXPECT_TRUE(own.trivial());
}

// Two graphs; input mask logits set by hand, every other output zero.
class AttributeMaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint64_t seed : {1, 2}) {
      mlps_.push_back(*InitializeMlp(FourInputs(), seed));
      graphs_.push_back(*BuildParameterGraph(mlps_.back()));
    }
    for (const ParameterGraph& graph : graphs_) pointers_.push_back(&graph);
    batch_ = BatchGraphs(pointers_);
    const int64_t nodes = batch_.node_type.size(0);
    const int64_t edges = batch_.edge_weight.size(0);
    output_.edge_delta = at::zeros({edges});
    output_.edge_mask_logit = at::zeros({edges});
    output_.node_delta = at::zeros({nodes, int64_t{kNodeDeltaCount}});
    output_.node_mask_logit = at::zeros({nodes});
    const float logits[2][4] = {{2.0f, -3.0f, 0.5f, -1.0f},
                                {-1.0f, 1.0f, 1.0f, 2.0f}};
    for (int64_t n = 0; n < nodes; ++n) {
      const int64_t type = batch_.node_type[n].item<int64_t>();
      if (type >= 4) continue;
      output_.node_mask_logit[n] =
          logits[batch_.node_graph[n].item<int64_t>()][type];
    }
    spec_.requirement = Requirement::kDataMinimisation;
  }
  std::vector<Mlp> mlps_;
  std::vector<ParameterGraph> graphs_;
  std::vector<const ParameterGraph*> pointers_;
  GraphBatch batch_;
  MetanetworkOutput output_;
  EditSpec spec_;
};

std::vector<float> Values(const at::Tensor& t) {
  const at::Tensor c = t.contiguous().to(at::kFloat);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

TEST_F(AttributeMaskTest, OneDecisionPerAttributeFromItsMeanLogit) {
  // Attributes {x0}, {x1, x2}, {x3}: graph 0's mean logits 2, -1.25, -1
  // keep only x0; graph 1's -1, 1, 2 keep x1..x3.
  spec_.input_attribute = {0, 1, 1, 2};
  auto edited = ApplyEdit(pointers_, batch_, output_, spec_);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_THAT(Values(edited->masks[0].at(kInputMaskName)),
              ElementsAre(1, 0, 0, 0));
  EXPECT_THAT(Values(edited->masks[1].at(kInputMaskName)),
              ElementsAre(0, 1, 1, 1));
  EXPECT_NEAR(edited->kept_fraction[0].item<double>(), 1.0 / 3, 1e-7);
  EXPECT_NEAR(edited->kept_fraction[1].item<double>(), 2.0 / 3, 1e-7);
  // Removed inputs' columns of the first layer are zero, kept ones as were.
  const at::Tensor before = mlps_[0].parameters.at("layers.1.weight");
  const at::Tensor after = edited->parameters[0].at("layers.1.weight");
  EXPECT_TRUE(at::equal(after.select(1, 0), before.select(1, 0)));
  EXPECT_EQ(after.narrow(1, 1, 3).abs().sum().item<float>(), 0.0f);

  // Per input (no attributes) x2's own logit 0.5 would keep it.
  spec_.input_attribute.clear();
  auto separate = ApplyEdit(pointers_, batch_, output_, spec_);
  ASSERT_TRUE(separate.ok());
  EXPECT_THAT(Values(separate->masks[0].at(kInputMaskName)),
              ElementsAre(1, 0, 1, 0));
}

TEST_F(AttributeMaskTest, RefusesAnAttributeListOfAnotherLength) {
  spec_.input_attribute = {0, 1};
  EXPECT_EQ(ApplyEdit(pointers_, batch_, output_, spec_).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AttributeStatisticsTest, CountsAndNamesAttributes) {
  Mlp edited = *InitializeMlp(FourInputs(), 3);
  edited.masks[kInputMaskName] = at::tensor({1.0f, 0.0f, 0.0f, 1.0f});
  const InputAttributes attributes =
      IndexInputAttributes({"a", "j=1", "j=2", "c"}, {"a", "j", "j", "c"});
  const EditStatistics s = ComputeEditStatistics(attributes, edited);
  EXPECT_EQ(s.features_total, 3);
  EXPECT_EQ(s.features_kept, 2);
  EXPECT_THAT(s.kept_feature_names, ElementsAre("a", "c"));
  // Through an editor's config, the same.
  EditorConfig config;
  config.feature_names = {"a", "j=1", "j=2", "c"};
  config.feature_attributes = {"a", "j", "j", "c"};
  EXPECT_EQ(ComputeEditStatistics(config, edited).features_kept, 2);
  config.feature_attributes.clear();  // every input its own: 2 of 4
  EXPECT_EQ(ComputeEditStatistics(config, edited).features_total, 4);
}

// The logit difference is x1 + x2 (attribute "j"): shuffling "a" or "c"
// changes no prediction, shuffling "j" does.
TEST(AttributeSelectionTest, ImportanceAndSelectionAreByAttribute) {
  Mlp mlp = *InitializeMlp(FourInputs(), 4);
  at::Tensor w1 = at::zeros({3, 4});
  w1[0][1] = 1;  // h0 = relu(x1 + x2), h1 = relu(-x1 - x2)
  w1[0][2] = 1;
  w1[1][1] = -1;
  w1[1][2] = -1;
  mlp.parameters["layers.1.weight"] = w1;
  mlp.parameters["layers.1.bias"] = at::zeros({3});
  mlp.parameters["head.weight"] =
      at::tensor({0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f}).view({2, 3});
  mlp.parameters["head.bias"] = at::zeros({2});
  SplitTensors data;
  at::manual_seed(5);
  data.features = at::randn({400, 4});
  data.labels = data.features.select(1, 1)
                    .add(data.features.select(1, 2))
                    .gt(0)
                    .to(at::kLong);
  data.groups = at::zeros({400}, at::kLong);
  data.attributes =
      IndexInputAttributes({"a", "j=1", "j=2", "c"}, {"a", "j", "j", "c"});
  auto importance = PermutationImportance(mlp, data, 3, 9);
  ASSERT_TRUE(importance.ok()) << importance.status();
  ASSERT_EQ(importance->size(), 3u);
  EXPECT_EQ((*importance)[0], 0.0);
  EXPECT_GT((*importance)[1], 0.3);
  EXPECT_EQ((*importance)[2], 0.0);
  auto selected = SelectFeatures(mlp, *importance, 1, data.attributes);
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_THAT(Values(selected->masks.at(kInputMaskName)),
              ElementsAre(0, 1, 1, 0));
  EXPECT_EQ(
      SelectFeatures(mlp, *importance, 4, data.attributes).status().code(),
      absl::StatusCode::kInvalidArgument);  // 3 attributes
}

}  // namespace
}  // namespace amend

// Pruning by neurons: hand-set node mask logits through ApplyEdit remove
// whole hidden neurons (incoming, outgoing and skip weights together), the
// edited model computes what the original computes with those neurons'
// outputs zeroed (checked against a forward pass written out here), and
// compaction drops exactly them. Then the neuron magnitude baseline on a
// hand-worked model.
#include <ATen/ATen.h>

#include "core/baselines/neuron_pruning.h"
#include "core/editor/apply_edit.h"
#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/compact.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<float> Values(const at::Tensor& t) {
  const at::Tensor c = t.detach().contiguous().to(at::kFloat);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

// 3 inputs -> 4 relu -> 3 relu (+ skip from the inputs) -> 2 classes.
Architecture TwoLayersWithASkip() {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kRelu, Norm::kNone, 0.0, {}},
              {3, Activation::kRelu, Norm::kNone, 0.0, {0}}};
  return a;
}

// Layer 1 keeps neurons 0 and 2, layer 2 keeps 1 and 2.
const float kLayer1Logits[4] = {1.0f, -1.0f, 2.0f, -0.5f};
const float kLayer2Logits[3] = {-1.0f, 1.0f, 1.0f};

class NeuronMaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mlp_ = *InitializeMlp(TwoLayersWithASkip(), 11);
    graph_ = *BuildParameterGraph(mlp_);
    batch_ = BatchGraphs({&graph_});
    const int64_t nodes = graph_.num_nodes;
    const int64_t edges = graph_.num_edges;
    output_.edge_delta = at::full({edges}, 0.25f);
    // The edge head says "remove every weight": a neuron variant ignores it.
    output_.edge_mask_logit = at::full({edges}, -5.0f);
    output_.node_delta = at::zeros({nodes, int64_t{kNodeDeltaCount}});
    // Inputs and outputs say "remove" too: only hidden neurons are decided.
    output_.node_mask_logit = at::full({nodes}, -5.0f);
    const std::vector<int64_t>& offset = graph_.layer_node_offset;
    for (int64_t i = 0; i < 4; ++i)
      output_.node_mask_logit[offset[1] + i] = kLayer1Logits[i];
    for (int64_t i = 0; i < 3; ++i)
      output_.node_mask_logit[offset[2] + i] = kLayer2Logits[i];
    spec_.requirement = Requirement::kPruning;
    spec_.variant = EditVariant::kNeuronsOnly;
  }

  // The original model with the removed neurons' outputs set to zero,
  // written out with matmuls.
  at::Tensor ExpectedLogits(const at::Tensor& x) const {
    const TensorMap& p = mlp_.parameters;
    const at::Tensor keep1 = at::tensor({1.0f, 0.0f, 1.0f, 0.0f});
    const at::Tensor keep2 = at::tensor({0.0f, 1.0f, 1.0f});
    const at::Tensor h1 = at::relu(at::matmul(x, p.at("layers.1.weight").t()) +
                                   p.at("layers.1.bias")) *
                          keep1;
    const at::Tensor h2 =
        at::relu(at::matmul(h1, p.at("layers.2.weight").t()) +
                 at::matmul(x, p.at("layers.2.skip.0.weight").t()) +
                 p.at("layers.2.bias")) *
        keep2;
    return at::matmul(h2, p.at("head.weight").t()) + p.at("head.bias");
  }

  Mlp mlp_;
  ParameterGraph graph_;
  GraphBatch batch_;
  MetanetworkOutput output_;
  EditSpec spec_;
};

TEST_F(NeuronMaskTest, ARemovedNeuronLosesEveryWeightInAndOut) {
  auto edited = ApplyEdit({&graph_}, batch_, output_, spec_);
  ASSERT_TRUE(edited.ok()) << edited.status();
  const TensorMap& masks = edited->masks[0];
  // Rows are a layer's neurons, columns the neurons (or inputs) it reads.
  EXPECT_THAT(Values(masks.at("mask.layers.1.weight")),
              ElementsAre(1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0));
  EXPECT_THAT(Values(masks.at("mask.layers.2.weight")),
              ElementsAre(0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0));
  EXPECT_THAT(Values(masks.at("mask.layers.2.skip.0.weight")),
              ElementsAre(0, 0, 0, 1, 1, 1, 1, 1, 1));
  EXPECT_THAT(Values(masks.at("mask.head.weight")),
              ElementsAre(0, 1, 1, 0, 1, 1));
  EXPECT_FALSE(masks.contains(kInputMaskName));
  // Kept: 6 + 4 + 6 + 4 of 12 + 12 + 9 + 6 weights.
  EXPECT_NEAR(edited->kept_fraction[0].item<double>(), 20.0 / 39.0, 1e-7);
  // Masks only: a kept weight is as it was, despite the head's delta.
  const at::Tensor before = mlp_.parameters.at("layers.1.weight");
  const at::Tensor after = edited->parameters[0].at("layers.1.weight");
  EXPECT_TRUE(at::equal(after.select(0, 0), before.select(0, 0)));
  EXPECT_EQ(after.select(0, 1).abs().sum().item<float>(), 0.0f);
}

TEST_F(NeuronMaskTest, TheEditedModelIsTheOriginalWithoutTheRemovedNeurons) {
  auto edited = ApplyEdit({&graph_}, batch_, output_, spec_);
  ASSERT_TRUE(edited.ok()) << edited.status();
  at::manual_seed(3);
  const at::Tensor x = at::randn({64, 3});
  const at::Tensor logits =
      *Logits(mlp_.architecture, edited->parameters[0], x);
  EXPECT_TRUE(at::allclose(logits, ExpectedLogits(x), 1e-5, 1e-6));

  // Compaction drops exactly the removed neurons and computes the same.
  Mlp pruned{mlp_.architecture, edited->parameters[0], edited->masks[0]};
  auto compact = CompactMlp(pruned);
  ASSERT_TRUE(compact.ok()) << compact.status();
  EXPECT_THAT(compact->report.widths_after, ElementsAre(2, 2));
  const at::Tensor compacted =
      *Logits(compact->mlp.architecture, compact->mlp.parameters, x);
  EXPECT_TRUE(at::allclose(compacted, ExpectedLogits(x), 1e-5, 1e-6));
}

TEST_F(NeuronMaskTest, WithEditsTheKeptWeightsMoveByTheirDelta) {
  spec_.variant = EditVariant::kNeuronsAndEdit;
  auto edited = ApplyEdit({&graph_}, batch_, output_, spec_);
  ASSERT_TRUE(edited.ok()) << edited.status();
  const at::Tensor before = mlp_.parameters.at("head.weight");
  const at::Tensor after = edited->parameters[0].at("head.weight");
  EXPECT_TRUE(at::allclose(after.select(1, 1), before.select(1, 1) + 0.25f));
  EXPECT_EQ(after.select(1, 0).abs().sum().item<float>(), 0.0f);
}

TEST_F(NeuronMaskTest, OnlyPruningRemovesNeurons) {
  spec_.requirement = Requirement::kDataMinimisation;
  EXPECT_THAT(ApplyEdit({&graph_}, batch_, output_, spec_).status().message(),
              HasSubstr("only pruning removes whole neurons"));
}

// 2 inputs -> 3 relu -> 2 classes, weights chosen so that the neurons'
// scores ||in|| x ||out|| are n0 = 1 x 2 = 2, n1 = 5 x 0.1 = 0.5 and
// n2 = 0.5 x sqrt(2) = 0.71: n1 goes first, then n2, and n0 never (the
// layer keeps one neuron). Each neuron has 4 weights of the 12.
Mlp HandWorkedModel() {
  Architecture a;
  a.input_dim = 2;
  a.num_classes = 2;
  a.layers = {{3, Activation::kRelu, Norm::kNone, 0.0, {}}};
  Mlp mlp = *InitializeMlp(a, 1);
  mlp.parameters["layers.1.weight"] =
      at::tensor({1.0f, 0.0f, 3.0f, 4.0f, 0.0f, 0.5f}).view({3, 2});
  mlp.parameters["head.weight"] =
      at::tensor({2.0f, 0.0f, 1.0f, 0.0f, 0.1f, 1.0f}).view({2, 3});
  return mlp;
}

TEST(NeuronMagnitudePruneTest, RemovesTheSmallestNeuronsWhileEnoughStay) {
  const Mlp mlp = HandWorkedModel();
  auto eight = NeuronMagnitudePrune(mlp, 8);  // n1 only: n2 would leave 4
  ASSERT_TRUE(eight.ok()) << eight.status();
  EXPECT_THAT(Values(eight->masks.at("mask.layers.1.weight")),
              ElementsAre(1, 1, 0, 0, 1, 1));
  EXPECT_THAT(Values(eight->masks.at("mask.head.weight")),
              ElementsAre(1, 0, 1, 1, 0, 1));
  EXPECT_THAT(Values(eight->parameters.at("layers.1.weight")),
              ElementsAre(1, 0, 0, 0, 0, 0.5));
  EXPECT_THAT(
      Values(NeuronMagnitudePrune(mlp, 7)->masks.at("mask.head.weight")),
      ElementsAre(1, 0, 1, 1, 0, 1));
  // Down to 4: n1 and n2 go; n0 stays, the layer's last neuron.
  for (const int64_t floor : {4, 0}) {
    EXPECT_THAT(
        Values(NeuronMagnitudePrune(mlp, floor)->masks.at("mask.head.weight")),
        ElementsAre(1, 0, 0, 1, 0, 0))
        << floor;
  }
  EXPECT_THAT(
      Values(NeuronMagnitudePrune(mlp, 12)->masks.at("mask.layers.1.weight")),
      ElementsAre(1, 1, 1, 1, 1, 1));
  EXPECT_THAT(NeuronMagnitudePrune(mlp, 13).status().message(),
              HasSubstr("min_weights_kept: must be in [0, 12], got 13"));
}

// Over two layers and a skip: with no floor every layer keeps exactly one
// neuron, and the removed neurons' skip rows go with them.
TEST(NeuronMagnitudePruneTest, EveryLayerKeepsOneNeuron) {
  const Mlp mlp = *InitializeMlp(TwoLayersWithASkip(), 4);
  auto pruned = NeuronMagnitudePrune(mlp, 0);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  auto compact = CompactMlp(*pruned);
  ASSERT_TRUE(compact.ok()) << compact.status();
  EXPECT_THAT(compact->report.widths_after, ElementsAre(1, 1));
  const at::Tensor rows_kept =
      pruned->masks.at("mask.layers.2.weight").sum(1).gt(0);
  const at::Tensor skip_rows_kept =
      pruned->masks.at("mask.layers.2.skip.0.weight").sum(1).gt(0);
  EXPECT_EQ(rows_kept.sum().item<int64_t>(), 1);
  EXPECT_TRUE(at::equal(skip_rows_kept, rows_kept));
  // A mask that does not fit the model is refused, not read past its end.
  Mlp bad = mlp;
  bad.masks["mask.head.weight"] = at::ones({5});
  EXPECT_EQ(NeuronMagnitudePrune(bad, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(NeuronMagnitudePruneTest, HonoursEarlierMasks) {
  // n0's head weight of 2 already pruned: n0 now scores 0 and goes first,
  // costing the 3 weights it still has (11 -> 8).
  Mlp mlp = HandWorkedModel();
  mlp.parameters["head.weight"][0][0] = 0.0f;
  at::Tensor mask = at::ones({2, 3});
  mask[0][0] = 0.0f;
  mlp.masks["mask.head.weight"] = mask;
  auto pruned = NeuronMagnitudePrune(mlp, 8);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_THAT(Values(pruned->masks.at("mask.layers.1.weight")),
              ElementsAre(0, 0, 1, 1, 1, 1));
  EXPECT_THAT(Values(pruned->masks.at("mask.head.weight")),
              ElementsAre(0, 1, 1, 0, 1, 1));
}

}  // namespace
}  // namespace amend

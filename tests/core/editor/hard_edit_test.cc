// ApplyHardEdit's index loops against ApplyEdit's tensor operators (hard
// masks) on the same random metanetwork outputs: every requirement and
// variant, attributes of several inputs, a batch of three models of different
// shapes with skips and every norm.
#include "core/editor/hard_edit.h"

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"
#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

Architecture Shape(int which) {
  Architecture a;
  a.input_dim = 5;
  a.num_classes = 3;
  switch (which) {
    case 0:
      a.layers = {{4, Activation::kRelu, Norm::kLayerNorm, 0.0, {}},
                  {6, Activation::kTanh, Norm::kBatchNorm, 0.0, {0}}};
      break;
    case 1:
      a.layers = {{7, Activation::kGelu, Norm::kNone, 0.0, {}}};
      break;
    default:
      a.layers = {{3, Activation::kSilu, Norm::kBatchNorm, 0.0, {}},
                  {5, Activation::kRelu, Norm::kNone, 0.0, {0}},
                  {4, Activation::kLeakyRelu, Norm::kLayerNorm, 0.0, {0, 1}}};
      break;
  }
  return a;
}

bool SameBits(const at::Tensor& a, const at::Tensor& b) {
  return a.sizes() == b.sizes() && at::equal(a.contiguous().view(at::kInt),
                                             b.contiguous().view(at::kInt));
}

class HardEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int which = 0; which < 3; ++which) {
      mlps_.push_back(InitializeMlp(Shape(which), 7 + which).value());
    }
    // Non-trivial running statistics and norm parameters: every node feature
    // column is read.
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(11);
    for (Mlp& mlp : mlps_) {
      for (auto& [name, tensor] : mlp.parameters) {
        if (name.find("norm.") == std::string::npos) continue;
        tensor = tensor + 0.1 * at::randn(tensor.sizes(), g);
        if (name.find("running_var") != std::string::npos)
          tensor = tensor.abs();
      }
      graphs_.push_back(BuildParameterGraph(mlp).value());
    }
    for (const ParameterGraph& graph : graphs_) pointers_.push_back(&graph);
    batch_ = BatchGraphs(pointers_);
    const int64_t nodes = batch_.node_type.size(0);
    const int64_t edges = batch_.edge_weight.size(0);
    output_.edge_delta = 0.1 * at::randn({edges}, g);
    output_.edge_mask_logit = at::randn({edges}, g);
    output_.node_delta = 0.1 * at::randn({nodes, int64_t{kNodeDeltaCount}}, g);
    output_.node_mask_logit = at::randn({nodes}, g);
  }

  void ExpectSameEdit(const EditSpec& spec) {
    const EditedBatch reference =
        ApplyEdit(pointers_, batch_, output_, spec).value();
    const EditedBatch fast =
        ApplyHardEdit(pointers_, batch_, output_, spec).value();
    ASSERT_EQ(fast.parameters.size(), 3u);
    ASSERT_EQ(fast.masks.size(), 3u);
    for (size_t m = 0; m < 3; ++m) {
      SCOPED_TRACE(absl::StrCat("model ", m));
      ASSERT_EQ(fast.parameters[m].size(), reference.parameters[m].size());
      for (const auto& [name, tensor] : reference.parameters[m]) {
        const at::Tensor& other = fast.parameters[m].at(name);
        EXPECT_EQ(other.sizes(), tensor.sizes()) << name;
        EXPECT_TRUE(other.is_contiguous()) << name;
        // The same float operations in the same order: equal bit for bit,
        // -0 and +0 apart (a model file's bytes and its receipt's hash
        // tell them apart).
        EXPECT_TRUE(SameBits(other, tensor)) << name;
      }
      ASSERT_EQ(fast.masks[m].size(), reference.masks[m].size());
      for (const auto& [name, mask] : reference.masks[m]) {
        EXPECT_TRUE(SameBits(fast.masks[m].at(name), mask)) << name;
      }
    }
    EXPECT_TRUE(at::allclose(fast.kept_fraction, reference.kept_fraction,
                             /*rtol=*/0, /*atol=*/1e-7))
        << fast.kept_fraction << reference.kept_fraction;
  }

  std::vector<Mlp> mlps_;
  std::vector<ParameterGraph> graphs_;
  std::vector<const ParameterGraph*> pointers_;
  GraphBatch batch_;
  MetanetworkOutput output_;
};

TEST_F(HardEditTest, EditsAsApplyEditDoesForEveryRequirementAndVariant) {
  // Data minimisation 2, fairness 1, pruning 4: an empty list would test
  // nothing.
  ASSERT_EQ(EveryRequirementAndVariant().size(), 7u);
  for (const auto& c : EveryRequirementAndVariant()) {
    SCOPED_TRACE(absl::StrCat(RequirementName(c.requirement), " ",
                              VariantName(c.requirement, c.variant)));
    ExpectSameEdit({.requirement = c.requirement, .variant = c.variant});
  }
}

TEST_F(HardEditTest, DecidesAttributesOfSeveralInputsAsApplyEditDoes) {
  // Inputs 1-3 form one attribute; attribute 3 has no input (removed).
  for (const EditVariant variant :
       {EditVariant::kWeightsAndMasks, EditVariant::kMasksOnly}) {
    EditSpec spec;
    spec.requirement = Requirement::kDataMinimisation;
    spec.variant = variant;
    spec.input_attribute = {0, 1, 1, 1, 2};
    ExpectSameEdit(spec);
    spec.input_attribute = {0, 1, 1, 1, 3};
    ExpectSameEdit(spec);
  }
}

TEST_F(HardEditTest, RefusesWhatApplyEditRefusesAndSampledMasks) {
  EditSpec spec;
  spec.requirement = Requirement::kFairness;
  spec.variant = EditVariant::kMasksOnly;
  EXPECT_THAT(
      ApplyHardEdit(pointers_, batch_, output_, spec).status().message(),
      ::testing::HasSubstr("variant: fairness"));
  spec = {.requirement = Requirement::kDataMinimisation,
          .input_attribute = {0, 1}};
  EXPECT_THAT(
      ApplyHardEdit(pointers_, batch_, output_, spec).status().message(),
      ::testing::HasSubstr("one entry per input (5), got 2"));
  // A negative attribute would index before the attributes' sums: both
  // paths refuse it.
  spec = {.requirement = Requirement::kDataMinimisation,
          .input_attribute = {0, 1, -1, 1, 2}};
  EXPECT_THAT(
      ApplyHardEdit(pointers_, batch_, output_, spec).status().message(),
      ::testing::HasSubstr("numbered from 0, got -1"));
  EXPECT_THAT(ApplyEdit(pointers_, batch_, output_, spec).status().message(),
              ::testing::HasSubstr("numbered from 0, got -1"));
  spec = {.requirement = Requirement::kPruning, .straight_through = true};
  EXPECT_EQ(ApplyHardEdit(pointers_, batch_, output_, spec).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace amend

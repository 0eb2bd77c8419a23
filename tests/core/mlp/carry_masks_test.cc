#include "core/mlp/carry_masks.h"

#include <ATen/ATen.h>

#include <limits>

#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

// 3 inputs -> 2 (relu) -> 2 (relu, also reading the inputs) -> 2 classes,
// every parameter 1.
Mlp OnesModel() {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{2, Activation::kRelu, Norm::kNone, 0.0, {}},
              {2, Activation::kRelu, Norm::kNone, 0.0, {0}}};
  Mlp mlp = InitializeMlp(a, 1).value();
  for (auto& [name, tensor] : mlp.parameters) tensor.fill_(1.0f);
  return mlp;
}

at::Tensor Values(std::initializer_list<float> values,
                  std::vector<int64_t> shape) {
  return at::tensor(std::vector<float>(values)).view(shape);
}

TEST(CarryMasksTest, EarlierRemovalsStayRemovedAndMasksMultiply) {
  Mlp earlier = OnesModel();
  earlier.masks[kInputMaskName] = Values({1, 0, 1}, {3});
  earlier.masks[MaskName(kHeadWeightName)] = Values({1, 1, 1, 0}, {2, 2});
  Mlp later = OnesModel();
  later.masks[kInputMaskName] = Values({1, 1, 0}, {3});
  later.masks[MaskName(LayerWeightName(2))] = Values({0, 1, 1, 1}, {2, 2});
  later.parameters.at(kHeadWeightName)[1][1] =
      std::numeric_limits<float>::infinity();

  ASSERT_TRUE(CarryMasks(earlier, later).ok());

  // Worked by hand: inputs 1 and 2 are removed (one edit each), so hidden
  // layer 1 and the skip from the input read input 0 only.
  EXPECT_TRUE(
      at::equal(later.masks.at(kInputMaskName), Values({1, 0, 0}, {3})));
  EXPECT_TRUE(at::equal(later.parameters.at(LayerWeightName(1)),
                        Values({1, 0, 0, 1, 0, 0}, {2, 3})));
  EXPECT_TRUE(at::equal(later.parameters.at(SkipWeightName(2, 0)),
                        Values({1, 0, 0, 1, 0, 0}, {2, 3})));
  // The later edit's own weight mask, and the earlier one it did not make
  // (its infinite weight becomes 0, not NaN).
  EXPECT_TRUE(at::equal(later.parameters.at(LayerWeightName(2)),
                        Values({0, 1, 1, 1}, {2, 2})));
  EXPECT_TRUE(at::equal(later.masks.at(MaskName(kHeadWeightName)),
                        Values({1, 1, 1, 0}, {2, 2})));
  EXPECT_TRUE(at::equal(later.parameters.at(kHeadWeightName),
                        Values({1, 1, 1, 0}, {2, 2})));
  // Biases are not masked.
  EXPECT_TRUE(
      at::equal(later.parameters.at(LayerBiasName(1)), Values({1, 1}, {2})));
  EXPECT_EQ(later.masks.size(), 3u);
}

TEST(CarryMasksTest, AModelWithoutMasksChangesNothing) {
  const Mlp earlier = OnesModel();
  Mlp later = OnesModel();
  later.masks[MaskName(kHeadWeightName)] = Values({1, 0, 1, 1}, {2, 2});
  later.parameters.at(kHeadWeightName)[0][1] = 7.0f;
  ASSERT_TRUE(CarryMasks(earlier, later).ok());
  // The later edit's own zeros are its business (ApplyEdit made them).
  EXPECT_EQ(later.parameters.at(kHeadWeightName)[0][1].item<float>(), 7.0f);
  EXPECT_EQ(later.masks.size(), 1u);
}

TEST(CarryMasksTest, MasksThatDoNotFitAreRefused) {
  Mlp earlier = OnesModel();
  earlier.masks[kInputMaskName] = Values({1, 0}, {2});
  Mlp later = OnesModel();
  const absl::Status status = CarryMasks(earlier, later);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), ::testing::HasSubstr("mask.input"));
}

}  // namespace
}  // namespace amend

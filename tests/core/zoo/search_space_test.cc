#include "core/zoo/search_space.h"

#include <set>

#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(SearchSpaceTest, EverySampledRunRespectsEveryRule) {
  const ZooSearchSpace space;
  std::set<int> depths;
  std::set<int64_t> batch_sizes;
  std::set<Activation> activations;
  std::set<Norm> norms;
  std::set<size_t> skip_counts;
  for (int64_t run = 0; run < 3000; ++run) {
    const RunConfig c = SampleRunConfig(space, /*seed=*/7, run,
                                        /*input_dim=*/14, /*num_classes=*/2);
    const Architecture& a = c.architecture;
    ASSERT_TRUE(ValidateArchitecture(a).ok()) << ArchitectureToJson(a);
    EXPECT_EQ(c.run, run);
    EXPECT_EQ(a.input_dim, 14);
    EXPECT_EQ(a.num_classes, 2);
    EXPECT_GE(a.num_hidden(), 1);
    EXPECT_LE(a.num_hidden(), 4);
    depths.insert(a.num_hidden());
    for (int k = 1; k <= a.num_hidden(); ++k) {
      const HiddenLayer& layer = a.layers[static_cast<size_t>(k - 1)];
      EXPECT_TRUE(layer.width == 8 || layer.width == 16 || layer.width == 32 ||
                  layer.width == 64);
      if (k > 1) {
        EXPECT_GE(layer.width, a.layers[static_cast<size_t>(k - 2)].width)
            << "widths decrease";
      }
      // One activation, norm and dropout per model.
      EXPECT_EQ(layer.activation, a.layers[0].activation);
      EXPECT_EQ(layer.norm, a.layers[0].norm);
      EXPECT_EQ(layer.dropout, a.layers[0].dropout);
      EXPECT_LE(layer.skip_from.size(), 2u);
      EXPECT_LE(layer.skip_from.size(),
                static_cast<size_t>(k - 1));  // sources h_0..h_{k-2}
      for (int s : layer.skip_from) EXPECT_LE(s, k - 2);
      if (k >= 3) skip_counts.insert(layer.skip_from.size());
    }
    activations.insert(a.layers[0].activation);
    norms.insert(a.layers[0].norm);
    EXPECT_TRUE(a.layers[0].dropout == 0.0 || a.layers[0].dropout == 0.1 ||
                a.layers[0].dropout == 0.2 || a.layers[0].dropout == 0.3);
    batch_sizes.insert(c.batch_size);
    EXPECT_GE(c.learning_rate, 1e-4);
    EXPECT_LE(c.learning_rate, 1e-2);
    EXPECT_GE(c.weight_decay, 1e-6);
    EXPECT_LE(c.weight_decay, 1e-2);
    EXPECT_EQ(c.epochs, 60);
  }
  // Every choice is reachable.
  EXPECT_EQ(depths.size(), 4u);
  EXPECT_EQ(batch_sizes, (std::set<int64_t>{32, 64, 128, 256}));
  EXPECT_EQ(activations.size(), 6u);
  EXPECT_EQ(norms.size(), 3u);
  EXPECT_EQ(skip_counts, (std::set<size_t>{0, 1, 2}));
}

TEST(SearchSpaceTest, ARunDependsOnlyOnSeedAndIndex) {
  const ZooSearchSpace space;
  EXPECT_EQ(SampleRunConfig(space, 3, 41, 14, 2),
            SampleRunConfig(space, 3, 41, 14, 2));
  EXPECT_NE(SampleRunConfig(space, 3, 41, 14, 2).seed,
            SampleRunConfig(space, 4, 41, 14, 2).seed);
}

TEST(SearchSpaceTest, CheckpointEpochsAreEarlyMidAndFinal) {
  EXPECT_EQ(CheckpointEpochs(60), (std::vector<int>{6, 30, 60}));
  EXPECT_EQ(CheckpointEpochs(10), (std::vector<int>{1, 5, 10}));
  EXPECT_EQ(CheckpointEpochs(2), (std::vector<int>{1, 2}));
  EXPECT_EQ(CheckpointEpochs(1), (std::vector<int>{1}));
}

TEST(SearchSpaceTest, ConfigJsonRoundTrips) {
  const RunConfig c = SampleRunConfig(ZooSearchSpace{}, 1, 5, 16, 2);
  auto back = RunConfigFromJson(RunConfigToJson(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, c);
}

}  // namespace
}  // namespace amend

namespace amend {
namespace {

TEST(SearchSpaceTest, AWidenedSpaceIsSampledWithinItsBounds) {
  ZooSearchSpace space;
  space.depths = {5, 6};
  space.widths = {64, 128};
  space.activations = {Activation::kRelu, Activation::kGelu};
  space.norms = {Norm::kLayerNorm};
  space.max_skips = 1;
  ASSERT_TRUE(ValidateArchitectureSpace(space).ok());
  EXPECT_FALSE(IsDefaultArchitectureSpace(space));
  std::set<int> depths_seen;
  for (int64_t run = 0; run < 200; ++run) {
    const Architecture a = SampleRunConfig(space, 9, run, 10, 2).architecture;
    depths_seen.insert(a.num_hidden());
    ASSERT_TRUE(a.num_hidden() == 5 || a.num_hidden() == 6);
    int64_t previous = 0;
    for (const HiddenLayer& layer : a.layers) {
      EXPECT_TRUE(layer.width == 64 || layer.width == 128);
      EXPECT_GE(layer.width, previous);
      previous = layer.width;
      EXPECT_TRUE(layer.activation == Activation::kRelu ||
                  layer.activation == Activation::kGelu);
      EXPECT_EQ(layer.norm, Norm::kLayerNorm);
      EXPECT_LE(layer.skip_from.size(), 1u);
    }
  }
  EXPECT_EQ(depths_seen.size(), 2u);
}

TEST(SearchSpaceTest, TheDefaultSpaceIsTable2AndBadSpacesNameTheirFlag) {
  EXPECT_TRUE(IsDefaultArchitectureSpace(ZooSearchSpace()));
  EXPECT_EQ(ArchitectureSpaceJson(ZooSearchSpace()),
            "{\"depths\":[1,2,3,4],\"widths\":[8,16,32,64],\"activations\":["
            "\"relu\",\"leaky_relu\",\"gelu\",\"tanh\",\"sigmoid\",\"silu\"],"
            "\"norms\":[\"none\",\"batchnorm\",\"layernorm\"],\"max_skips\":2}");
  ZooSearchSpace deep;
  deep.depths = {9};
  EXPECT_EQ(ValidateArchitectureSpace(deep).message(),
            "--depths: must be hidden-layer counts in 1..8");
  ZooSearchSpace none;
  none.norms.clear();
  EXPECT_EQ(ValidateArchitectureSpace(none).message(),
            "--norms: must not be empty");
}

}  // namespace
}  // namespace amend

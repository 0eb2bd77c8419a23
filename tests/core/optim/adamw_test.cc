// AdamW against hand-worked updates.
#include "core/optim/adamw.h"

#include <ATen/ATen.h>

#include <cmath>

#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(AdamWTest, FirstTwoStepsMatchTheHandWorkedUpdate) {
  at::Tensor w = at::tensor({1.0f, -2.0f}).requires_grad_(true);
  AdamW optimizer({w}, {.learning_rate = 0.1,
                        .weight_decay = 0.5,
                        .warmup_steps = 0,
                        .clip_norm = 0});
  // Step 1 with g = (0.3, -0.4): m = 0.1 g, v = 0.001 g^2, bias-corrected
  // m/sqrt(v) = sign(g); w <- w (1 - lr wd) - lr sign(g) (eps negligible).
  w.mutable_grad() = at::tensor({0.3f, -0.4f});
  const double norm = optimizer.Step();
  EXPECT_NEAR(norm, 0.5, 1e-6);
  EXPECT_NEAR(w[0].item<float>(), 1.0 * 0.95 - 0.1, 1e-6);
  EXPECT_NEAR(w[1].item<float>(), -2.0 * 0.95 + 0.1, 1e-6);
  EXPECT_EQ(w.grad()[0].item<float>(), 0.0f);  // gradients are zeroed
  // Step 2 with g2 = (0.1, 0): m = 0.9*0.03 + 0.01 = 0.037, v = 0.999*9e-5 +
  // 1e-5; corrected by 1 - 0.81 = 0.19 and 1 - 0.998001.
  w.mutable_grad() = at::tensor({0.1f, 0.0f});
  const double w0 = 0.85;
  optimizer.Step();
  const double m = 0.037 / 0.19;
  const double v = (0.999 * 9e-5 + 1e-5) / (1 - 0.999 * 0.999);
  EXPECT_NEAR(w[0].item<float>(), w0 * 0.95 - 0.1 * m / (std::sqrt(v) + 1e-8),
              1e-5);
}

TEST(AdamWTest, ClipsTheGlobalNormAndWarmsUp) {
  at::Tensor a = at::zeros({1}).requires_grad_(true);
  at::Tensor b = at::zeros({1}).requires_grad_(true);
  AdamW optimizer({a, b}, {.learning_rate = 1.0,
                           .weight_decay = 0,
                           .warmup_steps = 4,
                           .clip_norm = 1.0});
  EXPECT_DOUBLE_EQ(optimizer.CurrentLearningRate(), 0.25);
  a.mutable_grad() = at::tensor({3.0f});
  b.mutable_grad() = at::tensor({4.0f});
  EXPECT_NEAR(optimizer.Step(), 5.0, 1e-6);
  // After clipping g = (0.6, 0.8); Adam's first step moves by lr * sign.
  EXPECT_NEAR(a.item<float>(), -0.25, 1e-6);
  EXPECT_NEAR(b.item<float>(), -0.25, 1e-6);
  EXPECT_NEAR(optimizer.first_moments()[0].item<float>(), 0.06, 1e-6);
  EXPECT_DOUBLE_EQ(optimizer.CurrentLearningRate(), 0.5);
}

}  // namespace
}  // namespace amend

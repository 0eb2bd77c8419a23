#include "core/zoo/dense_kernels.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace amend::kernels {
namespace {

TEST(DenseKernelsTest, ExpBasedActivationsStayFiniteAtExtremeInputs) {
  // Regression: with -ffast-math, 1 / (1 + exp(1000)) became NaN and a zoo run
  // "diverged".
  const std::vector<float> x = {-1000.0f, -100.0f, -80.5f, 0.0f,
                                80.5f,    100.0f,  1000.0f};
  const std::vector<float> dy(x.size(), 1.0f);
  for (Activation f : {Activation::kSigmoid, Activation::kSilu,
                       Activation::kGelu, Activation::kTanh}) {
    std::vector<float> y(x.size()), dx(x.size());
    ActivationForward(f, x.data(), static_cast<int64_t>(x.size()), y.data());
    ActivationBackward(f, x.data(), dy.data(), static_cast<int64_t>(x.size()),
                       dx.data());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_TRUE(std::isfinite(y[i]))
          << ActivationName(f) << "(" << x[i] << ")";
      EXPECT_TRUE(std::isfinite(dx[i]))
          << ActivationName(f) << "'(" << x[i] << ")";
    }
  }
  std::vector<float> y(x.size());
  ActivationForward(Activation::kSigmoid, x.data(),
                    static_cast<int64_t>(x.size()), y.data());
  EXPECT_NEAR(y.front(), 0.0f, 1e-30);
  EXPECT_FLOAT_EQ(y[3], 0.5f);
  EXPECT_FLOAT_EQ(y.back(), 1.0f);
}

TEST(DenseKernelsTest, ActivationDerivativesMatchFiniteDifferences) {
  std::vector<float> x;
  for (float v = -4.0f; v <= 4.0f; v += 0.37f) x.push_back(v);
  const auto n = static_cast<int64_t>(x.size());
  const std::vector<float> ones(x.size(), 1.0f);
  for (Activation f : kAllActivations) {
    std::vector<float> dx(x.size()), plus(x.size()), minus(x.size()), xp(x),
        xm(x);
    for (size_t i = 0; i < x.size(); ++i) {
      xp[i] += 1e-2f;
      xm[i] -= 1e-2f;
    }
    ActivationBackward(f, x.data(), ones.data(), n, dx.data());
    ActivationForward(f, xp.data(), n, plus.data());
    ActivationForward(f, xm.data(), n, minus.data());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_NEAR(dx[i], (plus[i] - minus[i]) / 2e-2f, 2e-3)
          << ActivationName(f) << " at " << x[i];
    }
  }
}

TEST(DenseKernelsTest, BlasAndLoopKernelsAgreeWithAHandComputation) {
  // x [2, 3], w [2, 3]: y = x w^T + b.
  const std::vector<float> x = {1, 2, 3, -1, 0, 2};
  const std::vector<float> w = {0.5f, -1, 2, 1, 1, 1};
  const std::vector<float> b = {0.25f, -1};
  const std::vector<float> expected = {0.25f + 0.5f - 2 + 6, -1 + 6.0f,
                                       0.25f - 0.5f + 0 + 4, -1 + 1.0f};
  std::vector<float> blas(4), loops(4);
  LinearForward(x.data(), 2, 3, w.data(), 2, b.data(), false, blas.data());
  LinearForwardLoops(x.data(), 2, 3, w.data(), 2, b.data(), false,
                     loops.data());
  for (int i = 0; i < 4; ++i) {
    EXPECT_FLOAT_EQ(blas[static_cast<size_t>(i)],
                    expected[static_cast<size_t>(i)]);
    EXPECT_FLOAT_EQ(loops[static_cast<size_t>(i)],
                    expected[static_cast<size_t>(i)]);
  }
  // dx = dy w and dw = dy^T x, db = sum dy, by hand for dy = [[1, 0], [2, -1]].
  const std::vector<float> dy = {1, 0, 2, -1};
  std::vector<float> dx_blas(6, 0), dx_loops(6, 0), dw_blas(6, 0),
      dw_loops(6, 0), db(2, 0), db2(2, 0);
  LinearBackwardInput(dy.data(), 2, 2, w.data(), 3, dx_blas.data());
  LinearBackwardInputLoops(dy.data(), 2, 2, w.data(), 3, dx_loops.data());
  LinearBackwardWeight(dy.data(), 2, 2, x.data(), 3, dw_blas.data(), db.data());
  LinearBackwardWeightLoops(dy.data(), 2, 2, x.data(), 3, dw_loops.data(),
                            db2.data());
  const std::vector<float> dx = {0.5f, -1, 2, 1 - 1, -2 - 1, 4 - 1};
  const std::vector<float> dw = {1 - 2, 2 + 0, 3 + 4, 0 + 1, 0 + 0, 0 - 2};
  EXPECT_EQ(dx_blas, dx);
  EXPECT_EQ(dx_loops, dx);
  EXPECT_EQ(dw_blas, dw);
  EXPECT_EQ(dw_loops, dw);
  EXPECT_EQ(db, (std::vector<float>{3, -1}));
  EXPECT_EQ(db2, (std::vector<float>{3, -1}));
}

}  // namespace
}  // namespace amend::kernels

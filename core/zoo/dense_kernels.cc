#include "core/zoo/dense_kernels.h"

#include <cmath>

#include "core/kernels/blas.h"
#include "core/kernels/hot_loops.h"

namespace amend::kernels {
namespace {

// This file is compiled with -ffast-math (for vectorised exp/erf/tanh), whose
// reciprocal approximations turn 1 / (1 + inf) into NaN; keeping exp's argument
// in [-80, 80] keeps every intermediate finite and changes sigmoid/silu by less
// than 1e-34.
inline float Clamp(float x) {
  return x < -80.0f ? -80.0f : (x > 80.0f ? 80.0f : x);
}

}  // namespace

void LinearForward(const float* x, int64_t batch, int64_t in, const float* w,
                   int64_t out, const float* bias, bool accumulate, float* y) {
  if (HasBlas()) {
    // y^T (out x batch) = W (out x in) . x^T; row-major w is column-major in x
    // out.
    if (!accumulate) {
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t o = 0; o < out; ++o)
          y[b * out + o] = bias != nullptr ? bias[o] : 0.0f;
      }
    }
    ColumnMajorGemm('T', 'N', out, batch, in, w, in, x, in, 1.0f, y, out);
    return;
  }
  LinearForwardLoops(x, batch, in, w, out, bias, accumulate, y);
}

void LinearBackwardInput(const float* dy, int64_t batch, int64_t out,
                         const float* w, int64_t in, float* dx) {
  if (HasBlas()) {
    ColumnMajorGemm('N', 'N', in, batch, out, w, in, dy, out, 1.0f, dx,
                    in);  // dx^T += W^T dy^T
    return;
  }
  LinearBackwardInputLoops(dy, batch, out, w, in, dx);
}

void LinearBackwardWeight(const float* dy, int64_t batch, int64_t out,
                          const float* x, int64_t in, float* dw, float* db) {
  if (HasBlas()) {
    ColumnMajorGemm('N', 'T', in, out, batch, x, in, dy, out, 1.0f, dw,
                    in);  // dW^T += x^T dy
    if (db != nullptr) {
      for (int64_t b = 0; b < batch; ++b) {
        for (int64_t o = 0; o < out; ++o) db[o] += dy[b * out + o];
      }
    }
    return;
  }
  LinearBackwardWeightLoops(dy, batch, out, x, in, dw, db);
}

AMEND_HOT void LinearForwardLoops(const float* x, int64_t batch, int64_t in,
                                  const float* w, int64_t out,
                                  const float* bias, bool accumulate,
                                  float* y) {
  constexpr int kLanes = 8;
  for (int64_t b = 0; b < batch; ++b) {
    const float* xb = x + b * in;
    float* yb = y + b * out;
    for (int64_t o = 0; o < out; ++o) {
      const float* wo = w + o * in;
      float lanes[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t i = 0;
      for (; i + kLanes <= in; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) lanes[l] += xb[i + l] * wo[i + l];
      }
      float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                  ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
      for (; i < in; ++i) sum += xb[i] * wo[i];
      yb[o] = (accumulate ? yb[o] : (bias != nullptr ? bias[o] : 0.0f)) + sum;
    }
  }
}

AMEND_HOT void LinearBackwardInputLoops(const float* dy, int64_t batch,
                                        int64_t out, const float* w, int64_t in,
                                        float* dx) {
  for (int64_t b = 0; b < batch; ++b) {
    float* dxb = dx + b * in;
    const float* dyb = dy + b * out;
    for (int64_t o = 0; o < out; ++o) {
      const float g = dyb[o];
      const float* wo = w + o * in;
      for (int64_t i = 0; i < in; ++i) dxb[i] += g * wo[i];
    }
  }
}

AMEND_HOT void LinearBackwardWeightLoops(const float* dy, int64_t batch,
                                         int64_t out, const float* x,
                                         int64_t in, float* dw, float* db) {
  for (int64_t b = 0; b < batch; ++b) {
    const float* xb = x + b * in;
    const float* dyb = dy + b * out;
    for (int64_t o = 0; o < out; ++o) {
      const float g = dyb[o];
      float* dwo = dw + o * in;
      for (int64_t i = 0; i < in; ++i) dwo[i] += g * xb[i];
      if (db != nullptr) db[o] += g;
    }
  }
}

void ActivationForward(Activation f, const float* x, int64_t n, float* y) {
  switch (f) {
    case Activation::kIdentity:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i];
      return;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      return;
    case Activation::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.01f * x[i];
      return;
    case Activation::kGelu:
      for (int64_t i = 0; i < n; ++i) {
        y[i] = 0.5f * x[i] *
               (1.0f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
      }
      return;
    case Activation::kTanh:
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      return;
    case Activation::kSigmoid:
      for (int64_t i = 0; i < n; ++i)
        y[i] = 1.0f / (1.0f + std::exp(-Clamp(x[i])));
      return;
    case Activation::kSilu:
      for (int64_t i = 0; i < n; ++i)
        y[i] = x[i] / (1.0f + std::exp(-Clamp(x[i])));
      return;
  }
}

void ActivationBackward(Activation f, const float* x, const float* dy,
                        int64_t n, float* dx) {
  constexpr float kInvSqrt2Pi = 0.3989422804014327f;
  switch (f) {
    case Activation::kIdentity:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i];
      return;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
      return;
    case Activation::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i)
        dx[i] = x[i] > 0.0f ? dy[i] : 0.01f * dy[i];
      return;
    case Activation::kGelu:
      for (int64_t i = 0; i < n; ++i) {
        const float cdf =
            0.5f * (1.0f + std::erf(x[i] * static_cast<float>(M_SQRT1_2)));
        const float pdf = kInvSqrt2Pi * std::exp(-0.5f * x[i] * x[i]);
        dx[i] = dy[i] * (cdf + x[i] * pdf);
      }
      return;
    case Activation::kTanh:
      for (int64_t i = 0; i < n; ++i) {
        const float t = std::tanh(x[i]);
        dx[i] = dy[i] * (1.0f - t * t);
      }
      return;
    case Activation::kSigmoid:
      for (int64_t i = 0; i < n; ++i) {
        const float s = 1.0f / (1.0f + std::exp(-Clamp(x[i])));
        dx[i] = dy[i] * s * (1.0f - s);
      }
      return;
    case Activation::kSilu:
      for (int64_t i = 0; i < n; ++i) {
        const float s = 1.0f / (1.0f + std::exp(-Clamp(x[i])));
        dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
      }
      return;
  }
}

}  // namespace amend::kernels

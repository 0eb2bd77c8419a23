// File: core/zoo/dense_kernels.h
//
// The few dense kernels the fused zoo trainer needs, on plain row-major float
// arrays. Shapes follow the MLP contract: a weight is [out, in]. Loops keep a
// fixed summation order (so results are reproducible) and are written so the
// compiler vectorises them; hot ones are compiled for AVX2+FMA with a portable
// fallback chosen at run time by CPU features (core/kernels/hot_loops.h). The linear kernels call the process's BLAS when
// LibTorch has loaded one (OpenBLAS: its small-matrix kernels are 3x faster
// than these loops).
//
// Thread-safe (pure functions on caller-owned memory).
#ifndef AMEND_CORE_ZOO_DENSE_KERNELS_H_
#define AMEND_CORE_ZOO_DENSE_KERNELS_H_

#include <cstdint>

#include "core/kernels/blas.h"
#include "core/mlp/architecture.h"

namespace amend::kernels {

// y[b, o] = bias[o] + sum_i x[b, i] w[o, i]      (bias may be null: 0)
// or, with accumulate, y[b, o] += sum_i x[b, i] w[o, i].
void LinearForward(const float* x, int64_t batch, int64_t in, const float* w,
                   int64_t out, const float* bias, bool accumulate, float* y);

// dx[b, i] += sum_o dy[b, o] w[o, i]
void LinearBackwardInput(const float* dy, int64_t batch, int64_t out,
                         const float* w, int64_t in, float* dx);

// dw[o, i] += sum_b dy[b, o] x[b, i];  db[o] += sum_b dy[b, o] (db may be
// null).
void LinearBackwardWeight(const float* dy, int64_t batch, int64_t out,
                          const float* x, int64_t in, float* dw, float* db);

// Without a BLAS (HasBlas() false) the linear kernels run these portable
// loops, which give the same results up to summation order.
void LinearForwardLoops(const float* x, int64_t batch, int64_t in,
                        const float* w, int64_t out, const float* bias,
                        bool accumulate, float* y);
void LinearBackwardInputLoops(const float* dy, int64_t batch, int64_t out,
                              const float* w, int64_t in, float* dx);
void LinearBackwardWeightLoops(const float* dy, int64_t batch, int64_t out,
                               const float* x, int64_t in, float* dw,
                               float* db);

// y = f(x) elementwise, n values.
void ActivationForward(Activation f, const float* x, int64_t n, float* y);
// dx = dy * f'(x) elementwise (x: the activation's input), PyTorch's derivative
// conventions (relu'(0) = 0, exact gelu).
void ActivationBackward(Activation f, const float* x, const float* dy,
                        int64_t n, float* dx);

}  // namespace amend::kernels

#endif  // AMEND_CORE_ZOO_DENSE_KERNELS_H_

// File: core/kernels/blas.h
//
// Matrix products on plain row-major float arrays, through the BLAS that
// LibTorch loaded into the process (OpenBLAS on Debian), found at run time: it
// is not one of our link dependencies, and a portable loop stands in when it
// is absent. The zoo's fused trainer and the editor's inference path use it.
//
// Example (a Linear layer without bias, weight [out, in], x [batch, in]):
//   kernels::GemmTransposedB(batch, out, in, x, in, weight, in, 0.0f, y, out);
//
// Thread-safe (pure functions on caller-owned memory). OpenBLAS runs products
// below 262,144 multiply-adds on the calling thread; core/util/threads.h pins
// it to one thread for larger ones.
#ifndef AMEND_CORE_KERNELS_BLAS_H_
#define AMEND_CORE_KERNELS_BLAS_H_

#include <cstdint>

namespace amend::kernels {

// True when the process has a BLAS (sgemm_); otherwise the functions below
// run portable loops with the same results up to summation order.
bool HasBlas();

// Column-major C (m x n) = op(A) op(B) + beta C, BLAS's own convention:
// trans 'N' or 'T', leading dimensions as sgemm_ takes them.
void ColumnMajorGemm(char trans_a, char trans_b, int64_t m, int64_t n,
                     int64_t k, const float* a, int64_t lda, const float* b,
                     int64_t ldb, float beta, float* c, int64_t ldc);

// Row-major C[m, n] = A[m, k] B[n, k]^T + beta C: what a Linear layer computes
// with B its weight [out, in]. lda, ldb, ldc are row strides, so A, B and C
// may be column blocks of wider matrices.
void GemmTransposedB(int64_t m, int64_t n, int64_t k, const float* a,
                     int64_t lda, const float* b, int64_t ldb, float beta,
                     float* c, int64_t ldc);

}  // namespace amend::kernels

#endif  // AMEND_CORE_KERNELS_BLAS_H_

#include "core/kernels/blas.h"

#include <dlfcn.h>

namespace amend::kernels {
namespace {

// Fortran interface, column-major.
using SgemmFn = void (*)(const char* transa, const char* transb, const int* m,
                         const int* n, const int* k, const float* alpha,
                         const float* a, const int* lda, const float* b,
                         const int* ldb, const float* beta, float* c,
                         const int* ldc);

SgemmFn Sgemm() {
  static const SgemmFn sgemm =
      reinterpret_cast<SgemmFn>(::dlsym(RTLD_DEFAULT, "sgemm_"));
  return sgemm;
}

// Element (row, column) of op(M) for a column-major M with leading dimension
// ld.
inline float At(const float* m, int64_t ld, char trans, int64_t row,
                int64_t column) {
  return trans == 'N' ? m[column * ld + row] : m[row * ld + column];
}

void ColumnMajorGemmLoops(char trans_a, char trans_b, int64_t m, int64_t n,
                          int64_t k, const float* a, int64_t lda,
                          const float* b, int64_t ldb, float beta, float* c,
                          int64_t ldc) {
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      float sum = 0.0f;
      for (int64_t p = 0; p < k; ++p) {
        sum += At(a, lda, trans_a, i, p) * At(b, ldb, trans_b, p, j);
      }
      float& out = c[j * ldc + i];
      out = (beta == 0.0f ? 0.0f : beta * out) + sum;
    }
  }
}

}  // namespace

bool HasBlas() { return Sgemm() != nullptr; }

void ColumnMajorGemm(char trans_a, char trans_b, int64_t m, int64_t n,
                     int64_t k, const float* a, int64_t lda, const float* b,
                     int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (!HasBlas()) {
    ColumnMajorGemmLoops(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c,
                         ldc);
    return;
  }
  const int mi = static_cast<int>(m), ni = static_cast<int>(n),
            ki = static_cast<int>(k);
  const int ldai = static_cast<int>(lda), ldbi = static_cast<int>(ldb),
            ldci = static_cast<int>(ldc);
  const float alpha = 1.0f;
  Sgemm()(&trans_a, &trans_b, &mi, &ni, &ki, &alpha, a, &ldai, b, &ldbi, &beta,
          c, &ldci);
}

void GemmTransposedB(int64_t m, int64_t n, int64_t k, const float* a,
                     int64_t lda, const float* b, int64_t ldb, float beta,
                     float* c, int64_t ldc) {
  // Row-major C = A B^T is column-major C^T = B A^T, with B^T and A^T the
  // row-major arrays read column-major.
  ColumnMajorGemm('T', 'N', n, m, k, b, ldb, a, lda, beta, c, ldc);
}

}  // namespace amend::kernels

// File: bench/matmul_rate.h
//
// The physical reference every benchmark here compares its GFLOP/s with: a
// large float32 matmul on this machine's BLAS, one thread. Registered in each
// benchmark binary so that the reference is measured in the same run as what
// it is compared with (these machines are noisy).
#ifndef AMEND_BENCH_MATMUL_RATE_H_
#define AMEND_BENCH_MATMUL_RATE_H_

#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

namespace amend {

// Arg: n, for an n x n x n product.
inline void BM_MatmulRate(benchmark::State& state) {
  const int64_t n = state.range(0);
  const at::Tensor a = at::randn({n, n}), b = at::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(at::mm(a, b));
  state.counters["gflops"] =
      benchmark::Counter(2.0 * static_cast<double>(n * n * n) * 1e-9 *
                             static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}

}  // namespace amend

#endif  // AMEND_BENCH_MATMUL_RATE_H_

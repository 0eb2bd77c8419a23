#include "core/util/threads.h"

#include <ATen/Parallel.h>

#include <thread>

// Provided by OpenBLAS when it is the BLAS LibTorch loaded; absent (null)
// otherwise.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace amend {

void ConfigureThreads(int intra_op_threads) {
  if (openblas_set_num_threads != nullptr) openblas_set_num_threads(1);
  const int threads =
      intra_op_threads > 0
          ? intra_op_threads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
}

}  // namespace amend

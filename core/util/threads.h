// File: core/util/threads.h
//
// Thread settings of a process that runs LibTorch: LibTorch's intra-op thread
// count, and OpenBLAS pinned to one thread. OpenBLAS threads on top of
// LibTorch's oversubscribe the cores (measured: a batch of editor forwards took
// 138 ms with both, 57 ms with OPENBLAS_NUM_THREADS=1).
//
// Thread-compatible: call once, early in main().
#ifndef AMEND_CORE_UTIL_THREADS_H_
#define AMEND_CORE_UTIL_THREADS_H_

namespace amend {

// intra_op_threads <= 0 means one per core.
void ConfigureThreads(int intra_op_threads);

}  // namespace amend

#endif  // AMEND_CORE_UTIL_THREADS_H_

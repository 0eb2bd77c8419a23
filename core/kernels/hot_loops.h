// File: core/kernels/hot_loops.h
//
// AMEND_HOT: compile a loop-heavy function twice, for x86-64-v3 (AVX2, FMA)
// and for baseline x86-64, and let the loader pick one per machine. The
// clone is chosen by CPU features: "arch=haswell" would be chosen by CPU
// model, so a later CPU (this project's Cooper Lake machines) ran the
// baseline clone with 4-wide SSE exp (measured with perf: _ZGVbN4v_expf_sse4
// in place of _ZGVdN8v_expf_avx2).
#ifndef AMEND_CORE_KERNELS_HOT_LOOPS_H_
#define AMEND_CORE_KERNELS_HOT_LOOPS_H_

//
// Not under ThreadSanitizer: the loader runs the clones' resolver while it
// relocates, before TSan's runtime exists, and the instrumented resolver
// crashes the process (scripts/test.sh AMEND_SANITIZE=thread).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define AMEND_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define AMEND_HOT
#endif

#endif  // AMEND_CORE_KERNELS_HOT_LOOPS_H_

// File: bench/allocation_counter.h
//
// Counts the process's heap allocations while a piece of code runs, for
// benchmarks that report allocations per request (issue 17). Every thread's
// malloc, calloc, realloc and aligned allocations count (so C++ new,
// protobuf, gRPC and LibTorch alike): a request's cost includes gRPC's
// threads.
//
// How: allocation_counter.cc defines the C allocator's entry points, which a
// program's own definitions replace for every library it loads, and forwards
// them to glibc's (__libc_malloc and friends). Link it into benchmark
// programs only. Counting is off except inside CountAllocationsOf, so the
// timed loops pay one relaxed load per allocation.
//
// Example:
//   const AllocationCount count = CountAllocationsOf([&] { Handle(request); });
//   ReportAllocations(state, [&] { Handle(request); });  // as counters
#ifndef AMEND_BENCH_ALLOCATION_COUNTER_H_
#define AMEND_BENCH_ALLOCATION_COUNTER_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>

namespace amend::bench {

struct AllocationCount {
  int64_t allocations = 0;  // calls that returned new memory
  int64_t bytes = 0;        // bytes they asked for
};

// Runs `run` with counting on and returns what every thread allocated
// meanwhile. Not reentrant: one count at a time.
AllocationCount CountAllocationsOf(const std::function<void()>& run);

// Sets the counters `allocs` and `alloc_kb`: allocations per call of `run`,
// averaged over 10 calls after one that warms caches and thread-local
// buffers. Call it outside the timed loop.
void ReportAllocations(benchmark::State& state,
                       const std::function<void()>& run);

}  // namespace amend::bench

#endif  // AMEND_BENCH_ALLOCATION_COUNTER_H_

// File: core/util/allocator.h
//
// glibc malloc settings for a process that allocates many short-lived
// tensors of tens to hundreds of KiB. By default glibc serves those with
// mmap or trims the heap after freeing them, so every editor forward pays page
// faults on fresh pages (perf: ~15% of an edit in the kernel's page-fault and
// brk paths). Raising the mmap and trim thresholds keeps the memory in the
// heap for reuse: an edit of a median zoo model went from 12.4 to 8.4 ms CPU
// (docs/BENCHMARKS.md). The cost is that freed memory is returned to the OS
// later, if at all.
//
// TuneAllocatorForTensors is thread-compatible: call it once, early in main(),
// before other threads start.
#ifndef AMEND_CORE_UTIL_ALLOCATOR_H_
#define AMEND_CORE_UTIL_ALLOCATOR_H_

namespace amend {

void TuneAllocatorForTensors();

// Returns the free memory of every malloc arena to the system (glibc's
// malloc_trim). The tuning above keeps freed memory for reuse, and each
// thread's arena keeps its own: after large edits on several threads a
// server's RSS would stay at the sum of their peaks. Costs the kernel about
// 0.3-0.5 ms per MiB returned (and the next large allocation its page
// faults): call it after work that freed much, not after every small edit.
// Thread-safe.
void ReturnFreeMemoryToTheSystem();

}  // namespace amend

#endif  // AMEND_CORE_UTIL_ALLOCATOR_H_

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

// At most `arenas` malloc arenas in the process (0: glibc's default, 8 per
// core). malloc_trim returns the free memory of the main arena whole, but a
// thread arena's free top only from its own thread (below), so a server's
// idle RSS kept ~40 MiB per arena that its gRPC threads had used for large
// requests: 300-470 MiB idle against 176 MiB with one arena, and it varied
// with which threads had served what (docs/RELIABILITY.md). At 2 workers one
// arena cost no throughput within the benchmark's noise (docs/BENCHMARKS.md);
// its risk is many threads contending for the one lock, including while a
// trim holds it. Call it early in main(), before other threads start: a
// thread that allocated before keeps its arena.
void LimitMallocArenas(int arenas);

// Returns free memory to the system: glibc's malloc_trim (the free chunks of
// every arena and the main arena's top) and the free top of the calling
// thread's arena (below). With one arena (LimitMallocArenas(1)) that is all
// the process's free memory; with more, the tops of other threads' arenas
// stay. The tuning above keeps freed memory for reuse, and each thread's arena
// keeps its own: after large edits on several threads a server's RSS would
// stay at the sum of their peaks. Costs the kernel about 0.3-0.5 ms per MiB returned (and
// the next large allocation its page faults): call it after work that freed
// much, not after every small edit. Thread-safe.
void ReturnFreeMemoryToTheSystem();

// Returns the free memory at the top of the calling thread's malloc arena,
// which malloc_trim does not touch and which, with the tuning above, no free()
// returns either: an idle server whose threads had each run one large request
// kept ~40 MiB per arena (16 arenas on 2 cores) until this. Cheap when there
// is little to return; call it on the thread that did the work. Does nothing
// unless TuneAllocatorForTensors ran (glibc's defaults return tops in free()).
// Thread-safe.
void ReturnThisThreadsFreeMemory();

}  // namespace amend

#endif  // AMEND_CORE_UTIL_ALLOCATOR_H_

#include "bench/allocation_counter.h"

#include <errno.h>

#include <atomic>
#include <cstddef>

extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* pointer);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

namespace amend::bench {
namespace {

std::atomic<bool> counting{false};
std::atomic<int64_t> allocations{0};
std::atomic<int64_t> bytes{0};

void* Counted(void* pointer, size_t size) {
  if (pointer != nullptr && counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(static_cast<int64_t>(size), std::memory_order_relaxed);
  }
  return pointer;
}

}  // namespace

AllocationCount CountAllocationsOf(const std::function<void()>& run) {
  allocations = 0;
  bytes = 0;
  counting = true;
  run();
  counting = false;
  return {allocations.load(), bytes.load()};
}

void ReportAllocations(benchmark::State& state,
                       const std::function<void()>& run) {
  constexpr int kCalls = 10;
  run();
  const AllocationCount count = CountAllocationsOf([&] {
    for (int i = 0; i < kCalls; ++i) run();
  });
  state.counters["allocs"] = static_cast<double>(count.allocations) / kCalls;
  state.counters["alloc_kb"] =
      static_cast<double>(count.bytes) / 1024.0 / kCalls;
}

}  // namespace amend::bench

using amend::bench::Counted;

extern "C" {

void* malloc(size_t size) noexcept {
  return Counted(__libc_malloc(size), size);
}

void free(void* pointer) noexcept { __libc_free(pointer); }

void* calloc(size_t count, size_t size) noexcept {
  return Counted(__libc_calloc(count, size), count * size);
}

void* realloc(void* pointer, size_t size) noexcept {
  return Counted(__libc_realloc(pointer, size), size);
}

void* memalign(size_t alignment, size_t size) noexcept {
  return Counted(__libc_memalign(alignment, size), size);
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  return Counted(__libc_memalign(alignment, size), size);
}

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  // POSIX: a power of two that is a multiple of sizeof(void*).
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 ||
      alignment == 0) {
    return EINVAL;
  }
  void* pointer = Counted(__libc_memalign(alignment, size), size);
  if (pointer == nullptr) return ENOMEM;
  *out = pointer;
  return 0;
}

void* valloc(size_t size) noexcept {
  return Counted(__libc_valloc(size), size);
}

void* pvalloc(size_t size) noexcept {
  return Counted(__libc_pvalloc(size), size);
}

}  // extern "C"

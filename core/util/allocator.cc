#include "core/util/allocator.h"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace amend {
namespace {

// The largest mmap threshold glibc accepts on 64-bit (32 MiB).
constexpr int kMmapThreshold = 32 << 20;
constexpr int kTrimThreshold = 1 << 30;
constexpr int kTopPad = 64 << 20;

std::atomic<bool> tuned{false};

}  // namespace

void TuneAllocatorForTensors() {
  tuned.store(true);
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  mallopt(M_TOP_PAD, kTopPad);
}

void LimitMallocArenas(int arenas) {
  if (arenas > 0) mallopt(M_ARENA_MAX, arenas);
}

void ReturnThisThreadsFreeMemory() {
  // glibc trims a thread arena's top chunk only in free() of a chunk of 64 KiB
  // or more, and only when the top is over M_TRIM_THRESHOLD, down to
  // M_TOP_PAD; malloc_trim leaves it alone. One such free with both lowered
  // returns the top. The settings are process-wide: one caller at a time, so
  // that no caller restores them while another is between its two steps.
  // Untuned, glibc's defaults trim every top in free() already, and its
  // dynamic thresholds must not be replaced by ours.
  if (!tuned.load()) return;
  static std::mutex one_at_a_time;
  std::lock_guard<std::mutex> lock(one_at_a_time);
  mallopt(M_TRIM_THRESHOLD, 128 << 10);
  mallopt(M_TOP_PAD, 0);
  // 96 KiB: over the 64 KiB that makes free() trim, and under glibc's default
  // mmap threshold, so that the block comes from the arena whatever the
  // tuning. Through a volatile so that the compiler keeps the pair.
  void* volatile block = std::malloc(96 << 10);
  std::free(block);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
  mallopt(M_TOP_PAD, kTopPad);
}

void ReturnFreeMemoryToTheSystem() {
  ReturnThisThreadsFreeMemory();
  malloc_trim(0);
}

}  // namespace amend

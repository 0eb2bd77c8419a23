#include "core/util/allocator.h"

#include <malloc.h>

namespace amend {

void TuneAllocatorForTensors() {
  // The largest mmap threshold glibc accepts on 64-bit (32 MiB).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

void ReturnFreeMemoryToTheSystem() { malloc_trim(0); }

}  // namespace amend

#include "core/util/allocator.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "gtest/gtest.h"

namespace amend {
namespace {

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * ::sysconf(_SC_PAGESIZE);
}

constexpr int64_t kMiB = int64_t{1} << 20;

TEST(AllocatorTest, FreedTensorMemoryStaysUntilReturnedToTheSystem) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's";
#endif
  TuneAllocatorForTensors();
  // 256 MiB in blocks of 64 KiB, the size of an edit's intermediate tensors.
  constexpr size_t kBlock = 64 << 10;
  constexpr int kBlocks = 4096;
  std::vector<char*> blocks;
  for (int i = 0; i < kBlocks; ++i) {
    char* block = static_cast<char*>(std::malloc(kBlock));
    ASSERT_NE(block, nullptr);
    std::memset(block, 1, kBlock);
    asm volatile("" : : "r"(block) : "memory");  // the pages are touched
    blocks.push_back(block);
  }
  const int64_t peak = ResidentBytes();
  // All but the last: the heap cannot shrink from its top by itself.
  for (int i = 0; i + 1 < kBlocks; ++i) std::free(blocks[i]);
  const int64_t after_free = ResidentBytes();
  ReturnFreeMemoryToTheSystem();
  const int64_t after_return = ResidentBytes();
  std::free(blocks.back());

  EXPECT_GT(after_free, peak - 32 * kMiB) << "freed memory was kept for reuse";
  EXPECT_LT(after_return, after_free - 200 * kMiB)
      << "at least 200 of the 256 MiB went back to the system";
}

}  // namespace
}  // namespace amend

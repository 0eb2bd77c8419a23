#include "core/util/allocator.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
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

// Allocates and touches `blocks` blocks of `block_bytes`, then frees them in
// the order they were allocated, so that they merge into the arena's top.
void AllocateTouchAndFree(int blocks, size_t block_bytes) {
  std::vector<char*> allocated;
  allocated.reserve(blocks);  // no vector buffer between the blocks
  for (int i = 0; i < blocks; ++i) {
    char* block = static_cast<char*>(std::malloc(block_bytes));
    ASSERT_NE(block, nullptr);
    std::memset(block, 1, block_bytes);
    asm volatile("" : : "r"(block) : "memory");
    allocated.push_back(block);
  }
  for (char* block : allocated) std::free(block);
}

// Runs `body` in a process of its own and expects it to pass: glibc's arenas
// outlive the threads that made them, so after another test in the same
// process a thread could inherit one.
template <class Body>
void RunInAProcessOfItsOwn(Body body) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        body();
        std::_Exit(::testing::Test::HasFailure() ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(AllocatorTest, AThreadReturnsTheFreeTopOfItsOwnArena) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's";
#endif
  RunInAProcessOfItsOwn([] {
    TuneAllocatorForTensors();
    int64_t before = 0, after_free = 0, after_trim = 0, after_return = 0;
    // A thread of its own: glibc gives it an arena other than the main one.
    std::thread([&] {
      before = ResidentBytes();
      AllocateTouchAndFree(48, 1 << 20);
      after_free = ResidentBytes();
      malloc_trim(0);
      after_trim = ResidentBytes();
      ReturnThisThreadsFreeMemory();
      after_return = ResidentBytes();
    }).join();
    EXPECT_GT(after_free, before + 40 * kMiB) << "freed memory was kept";
    EXPECT_GT(after_trim, after_return + 8 * kMiB)
        << "malloc_trim leaves a thread arena's free top, which this "
           "returns";
    EXPECT_LT(after_return, before + 8 * kMiB)
        << "the free top of the thread's arena went back to the system";
  });
}

TEST(AllocatorTest, WithOneArenaAnyThreadReturnsWhatEveryThreadFreed) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's";
#endif
  RunInAProcessOfItsOwn([] {
    LimitMallocArenas(1);
    TuneAllocatorForTensors();
    const int64_t before = ResidentBytes();
    // Four threads, as a server's request threads, each freeing 32 MiB.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([] { AllocateTouchAndFree(128, 256 << 10); });
    }
    for (std::thread& thread : threads) thread.join();
    const int64_t after_free = ResidentBytes();
    ReturnFreeMemoryToTheSystem();  // on the main thread, as an idle worker
    const int64_t after_return = ResidentBytes();
    EXPECT_GT(after_free, before + 24 * kMiB) << "freed memory was kept";
    EXPECT_LT(after_return, before + 8 * kMiB)
        << "what the other threads freed went back to the system";
  });
}

}  // namespace
}  // namespace amend

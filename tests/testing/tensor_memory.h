// File: tests/testing/tensor_memory.h
//
// Counts the bytes of LibTorch's CPU tensors: current and peak since Reset().
// It wraps the CPU allocator in place, so every tensor allocated afterwards is
// counted, whatever code allocates it: an independent measure of what an edit
// holds, for checking memory estimates.
//
// Example:
//   TensorMemory& memory = TensorMemory::Install();
//   memory.Reset();
//   Work();
//   EXPECT_LE(memory.peak_bytes() - memory.start_bytes(), estimate);
//
// Thread-safe. Installed once per process and never removed (tensors it
// counted may outlive any scope).
#ifndef AMEND_TESTS_TESTING_TENSOR_MEMORY_H_
#define AMEND_TESTS_TESTING_TENSOR_MEMORY_H_

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace amend::testing {

class TensorMemory final : public c10::Allocator {
 public:
  static TensorMemory& Install() {
    static TensorMemory* memory = [] {
      auto* created = new TensorMemory(c10::GetCPUAllocator());
      c10::SetCPUAllocator(created, /*priority=*/255);
      return created;
    }();
    return *memory;
  }

  // Starts a new peak at the current bytes.
  void Reset() {
    start_ = current_.load();
    peak_ = start_.load();
  }
  int64_t start_bytes() const { return start_; }
  int64_t peak_bytes() const { return peak_; }
  int64_t current_bytes() const { return current_; }

  c10::DataPtr allocate(size_t n) const override {
    c10::DataPtr inner = base_->allocate(n);
    void* data = inner.get();
    const c10::Device device = inner.device();
    auto* held = new Held{std::move(inner), static_cast<int64_t>(n), this};
    const int64_t now = current_ += held->bytes;
    int64_t peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    return c10::DataPtr(data, held, &Release, device);
  }

 private:
  struct Held {
    c10::DataPtr inner;
    int64_t bytes;
    const TensorMemory* owner;
  };

  explicit TensorMemory(c10::Allocator* base) : base_(base) {}

  static void Release(void* context) {
    auto* held = static_cast<Held*>(context);
    held->owner->current_ -= held->bytes;
    delete held;  // frees through the wrapped allocator
  }

  c10::Allocator* const base_;
  mutable std::atomic<int64_t> current_{0};
  mutable std::atomic<int64_t> peak_{0};
  std::atomic<int64_t> start_{0};
};

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_TENSOR_MEMORY_H_

// Coverage for libFuzzer from code g++ compiles. g++ has no inline 8-bit
// counters or pc-guards, only -fsanitize-coverage=trace-pc: a call to
// __sanitizer_cov_trace_pc() at every basic block, which libFuzzer 14 no
// longer accepts (its own definition aborts; the build weakens it). This file
// defines that call as a counter in a 64K table indexed by a hash of the
// block's address (AFL's scheme) and hands the table to libFuzzer as a module
// of inline 8-bit counters, so the EditModel path, which needs LibTorch's
// headers and so g++ (docs/RELIABILITY.md), is fuzzed with coverage guidance.
// Compiled without trace-pc and without sanitizers: it runs on every block.
#include <cstddef>
#include <cstdint>

// Weak: every executable of an AMEND_LIBFUZZER build links this file (the
// instrumented libraries call __sanitizer_cov_trace_pc), and only the fuzz
// target has libFuzzer to register with.
extern "C" __attribute__((weak)) void __sanitizer_cov_8bit_counters_init(
    uint8_t* start, uint8_t* stop);

namespace {

constexpr size_t kCounters = size_t{1} << 16;
alignas(64) uint8_t counters[kCounters];

__attribute__((constructor)) void RegisterCounters() {
  if (__sanitizer_cov_8bit_counters_init != nullptr) {
    __sanitizer_cov_8bit_counters_init(counters, counters + kCounters);
  }
}

}  // namespace

extern "C" void __sanitizer_cov_trace_pc() {
  const auto pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  // Racy increments from the server's threads lose a count now and then,
  // which coverage tolerates; an atomic would serialise every block.
  ++counters[(pc ^ (pc >> 15)) & (kCounters - 1)];
}

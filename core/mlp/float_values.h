// File: core/mlp/float_values.h
//
// Scans over a tensor's values as plain floats. Every edit validates its
// model, checks magnitudes, checks the edited model is finite and counts kept
// mask entries; a loop over the floats costs less than the few microseconds
// of dispatch each small ATen reduction costs, and an edit runs several per
// tensor.
//
// Example:
//   const at::Tensor values = CpuFloatValues(tensor);
//   const int64_t bad = FirstFloatFailing(
//       values, [](float v) { return std::isfinite(v); });
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_MLP_FLOAT_VALUES_H_
#define AMEND_CORE_MLP_FLOAT_VALUES_H_

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace amend {

// The values as a contiguous CPU float32 tensor without autograd history (the
// tensor itself when it already is one, a copy otherwise).
at::Tensor CpuFloatValues(const at::Tensor& tensor);

// The first flat index of `values` (a CpuFloatValues result) whose value
// fails `ok`, or -1.
template <typename Predicate>
int64_t FirstFloatFailing(const at::Tensor& values, const Predicate& ok) {
  const float* data = values.data_ptr<float>();
  const int64_t count = values.numel();
  for (int64_t i = 0; i < count; ++i) {
    if (!ok(data[i])) return i;
  }
  return -1;
}

}  // namespace amend

#endif  // AMEND_CORE_MLP_FLOAT_VALUES_H_

#include "core/mlp/float_values.h"

#include <ATen/ATen.h>

namespace amend {

at::Tensor CpuFloatValues(const at::Tensor& tensor) {
  return tensor.detach().to(at::kCPU, at::kFloat).contiguous();
}

}  // namespace amend

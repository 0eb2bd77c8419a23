// File: core/optim/adamw_options.h
//
// AdamW's settings (adamw.h) as a plain struct: what flags and training
// options name without compiling LibTorch.
//
// Example:
//   AdamWOptions options{.learning_rate = 3e-3, .warmup_steps = 0};
//
// Thread-compatible.
#ifndef AMEND_CORE_OPTIM_ADAMW_OPTIONS_H_
#define AMEND_CORE_OPTIM_ADAMW_OPTIONS_H_

#include <cstdint>

namespace amend {

struct AdamWOptions {
  double learning_rate = 1e-3;
  double weight_decay = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  // Linear warm-up of the learning rate over this many steps, then constant.
  int64_t warmup_steps = 100;
  // Global L2 norm the gradients are clipped to; <= 0 disables clipping.
  double clip_norm = 10.0;
};

}  // namespace amend

#endif  // AMEND_CORE_OPTIM_ADAMW_OPTIONS_H_

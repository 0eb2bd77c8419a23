// File: core/optim/adamw.h
//
// AdamW (Loshchilov & Hutter; PyTorch's torch.optim.AdamW update) with global
// gradient-norm clipping and a linear warm-up, written out so that its whole
// state (step and both moments) is plain tensors that a resumable trainer can
// save and restore exactly.
//
// Example:
//   AdamW optimizer(network->parameters(), {.learning_rate = 1e-3});
//   loss.backward();
//   double norm = optimizer.Step();   // clips, updates, zeroes the gradients
//
// Thread-compatible.
#ifndef AMEND_CORE_OPTIM_ADAMW_H_
#define AMEND_CORE_OPTIM_ADAMW_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

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

class AdamW {
 public:
  AdamW(std::vector<at::Tensor> parameters, const AdamWOptions& options);

  // One update from the parameters' current gradients (missing gradients
  // count as zero), then zeroes them. Returns the gradient norm before
  // clipping.
  double Step();

  // The learning rate the next Step() uses.
  double CurrentLearningRate() const;

  int64_t step() const { return step_; }
  void set_step(int64_t step) { step_ = step; }
  std::vector<at::Tensor>& first_moments() { return first_moments_; }
  std::vector<at::Tensor>& second_moments() { return second_moments_; }

 private:
  std::vector<at::Tensor> parameters_;
  AdamWOptions options_;
  std::vector<at::Tensor> first_moments_, second_moments_;
  int64_t step_ = 0;
};

}  // namespace amend

#endif  // AMEND_CORE_OPTIM_ADAMW_H_

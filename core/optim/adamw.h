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

#include "core/optim/adamw_options.h"

namespace amend {

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

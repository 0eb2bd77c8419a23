#include "core/optim/adamw.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>

namespace amend {

AdamW::AdamW(std::vector<at::Tensor> parameters, const AdamWOptions& options)
    : parameters_(std::move(parameters)), options_(options) {
  for (const at::Tensor& parameter : parameters_) {
    first_moments_.push_back(at::zeros_like(parameter).detach());
    second_moments_.push_back(at::zeros_like(parameter).detach());
  }
}

double AdamW::CurrentLearningRate() const {
  if (options_.warmup_steps <= 0) return options_.learning_rate;
  const double ramp =
      std::min(1.0, static_cast<double>(step_ + 1) /
                        static_cast<double>(options_.warmup_steps));
  return options_.learning_rate * ramp;
}

double AdamW::Step() {
  at::NoGradGuard no_grad;
  double squared_norm = 0.0;
  for (const at::Tensor& parameter : parameters_) {
    if (parameter.grad().defined()) {
      squared_norm += parameter.grad().pow(2).sum().item<double>();
    }
  }
  const double norm = std::sqrt(squared_norm);
  const double clip = options_.clip_norm > 0 && norm > options_.clip_norm
                          ? options_.clip_norm / (norm + 1e-6)
                          : 1.0;
  const double lr = CurrentLearningRate();
  ++step_;
  const double correction1 = 1.0 - std::pow(options_.beta1, step_);
  const double correction2 = 1.0 - std::pow(options_.beta2, step_);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    at::Tensor& parameter = parameters_[i];
    const at::Tensor gradient = parameter.grad().defined()
                                    ? parameter.grad() * clip
                                    : at::zeros_like(parameter);
    parameter.mul_(1.0 - lr * options_.weight_decay);
    first_moments_[i].mul_(options_.beta1).add_(gradient, 1.0 - options_.beta1);
    second_moments_[i]
        .mul_(options_.beta2)
        .addcmul_(gradient, gradient, 1.0 - options_.beta2);
    const at::Tensor denominator =
        (second_moments_[i] / correction2).sqrt_().add_(options_.epsilon);
    parameter.addcdiv_(first_moments_[i], denominator, -lr / correction1);
    if (parameter.grad().defined()) parameter.mutable_grad().zero_();
  }
  return norm;
}

}  // namespace amend

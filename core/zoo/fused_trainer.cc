#include "core/zoo/fused_trainer.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"
#include "core/zoo/dense_kernels.h"
#include "core/zoo/run_streams.h"

namespace amend {
namespace {

constexpr double kBeta1 = 0.9;
constexpr double kBeta2 = 0.999;
constexpr double kAdamEpsilon = 1e-8;

// The trainer reads the tensors' memory directly, so their layout is checked.
absl::Status CheckTrainingData(const RunConfig& run,
                               const SplitTensors& train) {
  const Architecture& a = run.architecture;
  return CallTorch("training data", [&]() -> absl::Status {
    const at::Tensor& x = train.features;
    const at::Tensor& y = train.labels;
    if (!x.defined() || x.dim() != 2 || x.size(1) != a.input_dim ||
        !x.is_contiguous() || x.scalar_type() != at::kFloat ||
        !x.device().is_cpu()) {
      return absl::InvalidArgumentError(
          absl::StrCat("training data: features must be contiguous F32 [N, ",
                       a.input_dim, "] on the CPU"));
    }
    if (!y.defined() || y.dim() != 1 || y.size(0) != x.size(0) ||
        !y.is_contiguous() || y.scalar_type() != at::kLong ||
        !y.device().is_cpu()) {
      return absl::InvalidArgumentError(
          absl::StrCat("training data: labels must be contiguous I64 [",
                       x.size(0), "] on the CPU"));
    }
    if (x.size(0) < run.batch_size) {
      return absl::InvalidArgumentError(
          absl::StrCat("training data: must have at least ", run.batch_size,
                       " rows (the batch size), got ", x.size(0)));
    }
    if (y.min().item<int64_t>() < 0 ||
        y.max().item<int64_t>() >= a.num_classes) {
      return absl::InvalidArgumentError(
          absl::StrCat("training data: labels must be class indices in 0..",
                       a.num_classes - 1));
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<FusedRunTrainer>> FusedRunTrainer::Create(
    const RunConfig& run, const SplitTensors& train) {
  AMEND_RETURN_IF_ERROR(ValidateArchitecture(run.architecture));
  if (run.batch_size < 2 || run.epochs < 1 || !(run.learning_rate > 0) ||
      !(run.weight_decay >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("run ", run.run,
                     ": batch_size must be >= 2, epochs >= 1, learning_rate > "
                     "0 and weight_decay >= 0"));
  }
  AMEND_RETURN_IF_ERROR(CheckTrainingData(run, train));
  std::unique_ptr<FusedRunTrainer> t(new FusedRunTrainer());
  t->run_ = run;
  t->features_ = train.features.data_ptr<float>();
  t->labels_ = train.labels.data_ptr<int64_t>();
  t->rows_ = train.rows();
  t->batch_ = run.batch_size;
  t->dropout_stream_ = DropoutStream(run.seed);
  AMEND_ASSIGN_OR_RETURN(const Mlp initial,
                         InitializeMlp(run.architecture, run.seed));
  t->LoadParameters(initial);
  t->AllocateBuffers();
  return t;
}

void FusedRunTrainer::LoadParameters(const Mlp& initial) {
  const Architecture& a = run_.architecture;
  layers_.resize(a.layers.size());
  for (const TensorSpec& spec : ExpectedTensors(a)) {
    const at::Tensor& value = initial.parameters.at(spec.name);
    const float* data = value.data_ptr<float>();
    if (spec.role == TensorRole::kNormRunningMean ||
        spec.role == TensorRole::kNormRunningVar) {
      Layer& layer = layers_[static_cast<size_t>(spec.layer - 1)];
      (spec.role == TensorRole::kNormRunningMean ? layer.running_mean
                                                 : layer.running_var)
          .assign(data, data + spec.numel());
      continue;
    }
    const auto offset = static_cast<int64_t>(params_.size());
    params_.insert(params_.end(), data, data + spec.numel());
    offsets_.push_back({spec.name, offset});
    if (spec.role == TensorRole::kHeadWeight) head_weight_ = offset;
    if (spec.role == TensorRole::kHeadBias) head_bias_ = offset;
    if (spec.layer >= 1 && spec.layer <= a.num_hidden()) {
      Layer& layer = layers_[static_cast<size_t>(spec.layer - 1)];
      switch (spec.role) {
        case TensorRole::kLayerWeight:
          layer.weight = offset;
          break;
        case TensorRole::kLayerBias:
          layer.bias = offset;
          break;
        case TensorRole::kSkipWeight:
          layer.skips.push_back({spec.source, offset});
          break;
        case TensorRole::kNormWeight:
          layer.gamma = offset;
          break;
        case TensorRole::kNormBias:
          layer.beta = offset;
          break;
        default:
          break;
      }
    }
  }
}

void FusedRunTrainer::AllocateBuffers() {
  const Architecture& a = run_.architecture;
  const auto activations = static_cast<size_t>(batch_);
  for (size_t i = 0; i < a.layers.size(); ++i) {
    Layer& layer = layers_[i];
    layer.width = a.layers[i].width;
    layer.in = a.SourceWidth(static_cast<int>(i));
    layer.activation = a.layers[i].activation;
    layer.norm = a.layers[i].norm;
    layer.keep = 1.0 - a.layers[i].dropout;
    const size_t size = activations * static_cast<size_t>(layer.width);
    for (std::vector<float>* buffer :
         {&layer.z, &layer.xhat, &layer.n, &layer.h, &layer.mask, &layer.dh,
          &layer.dn, &layer.dz}) {
      buffer->assign(size, 0.0f);
    }
    layer.rstd.assign(layer.norm == Norm::kBatchNorm
                          ? static_cast<size_t>(layer.width)
                          : activations,
                      0.0f);
  }
  grads_.assign(params_.size(), 0.0f);
  first_moment_.assign(params_.size(), 0.0f);
  second_moment_.assign(params_.size(), 0.0f);
  input_.assign(activations * static_cast<size_t>(a.input_dim), 0.0f);
  logits_.assign(activations * static_cast<size_t>(a.num_classes), 0.0f);
  dlogits_.assign(logits_.size(), 0.0f);
}

void FusedRunTrainer::NormForward(Layer& layer) {
  const int64_t width = layer.width, batch = batch_;
  if (layer.norm == Norm::kNone) {
    layer.n = layer.z;
    return;
  }
  const float* gamma = params_.data() + layer.gamma;
  const float* beta = params_.data() + layer.beta;
  if (layer.norm == Norm::kLayerNorm) {
    for (int64_t b = 0; b < batch; ++b) {
      const float* z = layer.z.data() + b * width;
      double sum = 0;
      for (int64_t j = 0; j < width; ++j) sum += z[j];
      const double mean = sum / static_cast<double>(width);
      double squares = 0;
      for (int64_t j = 0; j < width; ++j)
        squares += (z[j] - mean) * (z[j] - mean);
      const auto rstd = static_cast<float>(
          1.0 / std::sqrt(squares / static_cast<double>(width) + kNormEpsilon));
      layer.rstd[static_cast<size_t>(b)] = rstd;
      float* xhat = layer.xhat.data() + b * width;
      float* n = layer.n.data() + b * width;
      for (int64_t j = 0; j < width; ++j) {
        xhat[j] = static_cast<float>(z[j] - mean) * rstd;
        n[j] = xhat[j] * gamma[j] + beta[j];
      }
    }
    return;
  }
  // Batchnorm, training mode: statistics over the batch, per feature.
  for (int64_t j = 0; j < width; ++j) {
    double sum = 0;
    for (int64_t b = 0; b < batch; ++b)
      sum += layer.z[static_cast<size_t>(b * width + j)];
    const double mean = sum / static_cast<double>(batch);
    double squares = 0;
    for (int64_t b = 0; b < batch; ++b) {
      const double d = layer.z[static_cast<size_t>(b * width + j)] - mean;
      squares += d * d;
    }
    const double var = squares / static_cast<double>(batch);
    const auto rstd = static_cast<float>(1.0 / std::sqrt(var + kNormEpsilon));
    layer.rstd[static_cast<size_t>(j)] = rstd;
    for (int64_t b = 0; b < batch; ++b) {
      const auto i = static_cast<size_t>(b * width + j);
      layer.xhat[i] = static_cast<float>(layer.z[i] - mean) * rstd;
      layer.n[i] = layer.xhat[i] * gamma[j] + beta[j];
    }
    const auto jj = static_cast<size_t>(j);
    layer.running_mean[jj] =
        static_cast<float>((1 - kBatchNormMomentum) * layer.running_mean[jj] +
                           kBatchNormMomentum * mean);
    layer.running_var[jj] = static_cast<float>(
        (1 - kBatchNormMomentum) * layer.running_var[jj] +
        kBatchNormMomentum * var * static_cast<double>(batch) /
            static_cast<double>(batch - 1));
  }
}

void FusedRunTrainer::NormBackward(Layer& layer) {
  const int64_t width = layer.width, batch = batch_;
  if (layer.norm == Norm::kNone) {
    layer.dz = layer.dn;
    return;
  }
  const float* gamma = params_.data() + layer.gamma;
  float* dgamma = grads_.data() + layer.gamma;
  float* dbeta = grads_.data() + layer.beta;
  // dz = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dn *
  // gamma, with the means over the normalised axis: features (layernorm) or the
  // batch (batchnorm).
  if (layer.norm == Norm::kLayerNorm) {
    for (int64_t b = 0; b < batch; ++b) {
      const float* dn = layer.dn.data() + b * width;
      const float* xhat = layer.xhat.data() + b * width;
      double mean_dxhat = 0, mean_dxhat_xhat = 0;
      for (int64_t j = 0; j < width; ++j) {
        const double dxhat = static_cast<double>(dn[j]) * gamma[j];
        mean_dxhat += dxhat;
        mean_dxhat_xhat += dxhat * xhat[j];
        dgamma[j] += dn[j] * xhat[j];
        dbeta[j] += dn[j];
      }
      mean_dxhat /= static_cast<double>(width);
      mean_dxhat_xhat /= static_cast<double>(width);
      const float rstd = layer.rstd[static_cast<size_t>(b)];
      float* dz = layer.dz.data() + b * width;
      for (int64_t j = 0; j < width; ++j) {
        dz[j] =
            rstd * static_cast<float>(static_cast<double>(dn[j]) * gamma[j] -
                                      mean_dxhat - xhat[j] * mean_dxhat_xhat);
      }
    }
    return;
  }
  for (int64_t j = 0; j < width; ++j) {
    double mean_dxhat = 0, mean_dxhat_xhat = 0, sum_dn_xhat = 0, sum_dn = 0;
    for (int64_t b = 0; b < batch; ++b) {
      const auto i = static_cast<size_t>(b * width + j);
      const double dxhat = static_cast<double>(layer.dn[i]) * gamma[j];
      mean_dxhat += dxhat;
      mean_dxhat_xhat += dxhat * layer.xhat[i];
      sum_dn_xhat += static_cast<double>(layer.dn[i]) * layer.xhat[i];
      sum_dn += layer.dn[i];
    }
    dgamma[j] += static_cast<float>(sum_dn_xhat);
    dbeta[j] += static_cast<float>(sum_dn);
    mean_dxhat /= static_cast<double>(batch);
    mean_dxhat_xhat /= static_cast<double>(batch);
    const float rstd = layer.rstd[static_cast<size_t>(j)];
    for (int64_t b = 0; b < batch; ++b) {
      const auto i = static_cast<size_t>(b * width + j);
      layer.dz[i] = rstd * static_cast<float>(
                               static_cast<double>(layer.dn[i]) * gamma[j] -
                               mean_dxhat - layer.xhat[i] * mean_dxhat_xhat);
    }
  }
}

const float* FusedRunTrainer::Source(int s) const {
  return s == 0 ? input_.data() : layers_[static_cast<size_t>(s - 1)].h.data();
}

void FusedRunTrainer::Step(const int64_t* rows) {
  Forward(rows);
  LossGradient(rows);
  Backward();
  AdamW();
}

void FusedRunTrainer::Forward(const int64_t* rows) {
  const Architecture& a = run_.architecture;
  const int64_t in0 = a.input_dim, classes = a.num_classes, batch = batch_;
  for (int64_t b = 0; b < batch; ++b) {
    std::memcpy(input_.data() + b * in0, features_ + rows[b] * in0,
                static_cast<size_t>(in0) * sizeof(float));
  }
  const float* p = params_.data();
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = layers_[i];
    const int k = static_cast<int>(i) + 1;
    kernels::LinearForward(Source(k - 1), batch, layer.in, p + layer.weight,
                           layer.width, p + layer.bias, /*accumulate=*/false,
                           layer.z.data());
    for (const auto& [s, offset] : layer.skips) {
      kernels::LinearForward(Source(s), batch, a.SourceWidth(s), p + offset,
                             layer.width, nullptr,
                             /*accumulate=*/true, layer.z.data());
    }
    NormForward(layer);
    kernels::ActivationForward(layer.activation, layer.n.data(),
                               batch * layer.width, layer.h.data());
    if (layer.keep < 1.0) {
      DrawDropoutMask(dropout_stream_, layer.keep, batch, layer.width,
                      layer.width, layer.mask.data());
      for (size_t j = 0; j < layer.h.size(); ++j) layer.h[j] *= layer.mask[j];
    }
  }
  const int last = static_cast<int>(layers_.size());
  kernels::LinearForward(Source(last), batch, a.SourceWidth(last),
                         p + head_weight_, classes, p + head_bias_,
                         /*accumulate=*/false, logits_.data());
}

// Mean cross-entropy: dlogits = (softmax - onehot) / batch.
void FusedRunTrainer::LossGradient(const int64_t* rows) {
  const int64_t classes = run_.architecture.num_classes, batch = batch_;
  for (int64_t b = 0; b < batch; ++b) {
    const float* logits = logits_.data() + b * classes;
    float* d = dlogits_.data() + b * classes;
    const float top = *std::max_element(logits, logits + classes);
    double total = 0;
    for (int64_t c = 0; c < classes; ++c)
      total += std::exp(static_cast<double>(logits[c] - top));
    for (int64_t c = 0; c < classes; ++c) {
      const double probability =
          std::exp(static_cast<double>(logits[c] - top)) / total;
      d[c] = static_cast<float>(
          (probability - (labels_[rows[b]] == c ? 1.0 : 0.0)) /
          static_cast<double>(batch));
    }
  }
}

void FusedRunTrainer::Backward() {
  const Architecture& a = run_.architecture;
  const int64_t classes = a.num_classes, batch = batch_;
  const int last = static_cast<int>(layers_.size());
  const int64_t last_width = a.SourceWidth(last);
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  for (Layer& layer : layers_)
    std::fill(layer.dh.begin(), layer.dh.end(), 0.0f);
  const float* p = params_.data();
  float* g = grads_.data();
  kernels::LinearBackwardWeight(dlogits_.data(), batch, classes, Source(last),
                                last_width, g + head_weight_, g + head_bias_);
  if (last >= 1) {
    kernels::LinearBackwardInput(dlogits_.data(), batch, classes,
                                 p + head_weight_, last_width,
                                 layers_.back().dh.data());
  }
  for (int k = last; k >= 1; --k) {
    Layer& layer = layers_[static_cast<size_t>(k - 1)];
    const auto count = static_cast<size_t>(batch * layer.width);
    if (layer.keep < 1.0) {
      for (size_t j = 0; j < count; ++j) layer.dh[j] *= layer.mask[j];
    }
    kernels::ActivationBackward(layer.activation, layer.n.data(),
                                layer.dh.data(), static_cast<int64_t>(count),
                                layer.dn.data());
    NormBackward(layer);
    kernels::LinearBackwardWeight(layer.dz.data(), batch, layer.width,
                                  Source(k - 1), layer.in, g + layer.weight,
                                  g + layer.bias);
    if (k - 1 >= 1) {
      kernels::LinearBackwardInput(
          layer.dz.data(), batch, layer.width, p + layer.weight, layer.in,
          layers_[static_cast<size_t>(k - 2)].dh.data());
    }
    for (const auto& [s, offset] : layer.skips) {
      kernels::LinearBackwardWeight(layer.dz.data(), batch, layer.width,
                                    Source(s), a.SourceWidth(s), g + offset,
                                    nullptr);
      if (s >= 1) {
        kernels::LinearBackwardInput(
            layer.dz.data(), batch, layer.width, p + offset, a.SourceWidth(s),
            layers_[static_cast<size_t>(s - 1)].dh.data());
      }
    }
  }
}

void FusedRunTrainer::AdamW() {
  ++steps_;
  const double correction1 =
      1.0 - std::pow(kBeta1, static_cast<double>(steps_));
  const double correction2 =
      1.0 - std::pow(kBeta2, static_cast<double>(steps_));
  const auto decay =
      static_cast<float>(1.0 - run_.learning_rate * run_.weight_decay);
  const auto step_size = static_cast<float>(run_.learning_rate / correction1);
  const auto sqrt_correction2 = static_cast<float>(std::sqrt(correction2));
  const auto b1 = static_cast<float>(kBeta1), b2 = static_cast<float>(kBeta2);
  for (size_t i = 0; i < params_.size(); ++i) {
    const float g = grads_[i];
    params_[i] *= decay;
    first_moment_[i] = b1 * first_moment_[i] + (1.0f - b1) * g;
    second_moment_[i] = b2 * second_moment_[i] + (1.0f - b2) * g * g;
    const float denominator = std::sqrt(second_moment_[i]) / sqrt_correction2 +
                              static_cast<float>(kAdamEpsilon);
    params_[i] -= step_size * (first_moment_[i] / denominator);
  }
}

absl::Status FusedRunTrainer::TrainEpoch() {
  const std::vector<int64_t> order = EpochOrder(run_.seed, epochs_done_, rows_);
  for (int64_t step = 0; step < steps_per_epoch(); ++step)
    Step(order.data() + step * batch_);
  ++epochs_done_;
  for (float value : params_) {
    if (!std::isfinite(value)) {
      return absl::InternalError(
          absl::StrCat("run ", run_.run, ": training diverged in epoch ",
                       epochs_done_, " (non-finite parameters)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Mlp> FusedRunTrainer::ExtractModel() const {
  return CallTorch(
      "FusedRunTrainer::ExtractModel", [&]() -> absl::StatusOr<Mlp> {
        Mlp mlp;
        mlp.architecture = run_.architecture;
        for (const TensorSpec& spec : ExpectedTensors(run_.architecture)) {
          const float* data = nullptr;
          if (spec.role == TensorRole::kNormRunningMean) {
            data = layers_[static_cast<size_t>(spec.layer - 1)]
                       .running_mean.data();
          } else if (spec.role == TensorRole::kNormRunningVar) {
            data =
                layers_[static_cast<size_t>(spec.layer - 1)].running_var.data();
          } else {
            auto it = std::find_if(
                offsets_.begin(), offsets_.end(),
                [&](const auto& entry) { return entry.first == spec.name; });
            data = params_.data() + it->second;
          }
          mlp.parameters[spec.name] =
              at::from_blob(const_cast<float*>(data), spec.shape, at::kFloat)
                  .clone();
        }
        return mlp;
      });
}

}  // namespace amend

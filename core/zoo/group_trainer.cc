#include "core/zoo/group_trainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>

#include <cmath>
#include <cstring>
#include <numeric>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/util/seeded_random.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"
#include "core/zoo/run_streams.h"

namespace amend {
namespace {

constexpr double kBeta1 = 0.9;
constexpr double kBeta2 = 0.999;
constexpr double kAdamEpsilon = 1e-8;

bool IsTrainable(TensorRole role) {
  return role != TensorRole::kNormRunningMean &&
         role != TensorRole::kNormRunningVar;
}

absl::Status CheckCompatible(const std::vector<RunConfig>& runs) {
  if (runs.empty())
    return absl::InvalidArgumentError("group: must hold at least one run");
  const RunConfig& first = runs.front();
  for (const RunConfig& run : runs) {
    AMEND_RETURN_IF_ERROR(ValidateArchitecture(run.architecture));
    if (run.architecture.num_hidden() != first.architecture.num_hidden() ||
        run.batch_size != first.batch_size ||
        run.architecture.input_dim != first.architecture.input_dim ||
        run.architecture.num_classes != first.architecture.num_classes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "group: run ", run.run,
          " must share depth, batch size, input_dim and num_classes with run ",
          first.run));
    }
    if (run.batch_size < 2 || run.epochs < 1 || !(run.learning_rate > 0) ||
        !(run.weight_decay >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "run ", run.run,
          ": batch_size must be >= 2, epochs >= 1, learning_rate > 0 and "
          "weight_decay >= 0"));
    }
    // Zoo runs have one activation, norm and dropout per model
    // (search_space.h); the stacked trainer relies on it.
    const std::vector<HiddenLayer>& layers = run.architecture.layers;
    if (layers.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "run ", run.run, ": must have at least one hidden layer"));
    }
    for (size_t i = 1; i < layers.size(); ++i) {
      if (layers[i].activation != layers[0].activation ||
          layers[i].norm != layers[0].norm ||
          layers[i].dropout != layers[0].dropout) {
        return absl::InvalidArgumentError(
            absl::StrCat("run ", run.run, ": layers[", i,
                         "] must share layers[0]'s activation, norm and "
                         "dropout (one per model)"));
      }
    }
  }
  return absl::OkStatus();
}

// The architecture every run of the group fits in: widest width per layer,
// union of skips.
Architecture PaddedArchitecture(const std::vector<RunConfig>& runs) {
  Architecture padded = runs.front().architecture;
  bool any_batchnorm = false, any_layernorm = false;
  for (const RunConfig& run : runs) {
    for (size_t i = 0; i < run.architecture.layers.size(); ++i) {
      const HiddenLayer& layer = run.architecture.layers[i];
      HiddenLayer& target = padded.layers[i];
      target.width = std::max(target.width, layer.width);
      for (int s : layer.skip_from) {
        if (std::find(target.skip_from.begin(), target.skip_from.end(), s) ==
            target.skip_from.end()) {
          target.skip_from.push_back(s);
        }
      }
      any_batchnorm |= layer.norm == Norm::kBatchNorm;
      any_layernorm |= layer.norm == Norm::kLayerNorm;
    }
  }
  for (HiddenLayer& layer : padded.layers) {
    std::sort(layer.skip_from.begin(), layer.skip_from.end());
    layer.norm = any_batchnorm   ? Norm::kBatchNorm
                 : any_layernorm ? Norm::kLayerNorm
                                 : Norm::kNone;
  }
  return padded;
}

// The top-left block of a padded tensor that holds a run's real tensor of shape
// `shape`.
at::Tensor RealBlock(at::Tensor padded, const std::vector<int64_t>& shape) {
  for (size_t d = 0; d < shape.size(); ++d) {
    padded = padded.narrow(static_cast<int64_t>(d), 0, shape[d]);
  }
  return padded;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GroupTrainer>> GroupTrainer::Create(
    std::vector<RunConfig> runs, at::Tensor features, at::Tensor labels) {
  AMEND_RETURN_IF_ERROR(CheckCompatible(runs));
  // Runs sharing (norm, activation) side by side, so each kind is one
  // contiguous segment.
  std::stable_sort(
      runs.begin(), runs.end(), [](const RunConfig& a, const RunConfig& b) {
        const HiddenLayer& la = a.architecture.layers.front();
        const HiddenLayer& lb = b.architecture.layers.front();
        return std::make_tuple(static_cast<int>(la.norm),
                               static_cast<int>(la.activation), a.run) <
               std::make_tuple(static_cast<int>(lb.norm),
                               static_cast<int>(lb.activation), b.run);
      });
  std::unique_ptr<GroupTrainer> trainer(new GroupTrainer());
  trainer->runs_ = std::move(runs);
  trainer->features_ = std::move(features);
  trainer->labels_ = std::move(labels);
  AMEND_RETURN_IF_ERROR(trainer->Initialize());
  return trainer;
}

at::Tensor GroupTrainer::View(const at::Tensor& flat, const Slot& slot) const {
  const auto k_models = static_cast<int64_t>(runs_.size());
  std::vector<int64_t> shape = slot.spec.shape;
  shape.insert(shape.begin(), k_models);
  return flat.narrow(0, slot.offset * k_models, slot.spec.numel() * k_models)
      .view(shape);
}

absl::Status GroupTrainer::Initialize() {
  return CallTorch("GroupTrainer", [&]() -> absl::Status {
    const Architecture& first = runs_.front().architecture;
    if (features_.dim() != 2 || features_.size(1) != first.input_dim ||
        labels_.dim() != 1 || labels_.size(0) != features_.size(0) ||
        features_.size(0) < runs_.front().batch_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "training data: features must be [N, ", first.input_dim,
          "] and labels [N] with N >= ", runs_.front().batch_size));
    }
    padded_ = PaddedArchitecture(runs_);
    AMEND_RETURN_IF_ERROR(InitializeParameters());
    InitializeNeuronMasks();
    InitializeOptimizer();
    InitializeSegments();
    return absl::OkStatus();
  });
}

absl::Status GroupTrainer::InitializeParameters() {
  const auto k_models = static_cast<int64_t>(runs_.size());
  for (const TensorSpec& spec : ExpectedTensors(padded_)) {
    if (IsTrainable(spec.role)) {
      slots_.push_back({spec, flat_size_});
      flat_size_ += spec.numel();
    } else {
      running_.push_back(spec);
    }
  }
  flat_ = at::zeros({k_models * flat_size_});
  mask_ = at::zeros({k_models * flat_size_});
  for (const TensorSpec& spec : running_) {
    running_statistics_[spec.name] = spec.role == TensorRole::kNormRunningVar
                                         ? at::ones({k_models, spec.shape[0]})
                                         : at::zeros({k_models, spec.shape[0]});
  }
  for (int64_t k = 0; k < k_models; ++k) {
    const RunConfig& run = runs_[static_cast<size_t>(k)];
    AMEND_ASSIGN_OR_RETURN(const Mlp initial,
                           InitializeMlp(run.architecture, run.seed));
    for (const Slot& slot : slots_) {
      auto it = initial.parameters.find(slot.spec.name);
      if (it == initial.parameters.end())
        continue;  // a skip or norm this run lacks
      const std::vector<int64_t> shape = it->second.sizes().vec();
      RealBlock(View(flat_, slot)[k], shape).copy_(it->second);
      RealBlock(View(mask_, slot)[k], shape).fill_(1.0);
    }
    for (const TensorSpec& spec : running_) {
      auto it = initial.parameters.find(spec.name);
      if (it == initial.parameters.end()) continue;
      running_statistics_[spec.name][k]
          .narrow(0, 0, it->second.size(0))
          .copy_(it->second);
    }
  }
  return absl::OkStatus();
}

void GroupTrainer::InitializeNeuronMasks() {
  const auto k_models = static_cast<int64_t>(runs_.size());
  for (int layer = 1; layer <= padded_.num_hidden(); ++layer) {
    const int64_t width = padded_.layers[static_cast<size_t>(layer - 1)].width;
    at::Tensor mask = at::zeros({k_models, 1, width});
    at::Tensor count = at::zeros({k_models, 1, 1});
    for (int64_t k = 0; k < k_models; ++k) {
      const int64_t real =
          runs_[static_cast<size_t>(k)]
              .architecture.layers[static_cast<size_t>(layer - 1)]
              .width;
      mask[k].narrow(1, 0, real).fill_(1.0);
      count[k].fill_(static_cast<double>(real));
    }
    neuron_mask_.push_back(mask);
    neuron_count_.push_back(count);
  }
}

void GroupTrainer::InitializeOptimizer() {
  const auto k_models = static_cast<int64_t>(runs_.size());
  std::vector<float> learning_rate, decay;
  for (const RunConfig& run : runs_) {
    const double dropout = run.architecture.layers.empty()
                               ? 0.0
                               : run.architecture.layers[0].dropout;
    keep_probability_.push_back(1.0 - dropout);
    any_dropout_ |= dropout > 0;
    learning_rate.push_back(static_cast<float>(run.learning_rate));
    decay.push_back(
        static_cast<float>(1.0 - run.learning_rate * run.weight_decay));
    dropout_streams_.push_back(DropoutStream(run.seed));
  }
  // Per-entry learning rate and decay factor (1 - lr * wd), in the flat
  // buffer's layout.
  learning_rate_ = at::empty_like(flat_);
  weight_decay_ = at::empty_like(flat_);
  const at::Tensor per_model_rate = at::tensor(learning_rate);
  const at::Tensor per_model_decay = at::tensor(decay);
  for (const Slot& slot : slots_) {
    const at::Tensor rate = View(learning_rate_, slot).view({k_models, -1});
    rate.copy_(per_model_rate.view({k_models, 1}).expand_as(rate));
    const at::Tensor factor = View(weight_decay_, slot).view({k_models, -1});
    factor.copy_(per_model_decay.view({k_models, 1}).expand_as(factor));
  }
  first_moment_ = at::zeros_like(flat_);
  second_moment_ = at::zeros_like(flat_);
}

// Segments: maximal ranges of runs sharing (norm, activation); Create() sorted
// the runs so.
void GroupTrainer::InitializeSegments() {
  for (int64_t k = 0; k < static_cast<int64_t>(runs_.size()); ++k) {
    const Architecture& a = runs_[static_cast<size_t>(k)].architecture;
    const Norm norm = a.layers.empty() ? Norm::kNone : a.layers[0].norm;
    const Activation activation =
        a.layers.empty() ? Activation::kIdentity : a.layers[0].activation;
    if (segments_.empty() || segments_.back().norm != norm ||
        segments_.back().activation != activation) {
      segments_.push_back(
          {k, 0, norm, activation, std::vector<bool>(a.layers.size(), true)});
    }
    Segment& segment = segments_.back();
    ++segment.size;
    if (segment.size == 1) segment_sizes_.push_back(0);
    ++segment_sizes_.back();
    for (size_t i = 0; i < a.layers.size(); ++i) {
      if (a.layers[i].width != padded_.layers[i].width)
        segment.full_width[i] = false;
    }
  }
}

int64_t GroupTrainer::steps_per_epoch() const {
  return features_.size(0) / runs_.front().batch_size;
}

at::Tensor GroupTrainer::NormAndActivate(const Segment& segment, int layer,
                                         const SegmentInputs& in,
                                         TensorMap& batch_statistics) const {
  const at::Tensor& zs = in.z;  // [S, B, W]
  at::Tensor y = zs;
  if (segment.norm != Norm::kNone) {
    const at::Tensor gamma = in.gamma.unsqueeze(1);
    const at::Tensor beta = in.beta.unsqueeze(1);
    if (segment.norm == Norm::kLayerNorm) {
      if (segment.full_width[static_cast<size_t>(layer - 1)]) {
        y = at::layer_norm(zs, {zs.size(-1)}, {}, {}, kNormEpsilon);
      } else {
        // Statistics over each run's real neurons; padded neurons have z = 0.
        const at::Tensor count =
            neuron_count_[static_cast<size_t>(layer - 1)].narrow(
                0, segment.begin, segment.size);
        const at::Tensor mask =
            neuron_mask_[static_cast<size_t>(layer - 1)].narrow(
                0, segment.begin, segment.size);
        const at::Tensor mean = zs.sum(-1, /*keepdim=*/true) / count;
        const at::Tensor centred = (zs - mean) * mask;
        const at::Tensor var =
            (centred * centred).sum(-1, /*keepdim=*/true) / count;
        y = centred * at::rsqrt(var + kNormEpsilon);
      }
    } else {
      const at::Tensor mean = zs.mean(1, /*keepdim=*/true);
      const at::Tensor var = zs.var(1, /*unbiased=*/false, /*keepdim=*/true);
      y = (zs - mean) * at::rsqrt(var + kNormEpsilon);
      const double batch = static_cast<double>(zs.size(1));
      // Keyed by "<name>@<segment begin>": each segment updates its own rows.
      batch_statistics[absl::StrCat(NormRunningMeanName(layer), "@",
                                    segment.begin)] = mean.detach().squeeze(1);
      batch_statistics[absl::StrCat(NormRunningVarName(layer), "@",
                                    segment.begin)] =
          var.detach().squeeze(1) * (batch / (batch - 1));
    }
    y = at::addcmul(beta, y, gamma);  // y * gamma + beta
  }
  return Activate(segment.activation, y);
}

at::Tensor GroupTrainer::ForwardTraining(const TensorMap& parameters,
                                         const at::Tensor& inputs,
                                         TensorMap& batch_statistics) const {
  std::vector<at::Tensor> sources = {inputs};
  for (int layer = 1; layer <= padded_.num_hidden(); ++layer) {
    const HiddenLayer& padded_layer =
        padded_.layers[static_cast<size_t>(layer - 1)];
    at::Tensor z =
        at::baddbmm(parameters.at(LayerBiasName(layer)).unsqueeze(1),
                    sources[static_cast<size_t>(layer - 1)],
                    parameters.at(LayerWeightName(layer)).transpose(1, 2));
    for (int source : padded_layer.skip_from) {
      z = at::baddbmm(
          z, sources[static_cast<size_t>(source)],
          parameters.at(SkipWeightName(layer, source)).transpose(1, 2));
    }
    // One split per tensor (its backward is a single concatenation), not a
    // slice per segment (whose backward would zero-fill the whole tensor once
    // per segment).
    at::Tensor h;
    const bool has_norm = padded_layer.norm != Norm::kNone;
    if (segments_.size() == 1) {
      SegmentInputs in{
          z, has_norm ? parameters.at(NormWeightName(layer)) : at::Tensor(),
          has_norm ? parameters.at(NormBiasName(layer)) : at::Tensor()};
      h = NormAndActivate(segments_.front(), layer, in, batch_statistics);
    } else {
      const std::vector<at::Tensor> zs =
          at::split_with_sizes(z, segment_sizes_, 0);
      std::vector<at::Tensor> gammas, betas;
      if (has_norm) {
        gammas = at::split_with_sizes(parameters.at(NormWeightName(layer)),
                                      segment_sizes_, 0);
        betas = at::split_with_sizes(parameters.at(NormBiasName(layer)),
                                     segment_sizes_, 0);
      }
      std::vector<at::Tensor> parts;
      for (size_t i = 0; i < segments_.size(); ++i) {
        SegmentInputs in{zs[i], has_norm ? gammas[i] : at::Tensor(),
                         has_norm ? betas[i] : at::Tensor()};
        parts.push_back(
            NormAndActivate(segments_[i], layer, in, batch_statistics));
      }
      h = at::cat(parts, 0);
    }
    if (any_dropout_) h = h * DropoutMask(layer, h.size(1));
    sources.push_back(h);
  }
  return at::baddbmm(parameters.at(kHeadBiasName).unsqueeze(1), sources.back(),
                     parameters.at(kHeadWeightName).transpose(1, 2));
}

at::Tensor GroupTrainer::DropoutMask(int layer, int64_t batch) const {
  // Drawn on the CPU from each run's own stream over the run's real [batch,
  // width] block (run_streams.h), so a run draws the same mask whatever its
  // group pads it to; padded entries are 1 (they hold zeros anyway). About 10x
  // faster than per-run bernoulli_ calls.
  const auto k_models = static_cast<int64_t>(runs_.size());
  const int64_t width = padded_.layers[static_cast<size_t>(layer - 1)].width;
  at::Tensor mask = at::ones({k_models, batch, width});
  float* out = mask.data_ptr<float>();
  for (int64_t k = 0; k < k_models; ++k) {
    const double keep = keep_probability_[static_cast<size_t>(k)];
    if (keep >= 1.0) continue;
    const int64_t real_width =
        runs_[static_cast<size_t>(k)]
            .architecture.layers[static_cast<size_t>(layer - 1)]
            .width;
    DrawDropoutMask(dropout_streams_[static_cast<size_t>(k)], keep, batch,
                    real_width, width, out + k * batch * width);
  }
  return mask;
}

void GroupTrainer::AdamWStep(const at::Tensor& gradient) {
  at::NoGradGuard no_grad;
  ++optimizer_steps_;
  const double correction1 =
      1.0 - std::pow(kBeta1, static_cast<double>(optimizer_steps_));
  const double correction2 =
      1.0 - std::pow(kBeta2, static_cast<double>(optimizer_steps_));
  flat_.mul_(weight_decay_);
  first_moment_.mul_(kBeta1).add_(gradient, 1.0 - kBeta1);
  second_moment_.mul_(kBeta2).addcmul_(gradient, gradient, 1.0 - kBeta2);
  const at::Tensor denominator =
      (second_moment_.sqrt() / std::sqrt(correction2)).add_(kAdamEpsilon);
  flat_.sub_(first_moment_ / denominator * (learning_rate_ / correction1));
}

absl::Status GroupTrainer::TrainEpoch() {
  return CallTorch("GroupTrainer::TrainEpoch", [&]() -> absl::Status {
    const auto k_models = static_cast<int64_t>(runs_.size());
    const int64_t rows = features_.size(0);
    const int64_t batch = runs_.front().batch_size;
    const int64_t num_classes = padded_.num_classes;
    // Each run's own permutation of the rows for this epoch.
    at::Tensor order = at::empty({k_models, rows}, at::kLong);
    for (int64_t k = 0; k < k_models; ++k) {
      const std::vector<int64_t> permutation =
          EpochOrder(runs_[static_cast<size_t>(k)].seed, epochs_done_, rows);
      std::memcpy(order[k].data_ptr<int64_t>(), permutation.data(),
                  permutation.size() * 8);
    }
    // Leaves that share the flat buffers' memory: gradients accumulate straight
    // into `gradient`.
    at::Tensor gradient = at::zeros_like(flat_);
    TensorMap parameters;
    for (const Slot& slot : slots_) {
      at::Tensor leaf = View(flat_, slot).detach().requires_grad_(true);
      leaf.mutable_grad() = View(gradient, slot);
      parameters[slot.spec.name] = leaf;
    }
    for (int64_t step = 0; step < steps_per_epoch(); ++step) {
      const at::Tensor index =
          order.narrow(1, step * batch, batch).reshape({-1});
      const at::Tensor inputs =
          features_.index_select(0, index).view({k_models, batch, -1});
      const at::Tensor targets = labels_.index_select(0, index);
      TensorMap batch_statistics;
      const at::Tensor logits =
          ForwardTraining(parameters, inputs, batch_statistics);
      // Sum over runs of each run's mean cross-entropy: run k's gradient is its
      // own.
      const at::Tensor loss =
          at::cross_entropy_loss(logits.view({k_models * batch, num_classes}),
                                 targets,
                                 /*weight=*/{}, at::Reduction::Sum) /
          static_cast<double>(batch);
      loss.backward();
      {
        at::NoGradGuard no_grad;
        gradient.mul_(mask_);
        for (auto& [key, value] : batch_statistics) {
          const size_t at = key.rfind('@');
          const int64_t begin = std::stoll(key.substr(at + 1));
          at::Tensor running = running_statistics_.at(key.substr(0, at))
                                   .narrow(0, begin, value.size(0));
          running.mul_(1.0 - kBatchNormMomentum)
              .add_(value, kBatchNormMomentum);
        }
      }
      AdamWStep(gradient);
      gradient.zero_();
    }
    ++epochs_done_;
    return absl::OkStatus();
  });
}

absl::StatusOr<Mlp> GroupTrainer::ExtractModel(int64_t index) const {
  return CallTorch("GroupTrainer::ExtractModel", [&]() -> absl::StatusOr<Mlp> {
    const RunConfig& run = runs_[static_cast<size_t>(index)];
    Mlp mlp;
    mlp.architecture = run.architecture;
    for (const TensorSpec& spec : ExpectedTensors(run.architecture)) {
      at::Tensor padded;
      if (IsTrainable(spec.role)) {
        auto slot = std::find_if(
            slots_.begin(), slots_.end(),
            [&](const Slot& s) { return s.spec.name == spec.name; });
        padded = View(flat_, *slot)[index];
      } else {
        padded = running_statistics_.at(spec.name)[index];
      }
      mlp.parameters[spec.name] =
          RealBlock(padded.detach(), spec.shape).clone();
    }
    return mlp;
  });
}

}  // namespace amend

#include "core/mlp/forward.h"

#include <ATen/ATen.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

const at::Tensor& Get(const TensorMap& parameters, const std::string& name) {
  auto it = parameters.find(name);
  TORCH_CHECK_INDEX(it != parameters.end(), "tensor '", name, "' is missing");
  return it->second;
}

// z: [K, B, W]; weight, bias: [K, W].
at::Tensor ApplyNorm(const HiddenLayer& layer, int k,
                     const TensorMap& parameters, const at::Tensor& z,
                     const ForwardOptions& options) {
  if (layer.norm == Norm::kNone) return z;
  const at::Tensor weight = Get(parameters, NormWeightName(k)).unsqueeze(1);
  const at::Tensor bias = Get(parameters, NormBiasName(k)).unsqueeze(1);
  if (layer.norm == Norm::kLayerNorm) {
    const at::Tensor normalized =
        at::layer_norm(z, {z.size(-1)}, {}, {}, kNormEpsilon);
    return normalized * weight + bias;
  }
  const at::Tensor& running_mean = Get(parameters, NormRunningMeanName(k));
  const at::Tensor& running_var = Get(parameters, NormRunningVarName(k));
  at::Tensor mean, var;
  if (options.training) {
    // Statistics over the batch dimension of each model.
    var = z.var(/*dim=*/{1}, /*unbiased=*/false, /*keepdim=*/true);
    mean = z.mean(/*dim=*/{1}, /*keepdim=*/true);
    if (options.updated_running_stats != nullptr) {
      const int64_t batch = z.size(1);
      const at::Tensor unbiased =
          var.detach().squeeze(1) *
          (static_cast<double>(batch) / std::max<int64_t>(batch - 1, 1));
      (*options.updated_running_stats)[NormRunningMeanName(k)] =
          running_mean.detach() * (1 - kBatchNormMomentum) +
          mean.detach().squeeze(1) * kBatchNormMomentum;
      (*options.updated_running_stats)[NormRunningVarName(k)] =
          running_var.detach() * (1 - kBatchNormMomentum) +
          unbiased * kBatchNormMomentum;
    }
  } else {
    mean = running_mean.unsqueeze(1);
    var = running_var.unsqueeze(1);
  }
  return (z - mean) * at::rsqrt(var + kNormEpsilon) * weight + bias;
}

at::Tensor ApplyDropout(const HiddenLayer& layer, const at::Tensor& h,
                        const ForwardOptions& options) {
  if (!options.training || layer.dropout <= 0.0) return h;
  TORCH_CHECK(options.dropout_generator.has_value(),
              "training with dropout needs ForwardOptions::dropout_generator");
  const double keep = 1.0 - layer.dropout;
  const at::Tensor mask = at::empty_like(h, at::MemoryFormat::Contiguous)
                              .bernoulli_(keep, *options.dropout_generator);
  return h * mask / keep;
}

// source: [K, B, in] or [B, in]; weight: [K, out, in] -> [K, B, out].
at::Tensor StackedLinear(const at::Tensor& source, const at::Tensor& weight) {
  if (source.dim() == 2) return at::matmul(source, weight.transpose(1, 2));
  return at::bmm(source, weight.transpose(1, 2));
}

absl::Status CheckInputs(const Architecture& architecture,
                         const at::Tensor& inputs, int64_t stacked_models) {
  if (!inputs.defined())
    return absl::InvalidArgumentError("inputs: are undefined");
  if (inputs.scalar_type() != at::kFloat) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inputs: dtype must be F32, got ", DtypeName(inputs.scalar_type())));
  }
  const bool shared = inputs.dim() == 2;
  const bool per_model = stacked_models > 0 && inputs.dim() == 3;
  if (!shared && !per_model) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inputs: must be [batch, ", architecture.input_dim, "]",
        stacked_models > 0 ? absl::StrCat(" or [", stacked_models, ", batch, ",
                                          architecture.input_dim, "]")
                           : "",
        ", got rank ", inputs.dim()));
  }
  if (inputs.size(-1) != architecture.input_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inputs: must have ", architecture.input_dim,
        " features (the model's input_dim), got ", inputs.size(-1)));
  }
  if (per_model && inputs.size(0) != stacked_models) {
    return absl::InvalidArgumentError(
        absl::StrCat("inputs: leading dimension must be ", stacked_models,
                     " (one per model), got ", inputs.size(0)));
  }
  return absl::OkStatus();
}

absl::Status CheckShapes(const Architecture& architecture,
                         const TensorMap& parameters, int64_t stacked_models) {
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    auto it = parameters.find(spec.name);
    if (it == parameters.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("tensor '", spec.name, "': is missing"));
    }
    std::vector<int64_t> shape = spec.shape;
    if (stacked_models > 0) shape.insert(shape.begin(), stacked_models);
    if (it->second.sizes() != at::IntArrayRef(shape) ||
        it->second.scalar_type() != at::kFloat) {
      return absl::InvalidArgumentError(
          absl::StrCat("tensor '", spec.name, "': must be F32 of shape [",
                       absl::StrJoin(shape, ", "), "], got ",
                       DtypeName(it->second.scalar_type()), " [",
                       absl::StrJoin(it->second.sizes(), ", "), "]"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

at::Tensor Activate(Activation activation, const at::Tensor& x) {
  switch (activation) {
    case Activation::kIdentity:
      return x;
    case Activation::kRelu:
      return at::relu(x);
    case Activation::kLeakyRelu:
      return at::leaky_relu(x, kLeakyReluSlope);
    case Activation::kGelu:
      return at::gelu(x);  // exact erf form, approximate="none"
    case Activation::kTanh:
      return at::tanh(x);
    case Activation::kSigmoid:
      return at::sigmoid(x);
    case Activation::kSilu:
      return at::silu(x);
  }
  TORCH_CHECK(false, "unknown activation");
}

at::Tensor StackedLogitsUnchecked(const Architecture& architecture,
                                  const TensorMap& stacked_parameters,
                                  const at::Tensor& inputs,
                                  const ForwardOptions& options) {
  // sources[s] = h_s, each [K, B, width] (h_0 may stay [B, in] when shared by
  // all models).
  std::vector<at::Tensor> sources;
  sources.reserve(architecture.layers.size() + 1);
  sources.push_back(inputs);
  for (int k = 1; k <= architecture.num_hidden(); ++k) {
    const HiddenLayer& layer = architecture.layers[static_cast<size_t>(k - 1)];
    at::Tensor z = StackedLinear(sources[static_cast<size_t>(k - 1)],
                                 Get(stacked_parameters, LayerWeightName(k)));
    for (int source : layer.skip_from) {
      z = z + StackedLinear(sources[static_cast<size_t>(source)],
                            Get(stacked_parameters, SkipWeightName(k, source)));
    }
    z = z + Get(stacked_parameters, LayerBiasName(k)).unsqueeze(1);
    z = ApplyNorm(layer, k, stacked_parameters, z, options);
    sources.push_back(
        ApplyDropout(layer, Activate(layer.activation, z), options));
  }
  return at::baddbmm(
      Get(stacked_parameters, kHeadBiasName).unsqueeze(1),
      sources.back().dim() == 2
          ? sources.back().unsqueeze(0).expand(
                {Get(stacked_parameters, kHeadWeightName).size(0), -1, -1})
          : sources.back(),
      Get(stacked_parameters, kHeadWeightName).transpose(1, 2));
}

absl::StatusOr<at::Tensor> StackedLogits(const Architecture& architecture,
                                         const TensorMap& stacked_parameters,
                                         const at::Tensor& inputs,
                                         const ForwardOptions& options) {
  return CallTorch("StackedLogits", [&]() -> absl::StatusOr<at::Tensor> {
    auto head = stacked_parameters.find(kHeadWeightName);
    if (head == stacked_parameters.end() || head->second.dim() != 3) {
      return absl::InvalidArgumentError(
          "tensor 'head.weight': must be present and stacked as [K, "
          "num_classes, width]");
    }
    const int64_t models = head->second.size(0);
    AMEND_RETURN_IF_ERROR(
        CheckShapes(architecture, stacked_parameters, models));
    AMEND_RETURN_IF_ERROR(CheckInputs(architecture, inputs, models));
    return StackedLogitsUnchecked(architecture, stacked_parameters, inputs,
                                  options);
  });
}

absl::StatusOr<at::Tensor> Logits(const Architecture& architecture,
                                  const TensorMap& parameters,
                                  const at::Tensor& inputs,
                                  const ForwardOptions& options) {
  return CallTorch("Logits", [&]() -> absl::StatusOr<at::Tensor> {
    AMEND_RETURN_IF_ERROR(
        CheckShapes(architecture, parameters, /*stacked_models=*/0));
    AMEND_RETURN_IF_ERROR(
        CheckInputs(architecture, inputs, /*stacked_models=*/0));
    TensorMap stacked;
    for (const auto& [name, tensor] : parameters)
      stacked.emplace(name, tensor.unsqueeze(0));
    TensorMap updated;
    ForwardOptions stacked_options = options;
    if (options.updated_running_stats != nullptr)
      stacked_options.updated_running_stats = &updated;
    at::Tensor logits =
        StackedLogitsUnchecked(architecture, stacked, inputs, stacked_options)
            .squeeze(0);
    for (auto& [name, tensor] : updated) {
      (*options.updated_running_stats)[name] = tensor.squeeze(0);
    }
    return logits;
  });
}

}  // namespace amend

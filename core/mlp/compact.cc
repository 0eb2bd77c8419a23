#include "core/mlp/compact.h"

#include <ATen/ATen.h>

#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// A matrix that reads hidden layer `source`'s output, and the bias of the
// layer (or head) it feeds.
struct Reader {
  std::string weight;
  std::string bias;
};

// Every weight that reads source s (1..L) (the next layer's, the skips from
// s, the head's), from the parameter layout.
std::vector<Reader> ReadersOf(const Architecture& a, int source) {
  std::vector<Reader> readers;
  for (const TensorSpec& spec : ExpectedTensors(a)) {
    if (!IsWeightRole(spec.role) || spec.source != source) continue;
    readers.push_back({spec.name, spec.role == TensorRole::kHeadWeight
                                      ? std::string(kHeadBiasName)
                                      : LayerBiasName(spec.layer)});
  }
  return readers;
}

// Layer k's incoming weights (its own weight and every skip).
std::vector<std::string> IncomingOf(const Architecture& a, int k) {
  std::vector<std::string> incoming;
  for (const TensorSpec& spec : ExpectedTensors(a)) {
    if (IsWeightRole(spec.role) && spec.layer == k)
      incoming.push_back(spec.name);
  }
  return incoming;
}

// [width] true where every listed matrix is zero along `dim` (1: rows,
// 0: columns) for that neuron.
at::Tensor AllZero(const TensorMap& p, const std::vector<std::string>& names,
                   int64_t dim) {
  at::Tensor zero;
  for (const std::string& name : names) {
    const at::Tensor here = (p.at(name) == 0).all(dim);
    zero = zero.defined() ? zero.logical_and(here) : here;
  }
  return zero;
}

// What hidden layer k outputs for neuron j when its pre-activation is its
// bias: act(norm(b)), batchnorm in eval mode. REQUIRES: norm is not layernorm.
at::Tensor ConstantOutputs(const Architecture& a, const TensorMap& p, int k) {
  const HiddenLayer& layer = a.layers[static_cast<size_t>(k - 1)];
  at::Tensor z = p.at(LayerBiasName(k));
  if (layer.norm == Norm::kBatchNorm) {
    z = (z - p.at(NormRunningMeanName(k))) *
            at::rsqrt(p.at(NormRunningVarName(k)) + kNormEpsilon) *
            p.at(NormWeightName(k)) +
        p.at(NormBiasName(k));
  }
  return Activate(layer.activation, z);
}

// Folds the constant neurons of layer k into their readers' biases and zeroes
// their outgoing weights; returns how many there were.
int64_t FoldConstantNeurons(const Architecture& a, TensorMap& p, int k) {
  const at::Tensor constant = AllZero(p, IncomingOf(a, k), 1);
  const int64_t count = constant.sum().item<int64_t>();
  if (count == 0) return 0;
  const at::Tensor outputs = ConstantOutputs(a, p, k) * constant.to(at::kFloat);
  for (const Reader& reader : ReadersOf(a, k)) {
    at::Tensor& weight = p.at(reader.weight);
    at::Tensor& bias = p.at(reader.bias);
    bias = bias + at::mv(weight, outputs);
    weight = weight * constant.logical_not().to(at::kFloat).unsqueeze(0);
  }
  return count;
}

// Removes layer k's neurons that nothing reads (at least one stays); returns
// the new width.
int64_t RemoveUnreadNeurons(Architecture& a, TensorMap& p, int k) {
  std::vector<std::string> outgoing;
  for (const Reader& reader : ReadersOf(a, k))
    outgoing.push_back(reader.weight);
  at::Tensor keep = AllZero(p, outgoing, 0).logical_not();
  if (!keep.any().item<bool>()) keep[0] = true;
  const at::Tensor index = keep.nonzero().view(-1);
  const int64_t width = index.numel();
  if (width == keep.numel()) return width;
  for (const std::string& name : IncomingOf(a, k)) {
    p[name] = p.at(name).index_select(0, index).contiguous();
  }
  for (const std::string& name :
       {LayerBiasName(k), NormWeightName(k), NormBiasName(k),
        NormRunningMeanName(k), NormRunningVarName(k)}) {
    auto it = p.find(name);
    if (it != p.end())
      it->second = it->second.index_select(0, index).contiguous();
  }
  for (const std::string& name : outgoing) {
    p[name] = p.at(name).index_select(1, index).contiguous();
  }
  a.layers[static_cast<size_t>(k - 1)].width = width;
  return width;
}

}  // namespace

int64_t CountNonzeroWeights(const Mlp& mlp) {
  int64_t count = 0;
  for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
    if (!IsWeightRole(spec.role)) continue;
    count += mlp.parameters.at(spec.name).count_nonzero().item<int64_t>();
  }
  return count;
}

absl::StatusOr<CompactedMlp> CompactMlp(const Mlp& mlp) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  return CallTorch(
      "compacting the model", TorchInputs::kValidated,
      [&]() -> absl::StatusOr<CompactedMlp> {
        at::NoGradGuard no_grad;
        CompactedMlp out;
        out.mlp.architecture = mlp.architecture;
        for (const auto& [name, tensor] : mlp.parameters) {
          out.mlp.parameters[name] = tensor.to(at::kFloat).contiguous().clone();
        }
        Architecture& a = out.mlp.architecture;
        TensorMap& p = out.mlp.parameters;
        CompactionReport& report = out.report;
        report.parameters_before = CountParameters(a);
        report.nonzero_weights = CountNonzeroWeights(out.mlp);
        const int layers = a.num_hidden();
        for (const HiddenLayer& layer : a.layers) {
          report.widths_before.push_back(layer.width);
        }
        // Forward: a folded neuron's readers may become constant themselves
        // only through their own rows, so one pass finds every constant.
        for (int k = 1; k <= layers; ++k) {
          if (a.layers[static_cast<size_t>(k - 1)].norm == Norm::kLayerNorm) {
            continue;
          }
          report.constant_neurons_folded += FoldConstantNeurons(a, p, k);
        }
        // Backward: removing a neuron's row may leave an earlier neuron
        // unread.
        for (int k = layers; k >= 1; --k) {
          if (a.layers[static_cast<size_t>(k - 1)].norm == Norm::kLayerNorm) {
            continue;
          }
          RemoveUnreadNeurons(a, p, k);
        }
        for (const HiddenLayer& layer : a.layers) {
          report.widths_after.push_back(layer.width);
        }
        report.parameters_after = CountParameters(a);
        return out;
      });
}

}  // namespace amend

// File: core/mlp/architecture.h
//
// The shape of an MLP in the Amend contract (docs/MODEL_FORMAT.md): input_dim,
// num_classes and hidden layers, each with width, activation, norm, dropout and
// skip sources. Sources are numbered h_0 = the input features and h_k = the
// output of hidden layer k (layers numbered 1..L); hidden layer k computes
//   z_k = W_k h_{k-1} + sum_{s in skip_from} S_{k,s} h_s + b_k,
//   h_k = act(norm(z_k))
// with each s in 0..k-2, and the head computes logits = W_out h_L + b_out.
//
// The JSON form, exactly:
//   {"input_dim": 14, "num_classes": 2,
//    "layers": [{"width": 16, "activation": "relu", "norm": "none",
//                "dropout": 0.0, "skip_from": []}]}
//
// Every function here is free of LibTorch so that code which only inspects
// shapes stays cheap to compile. Thread-safe (value types and pure functions).
#ifndef AMEND_CORE_MLP_ARCHITECTURE_H_
#define AMEND_CORE_MLP_ARCHITECTURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

enum class Activation {
  kIdentity,
  kRelu,
  kLeakyRelu,
  kGelu,
  kTanh,
  kSigmoid,
  kSilu
};
enum class Norm { kNone, kBatchNorm, kLayerNorm };

// The contract's constants, PyTorch's defaults (kept here, free of LibTorch,
// for code that describes a model without running it, e.g. the ONNX export).
inline constexpr double kNormEpsilon = 1e-5;
inline constexpr double kLeakyReluSlope = 0.01;

inline constexpr Activation kAllActivations[] = {
    Activation::kIdentity, Activation::kRelu, Activation::kLeakyRelu,
    Activation::kGelu,     Activation::kTanh, Activation::kSigmoid,
    Activation::kSilu};
inline constexpr Norm kAllNorms[] = {Norm::kNone, Norm::kBatchNorm,
                                     Norm::kLayerNorm};

// "identity", "relu", "leaky_relu", "gelu", "tanh", "sigmoid", "silu".
absl::string_view ActivationName(Activation activation);
absl::StatusOr<Activation> ParseActivation(absl::string_view name);
// "none", "batchnorm", "layernorm".
absl::string_view NormName(Norm norm);
absl::StatusOr<Norm> ParseNorm(absl::string_view name);

// One hidden layer. `skip_from` lists source indices s (h_s) feeding this layer
// through their own weight matrix; for hidden layer k (1-based) each s must be
// in 0..k-2 and appear once.
struct HiddenLayer {
  int64_t width = 0;
  Activation activation = Activation::kRelu;
  Norm norm = Norm::kNone;
  double dropout = 0.0;  // probability in [0, 1); inert at inference
  std::vector<int> skip_from;

  bool operator==(const HiddenLayer&) const = default;
};

struct Architecture {
  int64_t input_dim = 0;
  int64_t num_classes = 0;
  std::vector<HiddenLayer> layers;  // hidden layers 1..L in order

  bool operator==(const Architecture&) const = default;

  int num_hidden() const { return static_cast<int>(layers.size()); }
  // Width of source h_s: input_dim for s = 0, else layers[s-1].width.
  int64_t SourceWidth(int source) const;
};

// Bounds that keep a hostile model description from allocating without limit.
// The defaults are far above the zoo's largest MLP (4 layers of 64) and below
// anything that could exhaust memory.
struct ArchitectureLimits {
  int max_hidden_layers = 64;
  int64_t max_width = 1 << 16;
  int64_t max_input_dim = 1 << 16;
  int64_t max_classes = 1 << 12;
  int64_t max_parameters = int64_t{1} << 26;  // 64M floats = 256 MiB
};

// Checks every field; the message names the first offending field, e.g.
//   "layers[2].skip_from[0]: must be a source in h_0..h_1, got 3".
absl::Status ValidateArchitecture(const Architecture& architecture,
                                  const ArchitectureLimits& limits = {});

// Parses the JSON form (unknown keys are refused) and validates it.
absl::StatusOr<Architecture> ParseArchitectureJson(
    absl::string_view json, const ArchitectureLimits& limits = {});
// Compact JSON form with keys in the documented order.
std::string ArchitectureToJson(const Architecture& architecture);

// Human-readable one-liner, e.g. "14 -> 16 relu -> 32 relu+layernorm(skip h0)
// -> 2".
std::string DescribeArchitecture(const Architecture& architecture);

}  // namespace amend

#endif  // AMEND_CORE_MLP_ARCHITECTURE_H_

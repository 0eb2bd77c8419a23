// File: core/mlp/onnx_export.h
//
// An MLP of the Amend contract as an ONNX model (docs/MODEL_FORMAT.md, "ONNX
// export"), built with the ONNX protobuf schema of Debian's libonnx-dev, so
// that users deploy an edited model on any ONNX runtime. The graph computes
// what core/mlp/forward.h computes in eval mode:
//   input  "features" float [batch, input_dim]   (batch is dynamic)
//   output "logits"   float [batch, num_classes]
// Opset kOnnxOpset of the default domain only: Gemm for every weight matrix,
// Sum for skip connections, BatchNormalization (running statistics) and
// LayerNormalization, and one op or a short chain of ops per activation
// (gelu as 0.5 x (1 + erf(x / sqrt 2)), silu as x sigmoid(x)). Dropout is
// inert at inference and leaves nothing. Masked weights are exported as their
// effective values, weight x mask (mask.input zeroes the columns that read the
// removed features).
//
// Built from the architecture and plain float tensors, so it needs no
// LibTorch. The same inputs give the same bytes.
//
// Example:
//   std::vector<Float32TensorView> tensors = ...;  // parameters (+ masks)
//   AMEND_ASSIGN_OR_RETURN(std::string onnx,
//                          SerializeOnnxModel(architecture, tensors, {}));
//   AMEND_RETURN_IF_ERROR(WriteFileAtomically("model.onnx", onnx));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_MLP_ONNX_EXPORT_H_
#define AMEND_CORE_MLP_ONNX_EXPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mlp/architecture.h"
#include "core/mlp/safetensors.h"

namespace amend {

// LayerNormalization first appears in opset 17, the newest opset the ONNX 1.12
// checker (Debian 12) knows; IR version 8 is the one that release writes.
inline constexpr int64_t kOnnxOpset = 17;
inline constexpr int64_t kOnnxIrVersion = 8;
inline constexpr char kOnnxInputName[] = "features";
inline constexpr char kOnnxOutputName[] = "logits";
inline constexpr char kOnnxBatchDimension[] = "batch";

struct OnnxExportOptions {
  // Written as model metadata (metadata_props), in key order, after the
  // exporter's own "amend.architecture"; e.g. a model file's extra
  // __metadata__ such as "amend.task".
  std::map<std::string, std::string> metadata;
  // Empty, or input_dim names in input order: metadata "amend.feature_names"
  // (a JSON array).
  std::vector<std::string> feature_names;
  // Empty, or num_classes names in class order: "amend.class_names".
  std::vector<std::string> class_names;
};

// The ONNX ModelProto bytes of the MLP `architecture` with `tensors`: exactly
// its parameters (parameter_layout.h), plus any masks (mask.input,
// mask.<weight name>). InvalidArgument names the field or tensor, e.g.
//   "tensor 'layers.1.weight': shape must be [16, 14], got [16, 13]",
//   "tensor 'layers.2.norm.running_var': values must be >= 0, got -1 at flat
//    index 3",
//   "options.feature_names: must have input_dim = 14 names, got 13".
absl::StatusOr<std::string> SerializeOnnxModel(
    const Architecture& architecture,
    const std::vector<Float32TensorView>& tensors,
    const OnnxExportOptions& options = {});

}  // namespace amend

#endif  // AMEND_CORE_MLP_ONNX_EXPORT_H_

// File: core/mlp/mlp_onnx.h
//
// An Mlp (LibTorch tensors) as ONNX bytes: the float views that
// SerializeOnnxModel (core/mlp/onnx_export.h, LibTorch-free) reads, made from
// the model's parameters and masks. Used by `amend export` and by the tests
// that evaluate exports with an independent runtime.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::string onnx, SerializeMlpAsOnnx(mlp));
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_MLP_MLP_ONNX_H_
#define AMEND_CORE_MLP_MLP_ONNX_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/mlp/mlp.h"
#include "core/mlp/onnx_export.h"

namespace amend {

absl::StatusOr<std::string> SerializeMlpAsOnnx(
    const Mlp& mlp, const OnnxExportOptions& options = {});

}  // namespace amend

#endif  // AMEND_CORE_MLP_MLP_ONNX_H_

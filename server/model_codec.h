// File: server/model_codec.h
//
// The wire form of models (proto/amend/v1/editor.proto) to and from the MLP
// contract. The tensors form is KServe-v2-like: FP32 (or FP64, converted) raw
// little-endian row-major bytes; the safetensors form is a whole model file.
// Every error is InvalidArgument and names the field, e.g.
//   "model.tensors[2] (layers.1.weight): raw has 60 bytes, expected 128 for
//    FP32 [4, 8]".
//
// Thread-safe (pure functions).
#ifndef AMEND_SERVER_MODEL_CODEC_H_
#define AMEND_SERVER_MODEL_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "amend/v1/editor.pb.h"
#include "core/mlp/architecture.h"
#include "core/mlp/mlp.h"

namespace amend::server {

struct DecodedModel {
  Mlp mlp;
  // sha256 of the safetensors bytes as sent, or of the canonical model file
  // for the tensors form (the receipt's input_sha256).
  std::string input_sha256;
  bool as_safetensors = false;
};

absl::StatusOr<DecodedModel> DecodeModel(const amend::v1::Model& model,
                                         const ArchitectureLimits& limits);

// Writes `mlp` in the requested form: its canonical model file (parameters and
// masks, SerializeModel) as safetensors, or its parameters as tensors.
absl::Status EncodeModel(const Mlp& mlp, bool as_safetensors,
                         amend::v1::Model* out);

// FP32 tensors named as the contract names them.
void EncodeTensor(const std::string& name, const at::Tensor& tensor,
                  amend::v1::Tensor* out);

}  // namespace amend::server

#endif  // AMEND_SERVER_MODEL_CODEC_H_

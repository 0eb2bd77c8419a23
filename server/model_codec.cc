#include "server/model_codec.h"

#include <ATen/ATen.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/model_file.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/client_text.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "server/wire_floats.h"

namespace amend::server {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", message));
}

absl::StatusOr<at::Tensor> DecodeTensor(const amend::v1::Tensor& tensor,
                                        const TensorSpec& spec,
                                        const std::string& field) {
  AMEND_ASSIGN_OR_RETURN(const size_t element_size,
                         WireElementSize(tensor, field));
  const std::vector<int64_t> shape(tensor.shape().begin(),
                                   tensor.shape().end());
  if (shape != spec.shape) {
    return Invalid(field, absl::StrCat("shape is [", absl::StrJoin(shape, ", "),
                                       "], expected [",
                                       absl::StrJoin(spec.shape, ", "), "]"));
  }
  AMEND_RETURN_IF_ERROR(CheckWireSize(tensor, element_size, spec.shape, field));
  at::Tensor values = at::empty(spec.shape, at::kFloat);
  CopyWireFloats(tensor, element_size, values.data_ptr<float>());
  return values;
}

}  // namespace

absl::StatusOr<DecodedModel> DecodeModel(const amend::v1::Model& model,
                                         const ArchitectureLimits& limits) {
  DecodedModel decoded;
  switch (model.format_case()) {
    case amend::v1::Model::kSafetensors: {
      decoded.as_safetensors = true;
      decoded.input_sha256 = Sha256Hex(model.safetensors());
      ModelFileOptions options;
      options.limits = limits;
      absl::StatusOr<Mlp> mlp = ParseModelFile(model.safetensors(), options);
      if (!mlp.ok()) {
        return Invalid("model.safetensors", mlp.status().message());
      }
      decoded.mlp = *std::move(mlp);
      return decoded;
    }
    case amend::v1::Model::kTensors:
      break;
    default:
      return Invalid("model", "must hold tensors or safetensors");
  }
  const amend::v1::TensorModel& tensors = model.tensors();
  absl::StatusOr<Architecture> architecture =
      ParseArchitectureJson(tensors.architecture_json(), limits);
  if (!architecture.ok()) {
    return Invalid("model.tensors.architecture_json",
                   architecture.status().message());
  }
  decoded.mlp.architecture = *architecture;
  std::map<std::string, TensorSpec> expected;
  for (const TensorSpec& spec : ExpectedTensors(*architecture)) {
    expected.emplace(spec.name, spec);
  }
  for (int i = 0; i < tensors.tensors_size(); ++i) {
    const amend::v1::Tensor& tensor = tensors.tensors(i);
    const std::string field = absl::StrCat("model.tensors[", i, "] (",
                                           ClientText(tensor.name()), ")");
    auto spec = expected.find(tensor.name());
    if (spec == expected.end()) {
      return Invalid(field, "is not a parameter of this architecture");
    }
    if (decoded.mlp.parameters.count(tensor.name())) {
      return Invalid(field, "appears twice");
    }
    AMEND_ASSIGN_OR_RETURN(decoded.mlp.parameters[tensor.name()],
                           DecodeTensor(tensor, spec->second, field));
  }
  for (const auto& [name, spec] : expected) {
    if (!decoded.mlp.parameters.count(name)) {
      return Invalid("model.tensors",
                     absl::StrCat("\"", name, "\" is missing"));
    }
  }
  absl::Status valid =
      ValidateParameters(decoded.mlp.architecture, decoded.mlp.parameters);
  if (!valid.ok()) return Invalid("model.tensors", valid.message());
  AMEND_ASSIGN_OR_RETURN(const std::string canonical,
                         SerializeModel(decoded.mlp));
  decoded.input_sha256 = Sha256Hex(canonical);
  return decoded;
}

void EncodeTensor(const std::string& name, const at::Tensor& tensor,
                  amend::v1::Tensor* out) {
  const at::Tensor values = tensor.detach().to(at::kFloat).contiguous().cpu();
  out->set_name(name);
  out->set_datatype("FP32");
  for (int64_t extent : values.sizes()) out->add_shape(extent);
  out->set_raw(values.data_ptr<float>(), values.numel() * sizeof(float));
}

absl::Status EncodeModel(const Mlp& mlp, bool as_safetensors,
                         amend::v1::Model* out) {
  if (as_safetensors) {
    AMEND_ASSIGN_OR_RETURN(std::string bytes, SerializeModel(mlp));
    out->set_safetensors(std::move(bytes));
    return absl::OkStatus();
  }
  amend::v1::TensorModel* tensors = out->mutable_tensors();
  tensors->set_architecture_json(ArchitectureToJson(mlp.architecture));
  for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
    EncodeTensor(spec.name, mlp.parameters.at(spec.name),
                 tensors->add_tensors());
  }
  return absl::OkStatus();
}

}  // namespace amend::server

#include "core/mlp/mlp.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/float_values.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/client_text.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

std::string ShapeString(at::IntArrayRef shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::Status CheckTensor(const std::string& name, const at::Tensor& tensor,
                         std::vector<int64_t> expected_shape,
                         int64_t stacked_models) {
  if (stacked_models > 0)
    expected_shape.insert(expected_shape.begin(), stacked_models);
  if (!tensor.defined()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", name, "': is undefined"));
  }
  if (tensor.scalar_type() != at::kFloat) {
    return absl::InvalidArgumentError(
        absl::StrCat("tensor '", name, "': dtype must be F32, got ",
                     DtypeName(tensor.scalar_type())));
  }
  if (tensor.sizes() != at::IntArrayRef(expected_shape)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor '", name, "': shape must be ", ShapeString(expected_shape),
        ", got ", ShapeString(tensor.sizes())));
  }
  return absl::OkStatus();
}

// InvalidArgument naming the tensor, the value and its flat index for the
// first value of `tensor` that fails `ok`; OK when none does.
template <typename Predicate>
absl::Status CheckValues(const std::string& name, const at::Tensor& tensor,
                         const Predicate& ok, absl::string_view requirement) {
  if (tensor.numel() == 0) return absl::OkStatus();
  const at::Tensor values = CpuFloatValues(tensor);
  const int64_t index = FirstFloatFailing(values, ok);
  if (index < 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("tensor '", name, "': ", requirement, ", got ",
                   values.data_ptr<float>()[index], " at flat index ", index));
}

absl::Status CheckFinite(const std::string& name, const at::Tensor& tensor) {
  return CheckValues(
      name, tensor, [](float v) { return std::isfinite(v); },
      "values must be finite");
}

// A variance below 0 makes batchnorm's sqrt(var + eps) NaN.
absl::Status CheckNonNegative(const std::string& name,
                              const at::Tensor& tensor) {
  return CheckValues(
      name, tensor, [](float v) { return !(v < 0.0f); },
      "a running variance must be >= 0");
}

}  // namespace

absl::Status ValidateParameters(const Architecture& architecture,
                                const TensorMap& parameters,
                                int64_t stacked_models) {
  return CallTorch("ValidateParameters", [&]() -> absl::Status {
    const std::vector<TensorSpec> specs = ExpectedTensors(architecture);
    for (const TensorSpec& spec : specs) {
      auto it = parameters.find(spec.name);
      if (it == parameters.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor '", spec.name,
                         "': is missing; the architecture needs it "
                         "with shape ",
                         ShapeString(spec.shape)));
      }
      AMEND_RETURN_IF_ERROR(
          CheckTensor(spec.name, it->second, spec.shape, stacked_models));
      AMEND_RETURN_IF_ERROR(CheckFinite(spec.name, it->second));
      if (spec.role == TensorRole::kNormRunningVar) {
        AMEND_RETURN_IF_ERROR(CheckNonNegative(spec.name, it->second));
      }
    }
    if (parameters.size() != specs.size()) {
      for (const auto& [name, tensor] : parameters) {
        const bool known =
            std::any_of(specs.begin(), specs.end(),
                        [&](const TensorSpec& s) { return s.name == name; });
        if (!known) {
          return absl::InvalidArgumentError(
              absl::StrCat("tensor '", ClientText(name),
                           "': is not a parameter of this architecture"));
        }
      }
    }
    for (const auto& [name, tensor] : parameters) {
      if (tensor.device() != parameters.begin()->second.device()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "tensor '", name, "': must be on the same device as the others"));
      }
    }
    return absl::OkStatus();
  });
}

absl::Status ValidateMasks(const Architecture& architecture,
                           const TensorMap& masks) {
  return CallTorch("ValidateMasks", [&]() -> absl::Status {
    const std::vector<TensorSpec> specs = ExpectedTensors(architecture);
    for (const auto& [name, mask] : masks) {
      std::vector<int64_t> shape;
      if (name == kInputMaskName) {
        shape = {architecture.input_dim};
      } else {
        auto spec =
            std::find_if(specs.begin(), specs.end(), [&](const TensorSpec& s) {
              return IsWeightRole(s.role) && MaskName(s.name) == name;
            });
        if (spec == specs.end()) {
          return absl::InvalidArgumentError(
              absl::StrCat("tensor '", ClientText(name),
                           "': must be mask.input or mask.<weight name> of "
                           "this architecture"));
        }
        shape = spec->shape;
      }
      AMEND_RETURN_IF_ERROR(
          CheckTensor(name, mask, shape, /*stacked_models=*/0));
      const at::Tensor binary = at::logical_or(mask == 0, mask == 1);
      if (!binary.all().item<bool>()) {
        return absl::InvalidArgumentError(
            absl::StrCat("tensor '", name, "': mask values must be 0 or 1"));
      }
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Mlp> InitializeMlp(const Architecture& architecture,
                                  uint64_t seed) {
  AMEND_RETURN_IF_ERROR(ValidateArchitecture(architecture));
  return CallTorch("InitializeMlp", [&]() -> absl::StatusOr<Mlp> {
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    Mlp mlp;
    mlp.architecture = architecture;
    // Each Linear's bias shares its weight's fan_in (skip matrices have no
    // bias).
    for (const TensorSpec& spec : ExpectedTensors(architecture)) {
      at::Tensor tensor;
      switch (spec.role) {
        case TensorRole::kLayerWeight:
        case TensorRole::kSkipWeight:
        case TensorRole::kHeadWeight: {
          const double bound =
              1.0 / std::sqrt(static_cast<double>(spec.shape[1]));
          tensor = at::empty(spec.shape, at::kFloat)
                       .uniform_(-bound, bound, generator);
          break;
        }
        case TensorRole::kLayerBias:
        case TensorRole::kHeadBias: {
          const int64_t fan_in = architecture.SourceWidth(
              spec.role == TensorRole::kHeadBias ? architecture.num_hidden()
                                                 : spec.layer - 1);
          const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
          tensor = at::empty(spec.shape, at::kFloat)
                       .uniform_(-bound, bound, generator);
          break;
        }
        case TensorRole::kNormWeight:
        case TensorRole::kNormRunningVar:
          tensor = at::ones(spec.shape, at::kFloat);
          break;
        case TensorRole::kNormBias:
        case TensorRole::kNormRunningMean:
          tensor = at::zeros(spec.shape, at::kFloat);
          break;
      }
      mlp.parameters.emplace(spec.name, std::move(tensor));
    }
    return mlp;
  });
}

std::string DtypeName(at::ScalarType type) {
  switch (type) {
    case at::kFloat:
      return "F32";
    case at::kDouble:
      return "F64";
    case at::kHalf:
      return "F16";
    case at::kBFloat16:
      return "BF16";
    case at::kLong:
      return "I64";
    case at::kInt:
      return "I32";
    case at::kShort:
      return "I16";
    case at::kChar:
      return "I8";
    case at::kByte:
      return "U8";
    case at::kBool:
      return "BOOL";
    default:
      return c10::toString(type);
  }
}

}  // namespace amend

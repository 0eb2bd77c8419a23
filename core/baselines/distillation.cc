#include "core/baselines/distillation.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/baselines/feature_selection.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/objectives/preservation.h"
#include "core/optim/adamw.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

bool IsRunningStatistic(TensorRole role) {
  return role == TensorRole::kNormRunningMean ||
         role == TensorRole::kNormRunningVar;
}

}  // namespace

// Kept whole (~100 lines): one training loop whose setup, steps and final
// masking share the masked leaves and the optimiser state.
absl::StatusOr<Mlp> DistilStudent(const Mlp& teacher, const Mlp& student,
                                  const SplitTensors& data,
                                  const DistillationOptions& options) {
  AMEND_RETURN_IF_ERROR(
      ValidateParameters(teacher.architecture, teacher.parameters));
  AMEND_RETURN_IF_ERROR(
      ValidateParameters(student.architecture, student.parameters));
  AMEND_RETURN_IF_ERROR(ValidateMasks(student.architecture, student.masks));
  if (!(student.architecture == teacher.architecture)) {
    return absl::InvalidArgumentError(
        "student: must have the teacher's architecture");
  }
  if (data.rows() == 0) {
    return absl::InvalidArgumentError("data: needs at least one row");
  }
  if (options.epochs < 0 || options.batch_size < 1 ||
      !(options.learning_rate > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options: need epochs >= 0, batch_size >= 1 and learning_rate > 0, "
        "got ",
        options.epochs, ", ", options.batch_size, ", ", options.learning_rate));
  }
  const Architecture& architecture = student.architecture;
  const std::vector<TensorSpec> specs = ExpectedTensors(architecture);
  at::Tensor teacher_logits;
  {
    at::NoGradGuard no_grad;
    AMEND_ASSIGN_OR_RETURN(
        teacher_logits,
        Logits(teacher.architecture, teacher.parameters, data.features));
  }
  TensorMap leaves = student.parameters;
  std::vector<at::Tensor> trained;
  at::Tensor inputs = data.features;
  AMEND_RETURN_IF_ERROR(CallTorch("distillation set-up", [&]() -> absl::Status {
    for (const TensorSpec& spec : specs) {
      if (IsRunningStatistic(spec.role)) continue;
      leaves[spec.name] = leaves[spec.name].detach().clone().requires_grad_();
      trained.push_back(leaves[spec.name]);
    }
    if (auto it = student.masks.find(kInputMaskName);
        it != student.masks.end()) {
      inputs = inputs * it->second.view({1, -1});
    }
    return absl::OkStatus();
  }));
  // The parameters the forward pass sees: trained leaves times their masks,
  // so masked weights get no gradient and stay 0.
  auto effective = [&]() {
    TensorMap parameters = leaves;
    for (const TensorSpec& spec : specs) {
      if (auto it = student.masks.find(MaskName(spec.name));
          it != student.masks.end()) {
        parameters[spec.name] = leaves.at(spec.name) * it->second;
      }
    }
    return parameters;
  };
  AdamW optimizer(trained, {.learning_rate = options.learning_rate,
                            .weight_decay = 0.0,
                            .warmup_steps = 0,
                            .clip_norm = 0.0});
  at::Generator generator =
      at::make_generator<at::CPUGeneratorImpl>(options.seed);
  const int64_t rows = data.rows();
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    const at::Tensor order =
        at::randperm(rows, generator, at::TensorOptions().dtype(at::kLong));
    for (int64_t begin = 0; begin < rows; begin += options.batch_size) {
      const int64_t size = std::min(options.batch_size, rows - begin);
      const at::Tensor batch = order.narrow(0, begin, size);
      AMEND_ASSIGN_OR_RETURN(
          const at::Tensor logits,
          Logits(architecture, effective(), inputs.index_select(0, batch)));
      AMEND_RETURN_IF_ERROR(
          CallTorch("distillation step", [&]() -> absl::Status {
            JensenShannonFromLogits(teacher_logits.index_select(0, batch),
                                    logits)
                .mean()
                .backward();
            optimizer.Step();
            return absl::OkStatus();
          }));
    }
  }
  Mlp result = student;
  AMEND_RETURN_IF_ERROR(CallTorch("distillation result", [&]() {
    for (auto& [name, tensor] : effective()) {
      result.parameters[name] = tensor.detach().clone();
    }
    return absl::OkStatus();
  }));
  // A masked input's columns are zeroed too, so the model alone (without
  // its mask) computes the same function.
  if (auto it = student.masks.find(kInputMaskName); it != student.masks.end()) {
    return MaskInputs(result, it->second);
  }
  return result;
}

}  // namespace amend

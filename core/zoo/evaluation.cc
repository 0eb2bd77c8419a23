#include "core/zoo/evaluation.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "core/mlp/forward.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

SplitTensors ToTensors(const Split& split, int64_t max_rows) {
  const int64_t rows =
      max_rows > 0 ? std::min(max_rows, split.rows) : split.rows;
  const int64_t columns =
      split.rows == 0
          ? 0
          : static_cast<int64_t>(split.features.size()) / split.rows;
  SplitTensors tensors;
  tensors.features = at::from_blob(const_cast<float*>(split.features.data()),
                                   {split.rows, columns}, at::kFloat)
                         .narrow(0, 0, rows)
                         .clone();
  tensors.labels = at::from_blob(const_cast<int64_t*>(split.labels.data()),
                                 {split.rows}, at::kLong)
                       .narrow(0, 0, rows)
                       .clone();
  tensors.groups = at::from_blob(const_cast<int8_t*>(split.groups.data()),
                                 {split.rows}, at::kChar)
                       .narrow(0, 0, rows)
                       .to(at::kLong);
  return tensors;
}

absl::StatusOr<SplitMetrics> EvaluateClassifier(const Mlp& mlp,
                                                const SplitTensors& data) {
  at::NoGradGuard no_grad;
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor logits,
      Logits(mlp.architecture, mlp.parameters, data.features));
  return CallTorch("EvaluateClassifier", [&]() -> absl::StatusOr<SplitMetrics> {
    SplitMetrics metrics;
    metrics.accuracy =
        logits.argmax(1).eq(data.labels).to(at::kDouble).mean().item<double>();
    metrics.loss = at::cross_entropy_loss(logits, data.labels).item<double>();
    return metrics;
  });
}

}  // namespace amend

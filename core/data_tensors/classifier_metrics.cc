#include "core/data_tensors/classifier_metrics.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "core/mlp/forward.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {

absl::StatusOr<ClassifierMetrics> MeasureClassifier(const Mlp& mlp,
                                                    const SplitTensors& data) {
  at::NoGradGuard no_grad;
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor logits,
      Logits(mlp.architecture, mlp.parameters, data.features));
  return CallTorch(
      "MeasureClassifier", [&]() -> absl::StatusOr<ClassifierMetrics> {
        ClassifierMetrics metrics;
        metrics.accuracy = logits.argmax(1)
                               .eq(data.labels)
                               .to(at::kDouble)
                               .mean()
                               .item<double>();
        metrics.loss =
            at::cross_entropy_loss(logits, data.labels).item<double>();
        return metrics;
      });
}

}  // namespace amend

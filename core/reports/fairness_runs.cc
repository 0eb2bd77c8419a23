// RunFairnessBaselines (panel_runs.h): the post-processors see the original
// model's probability of the positive class and the sensitive group, as
// fairlearn's and AIF360's do. For the JSD axis, randomised methods
// (ThresholdOptimizer exact and relaxed, CalibratedEqOdds) give their expected
// output and deterministic ones (RejectOption, FairCls) their labels, one-hot
// (../shared/research/baselines.md §0); the labels-changed column is the
// convention-free view.
#include <ATen/ATen.h>

#include "absl/strings/str_format.h"
#include "core/mlp/forward.h"
#include "core/postprocessing/binary_outcomes.h"
#include "core/postprocessing/calibrated_eq_odds.h"
#include "core/postprocessing/fair_cls.h"
#include "core/postprocessing/reject_option.h"
#include "core/postprocessing/threshold_optimizer.h"
#include "core/reports/panel_runs.h"
#include "core/reports/run_helpers.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

template <typename T>
std::vector<T> ToVector(const at::Tensor& tensor) {
  const at::Tensor contiguous = tensor.contiguous();
  return std::vector<T>(contiguous.data_ptr<T>(),
                        contiguous.data_ptr<T>() + contiguous.numel());
}

absl::StatusOr<BinaryData> Scored(const Mlp& model, const SplitTensors& data) {
  at::NoGradGuard no_grad;
  AMEND_ASSIGN_OR_RETURN(
      const at::Tensor logits,
      Logits(model.architecture, model.parameters, data.features));
  return CallTorch("scoring", [&]() -> absl::StatusOr<BinaryData> {
    if (logits.size(1) != 2) {
      return absl::InvalidArgumentError(
          "models: the fairness post-processors need two classes");
    }
    BinaryData scored;
    scored.scores =
        ToVector<double>(at::softmax(logits.to(at::kDouble), 1).select(1, 1));
    for (int64_t v : ToVector<int64_t>(data.labels)) {
      scored.labels.push_back(static_cast<int>(v));
    }
    for (int64_t v : ToVector<int64_t>(data.groups)) {
      scored.groups.push_back(static_cast<int>(v));
    }
    return scored;
  });
}

// pi: P(prediction = 1) for the requirement and accuracy; q: the output
// distribution's P(1) for the JSD.
EditOutcome Outcome(const BinaryData& test, const std::vector<double>& pi,
                    const std::vector<double>& q, double seconds) {
  return {.requirement =
              ExpectedEqualisedOddsDifference(pi, test.labels, test.groups),
          .jsd = MeanBinaryJensenShannon(test.scores, q),
          .accuracy_after = ExpectedAccuracy(pi, test.labels),
          .disagreement = ExpectedDisagreement(test.scores, pi),
          .seconds = seconds};
}

}  // namespace

absl::StatusOr<std::vector<MethodPoint>> RunFairnessBaselines(
    const std::vector<const Mlp*>& models, const PanelData& data,
    const FairnessSweep& sweep, const PanelProgress& progress) {
  std::vector<EditOutcome> threshold;
  std::vector<std::vector<EditOutcome>> relaxed(
      sweep.relaxed_tolerances.size());
  std::vector<std::vector<EditOutcome>> reject(
      sweep.reject_option_bounds.size());
  const std::vector<CostConstraint> costs = {
      CostConstraint::kWeighted, CostConstraint::kFalsePositiveRate,
      CostConstraint::kFalseNegativeRate};
  std::vector<std::vector<EditOutcome>> calibrated(costs.size());
  std::vector<std::vector<EditOutcome>> fair_cls(sweep.fair_cls_alphas.size());
  for (size_t m = 0; m < models.size(); ++m) {
    const Mlp& model = *models[m];
    // Scoring the fit and test rows is the model's own work, shared by all.
    AMEND_ASSIGN_OR_RETURN(const BinaryData fit, Scored(model, data.fit));
    AMEND_ASSIGN_OR_RETURN(const BinaryData test, Scored(model, data.test));
    {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(const ThresholdOptimizer fitted,
                             ThresholdOptimizer::Fit(fit));
      const std::vector<double> pi =
          fitted.PositiveProbability(test.scores, test.groups);
      threshold.push_back(Outcome(test, pi, pi, watch.Seconds()));
    }
    for (size_t t = 0; t < sweep.relaxed_tolerances.size(); ++t) {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(
          const ThresholdOptimizer fitted,
          ThresholdOptimizer::FitRelaxed(fit, sweep.relaxed_tolerances[t]));
      const std::vector<double> pi =
          fitted.PositiveProbability(test.scores, test.groups);
      relaxed[t].push_back(Outcome(test, pi, pi, watch.Seconds()));
    }
    {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(const std::vector<RejectOptionClassifier> fitted,
                             FitRejectOption(fit, sweep.reject_option_bounds));
      // One grid serves every bound: each bound is charged the whole fit.
      const double fit_seconds = watch.Seconds();
      for (size_t b = 0; b < fitted.size(); ++b) {
        const Stopwatch predict_watch;
        const std::vector<double> labels =
            fitted[b].Predict(test.scores, test.groups);
        reject[b].push_back(Outcome(test, labels, labels,
                                    fit_seconds + predict_watch.Seconds()));
      }
    }
    for (size_t c = 0; c < costs.size(); ++c) {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(const CalibratedEqOdds fitted,
                             CalibratedEqOdds::Fit(fit, costs[c]));
      calibrated[c].push_back(Outcome(
          test, fitted.PositiveProbability(test.scores, test.groups),
          fitted.ExpectedScore(test.scores, test.groups), watch.Seconds()));
    }
    for (size_t a = 0; a < sweep.fair_cls_alphas.size(); ++a) {
      const Stopwatch watch;
      AMEND_ASSIGN_OR_RETURN(
          const FairCls fitted,
          FairCls::Fit(fit, sweep.fair_cls_alphas[a], sweep.seed + m));
      const std::vector<double> labels =
          fitted.Predict(test.scores, test.groups, sweep.seed + m + 1);
      fair_cls[a].push_back(Outcome(test, labels, labels, watch.Seconds()));
    }
    if (progress) progress("fairness baselines", m + 1, models.size());
  }
  std::vector<MethodPoint> points;
  points.push_back(
      SummarisePoint("threshold_optimizer", "equalized_odds", threshold));
  for (size_t t = 0; t < relaxed.size(); ++t) {
    points.push_back(SummarisePoint(
        "relaxed_threshold_optimizer",
        Setting("tolerance", sweep.relaxed_tolerances[t]), relaxed[t]));
  }
  for (size_t b = 0; b < reject.size(); ++b) {
    points.push_back(SummarisePoint(
        "reject_option", Setting("bound", sweep.reject_option_bounds[b]),
        reject[b]));
  }
  for (size_t c = 0; c < costs.size(); ++c) {
    points.push_back(SummarisePoint("calibrated_eq_odds",
                                    std::string(CostConstraintName(costs[c])),
                                    calibrated[c]));
  }
  for (size_t a = 0; a < fair_cls.size(); ++a) {
    points.push_back(SummarisePoint(
        "fair_cls", Setting("alpha", sweep.fair_cls_alphas[a]), fair_cls[a]));
  }
  return points;
}

}  // namespace amend

// File: core/postprocessing/reject_option.h
//
// AIF360's RejectOptionClassification (Kamiran et al. 2012;
// ../shared/research/baselines.md §2.3) with metric "Average odds
// difference" (AIF360 has no equalised-odds-difference option):
//   fit: over thresholds t in linspace(low, high, num_thresholds) and margins
//     m in linspace(0, min(t, 1 - t), num_margins), predict, and keep the
//     first (t, m) of highest balanced accuracy among those whose signed
//     AOD = ((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2 lies in [-bound, bound];
//     when none does, AIF360's choice: the minimum signed AOD.
//   predict: 1 iff s > t; inside the critical region t - m < s <= t + m,
//     privileged rows get 0 and unprivileged rows get 1 (hard labels); rows
//     of neither group are only thresholded.
// The bound is the method's trade-off knob: FitRejectOption sweeps several
// bounds over one shared grid evaluation.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::vector<RejectOptionClassifier> fitted,
//                          FitRejectOption(fit_data, {0.01, 0.05, 0.1}));
//
// Thread-compatible; const methods are thread-safe.
#ifndef AMEND_CORE_POSTPROCESSING_REJECT_OPTION_H_
#define AMEND_CORE_POSTPROCESSING_REJECT_OPTION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/postprocessing/binary_outcomes.h"

namespace amend {

struct RejectOptionGrid {
  double low_threshold = 0.01;
  double high_threshold = 0.99;
  int num_thresholds = 100;
  int num_margins = 50;
};

class RejectOptionClassifier {
 public:
  RejectOptionClassifier(double threshold, double margin, bool met_bound)
      : threshold_(threshold), margin_(margin), met_bound_(met_bound) {}

  // Hard labels (0 or 1) per row.
  std::vector<double> Predict(const std::vector<double>& scores,
                              const std::vector<int>& groups) const;

  double threshold() const { return threshold_; }
  double margin() const { return margin_; }
  // False when no grid point met the bound on the fit data.
  bool met_bound() const { return met_bound_; }

 private:
  double threshold_;
  double margin_;
  bool met_bound_;
};

// One classifier per bound (each > 0). InvalidArgument for bad data, bounds
// or grid; FailedPrecondition when a group lacks positives or negatives.
absl::StatusOr<std::vector<RejectOptionClassifier>> FitRejectOption(
    const BinaryData& data, const std::vector<double>& bounds,
    const RejectOptionGrid& grid = {});

}  // namespace amend

#endif  // AMEND_CORE_POSTPROCESSING_REJECT_OPTION_H_

// File: core/results/edit_outcome.h
//
// What one method (an editor or a baseline) did to one model, measured on
// one data split: the record every summary over models is made from
// (editor_figures.h for checkpoints, method_point.h for reports). Methods
// fill what they measure: the fairness post-processors change no weights,
// so their counts keep the defaults (MethodPoint, the only summary they
// reach, reads no counts).
//
// Thread-safe (plain data).
#ifndef AMEND_CORE_RESULTS_EDIT_OUTCOME_H_
#define AMEND_CORE_RESULTS_EDIT_OUTCOME_H_

#include <cstdint>

namespace amend {

struct EditOutcome {
  double requirement = 0.0;  // RequirementMetricName(requirement)
  double jsd = 0.0;          // nats, mean over the split's rows
  double accuracy_before = 0.0;
  double accuracy_after = 0.0;
  double eod_before = 0.0;  // equalised-odds difference, hard labels
  double eod_after = 0.0;
  // Fraction of rows whose predicted class the edit changed (expected value
  // for randomised methods): a JSD-free view of how much changed.
  double disagreement = 0.0;
  int64_t features_kept = 0;
  double weights_kept = 1.0;  // fraction
  int64_t weights_kept_count = 0;
  double seconds = 0.0;  // wall time to produce the edit (fit included)
};

}  // namespace amend

#endif  // AMEND_CORE_RESULTS_EDIT_OUTCOME_H_

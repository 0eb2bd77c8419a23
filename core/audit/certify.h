// File: core/audit/certify.h
//
// The compliance figures of a model measured on the caller's audit rows
// (audit_set.h): what `amend certify` prints, and what an edit's reply can
// carry for audit data sent with it. Nothing is edited or estimated: every
// figure is counted on the rows or read from the model's tensors.
//
// Predictions are the argmax of the logits (a tie goes to the lower class).
// On the rows:
//   accuracy = mean(prediction == label)
//   TPR_g    = P(prediction = 1 | label = 1, group g)
//   FPR_g    = P(prediction = 1 | label = 0, group g)
//   EOD      = max(max_g TPR_g - min_g TPR_g, max_g FPR_g - min_g FPR_g)
// (fairlearn's equalized_odds_difference, core/objectives/fairness.h). EOD
// needs a binary model (positive class 1) and groups; without them it is not
// measured and `eod_not_measured` says why. A group without rows of both
// labels leaves a rate undefined: Certify refuses and names the group.
// Against the original model, on the same rows:
//   jsd            = mean over rows of JSD(original || model) in nats
//                    (core/objectives/preservation.h), in [0, ln 2]
//   labels_changed = mean(original's prediction != model's prediction)
// Of the model itself: an input is removed when mask.input is 0 for it or
// every weight reading h_0 (layer 1's, skips from h_0, the head's when there
// is no hidden layer) is 0 in its column; weights kept are the layer, skip and
// head weight entries that are unmasked and non-zero.
//
// Masks are applied before anything is measured, so the rows see the model the
// requirement figures describe (model files Amend writes have them applied
// already).
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(Certification c, Certify(edited, audit, &original));
//   std::cout << c.model.accuracy << " " << c.against_original->jsd;
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_AUDIT_CERTIFY_H_
#define AMEND_CORE_AUDIT_CERTIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/audit/audit_set.h"
#include "core/mlp/mlp.h"

namespace amend {

struct GroupRates {
  std::string group;  // AuditSet::group_names
  int64_t rows = 0;
  double true_positive_rate = 0.0;
  double false_positive_rate = 0.0;
};

// What one model does on the audit rows.
struct AuditFigures {
  double accuracy = 0.0;
  std::optional<double> equalised_odds_difference;
  // In group_names order; empty when EOD is not measured.
  std::vector<GroupRates> group_rates;
};

// What the model's tensors say of the data-minimisation and pruning
// requirements.
struct RequirementFigures {
  int64_t features_total = 0;  // input_dim
  int64_t features_used = 0;
  std::vector<int64_t> removed_features;  // input indices, ascending
  int64_t weights_total = 0;              // CountWeights(architecture)
  int64_t weights_kept = 0;

  double weights_kept_fraction() const {
    return weights_total == 0 ? 1.0
                              : static_cast<double>(weights_kept) /
                                    static_cast<double>(weights_total);
  }
};

struct OriginalComparison {
  AuditFigures original;
  double jsd = 0.0;             // nats, mean over rows
  double labels_changed = 0.0;  // fraction of rows
};

struct Certification {
  int64_t rows = 0;
  int64_t groups = 0;  // 0 without a group column
  AuditFigures model;
  // Why EOD was not measured; empty when it was.
  std::string eod_not_measured;
  RequirementFigures requirement;
  std::optional<OriginalComparison> against_original;
};

// REQUIRES nothing of `model` beyond what ReadModelFile checks; names a bad
// tensor or mask (InvalidArgument) otherwise.
absl::StatusOr<RequirementFigures> MeasureRequirements(const Mlp& model);

// The figures of `model` on `audit` and, when `original` is not null, against
// it (same input_dim and num_classes). InvalidArgument names the field: the
// audit (ValidateAuditSet), "original: ..." for a model of another shape, a
// group lacking a label for EOD.
absl::StatusOr<Certification> Certify(const Mlp& model, const AuditSet& audit,
                                      const Mlp* original = nullptr);

}  // namespace amend

#endif  // AMEND_CORE_AUDIT_CERTIFY_H_

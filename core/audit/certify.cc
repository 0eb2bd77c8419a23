#include "core/audit/certify.h"

#include <ATen/ATen.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/objectives/fairness.h"
#include "core/objectives/preservation.h"
#include "core/util/client_text.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// The parameters with every weight mask applied.
TensorMap MaskedParameters(const Mlp& mlp) {
  TensorMap parameters = mlp.parameters;
  for (const auto& [name, mask] : mlp.masks) {
    if (name == kInputMaskName) continue;
    at::Tensor& weight = parameters.at(name.substr(std::strlen(kMaskPrefix)));
    weight = weight * mask;
  }
  return parameters;
}

absl::Status CheckModel(const Mlp& mlp) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  return ValidateMasks(mlp.architecture, mlp.masks);
}

// [rows, C] logits of `mlp` with its masks applied; features [rows, input_dim].
absl::StatusOr<at::Tensor> MaskedLogits(const Mlp& mlp,
                                        const at::Tensor& features) {
  at::Tensor inputs = features;
  if (const auto mask = mlp.masks.find(kInputMaskName);
      mask != mlp.masks.end()) {
    inputs = inputs * mask->second;
  }
  return Logits(mlp.architecture, MaskedParameters(mlp), inputs);
}

// Per-group TPR and FPR of 0/1 predictions, for display beside the EOD that
// fairness.h computes. InvalidArgument when a group lacks a label.
absl::StatusOr<std::vector<GroupRates>> RatesByGroup(
    const std::vector<int64_t>& predictions, const AuditSet& audit) {
  const size_t num_groups = audit.group_names.size();
  std::vector<int64_t> rows(num_groups), positives(num_groups),
      negatives(num_groups), true_positives(num_groups),
      false_positives(num_groups);
  for (size_t r = 0; r < predictions.size(); ++r) {
    const auto g = static_cast<size_t>(audit.groups[r]);
    ++rows[g];
    if (audit.labels[r] == 1) {
      ++positives[g];
      true_positives[g] += predictions[r];
    } else {
      ++negatives[g];
      false_positives[g] += predictions[r];
    }
  }
  std::vector<GroupRates> rates;
  for (size_t g = 0; g < num_groups; ++g) {
    if (positives[g] == 0 || negatives[g] == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "groups: group \"", ClientText(audit.group_names[g]),
          "\" has no rows of label ", positives[g] == 0 ? 1 : 0, ", so its ",
          positives[g] == 0 ? "true" : "false",
          "-positive rate (and the EOD) is undefined; add such rows or "
          "leave the group out"));
    }
    rates.push_back({audit.group_names[g], rows[g],
                     static_cast<double>(true_positives[g]) /
                         static_cast<double>(positives[g]),
                     static_cast<double>(false_positives[g]) /
                         static_cast<double>(negatives[g])});
  }
  return rates;
}

struct RowsData {
  at::Tensor features;  // [rows, input_dim] float32
  at::Tensor labels;    // [rows] int64
  at::Tensor groups;    // [rows] int64, or undefined without groups
};

// Accuracy and, when `measure_eod`, the fairness figures of `predictions`
// ([rows] int64).
absl::StatusOr<AuditFigures> FiguresOf(const at::Tensor& predictions,
                                       const RowsData& data,
                                       const AuditSet& audit,
                                       bool measure_eod) {
  AuditFigures figures;
  figures.accuracy =
      predictions.eq(data.labels).to(at::kDouble).mean().item<double>();
  if (!measure_eod) return figures;
  const at::Tensor contiguous = predictions.contiguous();
  const std::vector<int64_t> predicted(
      contiguous.data_ptr<int64_t>(),
      contiguous.data_ptr<int64_t>() + contiguous.numel());
  AMEND_ASSIGN_OR_RETURN(figures.group_rates, RatesByGroup(predicted, audit));
  AMEND_ASSIGN_OR_RETURN(
      figures.equalised_odds_difference,
      EqualisedOddsDifference(predictions, data.labels, data.groups));
  return figures;
}

std::string WhyNoEod(const Mlp& model, const AuditSet& audit) {
  if (!audit.has_groups()) return "the audit rows have no group column";
  if (model.architecture.num_classes != 2) {
    return absl::StrCat(
        "equalised odds is defined for binary classifiers (positive class 1); "
        "the model has ",
        model.architecture.num_classes, " classes");
  }
  return "";
}

}  // namespace

absl::StatusOr<RequirementFigures> MeasureRequirements(const Mlp& model) {
  AMEND_RETURN_IF_ERROR(CheckModel(model));
  return CallTorch(
      "requirements", TorchInputs::kValidated,
      [&]() -> absl::StatusOr<RequirementFigures> {
        const Architecture& architecture = model.architecture;
        const TensorMap parameters = MaskedParameters(model);
        RequirementFigures figures;
        figures.features_total = architecture.input_dim;
        figures.weights_total = CountWeights(architecture);
        at::Tensor read = at::zeros({architecture.input_dim}, at::kBool);
        for (const TensorSpec& spec : ExpectedTensors(architecture)) {
          if (!IsWeightRole(spec.role)) continue;
          const at::Tensor non_zero = parameters.at(spec.name).ne(0);
          figures.weights_kept += non_zero.sum().item<int64_t>();
          if (spec.source == 0) read = read.logical_or(non_zero.any(0));
        }
        if (const auto mask = model.masks.find(kInputMaskName);
            mask != model.masks.end()) {
          read = read.logical_and(mask->second.gt(0.5));
        }
        for (int64_t i = 0; i < architecture.input_dim; ++i) {
          if (read[i].item<bool>()) {
            ++figures.features_used;
          } else {
            figures.removed_features.push_back(i);
          }
        }
        return figures;
      });
}

absl::StatusOr<Certification> Certify(const Mlp& model, const AuditSet& audit,
                                      const Mlp* original) {
  AMEND_RETURN_IF_ERROR(CheckModel(model));
  const Architecture& architecture = model.architecture;
  AMEND_RETURN_IF_ERROR(ValidateAuditSet(audit, architecture.input_dim,
                                         architecture.num_classes));
  if (original != nullptr) {
    if (absl::Status status = CheckModel(*original); !status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("original: ", status.message()));
    }
    const Architecture& before = original->architecture;
    if (before.input_dim != architecture.input_dim ||
        before.num_classes != architecture.num_classes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "original: must take the model's ", architecture.input_dim,
          " inputs to its ", architecture.num_classes, " classes, got ",
          before.input_dim, " inputs and ", before.num_classes, " classes"));
    }
  }
  Certification certification;
  certification.rows = audit.rows;
  certification.groups = static_cast<int64_t>(audit.group_names.size());
  certification.eod_not_measured = WhyNoEod(model, audit);
  const bool measure_eod = certification.eod_not_measured.empty();
  AMEND_ASSIGN_OR_RETURN(certification.requirement, MeasureRequirements(model));
  absl::Status measured =
      CallTorch("certify", TorchInputs::kValidated, [&]() -> absl::Status {
        // The tensors only borrow the audit's vectors for this call.
        RowsData data;
        data.features =
            at::from_blob(const_cast<float*>(audit.features.data()),
                          {audit.rows, audit.input_dim}, at::kFloat);
        data.labels = at::from_blob(const_cast<int64_t*>(audit.labels.data()),
                                    {audit.rows}, at::kLong);
        if (audit.has_groups()) {
          data.groups = at::from_blob(const_cast<int64_t*>(audit.groups.data()),
                                      {audit.rows}, at::kLong);
        }
        AMEND_ASSIGN_OR_RETURN(const at::Tensor logits,
                               MaskedLogits(model, data.features));
        const at::Tensor predictions = logits.argmax(-1);
        AMEND_ASSIGN_OR_RETURN(
            certification.model,
            FiguresOf(predictions, data, audit, measure_eod));
        if (original == nullptr) return absl::OkStatus();
        AMEND_ASSIGN_OR_RETURN(const at::Tensor original_logits,
                               MaskedLogits(*original, data.features));
        const at::Tensor original_predictions = original_logits.argmax(-1);
        OriginalComparison comparison;
        AMEND_ASSIGN_OR_RETURN(
            comparison.original,
            FiguresOf(original_predictions, data, audit, measure_eod));
        comparison.jsd =
            JensenShannonFromLogits(original_logits.to(at::kDouble),
                                    logits.to(at::kDouble))
                .mean()
                .item<double>();
        comparison.labels_changed = original_predictions.ne(predictions)
                                        .to(at::kDouble)
                                        .mean()
                                        .item<double>();
        certification.against_original = std::move(comparison);
        return absl::OkStatus();
      });
  if (!measured.ok()) return measured;
  return certification;
}

}  // namespace amend

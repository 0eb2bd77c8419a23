#include "core/postprocessing/binary_outcomes.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace amend {
namespace {

// p log(p / m), 0 when p is 0.
double KlTerm(double p, double m) { return p > 0 ? p * std::log(p / m) : 0.0; }

}  // namespace

absl::Status ValidateBinaryData(const BinaryData& data) {
  const size_t rows = data.scores.size();
  if (rows == 0) return absl::InvalidArgumentError("scores: no rows");
  if (data.labels.size() != rows || data.groups.size() != rows) {
    return absl::InvalidArgumentError(absl::StrCat(
        "labels, groups: must have one entry per score (", rows, "), got ",
        data.labels.size(), " and ", data.groups.size()));
  }
  for (size_t i = 0; i < rows; ++i) {
    if (!(data.scores[i] >= 0 && data.scores[i] <= 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scores[", i, "]: must be in [0, 1], got ", data.scores[i]));
    }
    if (data.labels[i] != 0 && data.labels[i] != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "labels[", i, "]: must be 0 or 1, got ", data.labels[i]));
    }
    if (data.groups[i] != 0 && data.groups[i] != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "groups[", i, "]: must be 0 or 1, got ", data.groups[i]));
    }
  }
  return absl::OkStatus();
}

double ExpectedEqualisedOddsDifference(const std::vector<double>& positive,
                                       const std::vector<int>& labels,
                                       const std::vector<int>& groups) {
  // [group][label]: sum of pi and row count.
  std::array<std::array<double, 2>, 2> predicted{}, count{};
  for (size_t i = 0; i < positive.size(); ++i) {
    if (groups[i] != 0 && groups[i] != 1) continue;
    predicted[groups[i]][labels[i]] += positive[i];
    count[groups[i]][labels[i]] += 1.0;
  }
  auto rate = [&](int group, int label) {
    return count[group][label] > 0
               ? predicted[group][label] / count[group][label]
               : 0.0;
  };
  const double tpr_gap = std::abs(rate(1, 1) - rate(0, 1));
  const double fpr_gap = std::abs(rate(1, 0) - rate(0, 0));
  return std::max(tpr_gap, fpr_gap);
}

double ExpectedAccuracy(const std::vector<double>& positive,
                        const std::vector<int>& labels) {
  if (positive.empty()) return 0.0;
  double correct = 0.0;
  for (size_t i = 0; i < positive.size(); ++i) {
    correct += labels[i] == 1 ? positive[i] : 1.0 - positive[i];
  }
  return correct / static_cast<double>(positive.size());
}

double ExpectedDisagreement(const std::vector<double>& p,
                            const std::vector<double>& positive) {
  if (p.empty()) return 0.0;
  double total = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    total += p[i] > 0.5 ? 1.0 - positive[i] : positive[i];
  }
  return total / static_cast<double>(p.size());
}

double MeanBinaryJensenShannon(const std::vector<double>& p,
                               const std::vector<double>& q) {
  if (p.empty()) return 0.0;
  double total = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double m1 = 0.5 * (p[i] + q[i]);
    const double m0 = 1.0 - m1;
    total += 0.5 * (KlTerm(p[i], m1) + KlTerm(1.0 - p[i], m0)) +
             0.5 * (KlTerm(q[i], m1) + KlTerm(1.0 - q[i], m0));
  }
  return total / static_cast<double>(p.size());
}

}  // namespace amend

#include "core/postprocessing/reject_option.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

double Linspace(double low, double high, int count, int i) {
  return count == 1 ? low : low + (high - low) * i / (count - 1);
}

bool Favourable(double score, int group, double threshold, double margin) {
  if (score > threshold - margin && score <= threshold + margin) {
    return group == kUnprivilegedGroup;
  }
  return score > threshold;
}

struct GridPoint {
  double threshold = 0.0;
  double margin = 0.0;
  double balanced_accuracy = 0.0;
  double average_odds_difference = 0.0;
};

}  // namespace

std::vector<double> RejectOptionClassifier::Predict(
    const std::vector<double>& scores, const std::vector<int>& groups) const {
  std::vector<double> labels(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    labels[i] = Favourable(scores[i], groups[i], threshold_, margin_) ? 1 : 0;
  }
  return labels;
}

// Kept whole (~85 lines): one grid search; the bounds share its per-cell
// accuracies and AODs, which a split would pass around as tables.
absl::StatusOr<std::vector<RejectOptionClassifier>> FitRejectOption(
    const BinaryData& data, const std::vector<double>& bounds,
    const RejectOptionGrid& grid) {
  AMEND_RETURN_IF_ERROR(ValidateBinaryData(data));
  if (!(grid.low_threshold >= 0 && grid.low_threshold < grid.high_threshold &&
        grid.high_threshold <= 1 && grid.num_thresholds >= 1 &&
        grid.num_margins >= 1)) {
    return absl::InvalidArgumentError(
        "grid: needs 0 <= low_threshold < high_threshold <= 1 and counts >= "
        "1");
  }
  for (double bound : bounds) {
    if (!(bound > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bounds: each must be > 0, got ", bound));
    }
  }
  std::array<std::array<double, 2>, 2> count{};  // [group][label]
  for (size_t i = 0; i < data.rows(); ++i) {
    count[data.groups[i]][data.labels[i]] += 1;
  }
  for (int group = 0; group < 2; ++group) {
    if (count[group][0] == 0 || count[group][1] == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "labels: group ", group, " needs both positives and negatives"));
    }
  }
  std::vector<GridPoint> points;
  for (int ti = 0; ti < grid.num_thresholds; ++ti) {
    const double t = Linspace(grid.low_threshold, grid.high_threshold,
                              grid.num_thresholds, ti);
    for (int mi = 0; mi < grid.num_margins; ++mi) {
      const double m =
          Linspace(0.0, std::min(t, 1.0 - t), grid.num_margins, mi);
      std::array<std::array<double, 2>, 2> predicted{};
      for (size_t i = 0; i < data.rows(); ++i) {
        if (Favourable(data.scores[i], data.groups[i], t, m)) {
          predicted[data.groups[i]][data.labels[i]] += 1;
        }
      }
      auto rate = [&](int group, int label) {
        return predicted[group][label] / count[group][label];
      };
      const double tp = predicted[0][1] + predicted[1][1];
      const double fp = predicted[0][0] + predicted[1][0];
      const double positives = count[0][1] + count[1][1];
      const double negatives = count[0][0] + count[1][0];
      GridPoint point;
      point.threshold = t;
      point.margin = m;
      point.balanced_accuracy =
          0.5 * (tp / positives + (negatives - fp) / negatives);
      point.average_odds_difference =
          0.5 * ((rate(kUnprivilegedGroup, 0) - rate(kPrivilegedGroup, 0)) +
                 (rate(kUnprivilegedGroup, 1) - rate(kPrivilegedGroup, 1)));
      points.push_back(point);
    }
  }
  std::vector<RejectOptionClassifier> fitted;
  for (double bound : bounds) {
    const GridPoint* best = nullptr;
    for (const GridPoint& point : points) {
      if (std::abs(point.average_odds_difference) > bound) continue;
      if (best == nullptr ||
          point.balanced_accuracy > best->balanced_accuracy) {
        best = &point;
      }
    }
    if (best != nullptr) {
      fitted.emplace_back(best->threshold, best->margin, true);
      continue;
    }
    // AIF360's fallback: the minimum signed metric, not the minimum |metric|.
    const GridPoint* lowest = &points.front();
    for (const GridPoint& point : points) {
      if (point.average_odds_difference < lowest->average_odds_difference) {
        lowest = &point;
      }
    }
    fitted.emplace_back(lowest->threshold, lowest->margin, false);
  }
  return fitted;
}

}  // namespace amend

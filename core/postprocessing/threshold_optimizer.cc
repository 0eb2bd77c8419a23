#include "core/postprocessing/threshold_optimizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"

namespace amend {

struct ThresholdOptimizer::RocPoint {
  double x = 0.0;          // false-positive rate
  double y = 0.0;          // true-positive rate
  double threshold = 0.0;  // predict 1 if s > threshold
};

namespace {

using RocPoint = ThresholdOptimizer::RocPoint;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// ROC points of one group's thresholds, then their upper convex hull in
// increasing x.
std::vector<RocPoint> UpperHull(std::vector<double> scores,
                                std::vector<int> labels) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double positives = 0, negatives = 0;
  for (int label : labels) (label == 1 ? positives : negatives) += 1;
  std::vector<RocPoint> points = {{0.0, 0.0, kInfinity}};
  double true_positives = 0, false_positives = 0;
  for (size_t i = 0; i < order.size();) {
    const double score = scores[order[i]];
    while (i < order.size() && scores[order[i]] == score) {
      (labels[order[i]] == 1 ? true_positives : false_positives) += 1;
      ++i;
    }
    const double threshold =
        i < order.size() ? 0.5 * (score + scores[order[i]]) : -kInfinity;
    points.push_back(
        {false_positives / negatives, true_positives / positives, threshold});
  }
  std::stable_sort(points.begin(), points.end(),
                   [](const RocPoint& a, const RocPoint& b) {
                     return a.x != b.x ? a.x < b.x : a.y < b.y;
                   });
  std::vector<RocPoint> hull;
  for (const RocPoint& p : points) {
    // Drop the middle point when it lies on or below the chord.
    while (hull.size() >= 2) {
      const RocPoint& o = hull[hull.size() - 2];
      const RocPoint& a = hull.back();
      const double cross =
          (a.x - o.x) * (p.y - o.y) - (a.y - o.y) * (p.x - o.x);
      if (cross < 0) break;
      hull.pop_back();
    }
    hull.push_back(p);
  }
  // Several vertices at x = 0: keep the highest (the last after sorting).
  while (hull.size() >= 2 && hull[1].x == 0.0) hull.erase(hull.begin());
  return hull;
}

struct Interpolated {
  double y = 0.0;
  double weight_low = 1.0;
  double threshold_low = kInfinity;
  double threshold_high = kInfinity;
};

// The hull at false-positive rate x: a mix of the two vertices around x.
Interpolated Interpolate(const std::vector<RocPoint>& hull, double x) {
  if (x <= hull.front().x) {
    return {hull.front().y, 1.0, hull.front().threshold,
            hull.front().threshold};
  }
  size_t i = 0;
  while (i + 2 < hull.size() && hull[i + 1].x < x) ++i;
  const RocPoint& low = hull[i];
  const RocPoint& high = hull[i + 1];
  const double weight_low = (high.x - x) / (high.x - low.x);
  return {weight_low * low.y + (1.0 - weight_low) * high.y, weight_low,
          low.threshold, high.threshold};
}

// Each group's ROC hull and its positives and negatives.
struct GroupHulls {
  std::array<std::vector<RocPoint>, 2> hulls;
  std::array<double, 2> positives = {0, 0}, negatives = {0, 0};
};

absl::StatusOr<GroupHulls> HullsOf(const BinaryData& data, int grid_size) {
  AMEND_RETURN_IF_ERROR(ValidateBinaryData(data));
  if (grid_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("grid_size: must be >= 1, got ", grid_size));
  }
  GroupHulls out;
  for (int group = 0; group < 2; ++group) {
    std::vector<double> scores;
    std::vector<int> labels;
    for (size_t i = 0; i < data.rows(); ++i) {
      if (data.groups[i] != group) continue;
      scores.push_back(data.scores[i]);
      labels.push_back(data.labels[i]);
    }
    const auto group_positives = std::count(labels.begin(), labels.end(), 1);
    if (group_positives == 0 ||
        group_positives == static_cast<long>(labels.size())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "labels: group ", group,
          " needs both positives and negatives (degenerate labels)"));
    }
    out.positives[group] = static_cast<double>(group_positives);
    out.negatives[group] = static_cast<double>(labels.size() - group_positives);
    out.hulls[group] = UpperHull(std::move(scores), std::move(labels));
  }
  return out;
}

// fairlearn rounds accuracies to 15 decimals before its argmax: the first of
// (numerically) equal accuracies wins.
double Rounded(double accuracy) { return std::round(accuracy * 1e15) / 1e15; }

}  // namespace

ThresholdOptimizer::GroupRule ThresholdOptimizer::RuleAt(
    const std::vector<RocPoint>& hull, double x, double y) {
  const Interpolated at = Interpolate(hull, x);
  GroupRule rule;
  rule.weight_low = at.weight_low;
  rule.threshold_low = at.threshold_low;
  rule.threshold_high = at.threshold_high;
  // In [0, 1] by REQUIRES; clamped against rounding.
  rule.ignore_probability =
      at.y == x ? 0.0 : std::clamp((at.y - y) / (at.y - x), 0.0, 1.0);
  rule.false_positive_rate = x;
  rule.true_positive_rate = y;
  return rule;
}

absl::StatusOr<ThresholdOptimizer> ThresholdOptimizer::Fit(
    const BinaryData& data, int grid_size) {
  AMEND_ASSIGN_OR_RETURN(const GroupHulls groups, HullsOf(data, grid_size));
  const auto& hulls = groups.hulls;
  const double positives = groups.positives[0] + groups.positives[1];
  const double negatives = groups.negatives[0] + groups.negatives[1];
  const double rows = static_cast<double>(data.rows());
  double best_accuracy = -1.0;
  double best_x = 0.0;
  for (int g = 0; g <= grid_size; ++g) {
    const double x = static_cast<double>(g) / grid_size;
    const double y =
        std::min(Interpolate(hulls[0], x).y, Interpolate(hulls[1], x).y);
    const double accuracy =
        Rounded((positives * y + negatives * (1.0 - x)) / rows);
    if (accuracy > best_accuracy) {
      best_accuracy = accuracy;
      best_x = x;
    }
  }
  ThresholdOptimizer fitted;
  const double best_y = std::min(Interpolate(hulls[0], best_x).y,
                                 Interpolate(hulls[1], best_x).y);
  for (int group = 0; group < 2; ++group) {
    fitted.rules_[group] = RuleAt(hulls[group], best_x, best_y);
  }
  return fitted;
}

absl::StatusOr<ThresholdOptimizer> ThresholdOptimizer::FitRelaxed(
    const BinaryData& data, double tolerance, int grid_size) {
  if (!(tolerance >= 0.0 && tolerance <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tolerance: must be in [0, 1] (an equalised-odds difference), got ",
        tolerance));
  }
  AMEND_ASSIGN_OR_RETURN(const GroupHulls groups, HullsOf(data, grid_size));
  const auto& hulls = groups.hulls;
  // Each hull's TPR at every grid FPR, once: the search reads them
  // (grid_size + 1) x (2 window + 1) times.
  std::array<std::vector<double>, 2> tpr;
  for (int group = 0; group < 2; ++group) {
    for (int g = 0; g <= grid_size; ++g) {
      tpr[group].push_back(
          Interpolate(hulls[group], static_cast<double>(g) / grid_size).y);
    }
  }
  // Grid FPRs at most `tolerance` apart (the epsilon keeps 0.03 * 1000 at 30).
  const int window = static_cast<int>(std::floor(tolerance * grid_size + 1e-9));
  const double rows = static_cast<double>(data.rows());
  double best_accuracy = -1.0;
  std::array<double, 2> best_x = {0, 0}, best_y = {0, 0};
  for (int g0 = 0; g0 <= grid_size; ++g0) {
    for (int g1 = std::max(0, g0 - window);
         g1 <= std::min(grid_size, g0 + window); ++g1) {
      const std::array<double, 2> x = {static_cast<double>(g0) / grid_size,
                                       static_cast<double>(g1) / grid_size};
      std::array<double, 2> y = {tpr[0][g0], tpr[1][g1]};
      // Both at their hulls when within tolerance; otherwise the higher
      // comes down to the lower + tolerance (it cannot go above its hull).
      if (y[0] > y[1] + tolerance) y[0] = y[1] + tolerance;
      if (y[1] > y[0] + tolerance) y[1] = y[0] + tolerance;
      double correct = 0.0;
      for (int group = 0; group < 2; ++group) {
        correct += groups.positives[group] * y[group] +
                   groups.negatives[group] * (1.0 - x[group]);
      }
      const double accuracy = Rounded(correct / rows);
      if (accuracy > best_accuracy) {
        best_accuracy = accuracy;
        best_x = x;
        best_y = y;
      }
    }
  }
  ThresholdOptimizer fitted;
  for (int group = 0; group < 2; ++group) {
    fitted.rules_[group] = RuleAt(hulls[group], best_x[group], best_y[group]);
  }
  return fitted;
}

std::vector<double> ThresholdOptimizer::PositiveProbability(
    const std::vector<double>& scores, const std::vector<int>& groups) const {
  std::vector<double> positive(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    if (groups[i] != 0 && groups[i] != 1) continue;  // unseen group: 0
    const GroupRule& rule = rules_[groups[i]];
    const double thresholded =
        rule.weight_low * (scores[i] > rule.threshold_low ? 1.0 : 0.0) +
        (1.0 - rule.weight_low) * (scores[i] > rule.threshold_high ? 1.0 : 0.0);
    positive[i] = (1.0 - rule.ignore_probability) * thresholded +
                  rule.ignore_probability * rule.false_positive_rate;
  }
  return positive;
}

}  // namespace amend

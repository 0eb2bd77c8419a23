#include "core/postprocessing/fair_cls.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// d_y(x) = gamma_y0(x) - gamma_y1(x).
double Difference(const std::array<std::array<double, 2>, 2>& mean_joint,
                  int label, double score, int group) {
  const double p_label = label == 1 ? score : 1.0 - score;
  const double gamma = p_label / mean_joint[group][label];
  return group == 0 ? gamma : -gamma;
}

// max over t of (1/n) sum_i min(a_i, b_i + t c_i) - alpha |t|, exactly:
// the slope falls by |c_i| / n at each breakpoint (a_i - b_i) / c_i and by
// 2 alpha at 0; the maximum is where it first stops being positive.
struct LineMaximum {
  double argument = 0.0;
  double value = 0.0;
};
LineMaximum MaximiseOnLine(const std::vector<double>& a,
                           const std::vector<double>& b,
                           const std::vector<double>& c, double alpha) {
  const double n = static_cast<double>(a.size());
  std::vector<std::pair<double, double>> breakpoints;  // (t, slope drop)
  breakpoints.reserve(a.size() + 1);
  double slope = std::isinf(alpha) ? 0.0 : alpha;
  for (size_t i = 0; i < a.size(); ++i) {
    if (c[i] == 0) continue;
    if (c[i] > 0) slope += c[i] / n;
    breakpoints.emplace_back((a[i] - b[i]) / c[i], std::abs(c[i]) / n);
  }
  double argument = 0.0;
  if (!std::isinf(alpha)) {
    breakpoints.emplace_back(0.0, 2.0 * alpha);
    std::sort(breakpoints.begin(), breakpoints.end());
    for (const auto& [t, drop] : breakpoints) {
      argument = t;
      slope -= drop;
      if (slope <= 0) break;
    }
  }
  double value = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    value += std::min(a[i], b[i] + argument * c[i]);
  }
  value = value / n - (std::isinf(alpha) ? 0.0 : alpha * std::abs(argument));
  return {argument, value};
}

// The reference's tie-breaking perturbation: mean risk (1/2 for two classes
// under the 0-1 loss) times U(-noise, noise), per row and class.
class RiskNoise {
 public:
  RiskNoise(uint64_t seed, double noise) : random_(seed), noise_(noise) {}
  double Next() {
    return noise_ == 0 ? 0.0 : 0.5 * noise_ * (2.0 * uniform_(random_) - 1.0);
  }

 private:
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  double noise_;
};

}  // namespace

absl::StatusOr<FairCls> FairCls::Fit(const BinaryData& data, double alpha,
                                     uint64_t seed, double noise) {
  AMEND_RETURN_IF_ERROR(ValidateBinaryData(data));
  if (!(alpha > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("alpha: must be > 0, got ", alpha));
  }
  if (!(noise >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("noise: must be >= 0, got ", noise));
  }
  FairCls fitted;
  fitted.noise_ = noise;
  if (std::isinf(alpha)) return fitted;  // no constraint: t = 0
  const double n = static_cast<double>(data.rows());
  std::array<double, 2> group_rows{};
  for (size_t i = 0; i < data.rows(); ++i) {
    fitted.mean_joint_[data.groups[i]][1] += data.scores[i] / n;
    fitted.mean_joint_[data.groups[i]][0] += (1.0 - data.scores[i]) / n;
    group_rows[data.groups[i]] += 1;
  }
  for (int group = 0; group < 2; ++group) {
    if (group_rows[group] == 0 || fitted.mean_joint_[group][0] <= 0 ||
        fitted.mean_joint_[group][1] <= 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "groups: group ", group, " needs rows of both predicted classes"));
    }
  }
  const size_t rows = data.rows();
  std::vector<double> risk0(rows), risk1(rows), d0(rows), d1(rows);
  RiskNoise perturbation(seed, noise);
  for (size_t i = 0; i < rows; ++i) {
    risk0[i] = data.scores[i] + perturbation.Next();
    risk1[i] = 1.0 - data.scores[i] + perturbation.Next();
    d0[i] = Difference(fitted.mean_joint_, 0, data.scores[i], data.groups[i]);
    d1[i] = Difference(fitted.mean_joint_, 1, data.scores[i], data.groups[i]);
  }
  // g(t1) = max_t0 D(t0, t1) is concave; |t0| + |t1| <= 1 / alpha because
  // D <= E[r0] <= 1 and D(0) >= 0.
  std::vector<double> shifted(rows);
  auto inner = [&](double t1) {
    for (size_t i = 0; i < rows; ++i) shifted[i] = risk1[i] + t1 * d1[i];
    LineMaximum best = MaximiseOnLine(risk0, shifted, d0, alpha);
    best.value -= alpha * std::abs(t1);
    return best;
  };
  const double golden = (std::sqrt(5.0) - 1.0) / 2.0;
  double low = -1.0 / alpha, high = 1.0 / alpha;
  double left = high - golden * (high - low);
  double right = low + golden * (high - low);
  double left_value = inner(left).value, right_value = inner(right).value;
  for (int iteration = 0; iteration < 90; ++iteration) {
    if (left_value < right_value) {
      low = left;
      left = right;
      left_value = right_value;
      right = low + golden * (high - low);
      right_value = inner(right).value;
    } else {
      high = right;
      right = left;
      right_value = left_value;
      left = high - golden * (high - low);
      left_value = inner(left).value;
    }
  }
  const double t1 = 0.5 * (low + high);
  fitted.multipliers_ = {inner(t1).argument, t1};
  return fitted;
}

std::vector<double> FairCls::Predict(const std::vector<double>& scores,
                                     const std::vector<int>& groups,
                                     uint64_t seed) const {
  std::vector<double> labels(scores.size());
  RiskNoise perturbation(seed, noise_);
  for (size_t i = 0; i < scores.size(); ++i) {
    const double risk0 = scores[i] + perturbation.Next();
    double fair_risk1 = 1.0 - scores[i] + perturbation.Next();
    const bool known_group = groups[i] == 0 || groups[i] == 1;
    if (known_group && (multipliers_[0] != 0 || multipliers_[1] != 0)) {
      for (int label = 0; label < 2; ++label) {
        fair_risk1 += multipliers_[label] *
                      Difference(mean_joint_, label, scores[i], groups[i]);
      }
    }
    labels[i] = fair_risk1 < risk0 ? 1.0 : 0.0;
  }
  return labels;
}

}  // namespace amend

#include "core/optim/epo.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace amend {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Keeps log(m * l_hat) finite when a loss is exactly 0.
constexpr double kLossFloor = 1e-12;

Pair Normalised(const Pair& losses, const Pair& preference) {
  const double a = preference[0] * std::max(losses[0], kLossFloor);
  const double b = preference[1] * std::max(losses[1], kLossFloor);
  return {a / (a + b), b / (a + b)};
}

// Feasible t in [low, high] for c0 t + c1 (1 - t) >= bound.
void Restrict(double c0, double c1, double bound, double& low, double& high) {
  if (bound == -kInfinity) return;
  const double slope = c0 - c1;
  const double rest = bound - c1;
  if (slope > 0) {
    low = std::max(low, rest / slope);
  } else if (slope < 0) {
    high = std::min(high, rest / slope);
  } else if (rest > 0) {
    low = 1.0;
    high = 0.0;  // infeasible
  }
}

}  // namespace

double EpoNonUniformity(const Pair& losses, const Pair& preference) {
  const Pair l_hat = Normalised(losses, preference);
  double mu = 0.0;
  for (double v : l_hat) {
    if (v > std::numeric_limits<double>::epsilon()) mu += v * std::log(2 * v);
  }
  return mu;
}

Pair EpoWeights(const Pair& losses, const Gram& gram, const Pair& preference) {
  const Pair l_hat = Normalised(losses, preference);
  const double mu = EpoNonUniformity(losses, preference);
  const Pair adjustment = {preference[0] * (std::log(2 * l_hat[0]) - mu),
                           preference[1] * (std::log(2 * l_hat[1]) - mu)};
  const Pair ca = {gram[0][0] * adjustment[0] + gram[0][1] * adjustment[1],
                   gram[1][0] * adjustment[0] + gram[1][1] * adjustment[1]};
  double low = 0.0, high = 1.0;
  Pair objective;  // coefficients of t and of 1 - t
  if (mu > kEpoBalanceEpsilon) {
    // Balance: maximise alpha^T C a subject to C alpha >= rhs.
    Pair rhs = ca;
    const bool any_positive = ca[0] > 0 || ca[1] > 0;
    if (any_positive) {
      const double rl0 = preference[0] * losses[0];
      const double rl1 = preference[1] * losses[1];
      for (int i = 0; i < 2; ++i) {
        if (ca[i] > 0) rhs[i] = -kInfinity;
      }
      const double top = std::max(rl0, rl1);
      if (rl0 == top) rhs[0] = 0.0;
      if (rl1 == top) rhs[1] = 0.0;
    } else {
      rhs = {0.0, 0.0};
    }
    for (int i = 0; i < 2; ++i) {
      Restrict(gram[i][0], gram[i][1], rhs[i], low, high);
    }
    objective = ca;
  } else {
    // Descent: maximise 1^T C alpha subject to alpha^T C a >= min(max Ca, 0)
    // and C alpha >= 0.
    Restrict(ca[0], ca[1], std::min(std::max(ca[0], ca[1]), 0.0), low, high);
    for (int i = 0; i < 2; ++i)
      Restrict(gram[i][0], gram[i][1], 0.0, low, high);
    objective = {gram[0][0] + gram[1][0], gram[0][1] + gram[1][1]};
  }
  if (low > high) {
    const double sum = preference[0] + preference[1];
    return {preference[0] / sum, preference[1] / sum};
  }
  const double t = objective[0] - objective[1] >= 0 ? high : low;
  return {t, 1.0 - t};
}

}  // namespace amend

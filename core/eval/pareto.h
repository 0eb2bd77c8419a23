// File: core/eval/pareto.h
//
// Pareto fronts of two objectives that are both minimised (requirement metric
// on x, JSD on y, as in the paper's figures), and the hypervolume a front
// dominates up to a reference point.
//
// Example:
//   std::vector<bool> front = ParetoOptimal({{0.5, 0.01}, {0.3, 0.02}});
//   double area = Hypervolume({{0.5, 0.01}}, {1.0, 0.1});   // 0.045
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EVAL_PARETO_H_
#define AMEND_CORE_EVAL_PARETO_H_

#include <vector>

namespace amend {

struct ParetoPoint {
  double x = 0.0;
  double y = 0.0;
};

// true for every point no other point dominates (no worse in both and better
// in one). Equal points are all optimal.
std::vector<bool> ParetoOptimal(const std::vector<ParetoPoint>& points);

// Area dominated by the points and bounded by `reference` (points beyond the
// reference in either coordinate add nothing).
double Hypervolume(const std::vector<ParetoPoint>& points,
                   const ParetoPoint& reference);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_PARETO_H_
